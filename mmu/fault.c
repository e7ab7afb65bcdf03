/*
 * fault: the page-fault paths, after Linux's mm/memory.c.  The page for a
 * missing entry is prepared (by the VMA's ops) before the walk that creates
 * table pages, so a fault that fails (SIGBUS, OOM, RETRY) leaves the tables
 * as they were.
 */
#include "mmu/fault.h"

#include <errno.h>
#include <stdarg.h>
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

void vm_fault_note(struct vm_fault *vmf, const char *fmt, ...)
{
	va_list ap;

	if (!vmf->notes)
		return;
	va_start(ap, fmt);
	g_string_append_vprintf(vmf->notes, fmt, ap);
	va_end(ap);
	g_string_append_c(vmf->notes, '\n');
}

/* The protection a page gets in this VMA: a private page that others still
 * map stays read-only until a write fault copies it. */
static unsigned page_prot(struct mm *mm, const struct vma *vma, phys_addr_t pa)
{
	if (!(vma->flags & VM_SHARED) && phys_page_shared(mm->phys, pa))
		return vma->prot & ~VM_WRITE;
	return vma->prot;
}

static void notify_code(const struct vm_fault *vmf, uint64_t addr)
{
	if (vmf->vma->prot & VM_EXEC)
		mmu_notifier_invalidate_code(vmf->mm, addr, addr + PAGE_SIZE);
}

/* Install `page` (its reference moves to the entry) at `addr`.  A private
 * entry mapping a frame nobody else holds is the VMA's own page (Linux:
 * the VMA now has an anon_vma), which fork must copy. */
static void set_pte(struct vm_fault *vmf, pte_t *ptep, phys_addr_t page, unsigned prot)
{
	struct vma *vma = vmf->vma;

	pte_set(vmf->mm->phys, ptep, pte_mk_page(page, prot));
	vmf->ptes_installed++;
	if (!(vma->flags & VM_SHARED) && !phys_page_shared(vmf->mm->phys, page))
		vma->flags |= VM_ANON_PAGES;
}

/* Linux's do_cow_fault: a write to a private mapping of a page the object
 * keeps (a file's cached page) maps a copy; the object keeps its page. */
static vm_fault_t do_cow_page(struct vm_fault *vmf)
{
	struct phys *phys = vmf->mm->phys;
	phys_addr_t copy;

	if (phys_alloc(phys, FRAME_DATA, &copy)) {
		phys_put(phys, vmf->page);
		return VM_FAULT_OOM;
	}
	memcpy(phys_to_host(phys, copy), phys_to_host(phys, vmf->page), PAGE_SIZE);
	vmf->pages_copied++;
	phys_put(phys, vmf->page);
	vmf->page = copy;
	return VM_FAULT_DONE;
}

static bool should_fault_around(const struct vm_fault *vmf)
{
	return vmf->access != FAULT_WRITE && vmf->vma->vm_ops->cached_page &&
	       !(vmf->vma->watch && vmf->vma->watch->no_fault_around) &&
	       vmf->mm->tunables->fault_around_bytes > PAGE_SIZE;
}

/* Map the object's cached page at `addr`, if its entry is empty. */
static void map_around(struct vm_fault *vmf, uint64_t addr)
{
	struct mm *mm = vmf->mm;
	pte_t *ptep = pgtable_walk(mm->phys, mm->pgd, addr);
	phys_addr_t page;

	if (!ptep || *ptep ||	/* only over pte_none: not over markers or device entries */
	    !vmf->vma->vm_ops->cached_page(vmf, linear_page_index(vmf->vma, addr), &page))
		return;
	set_pte(vmf, ptep, page, page_prot(mm, vmf->vma, page));
	notify_code(vmf, addr);
	vmf->pages_around++;
}

/* Linux's do_fault_around, after a read fault installed its page: the
 * window of fault_around_bytes aligned to its size that holds the page,
 * clipped to the VMA and to the page table holding the entry; every page
 * of it the object has cached and no entry maps yet gets mapped. */
static void do_fault_around(struct vm_fault *vmf)
{
	const struct vma *vma = vmf->vma;
	uint64_t nr = vmf->mm->tunables->fault_around_bytes >> PAGE_SHIFT;
	uint64_t pte_off = (vmf->address >> PAGE_SHIFT) % PTRS_PER_TABLE;
	uint64_t vma_off = (vmf->address - vma->start) >> PAGE_SHIFT;
	uint64_t vma_end_off = pte_off + ((vma->end - vmf->address) >> PAGE_SHIFT);
	uint64_t from = MAX(pte_off & ~(nr - 1), pte_off - MIN(pte_off, vma_off));
	uint64_t to = MIN(MIN(from + nr, PTRS_PER_TABLE), vma_end_off);
	uint64_t base = vmf->address - (pte_off << PAGE_SHIFT);	/* the table's first page */

	for (uint64_t off = from; off < to; off++)
		if (off != pte_off)
			map_around(vmf, base + (off << PAGE_SHIFT));
}

int vm_fault_install_page(struct vm_fault *vmf, phys_addr_t page)
{
	struct mm *mm = vmf->mm;
	pte_t *ptep;
	int created = pgtable_walk_alloc(mm->phys, mm->pgd, vmf->address, &ptep);

	if (created >= 0 && pte_present(*ptep))
		created = -EEXIST;
	if (created < 0) {
		phys_put(mm->phys, page);
		return created;
	}
	vmf->tables_allocated += (unsigned)created;
	set_pte(vmf, ptep, page, page_prot(mm, vmf->vma, page));
	notify_code(vmf, vmf->address);
	return 0;
}

/* The entry at vmf's address comes in write-protected (PTE_UFFD_WP,
 * read-only): a write to it is the watch's `wp` fault. */
static void protect_installed(struct vm_fault *vmf)
{
	pte_t *ptep = pgtable_walk(vmf->mm->phys, vmf->mm->pgd, vmf->address);

	pte_set(vmf->mm->phys, ptep, pte_mk_page(pte_addr(*ptep), pte_prot(*ptep) & ~VM_WRITE) | PTE_UFFD_WP);
}

/* A missing entry; `uffd_wp`: it was a write-protect marker, so its page
 * comes in protected (Linux's do_anonymous_page and finish_fault with
 * vmf_orig_pte_uffd_wp). */
static vm_fault_t do_missing_page(struct vm_fault *vmf, bool uffd_wp)
{
	struct mm *mm = vmf->mm;
	const struct vm_watch_ops *watch = vmf->vma->watch;
	vm_fault_t ret = watch ? (vm_fault_t)watch->missing(vmf) : VM_FAULT_DONE;

	if (ret == VM_FAULT_DONE)
		ret = vmf->vma->vm_ops->fault(vmf);
	g_assert(ret != VM_FAULT_RETRY || (vmf->flags & FAULT_FLAG_ALLOW_RETRY));
	if (ret == VM_FAULT_DONE && vmf->access == FAULT_WRITE && !(vmf->vma->flags & VM_SHARED) &&
	    phys_refcount(mm->phys, vmf->page) > 1)
		ret = do_cow_page(vmf);
	if (ret != VM_FAULT_DONE)
		return ret;
	if (vm_fault_install_page(vmf, vmf->page))
		return VM_FAULT_OOM;
	if (uffd_wp)
		protect_installed(vmf);
	if (should_fault_around(vmf))
		do_fault_around(vmf);
	return VM_FAULT_DONE;
}

/* Write to a present read-only page of a writable VMA.  The zero page is
 * replaced by a fresh zeroed frame (Linux's wp_page_copy of the zero pfn). */
static vm_fault_t do_wp_page(struct vm_fault *vmf, pte_t *ptep)
{
	struct mm *mm = vmf->mm;
	phys_addr_t old = pte_addr(*ptep), new;
	bool zero = phys_is_zero_page(mm->phys, old);

	if ((vmf->vma->flags & VM_SHARED) || !phys_page_shared(mm->phys, old)) {
		vmf->kind = FAULT_KIND_COW_REUSE;	/* upgrade in place: no flush needed */
		set_pte(vmf, ptep, old, vmf->vma->prot);
		return VM_FAULT_DONE;
	}
	if (phys_alloc(mm->phys, FRAME_DATA, &new))
		return VM_FAULT_OOM;
	if (zero) {
		vmf->kind = FAULT_KIND_COW_ZERO;
		vmf->pages_zeroed++;
	} else {
		vmf->kind = FAULT_KIND_COW_COPY;
		memcpy(phys_to_host(mm->phys, new), phys_to_host(mm->phys, old), PAGE_SIZE);
		vmf->pages_copied++;
	}
	set_pte(vmf, ptep, new, vmf->vma->prot);
	phys_put(mm->phys, old);
	flush_tlb_mm_range(mm, vmf->address, vmf->address + PAGE_SIZE);	/* reads may still see `old` */
	vmf->flushes++;
	notify_code(vmf, vmf->address);
	return VM_FAULT_DONE;
}

/* Linux's pte_marker_handle_uffd_wp: a write-protect marker is a missing
 * entry whose page comes in protected while the VMA's watch protects
 * writes (its `wp`); else it is left over from a registration that went,
 * and cleared (pte_marker_clear). */
static vm_fault_t do_uffd_wp_marker(struct vm_fault *vmf, pte_t *ptep)
{
	if (vma_watches_writes(vmf->vma)) {
		vm_fault_note(vmf, "the entry is a write-protect marker (userfaultfd WP_UNPOPULATED): "
			      "its page comes in write-protected");
		return do_missing_page(vmf, true);
	}
	pte_set(vmf->mm->phys, ptep, 0);
	return do_missing_page(vmf, false);
}

/* A write-protected entry (PTE_UFFD_WP) goes to the VMA's watch first. */
static vm_fault_t watched_wp_page(struct vm_fault *vmf, pte_t *ptep)
{
	const struct vm_watch_ops *watch = vmf->vma->watch;
	vm_fault_t ret = VM_FAULT_DONE;

	if ((*ptep & PTE_UFFD_WP) && watch && watch->wp)
		ret = (vm_fault_t)watch->wp(vmf);
	return ret == VM_FAULT_DONE ? do_wp_page(vmf, ptep) : ret;
}

/* FOLL_FORCE: a write to a private VMA the guest may not write copies
 * the page, which keeps the VMA's protection (Linux's check_vma_flags
 * allows it in a copy-on-write mapping). */
static bool force_permits(const struct vm_fault *vmf)
{
	return (vmf->flags & FAULT_FLAG_FORCE) && vmf->access == FAULT_WRITE &&
	       !(vmf->vma->flags & VM_SHARED);
}

/* A device-private entry: its node's owner brings the page back (Linux's
 * do_swap_page calling pgmap->ops->migrate_to_ram). */
static vm_fault_t do_device_private_page(struct vm_fault *vmf, pte_t entry)
{
	struct phys *phys = vmf->mm->phys;
	const struct dev_pagemap *pgmap = phys_node_owner(phys, phys_node_of(phys, pte_addr(entry)));

	g_assert(pgmap);	/* only an owner writes device-private entries */
	return pgmap->migrate_to_ram(pgmap, vmf);
}

void restore_exclusive_pte(struct mm *mm, const struct vma *vma, uint64_t va, pte_t *ptep)
{
	pte_set(mm->phys, ptep, pte_mk_page(pte_addr(*ptep), vma->prot));
	flush_tlb_mm_range(mm, va, va + PAGE_SIZE);
}

/* A device-exclusive entry: Linux's remove_device_exclusive_entry. */
static vm_fault_t do_device_exclusive_page(struct vm_fault *vmf, pte_t *ptep)
{
	restore_exclusive_pte(vmf->mm, vmf->vma, vmf->address, ptep);
	vmf->kind = FAULT_KIND_DEVICE_EXCLUSIVE;
	vmf->ptes_installed++;
	vmf->flushes++;
	return VM_FAULT_DONE;
}

vm_fault_t handle_vma_fault(struct vm_fault *vmf)
{
	struct vma *vma = vmf->vma;
	pte_t *ptep;

	if (!vma) {
		vmf->kind = FAULT_KIND_MAPERR;
		return VM_FAULT_SIGSEGV;
	}
	if (!vma_permits(vma, vmf->access) && !force_permits(vmf)) {
		vmf->kind = FAULT_KIND_ACCERR;
		return VM_FAULT_SIGSEGV;
	}
	if (vma->vm_ops->handle_fault)
		return vma->vm_ops->handle_fault(vmf);
	vmf->pgoff = linear_page_index(vma, vmf->address);
	ptep = pgtable_walk(vmf->mm->phys, vmf->mm->pgd, vmf->address);
	if (ptep && pte_is_device_exclusive(*ptep))
		return do_device_exclusive_page(vmf, ptep);
	if (ptep && pte_is_device_private(*ptep))
		return do_device_private_page(vmf, *ptep);
	if (ptep && pte_is_poison_marker(*ptep)) {	/* Linux's handle_pte_marker */
		vm_fault_note(vmf, "the entry is a poison marker (UFFDIO_POISON): the page is lost");
		return VM_FAULT_HWPOISON;
	}
	if (ptep && pte_is_uffd_wp_marker(*ptep))
		return do_uffd_wp_marker(vmf, ptep);
	if (!ptep || !pte_present(*ptep))
		return do_missing_page(vmf, false);
	if (vmf->access == FAULT_WRITE && !(pte_prot(*ptep) & VM_WRITE))
		return watched_wp_page(vmf, ptep);
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
	case VM_FAULT_HWPOISON:
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

	agent_charge_cost(a, &steps);
	vmf->cost = agent_end_event(a, fault_latency_kind(vmf->kind));
}

/* The VMA of a faulting address; below a stack (VM_GROWSDOWN), the stack
 * grown down to it when it may grow that far (Linux's
 * lock_mm_and_find_vma). */
static struct vma *find_fault_vma(struct mm *mm, uint64_t addr)
{
	struct vma *vma;

	if (addr >= TASK_SIZE)
		return NULL;
	vma = vma_lookup(mm, addr);
	if (vma)
		return vma;
	vma = find_vma(mm, addr);
	return vma && (vma->flags & VM_GROWSDOWN) && !expand_stack(mm, vma, addr) ? vma : NULL;
}

void account_retried_fault(struct mm *mm, uint64_t addr, enum fault_access access)
{
	static const unsigned needs[] = { [FAULT_READ] = VM_READ, [FAULT_WRITE] = VM_WRITE,
					  [FAULT_EXEC] = VM_EXEC };
	phys_addr_t pa;
	unsigned prot;

	if (pgtable_translate(mm->phys, mm->pgd, addr, &pa, &prot) && (prot & needs[access]))
		mm->min_flt++;
}

vm_fault_t handle_mm_fault(struct vm_fault *vmf)
{
	struct mm *mm = vmf->mm;
	struct agent *a = mm_current_agent(mm);
	struct event_cost ev;

	if (a)
		agent_begin_event(a, &ev);
	vmf->vma = find_fault_vma(mm, vmf->address);
	vmf->result = handle_vma_fault(vmf);
	vmf->kind = failure_kind(vmf->result, vmf->kind);
	mm->stats->faults[vmf->kind]++;
	if (a)
		domain_journal_fault(a->domain, vmf->kind);
	mm->stats->fault_around_pages += vmf->pages_around;
	if (vmf->result == VM_FAULT_DONE)
		mm->min_flt++;
	if (a)
		account_fault(a, vmf);
	return vmf->result;
}
