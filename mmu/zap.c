/*
 * zap: taking pages out of an mm's page tables, as Linux's zap_page_range
 * and unmap_mapping_range (mm/memory.c).  Each call flushes what it changed
 * once, through flush_tlb_mm_range().  mm's operations (munmap, MADV_DONTNEED)
 * and objects that lose pages (a hole punched in shmem) both come here, so
 * neither has to call into the other.
 */
#include "mmu/zap.h"

#include "mmu/mmu_gather.h"
#include "mmu/pgtable.h"
#include "mmu/phys.h"

void zap_page_range(struct mm *mm, uint64_t start, uint64_t end)
{
	if (pgtable_unmap_range(mm->phys, mm->pgd, start, end))
		flush_tlb_mm_range(mm, start, end);
}

struct zap_wp {
	struct phys *phys;
	const struct vma *vma;
	bool object_pages_only;	/* private copies stay (Linux's even_cows false) */
	uint64_t nr;		/* entries changed */
};

/* Whether the entry e at va maps a page of vma's object (vm_ops->owns_page). */
static bool maps_object_page(const struct vma *vma, uint64_t va, pte_t e)
{
	const struct vm_ops *ops = vma->vm_ops;

	return pte_present(e) && (!ops->owns_page || ops->owns_page(vma, linear_page_index(vma, va), pte_addr(e)));
}

/* Zap one entry of a file VMA keeping write-protection (Linux's
 * zap_install_uffd_wp_if_needed without ZAP_FLAG_DROP_MARKER): a page
 * protected in a VMA that protects writes leaves a write-protect marker,
 * markers stay. */
static int zap_pte_keep_wp(void *opaque, uint64_t va, pte_t *ptep)
{
	struct zap_wp *z = opaque;
	bool wp = pte_present(*ptep) && (*ptep & PTE_UFFD_WP) && vma_watches_writes(z->vma);

	if (pte_is_marker(*ptep))
		return 0;
	if (z->object_pages_only && !maps_object_page(z->vma, va, *ptep))
		return 0;
	if (pte_present(*ptep) || pte_is_device_private(*ptep))
		phys_put(z->phys, pte_addr(*ptep));
	pte_set(z->phys, ptep, wp ? PTE_MARKER_UFFD_WP : 0);
	z->nr++;
	return wp ? 0 : PTE_VISIT_CLEARED;
}

static void walk_zap_wp(struct mm *mm, struct zap_wp *z, uint64_t start, uint64_t end)
{
	pgtable_walk_range_all(mm->phys, mm->pgd, start, end, zap_pte_keep_wp, z);
	if (z->nr)
		flush_tlb_mm_range(mm, start, end);
}

void zap_range_keep_wp(struct mm *mm, const struct vma *vma, uint64_t start, uint64_t end)
{
	walk_zap_wp(mm, &(struct zap_wp){ mm->phys, vma, false, 0 }, start, end);
}

void unmap_mapping_pages(const struct vma *vma, uint64_t start, uint64_t end, bool even_cows)
{
	walk_zap_wp(vma->vm_mm, &(struct zap_wp){ vma->vm_mm->phys, vma, !even_cows, 0 }, start, end);
}
