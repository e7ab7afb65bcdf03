#include "mmu/uaccess.h"

#include <errno.h>
#include <string.h>

#include "mmu/fault.h"

/* How user_ptr gets at a page that is not mapped for the access. */
enum user_fault {
	NO_FAULT,	/* it does not: -EFAULT */
	FAULT_IN,	/* a fault, as the guest's own access would take */
	FAULT_IN_FORCED,	/* a fault with FOLL_FORCE (access_remote_vm) */
	FAULT_IN_SLEEPABLE,	/* a fault that may wait (a userfaultfd range): -EAGAIN */
};

/* The fault flags of a kernel access that faults as `how` says. */
static unsigned fault_flags(enum user_fault how)
{
	switch (how) {
	case FAULT_IN_FORCED:
		return FAULT_FLAG_KERNEL | FAULT_FLAG_FORCE;
	case FAULT_IN_SLEEPABLE:
		return FAULT_FLAG_KERNEL | FAULT_FLAG_ALLOW_RETRY;
	default:
		return FAULT_FLAG_KERNEL;
	}
}

/* Whether entry `e` allows the access.  Forced, a write may go to a
 * read-only page that is the mapping's own (not shared with anything,
 * which the forced fault's copy made it): Linux's can_follow_write_pte. */
static bool pte_allows(const struct mm *mm, pte_t e, enum fault_access access, enum user_fault how)
{
	unsigned prot = pte_present(e) ? pte_prot(e) : 0;

	if (access != FAULT_WRITE)
		return prot & (VM_READ | VM_WRITE | VM_EXEC);
	return (prot & VM_WRITE) ||
	       (how == FAULT_IN_FORCED && pte_present(e) && !phys_page_shared(mm->phys, pte_addr(e)));
}

/* Host address of guest byte `addr`, faulting its page in as `how` says
 * (Linux's __get_user_pages looping on faultin_page: a write to a
 * write-protect marker takes two faults when the kernel resolves the
 * protection itself, WP_ASYNC: the page comes in protected, then loses it).
 * A fault that must sleep (only FAULT_IN_SLEEPABLE) gives -EAGAIN and the
 * channel it waits on. */
static int user_ptr(struct mm *mm, uint64_t addr, enum fault_access access, enum user_fault how,
		    uint8_t **out, const void **channel)
{
	struct vm_fault vmf;

	for (int tries = 0; tries < 3 && addr < TASK_SIZE; tries++) {
		pte_t leaf = pgtable_leaf(mm->phys, mm->pgd, addr);

		if (pte_allows(mm, leaf, access, how)) {
			*out = (uint8_t *)phys_to_host(mm->phys, pte_addr(leaf)) + (addr & ~PAGE_MASK);
			return 0;
		}
		if (how == NO_FAULT)
			break;
		vm_fault_init(&vmf, mm, addr, access, fault_flags(how));
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
 * *done counts the bytes copied (before an error too). */
static int copy_user_done(struct mm *mm, uint64_t addr, uint8_t *buf, size_t len,
			  enum fault_access access, enum user_fault how, size_t *done,
			  const void **channel)
{
	*done = 0;
	while (len) {
		size_t chunk = MIN(len, PAGE_SIZE - (addr & ~PAGE_MASK));
		uint8_t *p;
		int err = user_ptr(mm, addr, access, how, &p, channel);

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

static int copy_user(struct mm *mm, uint64_t addr, uint8_t *buf, size_t len,
		     enum fault_access access, enum user_fault how)
{
	const void *channel;
	size_t done;

	return copy_user_done(mm, addr, buf, len, access, how, &done, &channel);
}

int copy_from_user(struct mm *mm, void *dst, uint64_t src, size_t len)
{
	return copy_user(mm, src, dst, len, FAULT_READ, FAULT_IN);
}

/* Write `len` bytes at guest `dst`; *done counts those written. */
static int write_user(struct mm *mm, uint64_t dst, const void *src, size_t len, enum user_fault how,
		      size_t *done, const void **channel)
{
	struct vma *vma = vma_lookup(mm, dst);
	int err = copy_user_done(mm, dst, (uint8_t *)src, len, FAULT_WRITE, how, done, channel);

	/* The host wrote behind the emulator's back: code it translated from
	 * these bytes is stale. */
	if (*done && vma && (vma->prot & VM_EXEC))
		mmu_notifier_invalidate_code(mm, dst, dst + *done);
	return err;
}

int copy_to_user(struct mm *mm, uint64_t dst, const void *src, size_t len)
{
	const void *channel;
	size_t done;

	return write_user(mm, dst, src, len, FAULT_IN, &done, &channel);
}

int copy_to_user_sleepable(struct mm *mm, uint64_t dst, const void *src, size_t len,
			   size_t *done, const void **channel)
{
	return write_user(mm, dst, src, len, FAULT_IN_SLEEPABLE, done, channel);
}

int access_remote_vm(struct mm *mm, uint64_t addr, void *buf, size_t len, bool write)
{
	struct vma *vma = vma_lookup(mm, addr);
	const void *channel;
	size_t done;

	if (!write)
		return copy_from_user(mm, buf, addr, len);
	if (!vma || ((vma->flags & VM_SHARED) && !(vma->prot & VM_WRITE)))
		return -EFAULT;	/* not a copy-on-write mapping */
	return write_user(mm, addr, buf, len, FAULT_IN_FORCED, &done, &channel);
}

int copy_from_user_nofault(struct mm *mm, void *dst, uint64_t src, size_t len)
{
	return copy_user(mm, src, dst, len, FAULT_READ, NO_FAULT);
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

static long copy_string(struct mm *mm, char *dst, uint64_t src, size_t size, enum user_fault how)
{
	size_t done = 0;

	while (done < size) {
		size_t chunk = MIN(size - done, PAGE_SIZE - ((src + done) & ~PAGE_MASK));
		uint8_t *p;
		const void *channel;
		int err = user_ptr(mm, src + done, FAULT_READ, how, &p, &channel);
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
	return copy_string(mm, dst, src, size, FAULT_IN);
}

long strncpy_from_user_nofault(struct mm *mm, char *dst, uint64_t src, size_t size)
{
	return copy_string(mm, dst, src, size, NO_FAULT);
}
