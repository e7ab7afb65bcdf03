/*
 * stack: the stack VMA grows down on a fault below it (Linux's
 * expand_downwards in mm/mmap.c); the contract is expand_stack() in mm.h.
 * Apart from mm.c because the fault path calls it, and mm.c calls the
 * fault path (populate): here it needs only the VMA tree.
 */
#include <errno.h>

#include <glib.h>

#include "mmu/mm.h"

int expand_stack(struct mm *mm, struct vma *vma, uint64_t addr)
{
	struct vma *prev = vma_prev(mm, vma);

	addr &= PAGE_MASK;
	g_assert((vma->flags & VM_GROWSDOWN) && addr < vma->start);
	if (!mm->tunables->stack_growth)
		return -ENOMEM;
	if (addr < MMAP_MIN_ADDR)
		return -EPERM;
	if (prev && !(prev->flags & VM_GROWSDOWN) && prev->prot && addr - prev->end < STACK_GUARD_GAP)
		return -ENOMEM;
	if (vma->end - addr > STACK_SIZE)	/* acct_stack_growth: RLIMIT_STACK */
		return -ENOMEM;
	vma_set_range(mm, vma, addr, vma->end);	/* no neighbour is passed: the tree stays ordered */
	return 0;
}
