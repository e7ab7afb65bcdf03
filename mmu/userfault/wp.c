/*
 * userfault write-protection: the PTE_UFFD_WP bit of a registered range's
 * entries (see wp.h for the contract).
 */
#include "mmu/userfault/wp.h"

#include <errno.h>

#include "mmu/mmu_gather.h"

struct wp_walk {
	struct mm *mm;
	const struct vma *vma;
	bool wp;
};

/* Linux's change_pte_range with MM_CP_UFFD_WP or MM_CP_UFFD_WP_RESOLVE:
 * protecting makes the entry read-only with the bit; resolving clears the
 * bit and gives write back to a page of a writable VMA nobody else maps
 * (Linux's can_change_pte_writable), else leaves it read-only for the
 * copy-on-write fault. */
static int change_wp(void *opaque, uint64_t va, pte_t *ptep)
{
	const struct wp_walk *w = opaque;
	phys_addr_t pa = pte_addr(*ptep);
	unsigned prot = pte_prot(*ptep);

	(void)va;
	if (w->wp) {
		pte_set(w->mm->phys, ptep, pte_mk_page(pa, prot & ~VM_WRITE) | PTE_UFFD_WP);
		return 0;
	}
	if (!(*ptep & PTE_UFFD_WP))
		return 0;
	if ((w->vma->prot & VM_WRITE) && !phys_page_shared(w->mm->phys, pa) &&
	    !phys_is_zero_page(w->mm->phys, pa))
		prot |= VM_WRITE;
	pte_set(w->mm->phys, ptep, pte_mk_page(pa, prot));
	return 0;
}

static void change_range(struct mm *mm, const struct vma *vma, uint64_t start, uint64_t end, bool wp)
{
	struct wp_walk w = { mm, vma, wp };

	pgtable_walk_range(mm->phys, mm->pgd, start, end, change_wp, &w);
	flush_tlb_mm_range(mm, start, end);
}

/* Linux's mwriteprotect_range. */
static int writeprotect_range(struct userfault_ctx *ctx, uint64_t start, uint64_t end, bool wp)
{
	struct mm *mm = ctx->mm;
	struct vma *vma = find_vma(mm, start);
	int err = -ENOENT;

	for (; vma && vma->start < end; vma = vma_next(mm, vma)) {
		if (!(userfault_vma_mode(vma) & UFFDIO_REGISTER_MODE_WP))
			return -ENOENT;
		change_range(mm, vma, MAX(start, vma->start), MIN(end, vma->end), wp);
		err = 0;
	}
	return err;
}

int userfault_writeprotect(struct userfault_ctx *ctx, uint64_t start, uint64_t len, bool wp, bool wake)
{
	int err;

	if (ctx->mmap_changing)
		return -EAGAIN;
	err = userfault_validate_range(start, len);
	if (err)
		return err;
	if (!ctx->mm)
		return -ESRCH;
	err = writeprotect_range(ctx, start, start + len, wp);
	if (!err && !wp && wake)
		userfault_wake(ctx, start, len);
	return err;
}

void userfault_wp_page(struct mm *mm, uint64_t addr)
{
	pte_t *ptep = pgtable_walk(mm->phys, mm->pgd, addr);

	if (ptep && pte_present(*ptep))
		pte_set(mm->phys, ptep, pte_mk_page(pte_addr(*ptep), pte_prot(*ptep) & ~VM_WRITE) | PTE_UFFD_WP);
}

void userfault_wp_clear(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end, unsigned mode)
{
	if ((userfault_vma_mode(vma) & UFFDIO_REGISTER_MODE_WP) && !(mode & UFFDIO_REGISTER_MODE_WP))
		change_range(mm, vma, start, end, false);
}
