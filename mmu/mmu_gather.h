/*
 * mmu_gather: telling an mm's subscribers that translations went stale, as
 * flush_tlb_mm_range() and the mmu_gather of Linux do.  Every operation that
 * removes or downgrades a valid entry flushes its range once; operations
 * that touch several VMAs gather their ranges and flush once at the end.
 */
#ifndef MMU_MMU_GATHER_H
#define MMU_MMU_GATHER_H

#include <stdint.h>

#include "mmu/mm_types.h"

/* Count the flush and hand [start, end) to the mm's notifier chain. */
void flush_tlb_mm_range(struct mm *mm, uint64_t start, uint64_t end);

/* Ranges added between gather and finish are flushed once, as one range. */
struct mmu_gather {
	struct mm *mm;
	uint64_t start, end;		/* end 0: nothing to flush */
};
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm);
void tlb_gather_range(struct mmu_gather *tlb, uint64_t start, uint64_t end);
void tlb_finish_mmu(struct mmu_gather *tlb);

#endif
