/*
 * agent: per-agent clocks, TLB lookups and switches, event costs, and the
 * domain's shootdown subscriber.
 */
#include "mmu/agent.h"

#include <errno.h>
#include <inttypes.h>

#include "mmu/shootdown.h"

static uint64_t agent_bit(const struct agent *a)
{
	return UINT64_C(1) << a->id;
}

static bool tagged(const struct domain *d)
{
	return d->profile->tlb.asid_tagged;
}

/* The ASID `mm` runs with: untagged TLBs ignore it. */
static uint16_t mm_asid(const struct domain *d, const struct mm *mm)
{
	return tagged(d) ? asid_of(&d->asids, mm->context_id) : 0;
}

/* ----------------------------------------------------------------- journal */

/* Tell the domain's journal of a call, if it has one; nothing is built
 * when it has not. */
#define JOURNAL(d, ...)                                                              \
	do {                                                                         \
		if (__builtin_expect((d)->journal != NULL, 0))                       \
			(d)->journal->call((d)->journal->data,                       \
					   &(struct journal_call){ __VA_ARGS__ });   \
	} while (0)

void domain_journal_fault(struct domain *d, int kind)
{
	JOURNAL(d, .op = JOURNAL_FAULT, .agent = -1, .count = (uint64_t)kind);
}

void domain_record_latency(struct domain *d, const char *kind, const struct event_cost *ev)
{
	JOURNAL(d, .op = JOURNAL_LATENCY, .agent = -1, .kind = kind, .cost = ev);
	latency_record(d->latency, kind, ev);
}

/* ------------------------------------------------------------------ events */

/* The calls of this file to one another are not journaled: replaying the
 * outer call makes them again. */
static void pay_cycles(struct agent *a, uint64_t cycles)
{
	a->clock += cost_ns(a->domain->profile, cycles);
}

static void pay(struct agent *a, const struct event_cost *ev)
{
	pay_cycles(a, ev->total);
}

static void account(struct agent *a, const char *kind, const struct event_cost *ev)
{
	pay(a, ev);
	latency_record(a->domain->latency, kind, ev);
}

static void charge_cost(struct agent *a, const struct event_cost *part)
{
	if (a->depth)
		event_add(a->events[a->depth - 1], part);
	else
		pay(a, part);
}

void agent_pay(struct agent *a, const struct event_cost *ev)
{
	JOURNAL(a->domain, .op = JOURNAL_PAY, .agent = a->id, .cost = ev);
	pay(a, ev);
}

void agent_pay_cycles(struct agent *a, uint64_t cycles)
{
	JOURNAL(a->domain, .op = JOURNAL_PAY_CYCLES, .agent = a->id, .count = cycles);
	pay_cycles(a, cycles);
}

void agent_wait_until(struct agent *a, uint64_t ns)
{
	JOURNAL(a->domain, .op = JOURNAL_WAIT, .agent = a->id, .count = ns);
	a->clock = MAX(a->clock, ns);
}

void agent_pay_insns(struct agent *a, uint64_t insns)
{
	JOURNAL(a->domain, .op = JOURNAL_PAY_INSNS, .agent = a->id, .count = insns);
	pay_cycles(a, insns * a->domain->profile->cycles[COST_INSTRUCTION] + agent_take_cycles(a));
}

void agent_account(struct agent *a, const char *kind, const struct event_cost *ev)
{
	JOURNAL(a->domain, .op = JOURNAL_ACCOUNT, .agent = a->id, .kind = kind, .cost = ev);
	account(a, kind, ev);
}

void agent_begin_event(struct agent *a, struct event_cost *ev)
{
	g_assert(a->depth < AGENT_MAX_NESTING);
	JOURNAL(a->domain, .op = JOURNAL_BEGIN, .agent = a->id);
	*ev = (struct event_cost){ 0 };
	a->events[a->depth++] = ev;
}

void agent_charge_cost(struct agent *a, const struct event_cost *part)
{
	JOURNAL(a->domain, .op = JOURNAL_CHARGE_COST, .agent = a->id, .cost = part);
	charge_cost(a, part);
}

void agent_charge(struct agent *a, enum cost_step step, uint64_t count)
{
	struct event_cost part = { 0 };

	JOURNAL(a->domain, .op = JOURNAL_CHARGE, .agent = a->id, .step = step, .count = count);
	event_charge(&part, a->domain->profile, step, count);
	charge_cost(a, &part);
}

struct event_cost agent_end_event(struct agent *a, const char *kind)
{
	struct event_cost ev;

	g_assert(a->depth > 0);
	JOURNAL(a->domain, .op = JOURNAL_END, .agent = a->id, .kind = kind);
	ev = *a->events[--a->depth];
	if (kind)
		latency_record(a->domain->latency, kind, &ev);
	charge_cost(a, &ev);	/* into the parent, or onto the clock */
	return ev;
}

/* ----------------------------------------------------- lookups and switches */

uint64_t lookup_cycles(const struct cost_profile *p, const struct tlb_lookup *l, bool walked)
{
	if (!walked)
		return p->cycles[l->hit == TLB_HIT_L1 ? COST_TLB_HIT_L1 : COST_TLB_HIT_L2];
	return p->cycles[COST_TLB_HIT_L2] + l->walk_reads * p->cycles[COST_WALK_LEVEL] +
	       l->pwc_hit_level * p->cycles[COST_WALK_LEVEL_PWC_HIT];
}

void agent_access_miss(struct agent *a, struct mm *mm, uint64_t va, bool fetch)
{
	struct domain *d = a->domain;
	struct tlb_lookup l;
	bool found = tlb_translate(a->tlb, d->phys, mm->pgd, mm_asid(d, mm), va,
				   fetch ? TLB_FETCH : TLB_DATA, &l);
	uint64_t cycles;

	if (found && l.hit == TLB_HIT_L1)
		return;		/* paid by count, as every L1 hit */
	cycles = lookup_cycles(d->profile, &l, !found || l.hit == TLB_WALKED);
	a->lookup_cycles += cycles;
	if (a->switch_kind) {
		a->switch_cost.indirect += cycles;
		a->switch_cost.refills++;
	}
}

/* L1 hits are only counted as they happen (tlb_hit_recent): their cycles are
 * the hits since the last call times the L1 hit cost. */
uint64_t agent_take_cycles(struct agent *a)
{
	const struct tlb_stats *s = a->tlb ? tlb_stats(a->tlb) : NULL;
	uint64_t l1 = s ? s->hits[TLB_L1I] + s->hits[TLB_L1D] : 0;
	uint64_t cycles = a->lookup_cycles +
			  (l1 - a->l1_hits_paid) * a->domain->profile->cycles[COST_TLB_HIT_L1];

	a->l1_hits_paid = l1;
	a->lookup_cycles = 0;
	return cycles;
}

struct event_cost agent_switch_mm(struct agent *a, struct mm *next)
{
	struct domain *d = a->domain;
	const struct cost_profile *p = d->profile;
	struct event_cost ev = { 0 };
	bool flush = true;

	if (a->mm_id == next->id) {
		JOURNAL(d, .op = JOURNAL_SWITCH, .agent = a->id, .mm = next);
		return ev;
	}
	if (tagged(d))
		asid_switch_mm(&d->asids, a->id, &next->context_id, &flush);
	event_charge(&ev, p, tagged(d) ? COST_SWITCH_ASID : COST_SWITCH_NO_ASID, 1);
	if (flush) {
		event_charge(&ev, p, COST_TLB_FLUSH_ALL, 1);
		if (a->tlb && tagged(d))
			tlb_flush_all(a->tlb);		/* roll-over: every ASID may be stale */
		else if (a->tlb)
			tlb_flush_asid(a->tlb, 0);	/* untagged: all but global entries */
	}
	next->cpumask |= agent_bit(a);
	a->mm_id = next->id;
	mmu_notifier_switch_in(next, a->id);
	JOURNAL(d, .op = JOURNAL_SWITCH, .agent = a->id, .mm = next, .cost = &ev);
	return ev;
}

static void close_switch(struct agent *a)
{
	if (a->switch_kind)
		latency_record(a->domain->latency, a->switch_kind, &a->switch_cost);
	a->switch_kind = NULL;
}

void agent_open_switch(struct agent *a, const char *kind, const struct event_cost *ev)
{
	JOURNAL(a->domain, .op = JOURNAL_OPEN_SWITCH, .agent = a->id, .kind = kind, .cost = ev);
	close_switch(a);
	a->switch_kind = kind;
	a->switch_cost = *ev;
}

void domain_close_switches(struct domain *d)
{
	JOURNAL(d, .op = JOURNAL_CLOSE_SWITCHES, .agent = -1);
	for (int i = 0; i < d->nr_agents; i++)
		close_switch(&d->agents[i]);
}

/* ------------------------------------------------------------------ domain */

int domain_init(struct domain *d, struct phys *phys, const struct cost_profile *p,
		int nr_agents, bool model_tlbs, GString *error)
{
	*d = (struct domain){ .phys = phys, .profile = p, .nr_agents = nr_agents };
	d->latency = latency_recorder_new();
	for (int i = 0; i < nr_agents; i++)
		d->agents[i] = (struct agent){ .id = i, .domain = d };
	if (p->asid_bits && (UINT64_C(1) << p->asid_bits) - 1 <= (uint64_t)nr_agents) {
		g_string_printf(error, "tlb.asid_bits=%u gives %" PRIu64 " ASIDs: --cpus %d needs more than %d",
				p->asid_bits, (UINT64_C(1) << p->asid_bits) - 1, nr_agents, nr_agents);
		return -EINVAL;
	}
	if (p->asid_bits)
		asid_allocator_init(&d->asids, p->asid_bits, nr_agents);
	for (int i = 0; i < nr_agents && model_tlbs; i++) {
		if (tlb_create(&p->tlb, &d->agents[i].tlb)) {
			g_string_printf(error, "profile %s: a TLB geometry is invalid", p->name);
			return -EINVAL;
		}
	}
	return 0;
}

void domain_fini(struct domain *d)
{
	for (int i = 0; i < d->nr_agents; i++) {
		tlb_destroy(d->agents[i].tlb);
		d->agents[i].tlb = NULL;
	}
	asid_allocator_fini(&d->asids);
	latency_recorder_free(d->latency);
	d->latency = NULL;
}

void domain_tlb_stats(const struct domain *d, struct tlb_stats *out)
{
	*out = (struct tlb_stats){ 0 };
	for (int i = 0; i < d->nr_agents; i++)
		if (d->agents[i].tlb)
			tlb_stats_add(out, tlb_stats(d->agents[i].tlb));
}

struct agent *mm_current_agent(const struct mm *mm)
{
	return mm->domain ? mm->domain->current : NULL;
}

static void describe_cpus(const struct domain *d, struct shootdown_cpu *cpus)
{
	for (int i = 0; i < d->nr_agents; i++)
		cpus[i] = (struct shootdown_cpu){ d->agents[i].tlb, d->agents[i].mm_id };
}

/* Count `sd`; the current agent pays the initiator's part, each target its
 * own. */
static void account_shootdown(struct domain *d, const struct shootdown *sd)
{
	d->shootdowns.shootdowns++;
	d->shootdowns.full += sd->full;
	d->shootdowns.pages += sd->pages;
	d->shootdowns.ipis += sd->nr_targets;
	d->shootdowns.cpus += sd->nr_flushed;
	d->shootdowns.initiator_cycles += sd->initiator.total;
	latency_record(d->latency, "shootdown", &sd->initiator);
	charge_cost(d->current, &sd->initiator);
	for (int i = 0; i < d->nr_agents; i++)
		if (sd->targets & agent_bit(&d->agents[i]))
			account(&d->agents[i], "shootdown:target", &sd->target);
}

/* The translations of [start, end) of `mm` changed: shoot them down on
 * behalf of the current agent, which pays the initiator's part; each target
 * pays its own. */
void domain_shoot_down(struct domain *d, struct mm *mm, uint64_t start, uint64_t end)
{
	struct shootdown_cpu cpus[MAX_AGENTS];
	struct shootdown sd;

	if (!d->current || d->flush_deferred)	/* nothing has run: no TLB holds anything */
		return;
	JOURNAL(d, .op = JOURNAL_FLUSH, .agent = d->current->id, .mm = mm, .start = start, .end = end);
	describe_cpus(d, cpus);
	shootdown_flush(cpus, d->nr_agents, d->current->id, mm, mm_asid(d, mm), start, end,
			d->profile, &sd);
	account_shootdown(d, &sd);
}

void domain_flush_shared(struct domain *d, uint64_t mask, struct mm *const *mms, int n,
			 uint64_t start, uint64_t end)
{
	struct shootdown_cpu cpus[MAX_AGENTS];
	uint16_t *asids;
	struct shootdown sd;

	if (!d->current)
		return;
	JOURNAL(d, .op = JOURNAL_FLUSH_SHARED, .agent = d->current->id, .mask = mask, .mms = mms,
		.n = n, .start = start, .end = end);
	describe_cpus(d, cpus);
	asids = g_new(uint16_t, n);
	for (int i = 0; i < n; i++)
		asids[i] = mm_asid(d, mms[i]);
	shootdown_flush_mask(cpus, d->nr_agents, d->current->id, mask, asids, n, start, end,
			     d->profile, &sd);
	g_free(asids);
	account_shootdown(d, &sd);
}

unsigned domain_take_stale(struct domain *d, struct mm *mm, uint64_t start, uint64_t end,
			   int *agent, uint64_t *va)
{
	unsigned stale = 0;

	JOURNAL(d, .op = JOURNAL_TAKE_STALE, .agent = -1, .mm = mm, .start = start, .end = end);
	for (int i = 0; i < d->nr_agents; i++) {
		struct agent *a = &d->agents[i];
		uint64_t first;
		unsigned n;

		if (!a->tlb || (!tagged(d) && a->mm_id != mm->id))
			continue;	/* untagged: only the mm it runs is in its TLB */
		n = tlb_take_range(a->tlb, mm_asid(d, mm), start, end, &first);
		if (n && !stale) {
			*agent = a->id;
			*va = first;
		}
		stale += n;
	}
	return stale;
}

struct domain_notifier {
	struct mmu_notifier sub;
	struct domain *domain;
};

static void on_invalidate_range(struct mmu_notifier *sub, struct mm *mm, uint64_t start,
				uint64_t end)
{
	domain_shoot_down(((struct domain_notifier *)sub)->domain, mm, start, end);
}

static void on_release(struct mmu_notifier *sub, struct mm *mm)
{
	mm->domain = NULL;
	g_free(sub);
}

static const struct mmu_notifier_ops domain_notifier_ops = {
	.invalidate_range = on_invalidate_range,
	.release = on_release,
};

void domain_attach_mm(struct domain *d, struct mm *mm)
{
	struct domain_notifier *n = g_new0(struct domain_notifier, 1);

	n->sub.ops = &domain_notifier_ops;
	n->domain = d;
	mmu_notifier_register(&n->sub, mm);
	mm->domain = d;
}

/* ------------------------------------------- agents with a table of their own */

void agent_wait_for(struct agent *a, const struct agent *b)
{
	JOURNAL(a->domain, .op = JOURNAL_WAIT_FOR, .agent = a->id, .count = (uint64_t)b->id);
	a->clock = MAX(a->clock, b->clock);
}

void agent_mark_done(struct agent *a)
{
	JOURNAL(a->domain, .op = JOURNAL_MARK_DONE, .agent = a->id);
	a->done = a->clock;
}

void agent_wait_done(struct agent *a, const struct agent *b)
{
	JOURNAL(a->domain, .op = JOURNAL_WAIT_DONE, .agent = a->id, .count = (uint64_t)b->id);
	a->clock = MAX(a->clock, b->done);
}

void agent_use_table(struct agent *a, phys_addr_t root)
{
	JOURNAL(a->domain, .op = JOURNAL_USE_TABLE, .agent = a->id, .start = root);
	a->root = root;
}

bool agent_lookup_table(struct agent *a, uint64_t va, struct tlb_lookup *l)
{
	struct domain *d = a->domain;
	bool found;

	JOURNAL(d, .op = JOURNAL_LOOKUP, .agent = a->id, .start = va);
	found = tlb_translate(a->tlb, d->phys, a->root, 0, va, TLB_DATA, l);
	pay_cycles(a, lookup_cycles(d->profile, l, !found || l->hit == TLB_WALKED));
	return found;
}

void agent_flush_page(struct agent *a, uint64_t va)
{
	JOURNAL(a->domain, .op = JOURNAL_FLUSH_PAGE, .agent = a->id, .start = va);
	tlb_flush_page(a->tlb, 0, va);
}

void agent_flush_all(struct agent *a)
{
	JOURNAL(a->domain, .op = JOURNAL_FLUSH_ALL, .agent = a->id);
	tlb_flush_all(a->tlb);
}

unsigned agent_take_range(struct agent *a, uint64_t start, uint64_t end)
{
	uint64_t first;

	JOURNAL(a->domain, .op = JOURNAL_TAKE_RANGE, .agent = a->id, .start = start, .end = end);
	return tlb_take_range(a->tlb, 0, start, end, &first);
}
