#include "mmu/uaccess.h"

#include <errno.h>
#include <string.h>

#include "mmu/fault.h"

static bool pte_allows(pte_t e, enum fault_access access)
{
	unsigned prot = pte_present(e) ? pte_prot(e) : 0;

	return access == FAULT_WRITE ? prot & VM_WRITE : prot & (VM_READ | VM_WRITE | VM_EXEC);
}

/* Host address of guest byte `addr`, faulting its page in with `fault`
 * (FAULT_FLAG_*, 0: no fault).  A fault that must sleep (only with
 * FAULT_FLAG_ALLOW_RETRY) gives -EAGAIN and its channel. */
static int user_ptr(struct mm *mm, uint64_t addr, enum fault_access access, unsigned fault,
		    uint8_t **out, const void **channel)
{
	struct vm_fault vmf;

	for (int tries = 0; tries < 2 && addr < TASK_SIZE; tries++) {
		pte_t *ptep = pgtable_walk(mm->phys, mm->pgd, addr);

		if (ptep && pte_allows(*ptep, access)) {
			*out = (uint8_t *)phys_to_host(mm->phys, pte_addr(*ptep)) + (addr & ~PAGE_MASK);
			return 0;
		}
		if (!fault)
			break;
		vm_fault_init(&vmf, mm, addr, access, fault);
		switch (handle_mm_fault(&vmf)) {
		case VM_FAULT_DONE:
			continue;
		case VM_FAULT_OOM:
			return -ENOMEM;
		case VM_FAULT_RETRY:
			*channel = vmf.wait_channel;
			return -EAGAIN;
		default:
			return -EFAULT;
		}
	}
	return -EFAULT;
}

/* Copy len bytes between host `buf` and guest `addr`, page by page;
 * *done counts the bytes copied. */
static int copy_user(struct mm *mm, uint64_t addr, uint8_t *buf, size_t len,
		     enum fault_access access, unsigned fault, size_t *done, const void **channel)
{
	*done = 0;
	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (addr & ~PAGE_MASK));
		uint8_t *p;
		int err = user_ptr(mm, addr, access, fault, &p, channel);

		if (err)
			return err;
		if (access == FAULT_WRITE)
			memcpy(p, buf, chunk);
		else
			memcpy(buf, p, chunk);
		addr += chunk;
		buf += chunk;
		len -= chunk;
		*done += chunk;
	}
	return 0;
}

static int copy_user_simple(struct mm *mm, uint64_t addr, uint8_t *buf, size_t len,
			    enum fault_access access, unsigned fault)
{
	const void *channel;
	size_t done;

	return copy_user(mm, addr, buf, len, access, fault, &done, &channel);
}

int copy_from_user(struct mm *mm, void *dst, uint64_t src, size_t len)
{
	return copy_user_simple(mm, src, dst, len, FAULT_READ, FAULT_FLAG_KERNEL);
}

int copy_to_user_sleepable(struct mm *mm, uint64_t dst, const void *src, size_t len,
			   size_t *done, const void **channel)
{
	struct vma *vma = vma_lookup(mm, dst);
	int err = copy_user(mm, dst, (uint8_t *)src, len, FAULT_WRITE,
			    FAULT_FLAG_KERNEL | FAULT_FLAG_ALLOW_RETRY, done, channel);

	/* The host wrote behind the emulator's back: code it translated from
	 * these bytes is stale. */
	if (*done && vma && (vma->prot & VM_EXEC))
		mmu_notifier_invalidate_code(mm, dst, dst + *done);
	return err;
}

int copy_to_user(struct mm *mm, uint64_t dst, const void *src, size_t len)
{
	struct vma *vma = vma_lookup(mm, dst);
	int err = copy_user_simple(mm, dst, (uint8_t *)src, len, FAULT_WRITE, FAULT_FLAG_KERNEL);

	/* The host wrote behind the emulator's back: code it translated from
	 * these bytes is stale. */
	if (!err && len && vma && (vma->prot & VM_EXEC))
		mmu_notifier_invalidate_code(mm, dst, dst + len);
	return err;
}

int copy_from_user_nofault(struct mm *mm, void *dst, uint64_t src, size_t len)
{
	return copy_user_simple(mm, src, dst, len, FAULT_READ, 0);
}

int peek_user_backing(struct mm *mm, void *dst, uint64_t src, size_t len)
{
	struct vma *vma = vma_lookup(mm, src);

	if (!copy_from_user_nofault(mm, dst, src, len))
		return 0;
	if (!vma || !(vma->prot & (VM_READ | VM_EXEC)) || (src & ~PAGE_MASK) + len > PAGE_SIZE)
		return -EFAULT;
	if (vma->vm_ops->access)
		return vma->vm_ops->access(vma, src, dst, len) ? -EFAULT : 0;
	memset(dst, 0, len);
	return 0;
}

static long copy_string(struct mm *mm, char *dst, uint64_t src, size_t size, bool fault)
{
	size_t done = 0;

	while (done < size) {
		size_t chunk = MIN(size - done, PAGE_SIZE - ((src + done) & ~PAGE_MASK));
		uint8_t *p;
		const void *channel;
		int err = user_ptr(mm, src + done, FAULT_READ, fault ? FAULT_FLAG_KERNEL : 0, &p, &channel);
		uint8_t *nul;

		if (err)
			return err;
		nul = memchr(p, 0, chunk);
		memcpy(dst + done, p, nul ? (size_t)(nul - p) + 1 : chunk);
		if (nul)
			return (long)(done + (size_t)(nul - p));
		done += chunk;
	}
	return -ENAMETOOLONG;
}

long strncpy_from_user(struct mm *mm, char *dst, uint64_t src, size_t size)
{
	return copy_string(mm, dst, src, size, true);
}

long strncpy_from_user_nofault(struct mm *mm, char *dst, uint64_t src, size_t size)
{
	return copy_string(mm, dst, src, size, false);
}
