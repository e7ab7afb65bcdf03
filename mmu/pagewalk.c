#include "mmu/pagewalk.h"

#include <string.h>

#include "mmu/mm.h"

/* What the entry `e` at `va` of `vma` maps. */
static void describe_page(struct mm *mm, const struct vma *vma, uint64_t va, pte_t e,
			  struct page_info *out)
{
	phys_addr_t pa = pte_addr(e);
	unsigned refs = phys_refcount(mm->phys, pa);
	bool owned = !vma->vm_ops->owns_page || vma->vm_ops->owns_page(vma, linear_page_index(vma, va), pa);
	unsigned held = owned ? vma->vm_ops->object_page_refs : 0;
	bool writable = pte_prot(e) & VM_WRITE;

	*out = (struct page_info){
		.va = va,
		.pa = pa,
		.mapcount = refs > held ? refs - held : 1,
		.writable = writable,
		.young = e & PTE_AF,
		.uffd_wp = e & PTE_UFFD_WP,
	};
	switch (vma->vm_ops->backing) {
	case BACKING_ANON:
		out->anon = out->dirty = true;
		break;
	case BACKING_FILE:
		out->anon = out->dirty = !owned;	/* a private copy */
		break;
	case BACKING_SHMEM:
		out->dirty = true;
		break;
	}
}

struct walk {
	struct mm *mm;
	const struct vma *vma;
	page_info_fn fn;
	void *ctx;
};

static int visit_pte(void *ctx, uint64_t va, pte_t *ptep)
{
	struct walk *w = ctx;
	struct page_info page;

	describe_page(w->mm, w->vma, va, *ptep, &page);
	return w->fn(w->ctx, &page);
}

int walk_vma_pages(struct mm *mm, const struct vma *vma, uint64_t start, uint64_t end,
		   page_info_fn fn, void *ctx)
{
	struct walk w = { mm, vma, fn, ctx };

	start = MAX(start, vma->start);
	end = MIN(end, vma->end);
	if (start >= end)
		return 0;
	/* The visitor never clears: a positive answer is the caller's own. */
	return pgtable_walk_range(mm->phys, mm->pgd, start, end, visit_pte, &w);
}

bool page_info_at(struct mm *mm, uint64_t va, struct page_info *out)
{
	struct vma *vma = vma_lookup(mm, va);
	pte_t *ptep = vma ? pgtable_walk(mm->phys, mm->pgd, va) : NULL;

	if (!ptep || !pte_present(*ptep))
		return false;
	describe_page(mm, vma, va & PAGE_MASK, *ptep, out);
	return true;
}

struct smap_walk {
	struct mem_size_stats *mss;
	bool shmem;		/* the VMA maps shared anonymous memory */
};

/* One page into the counts, as Linux's smaps_account() does for a page
 * mapped by `mapcount` entries. */
static int account_page(void *ctx, const struct page_info *page)
{
	const struct smap_walk *w = ctx;
	struct mem_size_stats *mss = w->mss;
	uint64_t pss = (PAGE_SIZE << PSS_SHIFT) / page->mapcount;

	mss->resident += PAGE_SIZE;
	if (page->young)
		mss->referenced += PAGE_SIZE;
	mss->pss += pss;
	if (page->anon) {
		mss->anonymous += PAGE_SIZE;
		mss->pss_anon += pss;
	} else if (w->shmem) {
		mss->shmem_rss += PAGE_SIZE;
		mss->pss_shmem += pss;
	} else {
		mss->file_rss += PAGE_SIZE;
		mss->pss_file += pss;
	}
	if (page->dirty)
		mss->pss_dirty += pss;
	if (page->mapcount > 1) {
		if (page->dirty)
			mss->shared_dirty += PAGE_SIZE;
		else
			mss->shared_clean += PAGE_SIZE;
	} else if (page->dirty) {
		mss->private_dirty += PAGE_SIZE;
	} else {
		mss->private_clean += PAGE_SIZE;
	}
	return 0;
}

void smap_gather(struct mm *mm, const struct vma *vma, struct mem_size_stats *mss)
{
	struct smap_walk w = { mss, vma->vm_ops->backing == BACKING_SHMEM };

	walk_vma_pages(mm, vma, vma->start, vma->end, account_page, &w);
}

void smap_gather_mm(struct mm *mm, struct mem_size_stats *mss)
{
	for (struct vma *vma = vma_first(mm); vma; vma = vma_next(mm, vma))
		smap_gather(mm, vma, mss);
}

/* Add the table pages below `table` (of `level`) to per_level[their level]. */
static void count_tables(struct phys *phys, phys_addr_t table, int level, uint64_t *per_level)
{
	const pte_t *entries = phys_to_host(phys, table);

	for (int i = 0; level < PTE_LEVEL && i < PTRS_PER_TABLE; i++)
		if (pte_is_table(entries[i], level)) {
			per_level[level + 1]++;
			count_tables(phys, pte_addr(entries[i]), level + 1, per_level);
		}
}

void mm_pgtable_pages_by_level(struct mm *mm, uint64_t per_level[PGTABLE_LEVELS])
{
	memset(per_level, 0, PGTABLE_LEVELS * sizeof(*per_level));
	per_level[PGD_LEVEL] = 1;
	count_tables(mm->phys, mm->pgd, PGD_LEVEL, per_level);
}

/* Add the table pages below `table` (of `level`) to own[] or, once a shared
 * table page is on the way, to shared[]. */
static void split_tables(struct phys *phys, phys_addr_t table, int level, bool in_shared,
			 uint64_t *own, uint64_t *shared)
{
	const pte_t *entries = phys_to_host(phys, table);

	for (int i = 0; level < PTE_LEVEL && i < PTRS_PER_TABLE; i++) {
		phys_addr_t below = pte_addr(entries[i]);
		bool is_shared;

		if (!pte_is_table(entries[i], level))
			continue;
		is_shared = in_shared || phys_refcount(phys, below) > 1;
		(is_shared ? shared : own)[level + 1]++;
		split_tables(phys, below, level + 1, is_shared, own, shared);
	}
}

void mm_pgtable_pages_split(struct mm *mm, uint64_t own[PGTABLE_LEVELS],
			    uint64_t shared[PGTABLE_LEVELS])
{
	memset(own, 0, PGTABLE_LEVELS * sizeof(*own));
	memset(shared, 0, PGTABLE_LEVELS * sizeof(*shared));
	own[PGD_LEVEL] = 1;
	split_tables(mm->phys, mm->pgd, PGD_LEVEL, false, own, shared);
}

uint64_t mm_own_pgtable_pages(struct mm *mm)
{
	uint64_t own[PGTABLE_LEVELS], shared[PGTABLE_LEVELS];

	mm_pgtable_pages_split(mm, own, shared);
	return own[PUD_LEVEL] + own[PMD_LEVEL] + own[PTE_LEVEL];
}

uint64_t mm_pgtable_pages(struct mm *mm)
{
	uint64_t n[PGTABLE_LEVELS];

	mm_pgtable_pages_by_level(mm, n);
	return n[PUD_LEVEL] + n[PMD_LEVEL] + n[PTE_LEVEL];
}
