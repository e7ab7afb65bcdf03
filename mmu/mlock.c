/*
 * mlock: locking pages in memory, after Linux's mm/mlock.c.  A locked VMA
 * carries VM_LOCKED (smaps VmFlags "lo"), and with MLOCK_ONFAULT or
 * MCL_ONFAULT also VM_LOCKONFAULT; locking without ONFAULT faults every page
 * in at once (kernel faults, counted as Linux's populate counts them).
 * There is no swap, so a locked page is not otherwise treated differently;
 * what locking changes is what madvise and msync refuse (mmu/madvise.c).
 * The guest runs as root, so RLIMIT_MEMLOCK never refuses (CAP_IPC_LOCK).
 */
#include "mmu/mm.h"

#include <errno.h>

#include "mmu/fault.h"

/* __mm_populate() for mlock: fault in the locked, not lock-on-fault VMAs of
 * [start, end); a PROT_NONE one stops it with -ENOMEM (gup's EFAULT, turned
 * into mlock's ENOMEM), a hole ends it. */
static int populate_locked(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct vma *vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma)) {
		uint64_t from = MAX(start, vma->start), to = MIN(end, vma->end);
		int err;

		if ((vma->flags & VM_LOCKED_MASK) != VM_LOCKED)
			continue;
		if (!vma_permits(vma, FAULT_READ))
			return -ENOMEM;
		err = mm_populate(mm, from, to);
		if (err)
			return err;
	}
	return 0;
}

/* The page-aligned range mlock and munlock work on: start rounded down,
 * the length grown to cover the same bytes, in Linux's unsigned arithmetic
 * (a length that rounds to 0 is an empty range, one that wraps EINVAL). */
static int lock_range(uint64_t start, uint64_t len, uint64_t *from, uint64_t *to)
{
	*from = start & PAGE_MASK;
	*to = *from + PAGE_ALIGN(len + (start & ~PAGE_MASK));
	return *to < *from ? -EINVAL : 0;
}

int mm_mlock(struct mm *mm, uint64_t start, uint64_t len, unsigned flags)
{
	uint64_t from, to;
	int err = lock_range(start, len, &from, &to);

	if (err || from == to)
		return err;
	err = mm_change_flags(mm, from, to, flags, VM_LOCKED_MASK, true);
	return err ? err : populate_locked(mm, from, to);
}

int mm_munlock(struct mm *mm, uint64_t start, uint64_t len)
{
	uint64_t from, to;
	int err = lock_range(start, len, &from, &to);

	if (err || from == to)
		return err;
	return mm_change_flags(mm, from, to, 0, VM_LOCKED_MASK, true);
}

/* Give every VMA the lock flags `set` (none: unlock them all). */
static void lock_all(struct mm *mm, unsigned set)
{
	for (struct vma *vma = vma_first(mm); vma;) {
		uint64_t end = vma->end;

		mm_change_flags(mm, vma->start, end, set, VM_LOCKED_MASK, true);
		vma = find_vma(mm, end);
	}
}

int mm_mlockall(struct mm *mm, unsigned mcl_flags)
{
	unsigned set = VM_LOCKED | (mcl_flags & MM_MCL_ONFAULT ? VM_LOCKONFAULT : 0);

	if (!mcl_flags || (mcl_flags & ~(MM_MCL_CURRENT | MM_MCL_FUTURE | MM_MCL_ONFAULT)) ||
	    mcl_flags == MM_MCL_ONFAULT)
		return -EINVAL;
	mm->def_flags = mcl_flags & MM_MCL_FUTURE ? set : 0;
	if (mcl_flags & MM_MCL_CURRENT) {
		lock_all(mm, set);
		for (struct vma *vma = vma_first(mm); vma; vma = vma_next(mm, vma))
			if (set == VM_LOCKED && mm_populate(mm, vma->start, vma->end))
				break;	/* errors ignored, as __mm_populate(.., 1) */
	}
	return 0;
}

int mm_munlockall(struct mm *mm)
{
	mm->def_flags = 0;
	lock_all(mm, 0);
	return 0;
}
