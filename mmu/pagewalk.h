/*
 * pagewalk: what an address space maps, page by page, for reports such as
 * /proc/PID/smaps and /proc/PID/pagemap (after Linux's walk_page_range()
 * and the smaps accounting of fs/proc/task_mmu.c).  It only reads the
 * tables; nothing is faulted in or changed.
 *
 * For each mapped page: its frame, how many page-table entries map it (the
 * frame's reference count, less the references the VMA's backing object
 * keeps itself on its own pages: vm_ops->object_page_refs, when
 * vm_ops->owns_page says the frame is the object's), and its state, which
 * follows vm_ops->backing.  mmusim has no hardware dirty bit, so the state
 * follows Linux's outcome rather than a recorded bit:
 *  - a page of anonymous memory is anonymous and dirty (Linux maps what a
 *    write fault allocated dirty);
 *  - a page of shared anonymous memory (shmem) is not anonymous, dirty;
 *  - a page of a private file mapping that is not the page cache's is the
 *    private copy a write fault made: anonymous and dirty; the page
 *    cache's own is the file's page, clean.
 * Every installed entry has its access flag set, so every page is young
 * (Referenced).
 */
#ifndef MMU_PAGEWALK_H
#define MMU_PAGEWALK_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm_types.h"
#include "mmu/pgtable.h"

struct page_info {
	uint64_t va;
	phys_addr_t pa;
	unsigned mapcount;	/* page-table entries mapping the frame, at least 1 */
	bool writable;		/* the entry allows EL0 writes */
	bool anon;		/* Linux's PageAnon */
	bool dirty;
	bool young;
	bool uffd_wp;		/* write-protected by userfaultfd (PTE_UFFD_WP) */
};

/* Called for each mapped page in order; nonzero stops the walk and is
 * returned. */
typedef int (*page_info_fn)(void *ctx, const struct page_info *page);

/* Visit the mapped pages of `vma` (of `mm`) in [start, end). */
int walk_vma_pages(struct mm *mm, const struct vma *vma, uint64_t start, uint64_t end,
		   page_info_fn fn, void *ctx);

/* The page at `va` (page aligned), if one is mapped there: false if not. */
bool page_info_at(struct mm *mm, uint64_t va, struct page_info *out);

/* Fixed-point precision of the proportional counts (Linux's PSS_SHIFT). */
#define PSS_SHIFT 12

/* What a VMA's pages add up to, in bytes (the pss_* members in bytes <<
 * PSS_SHIFT): Linux's struct mem_size_stats. */
struct mem_size_stats {
	uint64_t resident;
	uint64_t shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anonymous;
	uint64_t file_rss, shmem_rss;	/* resident pages that are neither anonymous */
	uint64_t pss, pss_dirty, pss_anon, pss_file, pss_shmem;
};

/* Add the pages of `vma` to `mss` (smaps), or of every VMA of `mm`
 * (smaps_rollup, status). */
void smap_gather(struct mm *mm, const struct vma *vma, struct mem_size_stats *mss);
void smap_gather_mm(struct mm *mm, struct mem_size_stats *mss);

/* Table pages below the root that mm's tables reach (Linux's VmPTE; a
 * shared table counts for each sharer). */
uint64_t mm_pgtable_pages(struct mm *mm);
/* The table pages mm's tables reach, by level, the root included. */
void mm_pgtable_pages_by_level(struct mm *mm, uint64_t per_level[PGTABLE_LEVELS]);
/* The same, split: tables reached through a table page another tree holds
 * too (an mshare region's: phys refcount above 1, itself or above) are
 * `shared`, the others the mm's own (`own`, the root included): what it
 * allocated, Linux's pgtables_bytes. */
void mm_pgtable_pages_split(struct mm *mm, uint64_t own[PGTABLE_LEVELS],
			    uint64_t shared[PGTABLE_LEVELS]);
/* Its own table pages below the root (VmPTE: a shared table is counted
 * once, in the mm that holds it alone, e.g. an mshare region's host). */
uint64_t mm_own_pgtable_pages(struct mm *mm);

#endif
