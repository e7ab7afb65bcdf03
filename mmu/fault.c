/*
 * fault: the page-fault paths, after Linux's mm/memory.c.  Data for a missing
 * page (zeroes, file bytes, the shared object's frame) is prepared before the
 * walk that creates table pages, so a fault that fails (SIGBUS, OOM) leaves
 * the tables as they were.
 */
#include "mmu/fault.h"

#include <errno.h>
#include <string.h>

#include "mmu/shmem.h"
#include "mmu/vm_file.h"

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

/* The protection a page gets in this VMA: a private page that others still
 * map stays read-only until a write fault copies it. */
static unsigned page_prot(struct mm *mm, const struct vma *vma, phys_addr_t pa)
{
	if (!(vma->flags & VM_SHARED) && phys_refcount(mm->phys, pa) > 1)
		return vma->prot & ~VM_WRITE;
	return vma->prot;
}

static void notify_code(struct mm *mm, const struct vma *vma, uint64_t addr)
{
	if ((vma->prot & VM_EXEC) && mm->notifier.invalidate_code)
		mm->notifier.invalidate_code(mm->notifier.ctx, mm, addr, addr + PAGE_SIZE);
}

/* A frame with the contents the page at `addr` must start with. */
static int prepare_page(struct mm *mm, struct vma *vma, uint64_t addr, phys_addr_t *pa,
			enum fault_kind *kind)
{
	uint64_t pgoff = vma->pgoff + ((addr - vma->start) >> PAGE_SHIFT);
	int err;

	if (vma->shmem) {
		*kind = FAULT_KIND_SHMEM;
		err = shmem_find_page(vma->shmem, pgoff, pa);
		if (!err)
			phys_get(mm->phys, *pa);
		return err;
	}
	*kind = vma->file ? FAULT_KIND_FILE : FAULT_KIND_ANON;
	err = phys_alloc(mm->phys, FRAME_DATA, pa);
	if (err || !vma->file)
		return err;
	err = vm_file_read_page(vma->file, pgoff << PAGE_SHIFT, phys_to_host(mm->phys, *pa));
	if (err)
		phys_put(mm->phys, *pa);
	return err;
}

static enum vm_fault do_missing_page(struct mm *mm, struct vma *vma, uint64_t addr,
				     enum fault_kind *kind)
{
	phys_addr_t pa;
	pte_t *ptep;
	int err = prepare_page(mm, vma, addr, &pa, kind);

	if (err == -ENXIO || err == -EIO) {
		*kind = FAULT_KIND_SIGBUS;
		return VM_FAULT_SIGBUS;
	}
	if (err)
		goto oom;
	err = pgtable_walk_alloc(mm->phys, mm->pgd, addr, &ptep);
	if (err) {
		phys_put(mm->phys, pa);
		goto oom;
	}
	*ptep = pte_mk_page(pa, page_prot(mm, vma, pa));
	notify_code(mm, vma, addr);
	return VM_FAULT_DONE;
oom:
	*kind = FAULT_KIND_OOM;
	return VM_FAULT_OOM;
}

/* Write to a present read-only page of a writable VMA. */
static enum vm_fault do_wp_page(struct mm *mm, struct vma *vma, uint64_t addr, pte_t *ptep,
				enum fault_kind *kind)
{
	phys_addr_t old = pte_addr(*ptep), new;

	if ((vma->flags & VM_SHARED) || phys_refcount(mm->phys, old) == 1) {
		*kind = FAULT_KIND_COW_REUSE;	/* upgrade in place: no flush needed */
		*ptep = pte_mk_page(old, vma->prot);
		return VM_FAULT_DONE;
	}
	if (phys_alloc(mm->phys, FRAME_DATA, &new)) {
		*kind = FAULT_KIND_OOM;
		return VM_FAULT_OOM;
	}
	*kind = FAULT_KIND_COW_COPY;
	memcpy(phys_to_host(mm->phys, new), phys_to_host(mm->phys, old), PAGE_SIZE);
	*ptep = pte_mk_page(new, vma->prot);
	phys_put(mm->phys, old);
	flush_tlb_mm_range(mm, addr, addr + PAGE_SIZE);	/* reads may still see `old` */
	notify_code(mm, vma, addr);
	return VM_FAULT_DONE;
}

static enum vm_fault fault_vma(struct mm *mm, struct vma *vma, uint64_t addr,
			       enum fault_access access, enum fault_kind *kind)
{
	pte_t *ptep;

	if (!vma) {
		*kind = FAULT_KIND_MAPERR;
		return VM_FAULT_SIGSEGV;
	}
	if (!vma_permits(vma, access)) {
		*kind = FAULT_KIND_ACCERR;
		return VM_FAULT_SIGSEGV;
	}
	ptep = pgtable_walk(mm->phys, mm->pgd, addr);
	if (!ptep || !pte_present(*ptep))
		return do_missing_page(mm, vma, addr, kind);
	if (access == FAULT_WRITE && !(pte_prot(*ptep) & VM_WRITE))
		return do_wp_page(mm, vma, addr, ptep, kind);
	*kind = FAULT_KIND_SPURIOUS;
	return VM_FAULT_DONE;
}

enum vm_fault handle_mm_fault(struct mm *mm, uint64_t addr, enum fault_access access,
			      enum fault_kind *kind)
{
	uint64_t page = addr & PAGE_MASK;
	enum vm_fault ret = fault_vma(mm, addr < TASK_SIZE ? vma_lookup(mm, page) : NULL,
				      page, access, kind);

	mm->stats->faults[*kind]++;
	return ret;
}
