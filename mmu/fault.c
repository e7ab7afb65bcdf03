/*
 * fault: the page-fault paths, after Linux's mm/memory.c.  The page for a
 * missing entry is prepared (by the VMA's ops) before the walk that creates
 * table pages, so a fault that fails (SIGBUS, OOM, RETRY) leaves the tables
 * as they were.
 */
#include "mmu/fault.h"

#include <stdio.h>
#include <string.h>

#include "mmu/agent.h"
#include "mmu/notifier.h"

bool vma_permits(const struct vma *vma, enum fault_access access)
{
	switch (access) {
	case FAULT_WRITE:
		return vma->prot & VM_WRITE;
	case FAULT_EXEC:
		return vma->prot & VM_EXEC;
	default:	/* on AArch64 any EL0 permission includes read */
		return vma->prot & (VM_READ | VM_WRITE | VM_EXEC);
	}
}

void vm_fault_init(struct vm_fault *vmf, struct mm *mm, uint64_t addr,
		   enum fault_access access, unsigned flags)
{
	*vmf = (struct vm_fault){ .mm = mm, .address = addr & PAGE_MASK, .real_address = addr,
				  .access = access, .flags = flags };
}

/* The protection a page gets in this VMA: a private page that others still
 * map stays read-only until a write fault copies it. */
static unsigned page_prot(struct mm *mm, const struct vma *vma, phys_addr_t pa)
{
	if (!(vma->flags & VM_SHARED) && phys_refcount(mm->phys, pa) > 1)
		return vma->prot & ~VM_WRITE;
	return vma->prot;
}

static void notify_code(struct vm_fault *vmf)
{
	if (vmf->vma->prot & VM_EXEC)
		mmu_notifier_invalidate_code(vmf->mm, vmf->address, vmf->address + PAGE_SIZE);
}

static vm_fault_t do_missing_page(struct vm_fault *vmf)
{
	struct mm *mm = vmf->mm;
	pte_t *ptep;
	vm_fault_t ret = vmf->vma->vm_ops->fault(vmf);
	int created;

	g_assert(ret != VM_FAULT_RETRY || (vmf->flags & FAULT_FLAG_ALLOW_RETRY));
	if (ret != VM_FAULT_DONE)
		return ret;
	created = pgtable_walk_alloc(mm->phys, mm->pgd, vmf->address, &ptep);
	if (created < 0) {
		phys_put(mm->phys, vmf->page);
		return VM_FAULT_OOM;
	}
	vmf->tables_allocated += (unsigned)created;
	*ptep = pte_mk_page(vmf->page, page_prot(mm, vmf->vma, vmf->page));
	vmf->ptes_installed++;
	notify_code(vmf);
	return VM_FAULT_DONE;
}

/* Write to a present read-only page of a writable VMA. */
static vm_fault_t do_wp_page(struct vm_fault *vmf, pte_t *ptep)
{
	struct mm *mm = vmf->mm;
	phys_addr_t old = pte_addr(*ptep), new;

	if ((vmf->vma->flags & VM_SHARED) || phys_refcount(mm->phys, old) == 1) {
		vmf->kind = FAULT_KIND_COW_REUSE;	/* upgrade in place: no flush needed */
		*ptep = pte_mk_page(old, vmf->vma->prot);
		vmf->ptes_installed++;
		return VM_FAULT_DONE;
	}
	if (phys_alloc(mm->phys, FRAME_DATA, &new))
		return VM_FAULT_OOM;
	vmf->kind = FAULT_KIND_COW_COPY;
	memcpy(phys_to_host(mm->phys, new), phys_to_host(mm->phys, old), PAGE_SIZE);
	vmf->pages_copied++;
	*ptep = pte_mk_page(new, vmf->vma->prot);
	vmf->ptes_installed++;
	phys_put(mm->phys, old);
	flush_tlb_mm_range(mm, vmf->address, vmf->address + PAGE_SIZE);	/* reads may still see `old` */
	vmf->flushes++;
	notify_code(vmf);
	return VM_FAULT_DONE;
}

static vm_fault_t fault_vma(struct vm_fault *vmf)
{
	struct vma *vma = vmf->vma;
	pte_t *ptep;

	if (!vma) {
		vmf->kind = FAULT_KIND_MAPERR;
		return VM_FAULT_SIGSEGV;
	}
	if (!vma_permits(vma, vmf->access)) {
		vmf->kind = FAULT_KIND_ACCERR;
		return VM_FAULT_SIGSEGV;
	}
	vmf->pgoff = linear_page_index(vma, vmf->address);
	ptep = pgtable_walk(vmf->mm->phys, vmf->mm->pgd, vmf->address);
	if (!ptep || !pte_present(*ptep))
		return do_missing_page(vmf);
	if (vmf->access == FAULT_WRITE && !(pte_prot(*ptep) & VM_WRITE))
		return do_wp_page(vmf, ptep);
	vmf->kind = FAULT_KIND_SPURIOUS;
	return VM_FAULT_DONE;
}

/* The kind a failed outcome is counted under, when the path did not say. */
static enum fault_kind failure_kind(vm_fault_t ret, enum fault_kind kind)
{
	switch (ret) {
	case VM_FAULT_OOM:
		return FAULT_KIND_OOM;
	case VM_FAULT_SIGBUS:
		return FAULT_KIND_SIGBUS;
	case VM_FAULT_RETRY:
		return FAULT_KIND_RETRY;
	default:
		return kind;
	}
}

struct event_cost vm_fault_steps(const struct vm_fault *vmf, const struct cost_profile *p)
{
	struct event_cost ev = { 0 };

	event_charge(&ev, p, COST_TRAP_ENTRY, 1);
	event_charge(&ev, p, COST_PGTABLE_ALLOC, vmf->tables_allocated);
	event_charge(&ev, p, COST_PAGE_ZERO, vmf->pages_zeroed);
	event_charge(&ev, p, COST_PAGE_COPY, vmf->pages_copied);
	event_charge(&ev, p, COST_PTE_INSTALL, vmf->ptes_installed);
	event_charge(&ev, p, COST_TRAP_EXIT, 1);
	return ev;
}

/* Cost the fault on the agent that took it: the steps of its record, with
 * the shootdowns it initiated already in the open event. */
static void account_fault(struct agent *a, struct vm_fault *vmf)
{
	struct event_cost steps = vm_fault_steps(vmf, a->domain->profile);
	char kind[48];

	agent_charge_cost(a, &steps);
	snprintf(kind, sizeof(kind), "fault:%s", fault_kind_name(vmf->kind));
	vmf->cost = agent_end_event(a, kind);
}

vm_fault_t handle_mm_fault(struct vm_fault *vmf)
{
	struct mm *mm = vmf->mm;
	struct agent *a = mm_current_agent(mm);
	struct event_cost ev;

	if (a)
		agent_begin_event(a, &ev);
	vmf->vma = vmf->address < TASK_SIZE ? vma_lookup(mm, vmf->address) : NULL;
	vmf->result = fault_vma(vmf);
	vmf->kind = failure_kind(vmf->result, vmf->kind);
	mm->stats->faults[vmf->kind]++;
	if (a)
		account_fault(a, vmf);
	return vmf->result;
}
