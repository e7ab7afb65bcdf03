/*
 * userfault write-protection: the PTE_UFFD_WP bit of a registered range's
 * entries (see wp.h for the contract).
 */
#include "mmu/userfault/wp.h"

#include <errno.h>

#include "mmu/mmu_gather.h"
#include "mmu/userfault/shmem.h"

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
	if (pte_is_uffd_wp_marker(*ptep) && !w->wp) {
		pte_set(w->mm->phys, ptep, 0);	/* the next fault is a plain missing one */
		return PTE_VISIT_CLEARED;
	}
	if (!pte_present(*ptep))
		return 0;	/* markers; device-private entries are not protected */
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

	pgtable_walk_range_all(mm->phys, mm->pgd, start, end, change_wp, &w);
	flush_tlb_mm_range(mm, start, end);
}

/* Linux's userfaultfd_wp_use_markers: always on shmem (its object may
 * hold the page of an empty entry), on anonymous memory with
 * WP_UNPOPULATED. */
static bool wp_uses_markers(const struct userfault_ctx *ctx, const struct vma *vma)
{
	return userfault_vma_is_shmem(vma) || (ctx->features & UFFD_FEATURE_WP_UNPOPULATED);
}

/* Put a write-protect marker in every empty entry of [start, end), making
 * the tables it needs (Linux's change_pmd_prepare and change_pte_range);
 * -ENOMEM when a table cannot be had.  A private VMA then holds entries
 * of its own that fork copies (Linux's vma_needs_copy for a uffd-wp VMA). */
static int mark_range(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end)
{
	if (!(vma->flags & VM_SHARED))
		vma->flags |= VM_ANON_PAGES;
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		pte_t *ptep;

		if (pgtable_walk_alloc(mm->phys, mm->pgd, va, &ptep) < 0)
			return -ENOMEM;
		if (!*ptep)
			pte_set(mm->phys, ptep, PTE_MARKER_UFFD_WP);	/* was not valid: nothing to flush */
	}
	return 0;
}

/* Linux's mwriteprotect_range. */
static int writeprotect_range(struct userfault_ctx *ctx, uint64_t start, uint64_t end, bool wp)
{
	struct mm *mm = ctx->mm;
	struct vma *vma = find_vma(mm, start);
	int err = -ENOENT;

	for (; vma && vma->start < end; vma = vma_next(mm, vma)) {
		uint64_t from = MAX(start, vma->start), to = MIN(end, vma->end);

		if (!(userfault_vma_mode(vma) & UFFDIO_REGISTER_MODE_WP))
			return -ENOENT;
		change_range(mm, vma, from, to, wp);
		err = wp && wp_uses_markers(ctx, vma) ? mark_range(mm, vma, from, to) : 0;
		if (err)
			return err;
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

void userfault_wp_forget(struct mm *child, struct vma *copy)
{
	change_range(child, copy, copy->start, copy->end, false);
}

static int drop_wp(void *opaque, uint64_t va, pte_t *ptep)
{
	struct phys *phys = opaque;

	(void)va;
	if (pte_is_uffd_wp_marker(*ptep)) {
		pte_set(phys, ptep, 0);
		return PTE_VISIT_CLEARED;
	}
	if (*ptep & PTE_UFFD_WP)
		pte_set(phys, ptep, *ptep & ~PTE_UFFD_WP);
	return 0;
}

void userfault_wp_drop_moved(struct mm *mm, uint64_t start, uint64_t end)
{
	pgtable_walk_range_all(mm->phys, mm->pgd, start, end, drop_wp, mm->phys);
	flush_tlb_mm_range(mm, start, end);
}

void userfault_wp_clear(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end, unsigned mode)
{
	if ((userfault_vma_mode(vma) & UFFDIO_REGISTER_MODE_WP) && !(mode & UFFDIO_REGISTER_MODE_WP))
		change_range(mm, vma, start, end, false);
}
