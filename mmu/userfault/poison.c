/*
 * userfault poison: UFFDIO_POISON's markers (see poison.h for the contract).
 */
#include "mmu/userfault/poison.h"

#include <errno.h>

/* Linux's mfill_atomic_pte_poison: refuse any entry, even a marker. */
static int poison_page(struct mm *mm, uint64_t addr, struct userfault_work *work)
{
	pte_t *ptep;
	int created = pgtable_walk_alloc(mm->phys, mm->pgd, addr, &ptep);

	if (created < 0)
		return created;
	work->tables_allocated += (unsigned)created;
	if (*ptep)
		return -EEXIST;
	pte_set(mm->phys, ptep, PTE_MARKER_POISON);	/* was not valid: nothing to flush */
	work->ptes_installed++;
	return 0;
}

long userfault_poison(struct userfault_ctx *ctx, uint64_t start, uint64_t len, bool wake,
		      struct userfault_work *work)
{
	struct vma *vma;
	uint64_t done = 0;
	int err = userfault_fill_vma(ctx, start, len, &vma);

	if (err)
		return err;
	if (!(vma->flags & VM_SHARED))
		vma->flags |= VM_ANON_PAGES;	/* Linux's anon_vma_prepare: fork copies its markers */
	for (; done < len && !err; done += err ? 0 : PAGE_SIZE)
		err = poison_page(ctx->mm, start + done, work);
	if (done && wake)
		userfault_wake(ctx, start, done);
	return done ? (long)done : err;
}
