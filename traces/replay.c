/*
 * replay: the mmu/ model driven without the emulator (see replay.h).
 */
#include "traces/replay.h"

#include <errno.h>
#include <string.h>

#include "mmu/fault.h"
#include "mmu/figures.h"
#include "mmu/mm.h"
#include "traces/journal.h"

/* A faulting access runs again after its fault; a fault that leaves it
 * faulting this often (it cannot, in a synthetic space) gives up. */
#define MAX_ATTEMPTS 4

int replay_init(struct replay *r, const struct cost_profile *profile, uint64_t mem, int nr_cpus,
		GString *error)
{
	int err;

	*r = (struct replay){ .profile = profile };
	if ((err = phys_create(mem, &r->phys))) {
		g_string_printf(error, "cannot reserve %" G_GUINT64_FORMAT
				" bytes of simulated memory: %s", mem, g_strerror(-err));
		return err;
	}
	phys_tables_only(r->phys);
	r->mms = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)mm_destroy);
	if ((err = domain_init(&r->domain, r->phys, profile, nr_cpus, true, error)))
		return err;
	r->agent = r->domain.current = &r->domain.agents[0];
	return 0;
}

/* A synthetic address space known by its recorded `id` (its mm->id is the
 * replay's own). */
static void add_space(struct replay *r, uint64_t id, struct mm *mm)
{
	uint64_t *key = g_new(uint64_t, 1);

	*key = id;
	mm->tunables = &r->profile->vm;
	domain_attach_mm(&r->domain, mm);
	g_hash_table_insert(r->mms, key, mm);
}

static int new_space(struct replay *r, uint64_t id, GString *error)
{
	struct mm *mm;
	uint64_t start;
	int err = mm_create(r->phys, &r->stats, &mm);

	if (!err && (err = mm_mmap(mm, MMAP_MIN_ADDR, TASK_SIZE - MMAP_MIN_ADDR,
				   VM_READ | VM_WRITE | VM_EXEC, MM_MAP_FIXED | MM_MAP_NORESERVE,
				   NULL, 0, &start)))
		mm_destroy(mm);
	if (err) {
		g_string_printf(error, "cannot make address space %" G_GUINT64_FORMAT ": %s", id,
				g_strerror(-err));
		return err;
	}
	add_space(r, id, mm);
	return 0;
}

int replay_init_synthetic(struct replay *r, const struct cost_profile *profile, uint64_t mem,
			  GString *error)
{
	int err = replay_init(r, profile, mem, 1, error);

	if (!err)
		err = new_space(r, 1, error);
	if (!err) {	/* a CPU's first address space is loaded for free */
		r->mm = r->running[0] = g_hash_table_lookup(r->mms, &(uint64_t){ 1 });
		agent_switch_mm(r->agent, r->mm);
	}
	return err;
}

void replay_fini(struct replay *r)
{
	if (r->mode)
		r->mode->free(r);
	if (r->mms)
		g_hash_table_destroy(r->mms);
	if (r->phys) {
		domain_fini(&r->domain);
		phys_destroy(r->phys);
	}
	*r = (struct replay){ 0 };
}

static void forget_allowed(struct replay *r)
{
	memset(r->allowed, 0, sizeof(r->allowed));
}

/* The slot of allowed[] for the page of `va`: its page number + 1 if known. */
static inline uint64_t *allowed_slot(struct replay *r, uint64_t va, enum trace_kind kind)
{
	return &r->allowed[kind][((va >> PAGE_SHIFT) + 1) % REPLAY_ALLOWED];
}

static inline bool known_allowed(struct replay *r, uint64_t va, enum trace_kind kind)
{
	return *allowed_slot(r, va, kind) == (va >> PAGE_SHIFT) + 1;
}

/* `va`'s page allows `kind` if `prot` has what it needs. */
static void remember_allowed(struct replay *r, uint64_t va, enum trace_kind kind, unsigned prot)
{
	unsigned need = kind == TRACE_FETCH ? VM_EXEC : kind == TRACE_WRITE ? VM_WRITE : VM_READ;

	if ((prot & need) == need)
		*allowed_slot(r, va, kind) = (va >> PAGE_SHIFT) + 1;
}

/* Whether the mm allows `kind` at `va`.  A data access's table entry is
 * remembered for both kinds of data access it allows (a load's says
 * whether the store that follows may go too); a fetch's for fetches only
 * (a data page's would push the code page's out of its slot). */
static bool allows(struct replay *r, uint64_t va, enum trace_kind kind)
{
	pte_t e;

	if (known_allowed(r, va, kind))
		return true;
	e = pgtable_leaf(r->phys, r->mm->pgd, va);
	if (!pte_present(e))
		return false;
	if (kind == TRACE_FETCH) {
		remember_allowed(r, va, TRACE_FETCH, pte_prot(e));
	} else {
		remember_allowed(r, va, TRACE_READ, pte_prot(e));
		remember_allowed(r, va, TRACE_WRITE, pte_prot(e));
	}
	return known_allowed(r, va, kind);
}

/* The page of the access that faults first, or 0. */
static uint64_t faulting_page(struct replay *r, uint64_t va, uint64_t last, enum trace_kind kind)
{
	if (!allows(r, va, kind))
		return va;
	if (last != (va & PAGE_MASK) && !allows(r, last, kind))
		return last;
	return 0;
}

/* The fault the MMU would raise at `va`: false if the access cannot run. */
static bool fault(struct replay *r, uint64_t va, enum trace_kind kind)
{
	enum fault_access access = kind == TRACE_FETCH ? FAULT_EXEC :
				   kind == TRACE_WRITE ? FAULT_WRITE : FAULT_READ;
	struct vm_fault vmf;

	forget_allowed(r);
	vm_fault_init(&vmf, r->mm, va, access, 0);
	switch (handle_mm_fault(&vmf)) {
	case VM_FAULT_DONE:
		return true;
	case VM_FAULT_OOM:
		r->oom = true;
		return false;
	default:
		return false;
	}
}

static int bad_record(const struct trace_record *rec, GString *error, const char *fmt, uint64_t v)
{
	g_string_printf(error, "stream offset %" G_GUINT64_FORMAT ": %s record: ", rec->offset,
			trace_type_name(rec->type));
	g_string_append_printf(error, fmt, v);
	return -EINVAL;
}

/* An access on a CPU that runs no mm yet. */
static int no_space(struct replay *r, uint64_t offset, GString *error)
{
	struct trace_record rec = { .type = TRACE_ACCESS, .offset = offset };

	return bad_record(&rec, error, "CPU %" G_GUINT64_FORMAT " is in no address space",
			  (uint64_t)(r->agent - r->domain.agents));
}

/* One access, page by page, faulting as the MMU would. */
static void access_pages(struct replay *r, enum trace_kind kind, uint64_t va, uint64_t size)
{
	struct agent *a = r->agent;
	bool fetch = kind == TRACE_FETCH;
	uint64_t last = (va + size - 1) & PAGE_MASK;

	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		uint64_t page;

		replay_lookup_pages(a, r->mm, va, size, fetch);
		if (!(page = faulting_page(r, va, last, kind)))
			return;
		if (!fault(r, page, kind))
			break;
	}
	r->segv++;
}

void replay_access(struct replay *r, enum trace_kind kind, uint64_t va, uint64_t size)
{
	r->accesses++;
	access_pages(r, kind, va, size);
}

/*
 * The pages each kind of access of a run is known to hit by count alone:
 * the access needs no permission check (the mm is known to allow that kind
 * there, known_allowed, or the replay is exact) and the page is the last
 * its L1 hit, so that agent_access() would be tlb_hit_recent()'s first
 * case, a hit counted and nothing else.  UINT64_MAX: none.  A page stays
 * known until its L1 hits another (a read and a write share the L1D) or
 * an access takes the slow path (a miss, a fault: the TLB and the allowed
 * pages may change), which forgets them all.  The hits are counted here
 * and told to the TLB before the slow path runs and at the end of the run.
 */
struct quick {
	uint64_t page[3];		/* by enum trace_kind */
	uint64_t hits, fetches;		/* not yet told; fetches of them */
};

/* quick_hit() pairs a read with a write by kind ^ 1, the counting a fetch
 * by kind >> 1. */
G_STATIC_ASSERT(TRACE_READ == 0 && TRACE_WRITE == 1 && TRACE_FETCH == 2);

static void quick_forget(struct quick *q)
{
	for (int kind = TRACE_READ; kind <= TRACE_FETCH; kind++)
		q->page[kind] = UINT64_MAX;
}

static void quick_tell(struct quick *q, struct tlb *tlb)
{
	tlb_count_last_hits(tlb, TLB_FETCH, q->fetches);
	tlb_count_last_hits(tlb, TLB_DATA, q->hits - q->fetches);
	q->hits = q->fetches = 0;
}

/* An access of `kind` to `page` hit in tlb_hit_recent(): the page its L1
 * hit last. */
static inline void quick_hit(struct quick *q, enum trace_kind kind, uint64_t page)
{
	if (kind != TRACE_FETCH && q->page[kind ^ 1] != page)
		q->page[kind ^ 1] = UINT64_MAX;	/* the other kind of the L1D */
	q->page[kind] = page;
}

void replay_lookup_pages(struct agent *a, struct mm *mm, uint64_t va, uint64_t size, bool fetch)
{
	uint64_t last = (va + size - 1) & PAGE_MASK;

	agent_access(a, mm, va, fetch);
	if (last != (va & PAGE_MASK))
		agent_access(a, mm, last, fetch);
}

/* The common case first: an access within one page that needs no check
 * is one lookup, a hit counted when it is the page its L1 hit last (struct
 * quick).  The ASID is the run's: it changes only at a switch. */
void replay_lookup_run(struct replay *r, struct agent *a, struct mm *mm,
		       const struct trace_accesses *run, size_t n)
{
	const uint64_t *addr = run->addr;
	const uint16_t *desc = run->desc;
	bool exact = r->exact;
	uint16_t asid = agent_asid(a, mm);
	struct quick q = { 0 };

	quick_forget(&q);
	for (size_t i = 0; i < n; i++) {
		uint64_t va = addr[i], size = TRACE_DESC_SIZE(desc[i]);
		enum trace_kind kind = TRACE_DESC_KIND(desc[i]);
		uint64_t page = va >> PAGE_SHIFT, last = (va + size - 1) >> PAGE_SHIFT;
		bool fetch = kind == TRACE_FETCH, known;

		if (__builtin_expect(!((page ^ q.page[kind]) | (last ^ q.page[kind])), 1)) {
			q.hits++;
			q.fetches += kind >> 1;	/* TRACE_FETCH: 1, the others 0 */
			continue;
		}
		known = page == last && (exact || known_allowed(r, va, kind));
		if (known && tlb_hit_recent(a->tlb, fetch ? TLB_FETCH : TLB_DATA, asid, va)) {
			quick_hit(&q, kind, page);
			continue;
		}
		quick_tell(&q, a->tlb);
		quick_forget(&q);
		if (known)
			agent_access_miss(a, mm, va, fetch);
		else if (exact)
			replay_lookup_pages(a, mm, va, size, fetch);
		else
			access_pages(r, kind, va, size);
	}
	quick_tell(&q, a->tlb);
}

int replay_accesses(struct replay *r, const struct trace_accesses *run, size_t n,
		    uint64_t offset, GString *error)
{
	if (r->mode)
		return r->mode->accesses(r, run, n, offset, error);
	if (!r->mm)
		return no_space(r, offset, error);
	r->accesses += n;
	replay_lookup_run(r, r->agent, r->mm, run, n);
	return 0;
}

void replay_insns(struct replay *r, uint64_t count)
{
	r->insns += count;
	r->instructions += count;
}

/* Pay the current CPU's instructions and lookups, as the run loop does
 * after each slice. */
static void settle(struct replay *r)
{
	struct agent *a = r->agent;

	agent_pay_cycles(a, r->insns * r->profile->cycles[COST_INSTRUCTION] + agent_take_cycles(a));
	r->insns = 0;
}

static struct mm *space(struct replay *r, uint64_t id)
{
	return g_hash_table_lookup(r->mms, &id);
}

/* CPU `cpu` enters `mm`: the switch is paid as the scheduler pays it (a
 * CPU's first address space is loaded for free). */
static void switch_to(struct replay *r, int cpu, struct mm *mm)
{
	struct agent *a = &r->domain.agents[cpu];
	bool first = !a->mm_id;
	struct event_cost ev = agent_switch_mm(a, mm);

	if (!first)
		agent_pay(a, &ev);
	r->running[cpu] = mm;
}

static int select_cpu(struct replay *r, const struct trace_record *rec, GString *error)
{
	if (rec->args[0] >= (uint64_t)r->domain.nr_agents)
		return bad_record(rec, error, "CPU %" G_GUINT64_FORMAT " beyond the replay's CPUs",
				  rec->args[0]);
	settle(r);
	forget_allowed(r);
	r->agent = r->domain.current = &r->domain.agents[rec->args[0]];
	r->mm = r->running[rec->args[0]];
	return 0;
}

int replay_record(struct replay *r, const struct trace_record *rec, GString *error)
{
	struct mm *mm = NULL, *child;
	int err;

	if (r->mode)
		return r->mode->record(r, rec, error);
	switch (rec->type) {
	case TRACE_ACCESS:
		if (!r->mm)
			return no_space(r, rec->offset, error);
		replay_access(r, rec->kind, rec->addr, rec->size);
		return 0;
	case TRACE_CPU:
		return select_cpu(r, rec, error);
	case TRACE_INSNS:
		replay_insns(r, rec->args[0]);
		return 0;
	case TRACE_MM_NEW:
	case TRACE_MM_DUP:
		forget_allowed(r);	/* a fork write-protects its parent */
		if (space(r, rec->args[rec->type == TRACE_MM_DUP]))
			return bad_record(rec, error, "mm %" G_GUINT64_FORMAT " exists already",
					  rec->args[rec->type == TRACE_MM_DUP]);
		if (rec->type == TRACE_MM_NEW)
			return new_space(r, rec->args[0], error);
		if (!(mm = space(r, rec->args[0])))
			return bad_record(rec, error, "no mm %" G_GUINT64_FORMAT, rec->args[0]);
		if ((err = mm_dup(mm, &child))) {
			g_string_printf(error, "cannot copy address space %" G_GUINT64_FORMAT ": %s",
					rec->args[0], g_strerror(-err));
			return err;
		}
		add_space(r, rec->args[1], child);
		return 0;
	case TRACE_SWITCH:
		forget_allowed(r);	/* another mm */
		if (!(mm = space(r, rec->args[0])))
			return bad_record(rec, error, "no mm %" G_GUINT64_FORMAT, rec->args[0]);
		switch_to(r, (int)(r->agent - r->domain.agents), mm);
		r->mm = mm;
		return 0;
	case TRACE_MM_DROP:
		forget_allowed(r);	/* perhaps the CPU's mm */
		if (!(mm = space(r, rec->args[0])))
			return bad_record(rec, error, "no mm %" G_GUINT64_FORMAT, rec->args[0]);
		for (int i = 0; i < r->domain.nr_agents; i++)
			if (r->running[i] == mm)
				r->running[i] = NULL;
		if (r->mm == mm)
			r->mm = NULL;
		g_hash_table_remove(r->mms, &rec->args[0]);
		return 0;
	default:		/* mm operations: not replayed in synthetic spaces (the
				 * tables stay as they are) */
		return 0;
	}
}

void replay_finish(struct replay *r)
{
	if (!r->exact)	/* an exact replay paid as the run did */
		settle(r);
	domain_close_switches(&r->domain);
}

uint64_t replay_simulated_ns(const struct replay *r)
{
	uint64_t latest = 0;

	for (int i = 0; i < r->domain.nr_agents; i++)
		latest = MAX(latest, r->domain.agents[i].clock);
	return latest;
}

void replay_fill_report(struct report_node *root, const struct replay *r)
{
	struct report_node *s = report_add_section(root, "result", NULL, TEXT_INLINE);

	report_add_count(s, "instructions", "instructions", r->instructions);
	report_add_count(s, "accesses", "accesses replayed", r->accesses);
	report_add_count(s, "segv", "accesses not allowed", r->segv);
	report_add_count(s, "simulated_ns", "simulated time (ns)", replay_simulated_ns(r));
	if (r->exact)
		figures_cpus(root, &r->domain, r->domain.nr_agents);
	figures_faults(root, r->stats.faults);
	if (r->totals)
		figures_vm_counts(root, &r->stats);
	figures_tlb(root, &r->domain, false);
	figures_shootdowns(root, &r->domain, &r->domain.shootdowns);
	if (r->totals)
		figures_memory(root, &r->memory);
	figures_latencies(root, &r->domain, r->domain.latency);
	if (r->mode && r->mode->report)
		r->mode->report(root, r);
}
