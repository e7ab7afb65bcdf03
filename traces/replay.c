/*
 * replay: the mmu/ model driven without the emulator (see replay.h).
 */
#include "traces/replay.h"

#include <errno.h>

#include "mmu/fault.h"
#include "mmu/figures.h"
#include "mmu/mm.h"

/* A faulting access runs again after its fault; a fault that leaves it
 * faulting this often (it cannot, in a synthetic space) gives up. */
#define MAX_ATTEMPTS 4

int replay_init_synthetic(struct replay *r, const struct cost_profile *profile, uint64_t mem,
			  GString *error)
{
	uint64_t start;
	int err;

	*r = (struct replay){ .profile = profile };
	if ((err = phys_create(mem, &r->phys))) {
		g_string_printf(error, "--mem: cannot reserve %" G_GUINT64_FORMAT
				" bytes of simulated memory: %s", mem, g_strerror(-err));
		return err;
	}
	if ((err = domain_init(&r->domain, r->phys, profile, 1, true, error)))
		return err;
	if ((err = mm_create(r->phys, &r->stats, &r->mm))) {
		g_string_printf(error, "cannot create the address space: %s", g_strerror(-err));
		return err;
	}
	r->mm->tunables = &profile->vm;
	domain_attach_mm(&r->domain, r->mm);
	err = mm_mmap(r->mm, MMAP_MIN_ADDR, TASK_SIZE - MMAP_MIN_ADDR, VM_READ | VM_WRITE | VM_EXEC,
		      MM_MAP_FIXED | MM_MAP_NORESERVE, NULL, 0, &start);
	if (err) {
		g_string_printf(error, "cannot map the synthetic address space: %s", g_strerror(-err));
		return err;
	}
	/* a CPU's first address space is loaded for free */
	r->domain.current = &r->domain.agents[0];
	agent_switch_mm(r->domain.current, r->mm);
	return 0;
}

void replay_fini(struct replay *r)
{
	if (r->mm)
		mm_destroy(r->mm);
	if (r->phys) {
		domain_fini(&r->domain);
		phys_destroy(r->phys);
	}
	*r = (struct replay){ 0 };
}

static bool allows(struct replay *r, uint64_t va, enum trace_kind kind)
{
	pte_t e = pgtable_leaf(r->phys, r->mm->pgd, va);
	unsigned need = kind == TRACE_FETCH ? VM_EXEC : kind == TRACE_WRITE ? VM_WRITE : VM_READ;

	return pte_present(e) && (pte_prot(e) & need) == need;
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

void replay_access(struct replay *r, enum trace_kind kind, uint64_t va, uint64_t size)
{
	struct agent *a = r->domain.current;
	bool fetch = kind == TRACE_FETCH;
	uint64_t last = (va + size - 1) & PAGE_MASK;

	r->accesses++;
	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		uint64_t page;

		agent_access(a, r->mm, va, fetch);
		if (last != (va & PAGE_MASK))
			agent_access(a, r->mm, last, fetch);
		if (!(page = faulting_page(r, va, last, kind)))
			return;
		if (!fault(r, page, kind))
			break;
	}
	r->segv++;
}

void replay_insns(struct replay *r, uint64_t count)
{
	r->insns += count;
	r->instructions += count;
}

void replay_finish(struct replay *r)
{
	struct agent *a = r->domain.current;

	agent_pay_cycles(a, r->insns * r->profile->cycles[COST_INSTRUCTION] + agent_take_cycles(a));
	r->insns = 0;
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
	figures_faults(root, r->stats.faults);
	figures_tlb(root, &r->domain, false);
	figures_shootdowns(root, &r->domain, &r->domain.shootdowns);
	figures_latencies(root, &r->domain, r->domain.latency);
}
