#include "mmu/mmu_gather.h"

#include "mmu/notifier.h"

void flush_tlb_mm_range(struct mm *mm, uint64_t start, uint64_t end)
{
	mm->stats->tlb_flushes++;
	mmu_notifier_invalidate_range(mm, start, end);
}

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm)
{
	*tlb = (struct mmu_gather){ .mm = mm };
}

void tlb_gather_range(struct mmu_gather *tlb, uint64_t start, uint64_t end)
{
	tlb->start = tlb->end ? MIN(tlb->start, start) : start;
	tlb->end = MAX(tlb->end, end);
}

void tlb_finish_mmu(struct mmu_gather *tlb)
{
	if (tlb->end)
		flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end);
	tlb->end = 0;
}
