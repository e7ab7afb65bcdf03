/*
 * madvise: advice about ranges of an address space, and the two calls that
 * ask about or act on a range's pages, mincore and msync; after Linux's
 * mm/madvise.c, mm/mincore.c and mm/msync.c, with their checks and errno.
 *
 * There is no swap and no page cache: MADV_COLD and MADV_PAGEOUT leave
 * every page where it is (Linux without swap cannot page out anonymous or
 * shared memory either; private file pages, which Linux could drop and read
 * again, stay too); WILLNEED has nothing to read ahead.  MADV_REMOVE on
 * a shared mapping of shmem frees the object's pages in the range, taking
 * them from every mapping (a later read gives zeroes); SysV segments
 * refuse it (EACCES; Linux accepts).  Fork honours
 * VM_DONTCOPY and VM_WIPEONFORK (mm_dup).
 */
#include "mmu/mm.h"

#include <errno.h>

#include "mmu/fault.h"
#include "mmu/shmem.h"
#include "mmu/userfault/rfc.h"

/* Advice Linux accepts (madvise_behavior_valid) on a kernel without
 * memory-failure injection or guard regions. */
static bool advice_valid(int advice)
{
	return (advice >= MM_MADV_NORMAL && advice <= MM_MADV_DONTNEED) ||
	       (advice >= MM_MADV_FREE && advice <= MM_MADV_COLLAPSE) ||
	       advice == MM_MADV_USERFAULT || advice == MM_MADV_NOUSERFAULT;
}

/* Whether populate may fault a VMA in for `access`: Linux checks the VMA's
 * flags as get_user_pages does without FOLL_FORCE (check_vma_flags), so a
 * read needs VM_READ itself, though the hardware lets a PROT_WRITE-only
 * page be read (vma_permits). */
static bool populate_permits(const struct vma *vma, enum fault_access access)
{
	return vma->prot & (access == FAULT_WRITE ? VM_WRITE : VM_READ);
}

/* Fault in [start, end) for reading or writing (MADV_POPULATE_*): a hole is
 * -ENOMEM, a VMA that forbids the access -EINVAL, a page that cannot be
 * had -EFAULT (SIGBUS) or -ENOMEM (out of memory), a poisoned one
 * -EHWPOISON (Linux's faultin_page_range asks for FOLL_HWPOISON). */
static int populate_range(struct mm *mm, uint64_t start, uint64_t end, bool write)
{
	enum fault_access access = write ? FAULT_WRITE : FAULT_READ;

	for (uint64_t addr = start; addr < end; addr += PAGE_SIZE) {
		struct vma *vma = vma_lookup(mm, addr);
		struct vm_fault vmf;

		if (!vma)
			return -ENOMEM;
		if (!populate_permits(vma, access))
			return -EINVAL;
		vm_fault_init(&vmf, mm, addr, access, FAULT_FLAG_KERNEL);
		switch (handle_mm_fault(&vmf)) {
		case VM_FAULT_DONE:
			break;
		case VM_FAULT_OOM:
			return -ENOMEM;
		case VM_FAULT_HWPOISON:
			return -EHWPOISON;
		default:
			return -EFAULT;
		}
	}
	return 0;
}

/* Check every VMA of [start, end) with `valid` (0 or its errno) before
 * anything is done; holes are -ENOMEM, reported after the VMAs. */
static int check_vmas(struct mm *mm, uint64_t start, uint64_t end,
		      int (*valid)(const struct vma *vma))
{
	int err = 0;

	for (struct vma *vma = find_vma(mm, start); start < end; vma = vma_next(mm, vma)) {
		if (!vma || vma->start >= end)
			return -ENOMEM;
		if (vma->start > start)
			err = -ENOMEM;
		if (valid(vma))
			return valid(vma);
		start = vma->end;
	}
	return err;
}

static int any_vma(const struct vma *vma)
{
	(void)vma;
	return 0;
}

static int unlocked_vma(const struct vma *vma)
{
	return vma->flags & VM_LOCKED ? -EINVAL : 0;
}

/* MADV_WIPEONFORK: private anonymous memory only. */
static int private_anon_vma(const struct vma *vma)
{
	return vma->vm_private_data || (vma->flags & VM_SHARED) ? -EINVAL : 0;
}

/* MADV_REMOVE, as Linux's madvise_remove: a locked VMA or anonymous
 * private memory (no file) is EINVAL; a mapping that is not shared (a
 * private mapping of a memfd or file) is EACCES, and so is anything but
 * shmem (SysV segments too: Linux would accept them).  Linux also wants
 * VM_MAYWRITE, which mmusim does not keep: a read-only shared mapping is
 * accepted, as Linux does for a memfd (always open for writing) but not
 * for a tmpfs file opened read-only. */
static int removable_vma(const struct vma *vma)
{
	if ((vma->flags & VM_LOCKED) || !vma->vm_private_data)
		return -EINVAL;
	return vma->vm_ops == &shmem_vm_ops && (vma->flags & VM_SHARED) ? 0 : -EACCES;
}

static int remove_range(struct mm *mm, uint64_t start, uint64_t end)
{
	int err = check_vmas(mm, start, end, removable_vma);

	if (err)
		return err;
	for (struct vma *vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma)) {
		uint64_t from = MAX(start, vma->start), to = MIN(end, vma->end);

		shmem_punch_hole(vma->vm_private_data, linear_page_index(vma, from),
				 (to - from) >> PAGE_SHIFT);
		mm_madvise_dontneed(mm, from, to - from);
	}
	return 0;
}

int mm_madvise(struct mm *mm, uint64_t start, uint64_t len, int advice)
{
	uint64_t end = start + PAGE_ALIGN(len);
	int err;

	if (!advice_valid(advice) || (start & ~PAGE_MASK) || (len && !PAGE_ALIGN(len)) || end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	switch (advice) {
	case MM_MADV_DONTNEED:
	case MM_MADV_FREE:	/* freeing at once is one of the outcomes MADV_FREE allows */
		err = check_vmas(mm, start, end, unlocked_vma);
		return err ? err : mm_madvise_dontneed(mm, start, len);
	case MM_MADV_DONTNEED_LOCKED:
		return mm_madvise_dontneed(mm, start, len);
	case MM_MADV_COLD:
	case MM_MADV_PAGEOUT:	/* no swap: nothing to page out (file top) */
		return check_vmas(mm, start, end, unlocked_vma);
	case MM_MADV_POPULATE_READ:
	case MM_MADV_POPULATE_WRITE:
		return populate_range(mm, start, end, advice == MM_MADV_POPULATE_WRITE);
	case MM_MADV_REMOVE:
		return remove_range(mm, start, end);
	case MM_MADV_DONTFORK:
		return mm_change_flags(mm, start, end, VM_DONTCOPY, 0, false);
	case MM_MADV_DOFORK:
		return mm_change_flags(mm, start, end, 0, VM_DONTCOPY, false);
	case MM_MADV_WIPEONFORK:
		err = check_vmas(mm, start, end, private_anon_vma);
		return err && err != -ENOMEM ? err : mm_change_flags(mm, start, end, VM_WIPEONFORK, 0, false);
	case MM_MADV_KEEPONFORK:
		return mm_change_flags(mm, start, end, 0, VM_WIPEONFORK, false);
	case MM_MADV_USERFAULT:
	case MM_MADV_NOUSERFAULT:
		return rfc_madvise(mm, start, end, advice == MM_MADV_USERFAULT);
	default:		/* hints that change nothing simulated */
		return check_vmas(mm, start, end, any_vma);
	}
}

/* Whether the page at addr is resident: mapped here, or held by the object
 * behind the VMA (Linux asks the page cache of file and shared memory).  A
 * device-private or device-exclusive entry is a non-swap entry, which
 * Linux's mincore_pte_range() counts as resident. */
static uint8_t page_resident(struct mm *mm, const struct vma *vma, uint64_t addr)
{
	pte_t *ptep = pgtable_walk(mm->phys, mm->pgd, addr);

	if (ptep && (pte_present(*ptep) || pte_is_device_private(*ptep)))
		return 1;
	return vma->vm_ops->resident && vma->vm_ops->resident(vma, addr);
}

int mm_mincore(struct mm *mm, uint64_t start, uint64_t pages, uint8_t *vec)
{
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t addr = start + i * PAGE_SIZE;
		struct vma *vma = vma_lookup(mm, addr);

		if (!vma)
			return (int)i;
		vec[i] = page_resident(mm, vma, addr);
	}
	return (int)pages;
}

int mm_msync(struct mm *mm, uint64_t start, uint64_t len, unsigned flags)
{
	uint64_t end = start + PAGE_ALIGN(len);
	int unmapped = 0;

	if ((flags & ~(MM_MS_ASYNC | MM_MS_INVALIDATE | MM_MS_SYNC)) || (start & ~PAGE_MASK) ||
	    ((flags & MM_MS_ASYNC) && (flags & MM_MS_SYNC)))
		return -EINVAL;
	if (end < start || (len && !PAGE_ALIGN(len)))
		return -ENOMEM;
	/* Nothing is ever dirty towards a file (writable shared file mappings
	 * are not modelled): what is left are the checks. */
	for (struct vma *vma = find_vma(mm, start); start < end; vma = vma_next(mm, vma)) {
		if (!vma || vma->start >= end)
			return -ENOMEM;
		if (vma->start > start) {
			if (flags == MM_MS_ASYNC)
				return -ENOMEM;
			unmapped = -ENOMEM;
		}
		if ((flags & MM_MS_INVALIDATE) && (vma->flags & VM_LOCKED))
			return -EBUSY;
		start = vma->end;
	}
	return unmapped;
}
