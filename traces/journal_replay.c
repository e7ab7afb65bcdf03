/*
 * journal_replay: the exact replay of a recorded run's journal (see
 * journal.h): its calls made again on the replay's domain, its stores
 * applied to the replay's memory, its accesses looked up.
 */
#include "traces/journal.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "mmu/notifier.h"
#include "mmu/pgtable.h"
#include "mmu/phys.h"
#include "mmu/stats.h"
#include "traces/replay.h"

/* A device of the recorded run: its agent (clock, TLB of the replay's
 * [device] geometry, table root), made at its first record, and the run's
 * figures of it (its dev-counts record). */
struct replay_device {
	struct agent agent;		/* agent.tlb NULL: not seen yet */
	struct device_figures figures;
	bool counted;			/* its dev-counts record came */
};

struct journal_replay {
	GPtrArray *kinds;			/* of char *: kind id - 1 -> name */
	struct replay_device devices[TRACE_MAX_DEVICES];
	int nr_devices;				/* the highest seen + 1 */
	struct event_cost events[MAX_AGENTS][AGENT_MAX_NESTING];
	struct event_cost last_switch[MAX_AGENTS];
};

static void free_mm(struct mm *mm)
{
	mmu_notifier_release(mm);
	g_free(mm);
}

static void free_exact(struct replay *r)
{
	for (int i = 0; i < r->exact->nr_devices; i++)
		tlb_destroy(r->exact->devices[i].agent.tlb);
	g_ptr_array_unref(r->exact->kinds);
	g_free(r->exact);
	r->exact = NULL;
}

static int bad(const struct trace_record *rec, GString *error, const char *fmt, uint64_t v)
	G_GNUC_PRINTF(3, 0);

static int bad(const struct trace_record *rec, GString *error, const char *fmt, uint64_t v)
{
	g_string_printf(error, "stream offset %" PRIu64 ": %s record: ", rec->offset,
			trace_type_name(rec->type));
	g_string_append_printf(error, fmt, v);
	return -EINVAL;
}

static struct mm *find_mm(struct replay *r, uint64_t id)
{
	return g_hash_table_lookup(r->mms, &id);
}

/* An address space of the replay: the recorded id, the tables the journal
 * builds in the replay's memory (its root comes in a root record). */
static int make_mm(struct replay *r, const struct trace_record *rec, uint64_t id, GString *error)
{
	uint64_t *key;
	struct mm *mm;

	if (find_mm(r, id))
		return bad(rec, error, "mm %" PRIu64 " exists already", id);
	mm = g_new0(struct mm, 1);
	mm->id = id;
	mm->users = 1;
	mm->phys = r->phys;
	mm->stats = &r->stats;
	domain_attach_mm(&r->domain, mm);
	key = g_new(uint64_t, 1);
	*key = id;
	g_hash_table_insert(r->mms, key, mm);
	return 0;
}

static void drop_mm(struct replay *r, struct mm *mm)
{
	for (int i = 0; i < r->domain.nr_agents; i++)
		if (r->running[i] == mm)
			r->running[i] = NULL;
	g_hash_table_remove(r->mms, &mm->id);
}

/* A physical address of the replay's memory holding a table (a page) or
 * an entry (8 bytes): not frame 0, inside the memory, aligned. */
static bool valid_pa(const struct replay *r, uint64_t pa, uint64_t size)
{
	return pa >= PAGE_SIZE && pa < phys_size(r->phys) && !(pa & (size - 1));
}

static const char *kind_name(struct journal_replay *j, uint64_t id)
{
	return id && id <= j->kinds->len ? g_ptr_array_index(j->kinds, id - 1) : NULL;
}

/* The record's cost as the replay pays it: relative ones on top of what
 * the CPU's last switch cost here. */
static int record_cost(struct replay *r, const struct trace_record *rec, struct event_cost *ev,
		       GString *error)
{
	const struct event_cost *sw = &r->exact->last_switch[rec->cpu];
	bool rel = rec->cost.relative;

	for (int s = NR_COST_STEPS; s < TRACE_STEP_DEVICE_WAIT; s++)
		if (trace_cost_cycles(&rec->cost, s))
			return bad(rec, error, "a cost of step %" PRIu64 ", which this mmusim lacks",
				   (uint64_t)s);
	*ev = (struct event_cost){ .indirect = rec->cost.indirect, .refills = rec->cost.refills };
	for (int s = 0; s < NR_COST_STEPS; s++)
		ev->cycles[s] = trace_cost_cycles(&rec->cost, s) + (rel ? sw->cycles[s] : 0);
	ev->device_wait = trace_cost_cycles(&rec->cost, TRACE_STEP_DEVICE_WAIT) +
			  (rel ? sw->device_wait : 0);
	ev->total = rec->cost.total + (rel ? sw->total : 0);
	return 0;
}

/* The mm CPU `a` runs, or NULL (with the cause in `error`) when it runs
 * none with tables yet. */
static struct mm *running_mm(struct replay *r, struct agent *a, uint64_t offset, GString *error)
{
	struct mm *mm = r->running[a->id];

	if (!mm || !mm->pgd) {
		struct trace_record rec = { .type = TRACE_ACCESS, .offset = offset };

		bad(&rec, error, "CPU %" PRIu64 " is in no address space", (uint64_t)a->id);
		return NULL;
	}
	return mm;
}

/* A run of accesses on the CPU of the last record (replay_accesses). */
static int replay_exact_accesses(struct replay *r, const struct trace_accesses *run, size_t n,
				 uint64_t offset, GString *error)
{
	struct mm *mm = running_mm(r, r->agent, offset, error);

	if (!mm)
		return -EINVAL;
	r->accesses += n;
	replay_lookup_run(r, r->agent, mm, run, n);
	return 0;
}

/* One access record, of any size. */
static int replay_exact_access(struct replay *r, const struct trace_record *rec, GString *error)
{
	struct mm *mm = running_mm(r, r->agent, rec->offset, error);

	if (!mm)
		return -EINVAL;
	r->accesses++;
	replay_lookup_pages(r->agent, mm, rec->addr, rec->size, rec->kind == TRACE_FETCH);
	return 0;
}

/* A result that is an errno (-4095 ... -1, two's complement). */
static bool is_errno(uint64_t result)
{
	return result >= (uint64_t)-4095;
}

/* Linux's MADV_* values: 0-4, 8-25 and 100-103. */
static bool known_advice(uint64_t advice)
{
	return advice <= 4 || (advice >= 8 && advice <= 25) || (advice >= 100 && advice <= 103);
}

/* The fields of a range an operation acted on: page-aligned, not wrapping. */
static int check_range(const struct trace_record *rec, uint64_t addr, uint64_t len,
		       GString *error)
{
	if (addr & ~PAGE_MASK)
		return bad(rec, error, "an address of %#" PRIx64 ", not page-aligned", addr);
	if (addr + len < addr)
		return bad(rec, error, "a length of %#" PRIx64 ", past 2^64", len);
	return 0;
}

/* A system call's mm operation (mmap ... exec): only checked, for the
 * journal's page-table stores have already given its effects.  Those
 * written on success only (munmap, mprotect, madvise) and those that
 * succeeded must have sane fields (PROT_*, MREMAP_*, MADV_* values Linux
 * defines, aligned ranges). */
static int check_mm_op(struct replay *r, const struct trace_record *rec, GString *error)
{
	const uint64_t *f = rec->args;

	if (!find_mm(r, f[0]))
		return bad(rec, error, "no mm %" PRIu64, f[0]);
	switch (rec->type) {
	case TRACE_MMAP:
		if (is_errno(f[5]))
			return 0;
		if (f[3] & ~(uint64_t)7)
			return bad(rec, error, "protection %#" PRIx64 " unknown", f[3]);
		return check_range(rec, f[5], f[2], error);
	case TRACE_MPROTECT:
		if (f[3] & ~(uint64_t)7)
			return bad(rec, error, "protection %#" PRIx64 " unknown", f[3]);
		return check_range(rec, f[1], f[2], error);
	case TRACE_MUNMAP:
		return check_range(rec, f[1], f[2], error);
	case TRACE_MADVISE:
		if (!known_advice(f[3]))
			return bad(rec, error, "advice %" PRIu64 " unknown", f[3]);
		return check_range(rec, f[1], f[2], error);
	case TRACE_MREMAP:
		if (is_errno(f[5]))
			return 0;
		if (f[4] & ~(uint64_t)7)
			return bad(rec, error, "flags %#" PRIx64 " unknown", f[4]);
		if (check_range(rec, f[1], f[2], error))
			return -EINVAL;
		return check_range(rec, f[5], f[3], error);
	case TRACE_EXEC:
		if (!find_mm(r, f[1]) || f[1] == f[0])
			return bad(rec, error, "a new mm %" PRIu64 " unknown or the old one", f[1]);
		return 0;
	default:		/* brk: any break */
		return 0;
	}
}

/* The records about address spaces and memory. */
static int replay_memory(struct replay *r, const struct trace_record *rec, GString *error)
{
	struct mm *mm = NULL;

	switch (rec->type) {
	case TRACE_MM_NEW:
		return make_mm(r, rec, rec->args[0], error);
	case TRACE_MM_DUP:
		return make_mm(r, rec, rec->args[1], error);
	case TRACE_ROOT:
		if (!(mm = find_mm(r, rec->args[0])))
			return bad(rec, error, "no mm %" PRIu64, rec->args[0]);
		if (!valid_pa(r, rec->args[1], PAGE_SIZE))
			return bad(rec, error, "a root at %#" PRIx64 ", not a frame of the replay's memory",
				   rec->args[1]);
		mm->pgd = rec->args[1];
		return 0;
	case TRACE_MM_DROP:
		if (!(mm = find_mm(r, rec->args[0])))
			return bad(rec, error, "no mm %" PRIu64, rec->args[0]);
		drop_mm(r, mm);
		return 0;
	case TRACE_TABLE:
		if (!valid_pa(r, rec->args[0], PAGE_SIZE))
			return bad(rec, error, "a table at %#" PRIx64 ", not a frame of the replay's memory",
				   rec->args[0]);
		memset(phys_to_host(r->phys, rec->args[0]), 0, PAGE_SIZE);
		return 0;
	case TRACE_PTE:
		if (!valid_pa(r, rec->args[0], sizeof(pte_t)))
			return bad(rec, error, "an entry at %#" PRIx64 ", not in the replay's memory",
				   rec->args[0]);
		if (pte_present(rec->args[1]) && pte_addr(rec->args[1]) >= phys_size(r->phys))
			return bad(rec, error, "an entry of %#" PRIx64 ", pointing past the replay's memory",
				   rec->args[1]);
		memcpy(phys_to_host(r->phys, rec->args[0]), &rec->args[1], sizeof(pte_t));
		return 0;
	case TRACE_FAULT:
		if (rec->args[0] >= NR_FAULT_KINDS)
			return bad(rec, error, "fault kind %" PRIu64 " unknown", rec->args[0]);
		r->stats.faults[rec->args[0]]++;
		return 0;
	case TRACE_KIND:
		if (rec->args[0] != r->exact->kinds->len + 1)
			return bad(rec, error, "kind %" PRIu64 " out of order", rec->args[0]);
		g_ptr_array_add(r->exact->kinds, g_strdup(rec->name));
		return 0;
	case TRACE_VM_COUNTS:
		r->stats.fault_around_pages = rec->args[0];
		r->stats.tlb_flushes = rec->args[1];
		return 0;
	case TRACE_MEMORY:
		r->totals = true;
		r->memory = (struct memory_figures){ rec->args[0], rec->args[1], rec->args[2],
						     rec->args[3], rec->args[4], rec->args[5] };
		return 0;
	case TRACE_MMAP:
	case TRACE_MUNMAP:
	case TRACE_MPROTECT:
	case TRACE_BRK:
	case TRACE_MREMAP:
	case TRACE_MADVISE:
	case TRACE_EXEC:
		return check_mm_op(r, rec, error);
	default:
		return 0;
	}
}

static int flush(struct replay *r, struct agent *a, const struct trace_record *rec,
		 GString *error)
{
	struct mm *mms[TRACE_MAX_MMS];
	int agent;
	uint64_t va;

	if (rec->type != TRACE_FLUSH_SHARED && !(mms[0] = find_mm(r, rec->args[0])))
		return bad(rec, error, "no mm %" PRIu64, rec->args[0]);
	r->domain.current = a;
	if (rec->type == TRACE_FLUSH) {
		domain_shoot_down(&r->domain, mms[0], rec->args[1], rec->args[2]);
	} else if (rec->type == TRACE_TAKE_STALE) {
		domain_take_stale(&r->domain, mms[0], rec->args[1], rec->args[2], &agent, &va);
	} else {
		for (uint64_t i = 0; i < rec->args[3]; i++)
			if (!(mms[i] = find_mm(r, rec->mms[i])))
				return bad(rec, error, "no mm %" PRIu64, rec->mms[i]);
		domain_flush_shared(&r->domain, rec->args[0], mms, (int)rec->args[3], rec->args[1],
				    rec->args[2]);
	}
	return 0;
}

/* The device a dev-* record names (its first field), made the first time;
 * NULL with the error set when it is beyond TRACE_MAX_DEVICES or the
 * profile's [device] TLB geometry is not one. */
static struct replay_device *named_device(struct replay *r, const struct trace_record *rec,
					  GString *error)
{
	struct journal_replay *j = r->exact;
	uint64_t n = rec->args[0];
	struct replay_device *dev = n < TRACE_MAX_DEVICES ? &j->devices[n] : NULL;

	if (!dev) {
		bad(rec, error, "device %" PRIu64 " beyond the devices a trace may name", n);
		return NULL;
	}
	if (dev->agent.tlb)
		return dev;
	dev->agent = (struct agent){ .id = AGENT_DEVICE + (int)n, .domain = &r->domain };
	if (tlb_create(&r->profile->device.tlb, &dev->agent.tlb)) {
		bad(rec, error, "device %" PRIu64 ": the profile's [device] TLB geometry is not one", n);
		return NULL;
	}
	j->nr_devices = MAX(j->nr_devices, (int)n + 1);
	return dev;
}

/* The records of a device's agent (and of CPU `a` starting or waiting for
 * it), made again on the replay's device. */
static int replay_device(struct replay *r, struct agent *a, const struct trace_record *rec,
			 GString *error)
{
	struct replay_device *dev = named_device(r, rec, error);
	const uint64_t *f = rec->args;
	struct tlb_lookup l;

	if (!dev)
		return -EINVAL;
	switch (rec->type) {
	case TRACE_DEV_ROOT:
		if (!valid_pa(r, f[1], PAGE_SIZE))
			return bad(rec, error, "a root at %#" PRIx64 ", not a frame of the replay's memory",
				   f[1]);
		agent_use_table(&dev->agent, f[1]);
		return 0;
	case TRACE_DEV_LOOKUP:
		if (!dev->agent.root)
			return bad(rec, error, "device %" PRIu64 " has no table yet", f[0]);
		if (f[1] >= TASK_SIZE)
			return bad(rec, error, "an address of %#" PRIx64 ", past the user range", f[1]);
		agent_lookup_table(&dev->agent, f[1], &l);
		return 0;
	case TRACE_DEV_PAY:
		agent_pay_cycles(&dev->agent, f[1]);
		return 0;
	case TRACE_DEV_FLUSH:
		agent_flush_page(&dev->agent, f[1]);
		return 0;
	case TRACE_DEV_FLUSH_ALL:
		agent_flush_all(&dev->agent);
		return 0;
	case TRACE_DEV_TAKE:
		if (f[1] > f[2])
			return bad(rec, error, "a range ending at %#" PRIx64 ", before its start", f[2]);
		agent_take_range(&dev->agent, f[1], f[2]);
		return 0;
	case TRACE_DEV_START:
		agent_wait_for(&dev->agent, a);
		return 0;
	case TRACE_DEV_DONE:
		agent_mark_done(&dev->agent);
		return 0;
	case TRACE_DEV_COUNTS:
		dev->counted = true;
		dev->figures.counters = (struct device_counters){
			.kernels = f[1], .accesses = f[2], .faults = f[3], .to_device = f[4],
			.to_cpu = f[5], .zero_pages = f[6], .mirrored = f[7], .pte_updates = f[8],
			.inval_pages = f[9], .inval_ranges = f[10], .link_bytes = f[11],
		};
		dev->figures.peak_frames = f[12];
		dev->figures.peak_pt_frames = f[13];
		return 0;
	default:		/* TRACE_DEV_WAIT */
		agent_wait_done(a, &dev->agent);
		return 0;
	}
}

/* The kind a record names; NULL with the error set when it names none. */
static const char *named_kind(struct replay *r, const struct trace_record *rec, GString *error)
{
	const char *kind = kind_name(r->exact, rec->args[0]);

	if (!kind)
		bad(rec, error, "kind %" PRIu64 " not named before", rec->args[0]);
	return kind;
}

/* The records of the cost and switch calls, on CPU `a`. */
static int replay_call(struct replay *r, struct agent *a, const struct trace_record *rec,
		       GString *error)
{
	struct journal_replay *j = r->exact;
	struct event_cost ev;
	const char *kind = NULL;
	struct mm *mm;

	if (trace_type_tail(rec->type) == TAIL_COST && record_cost(r, rec, &ev, error))
		return -EINVAL;
	if ((rec->type == TRACE_ACCOUNT || rec->type == TRACE_OPEN_SWITCH ||
	     rec->type == TRACE_LATENCY) &&
	    !(kind = named_kind(r, rec, error)))
		return -EINVAL;
	switch (rec->type) {
	case TRACE_INSNS:
		r->instructions += rec->args[0];
		agent_pay_insns(a, rec->args[0]);
		return 0;
	case TRACE_SWITCH:
		if (!(mm = find_mm(r, rec->args[0])))
			return bad(rec, error, "no mm %" PRIu64, rec->args[0]);
		j->last_switch[a->id] = agent_switch_mm(a, mm);
		r->running[a->id] = mm;
		return 0;
	case TRACE_BEGIN:
		if (a->depth == AGENT_MAX_NESTING)
			return bad(rec, error, "events nested deeper than %" PRIu64,
				   (uint64_t)AGENT_MAX_NESTING);
		agent_begin_event(a, &j->events[a->id][a->depth]);
		return 0;
	case TRACE_CHARGE:
		if (rec->args[0] >= NR_COST_STEPS)
			return bad(rec, error, "cost step %" PRIu64 " unknown", rec->args[0]);
		agent_charge(a, (enum cost_step)rec->args[0], rec->args[1]);
		return 0;
	case TRACE_CHARGE_COST:
		agent_charge_cost(a, &ev);
		return 0;
	case TRACE_END_EVENT:
		if (!a->depth)
			return bad(rec, error, "no event open on CPU %" PRIu64, (uint64_t)a->id);
		if (rec->args[0] && !(kind = named_kind(r, rec, error)))
			return -EINVAL;
		agent_end_event(a, kind);
		return 0;
	case TRACE_PAY:
		agent_pay(a, &ev);
		return 0;
	case TRACE_PAY_CYCLES:
		agent_pay_cycles(a, rec->args[0]);
		return 0;
	case TRACE_WAIT:
		agent_wait_until(a, rec->args[0]);
		return 0;
	case TRACE_ACCOUNT:
		agent_account(a, kind, &ev);
		return 0;
	case TRACE_OPEN_SWITCH:
		agent_open_switch(a, kind, &ev);
		return 0;
	case TRACE_LATENCY:
		domain_record_latency(&r->domain, kind, &ev);
		return 0;
	case TRACE_CLOSE_SWITCHES:
		domain_close_switches(&r->domain);
		return 0;
	case TRACE_FLUSH:
	case TRACE_FLUSH_SHARED:
	case TRACE_TAKE_STALE:
		return flush(r, a, rec, error);
	case TRACE_DEV_ROOT ... TRACE_DEV_COUNTS:
		return replay_device(r, a, rec, error);
	default:
		return replay_memory(r, rec, error);
	}
}

/* One record of the trace, exactly.  0, or -errno with the cause in
 * `error` (a record naming an mm, a CPU, a kind, a step or memory the
 * replay does not have, an event closed that is not open). */
static int replay_exact_record(struct replay *r, const struct trace_record *rec, GString *error)
{
	struct agent *a;

	if (rec->cpu >= r->domain.nr_agents)
		return bad(rec, error, "CPU %" PRIu64 " beyond the replay's CPUs", (uint64_t)rec->cpu);
	a = r->agent = &r->domain.agents[rec->cpu];
	if (rec->type != TRACE_ACCESS)
		return replay_call(r, a, rec, error);
	return replay_exact_access(r, rec, error);
}

/* The live report's "devices": "accelerators" (sim/accel): the run's
 * counters and peaks from the dev-counts records, TLB hits, misses and
 * clocks as the replay's device agents give them.  Only when every device
 * seen has its record (a trace cut short has none). */
static void report_exact(struct report_node *root, const struct replay *r)
{
	const struct journal_replay *j = r->exact;
	struct device_figures figures[TRACE_MAX_DEVICES];

	for (int i = 0; i < j->nr_devices; i++) {
		if (!j->devices[i].counted)
			return;
		figures[i] = j->devices[i].figures;
		figures_device_agent(&j->devices[i].agent, &figures[i]);
	}
	if (j->nr_devices)
		figures_accelerators(report_add_section(root, "devices", "devices", TEXT_LINE), figures,
				     j->nr_devices);
}

static const struct replay_mode exact_mode = {
	.record = replay_exact_record,
	.accesses = replay_exact_accesses,
	.free = free_exact,
	.report = report_exact,
};

int replay_init_exact(struct replay *r, const struct cost_profile *profile, uint64_t mem,
		      int nr_cpus, GString *error)
{
	int err = replay_init(r, profile, mem, nr_cpus, error);

	if (err)
		return err;
	g_hash_table_destroy(r->mms);
	r->mms = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)free_mm);
	r->exact = g_new0(struct journal_replay, 1);
	r->exact->kinds = g_ptr_array_new_with_free_func(g_free);
	r->mode = &exact_mode;
	return 0;
}
