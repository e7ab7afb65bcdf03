/*
 * tlbmodel: per-CPU TLB lookups from the engine's hooks, ASIDs at switches,
 * refill attribution, and shootdowns.
 */
#include "sim/tlbmodel.h"

static uint64_t cpu_bit(const struct sim_cpu *c)
{
	return UINT64_C(1) << c->id;
}

static bool tagged(const struct machine *m)
{
	return m->profile.tlb.asid_tagged;
}

/* The ASID `mm` runs with: untagged TLBs ignore it. */
static uint16_t mm_asid(const struct machine *m, const struct mm *mm)
{
	return tagged(m) ? asid_of(&m->asids, mm->context_id) : 0;
}

/* Cycles of one lookup: an L1 or L2 hit, or the L2 lookup that missed plus
 * the walk (levels read from memory, levels the page-walk cache supplied). */
static uint64_t lookup_cycles(const struct cost_profile *p, const struct tlb_lookup *l, bool walked)
{
	if (!walked)
		return p->cycles[l->hit == TLB_HIT_L1 ? COST_TLB_HIT_L1 : COST_TLB_HIT_L2];
	return p->cycles[COST_TLB_HIT_L2] + l->walk_reads * p->cycles[COST_WALK_LEVEL] +
	       l->pwc_hit_level * p->cycles[COST_WALK_LEVEL_PWC_HIT];
}

/* The engine's hook: one page of a data access or of a block's fetch. */
static void on_access(void *ctx, uint64_t va, bool fetch)
{
	struct machine *m = ctx;
	struct sim_cpu *c = m->this_cpu;
	struct mm *mm = cpu_current_mm(m->cpu);
	struct tlb_lookup l;
	bool found = tlb_translate(c->tlb, m->phys, mm->pgd, mm_asid(m, mm), va,
				   fetch ? TLB_FETCH : TLB_DATA, &l);
	uint64_t cycles = lookup_cycles(&m->profile, &l, !found || l.hit == TLB_WALKED);

	c->tlb_cycles += cycles;
	if (c->switch_kind && (!found || l.hit != TLB_HIT_L1)) {
		c->switch_cost.indirect += cycles;
		c->switch_cost.refills++;
	}
}

int tlbmodel_init(struct machine *m, GString *error)
{
	const struct cost_profile *p = &m->profile;

	if (p->asid_bits && (UINT64_C(1) << p->asid_bits) - 1 <= (uint64_t)m->opt.cpus) {
		g_string_printf(error, "tlb.asid_bits=%u gives %" PRIu64 " ASIDs: --cpus %d needs more than %d",
				p->asid_bits, (UINT64_C(1) << p->asid_bits) - 1, m->opt.cpus, m->opt.cpus);
		return -EINVAL;
	}
	if (p->asid_bits)
		asid_allocator_init(&m->asids, p->asid_bits, m->opt.cpus);
	if (m->opt.tlb_off)
		return 0;
	for (int i = 0; i < m->opt.cpus; i++) {
		if (tlb_create(&p->tlb, &m->cpus[i].tlb)) {
			g_string_printf(error, "profile %s: a TLB geometry is invalid", p->name);
			return -EINVAL;
		}
	}
	if (cpu_set_access_hook(m->cpu, on_access, m)) {
		g_string_printf(error, "cannot hook the emulator's memory accesses");
		return -EIO;
	}
	return 0;
}

void tlbmodel_fini(struct machine *m)
{
	for (int i = 0; i < MAX_CPUS; i++) {
		tlb_destroy(m->cpus[i].tlb);
		m->cpus[i].tlb = NULL;
	}
	asid_allocator_fini(&m->asids);
}

void tlbmodel_switch_mm(struct machine *m, struct sim_cpu *c, struct mm *next, struct event_cost *ev)
{
	bool flush = true;

	if (tagged(m))
		asid_switch_mm(&m->asids, c->id, &next->context_id, &flush);
	machine_charge(m, ev, tagged(m) ? COST_SWITCH_ASID : COST_SWITCH_NO_ASID, 1);
	if (flush) {
		machine_charge(m, ev, COST_TLB_FLUSH_ALL, 1);
		if (c->tlb && tagged(m))
			tlb_flush_all(c->tlb);		/* roll-over: every ASID may be stale */
		else if (c->tlb)
			tlb_flush_asid(c->tlb, 0);	/* untagged: all but global entries */
	}
	next->cpumask |= cpu_bit(c);
}

static void close_switch(struct machine *m, struct sim_cpu *c)
{
	if (c->switch_kind)
		latency_record(m->latency, c->switch_kind, &c->switch_cost);
	c->switch_kind = NULL;
}

void tlbmodel_open_switch(struct machine *m, struct sim_cpu *c, const char *kind,
			  const struct event_cost *ev)
{
	close_switch(m, c);
	c->switch_kind = kind;
	c->switch_cost = *ev;
}

void tlbmodel_close_switches(struct machine *m)
{
	for (int i = 0; i < m->opt.cpus; i++)
		close_switch(m, &m->cpus[i]);
}

uint64_t tlbmodel_take_cycles(struct sim_cpu *c)
{
	uint64_t cycles = c->tlb_cycles;

	c->tlb_cycles = 0;
	return cycles;
}

void tlbmodel_total_stats(const struct machine *m, struct tlb_stats *out)
{
	*out = (struct tlb_stats){ 0 };
	for (int i = 0; i < m->opt.cpus; i++)
		if (m->cpus[i].tlb)
			tlb_stats_add(out, tlb_stats(m->cpus[i].tlb));
}

void tlbmodel_flush(struct machine *m, struct mm *mm, uint64_t start, uint64_t end)
{
	struct shootdown_cpu cpus[MAX_CPUS];
	struct shootdown sd;

	if (!m->this_cpu)	/* nothing has run: no TLB holds anything */
		return;
	for (int i = 0; i < m->opt.cpus; i++)
		cpus[i] = (struct shootdown_cpu){ m->cpus[i].tlb, m->cpus[i].last_mm_id };
	shootdown_flush(cpus, m->opt.cpus, m->this_cpu->id, mm, mm_asid(m, mm), start, end,
			&m->profile, &sd);
	m->shootdowns.shootdowns++;
	m->shootdowns.full += sd.full;
	m->shootdowns.pages += sd.pages;
	m->shootdowns.ipis += sd.nr_targets;
	event_add(&m->work, &sd.initiator);
	latency_record(m->latency, "shootdown", &sd.initiator);
	for (int i = 0; i < m->opt.cpus; i++)
		if (sd.targets & cpu_bit(&m->cpus[i]))
			machine_account(m, &m->cpus[i], "shootdown:target", &sd.target);
}
