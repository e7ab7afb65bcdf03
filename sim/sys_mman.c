/*
 * sys_mman: the memory-management calls beyond mmap and its kin (sys_mm):
 * the mlock family, mincore, msync, process_madvise, the NUMA memory
 * policy calls and the protection-key calls, decoded into mmu/ operations
 * with Linux's argument checks and errno.
 *
 * The machine has one NUMA node, 0: policies naming only other nodes are
 * EINVAL, as on a one-node Linux machine.  Protection keys answer as arm64
 * Linux (CONFIG_ARM64_POE) on hardware without POE: pkey_alloc finds no
 * key (ENOSPC), pkey_free and pkey_mprotect of any key but -1 are EINVAL.
 * process_madvise takes a pidfd (sim/pidfd.h) and, range by range, any
 * advice for the caller's own mm, only COLD, PAGEOUT, WILLNEED and COLLAPSE
 * for another's (Linux 6.13 on); the guest runs as root, so CAP_SYS_NICE
 * never refuses another process.
 */
#include <errno.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/pidfd.h"
#include "sim/syscall.h"

/* <uapi/asm-generic/mman-common.h>; the MCL_* and MS_* values are the
 * MM_MCL_* and MM_MS_* of mmu/mm.h. */
#define G_MLOCK_ONFAULT	1

SYSCALL(mlock)
{
	return mm_mlock(t->mm, a[0], a[1], VM_LOCKED);
}

SYSCALL(mlock2)
{
	unsigned flags = (unsigned)(int)a[2];

	if (flags & ~(unsigned)G_MLOCK_ONFAULT)
		return -EINVAL;
	return mm_mlock(t->mm, a[0], a[1], VM_LOCKED | (flags ? VM_LOCKONFAULT : 0));
}

SYSCALL(munlock)
{
	return mm_munlock(t->mm, a[0], a[1]);
}

SYSCALL(mlockall)
{
	return mm_mlockall(t->mm, (unsigned)(int)a[0]);	/* G_MCL_* are MM_MCL_* */
}

SYSCALL(munlockall)
{
	return mm_munlockall(t->mm);
}

/* mincore fills the vector a page of bytes at a time, as Linux does: a
 * hole ends it with ENOMEM after the bytes before it were written. */
SYSCALL(mincore)
{
	uint64_t start = a[0], len = a[1], vec = a[2];
	uint64_t pages = (len >> PAGE_SHIFT) + ((len & ~PAGE_MASK) != 0);
	uint8_t buf[PAGE_SIZE];

	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (len > TASK_SIZE || start > TASK_SIZE - len)
		return -ENOMEM;
	if (pages > TASK_SIZE || vec > TASK_SIZE - pages)
		return -EFAULT;
	while (pages) {
		uint64_t chunk = MIN(pages, (uint64_t)PAGE_SIZE);
		int done = mm_mincore(t->mm, start, chunk, buf);

		if (done && copy_to_user(t->mm, vec, buf, (size_t)done))
			return -EFAULT;
		if ((uint64_t)done < chunk)
			return -ENOMEM;
		pages -= chunk;
		vec += chunk;
		start += chunk << PAGE_SHIFT;
	}
	return 0;
}

SYSCALL(msync)
{
	return mm_msync(t->mm, a[0], a[1], (unsigned)(int)a[2]);	/* G_MS_* are MM_MS_* */
}

/* ---------------------------------------------------------- process_madvise */

#define UIO_MAXIOV 1024

/* Since Linux 6.13 a process may give itself any advice through a pidfd;
 * another process only the hints (process_madvise_remote_valid()). */
static bool process_advice_valid(const struct mm *mm, const struct task *t, int advice)
{
	return mm == t->mm || advice == MM_MADV_COLD || advice == MM_MADV_PAGEOUT ||
	       advice == MM_MADV_WILLNEED || advice == MM_MADV_COLLAPSE;
}

/* Advise the ranges of `iov` in the mm of the process `pidfd` names: the
 * bytes advised before the first range that failed, else its error. */
static long advise_process(struct machine *m, struct task *t, int pidfd, const uint64_t *iov,
			   uint64_t vlen, int advice)
{
	struct process *p;
	struct mm *mm;
	uint64_t done = 0;
	long err = pidfd_process(m, t, pidfd, &p, &mm);

	if (err)
		return err;
	if (!process_advice_valid(mm, t, advice))
		return -EINVAL;
	for (uint64_t i = 0; i < vlen; i++) {
		err = mm_madvise(mm, iov[2 * i], iov[2 * i + 1], advice);
		if (err)
			return done ? (long)done : err;
		done += iov[2 * i + 1];
	}
	return (long)done;
}

SYSCALL(process_madvise)
{
	uint64_t iov[2 * UIO_MAXIOV];
	uint64_t vlen = a[2];

	if (a[4])
		return -EINVAL;
	if (vlen > UIO_MAXIOV)
		return -EINVAL;
	if (vlen && copy_from_user(t->mm, iov, a[1], (size_t)vlen * 16))
		return -EFAULT;
	for (uint64_t i = 0; i < vlen; i++)
		if ((int64_t)iov[2 * i + 1] < 0)
			return -EINVAL;
	return advise_process(m, t, (int)a[0], iov, vlen, (int)a[3]);
}

/* -------------------------------------------------------- NUMA memory policy */

/* <uapi/linux/mempolicy.h> */
enum { G_MPOL_DEFAULT, G_MPOL_PREFERRED, G_MPOL_BIND, G_MPOL_INTERLEAVE, G_MPOL_LOCAL,
       G_MPOL_PREFERRED_MANY, G_MPOL_WEIGHTED_INTERLEAVE, G_MPOL_MAX };
#define G_MPOL_F_NUMA_BALANCING	(1u << 13)
#define G_MPOL_F_RELATIVE_NODES	(1u << 14)
#define G_MPOL_F_STATIC_NODES	(1u << 15)
#define G_MPOL_MODE_FLAGS (G_MPOL_F_STATIC_NODES | G_MPOL_F_RELATIVE_NODES | G_MPOL_F_NUMA_BALANCING)
#define G_MPOL_F_NODE		1
#define G_MPOL_F_ADDR		2
#define G_MPOL_F_MEMS_ALLOWED	4
#define G_MPOL_MF_VALID		7	/* STRICT | MOVE | MOVE_ALL */
#define MAX_NUMNODES_BITS	1024	/* CONFIG_NODES_SHIFT 10 (arm64) */

/* get_nodes(): read the node mask (maxnode - 1 bits); *node0 says whether
 * node 0 is in it, *others whether another node is. */
static int read_nodes(struct mm *mm, uint64_t nmask, uint64_t maxnode, bool *node0, bool *others)
{
	uint64_t words[MAX_NUMNODES_BITS / 64 + 1] = { 0 }, bits, nwords;

	*node0 = *others = false;
	maxnode--;	/* 0 wraps round, and is then too large: EINVAL */
	if (maxnode == 0 || !nmask)
		return 0;
	if (maxnode > PAGE_SIZE * 8)
		return -EINVAL;
	bits = maxnode;
	nwords = (bits + 63) / 64;
	for (uint64_t i = 0; i < nwords; i++) {
		uint64_t w;

		if (copy_from_user(mm, &w, nmask + i * 8, 8))
			return -EFAULT;
		if (i == nwords - 1 && bits % 64)
			w &= (UINT64_C(1) << (bits % 64)) - 1;
		if (i * 64 >= MAX_NUMNODES_BITS && w)
			return -EINVAL;	/* nodes beyond MAX_NUMNODES */
		if (i < G_N_ELEMENTS(words))
			words[i] = w;
	}
	*node0 = words[0] & 1;
	*others = (words[0] & ~UINT64_C(1)) != 0;
	for (uint64_t i = 1; i < G_N_ELEMENTS(words); i++)
		*others |= words[i] != 0;
	return 0;
}

/* mpol_new(), sanitize_mpol_flags() and mpol_set_nodemask() on a machine
 * whose only node is 0: the mode to record (mode | flags), or -EINVAL. */
static long new_policy(struct mm *mm, uint64_t lmode, uint64_t nmask, uint64_t maxnode)
{
	unsigned flags = (unsigned)lmode & G_MPOL_MODE_FLAGS;
	uint64_t mode = lmode & ~(uint64_t)G_MPOL_MODE_FLAGS;
	bool node0, others;
	int err;

	if (mode >= G_MPOL_MAX ||
	    ((flags & G_MPOL_F_STATIC_NODES) && (flags & G_MPOL_F_RELATIVE_NODES)))
		return -EINVAL;
	if ((flags & G_MPOL_F_NUMA_BALANCING) && mode != G_MPOL_BIND && mode != G_MPOL_PREFERRED_MANY)
		return -EINVAL;
	err = read_nodes(mm, nmask, maxnode, &node0, &others);
	if (err)
		return err;
	if (mode == G_MPOL_DEFAULT)
		return node0 || others ? -EINVAL : G_MPOL_DEFAULT;
	if (!node0 && !others) {
		if (mode == G_MPOL_PREFERRED && !(flags & (G_MPOL_F_STATIC_NODES | G_MPOL_F_RELATIVE_NODES)))
			return G_MPOL_LOCAL;
		return mode == G_MPOL_LOCAL && !flags ? G_MPOL_LOCAL : -EINVAL;
	}
	if (mode == G_MPOL_LOCAL)
		return -EINVAL;
	/* The nodes asked for, within the nodes there are: node 0 or none. */
	if (!node0 && !(flags & G_MPOL_F_RELATIVE_NODES))
		return -EINVAL;
	return (long)(mode | flags);
}

SYSCALL(set_mempolicy)
{
	long mode = new_policy(t->mm, a[0], a[1], a[2]);

	if (mode < 0)
		return mode;
	t->mempolicy = (unsigned)mode;
	return 0;
}

SYSCALL(mbind)
{
	uint64_t start = a[0], len = PAGE_ALIGN(a[1]), end = start + len;
	long mode;

	if (a[5] & ~(uint64_t)G_MPOL_MF_VALID)
		return -EINVAL;
	if ((a[2] & ~(uint64_t)G_MPOL_MODE_FLAGS) >= G_MPOL_MAX)
		return -EINVAL;
	if ((start & ~PAGE_MASK) || (a[1] && !len) || end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	mode = new_policy(t->mm, a[2], a[3], a[4]);
	if (mode < 0)
		return mode;
	/* A VMA keeps only the mode (its node set can only be {0}). */
	mode &= ~(long)G_MPOL_MODE_FLAGS;
	return mm_change_flags(t->mm, start, end, (unsigned)mode << VM_MPOL_SHIFT, VM_MPOL_MASK, true)
	       ? -EFAULT : 0;
}

/* The node mask of a policy: {0} for one that names nodes, empty for
 * default and local allocation. */
static uint64_t policy_nodes(unsigned mode)
{
	mode &= ~G_MPOL_MODE_FLAGS;
	return mode == G_MPOL_DEFAULT || mode == G_MPOL_LOCAL ? 0 : 1;
}

/* copy_nodes_to_user(): the mask in (maxnode - 1) bits, zeroes past node 0's word. */
static int write_nodes(struct mm *mm, uint64_t nmask, uint64_t maxnode, uint64_t nodes)
{
	uint64_t bytes = (maxnode - 1 + 63) / 64 * 8;
	static const uint8_t zero[PAGE_SIZE];

	if (bytes > 8) {
		if (bytes > PAGE_SIZE)
			return -EINVAL;
		if (copy_to_user(mm, nmask + 8, zero, (size_t)(bytes - 8)))
			return -EFAULT;
		bytes = 8;
	}
	return copy_to_user(mm, nmask, &nodes, (size_t)bytes) ? -EFAULT : 0;
}

SYSCALL(get_mempolicy)
{
	uint64_t policy = a[0], nmask = a[1], maxnode = a[2], addr = a[3], flags = a[4];
	unsigned mode = t->mempolicy;
	int32_t out;

	if (flags & ~(uint64_t)(G_MPOL_F_NODE | G_MPOL_F_ADDR | G_MPOL_F_MEMS_ALLOWED))
		return -EINVAL;
	if (nmask && maxnode < 1)
		return -EINVAL;
	if (flags & G_MPOL_F_MEMS_ALLOWED) {
		if (flags & (G_MPOL_F_NODE | G_MPOL_F_ADDR))
			return -EINVAL;
		out = 0;
		if (policy && copy_to_user(t->mm, policy, &out, sizeof(out)))
			return -EFAULT;
		return nmask ? write_nodes(t->mm, nmask, maxnode, 1) : 0;
	}
	if (flags & G_MPOL_F_ADDR) {
		struct vma *vma = vma_lookup(t->mm, addr);

		if (!vma)
			return -EFAULT;
		mode = (vma->flags & VM_MPOL_MASK) >> VM_MPOL_SHIFT;
	} else if (addr) {
		return -EINVAL;
	}
	if (flags & G_MPOL_F_NODE) {
		if (flags & G_MPOL_F_ADDR) {
			/* lookup_node(): the page is faulted in; its node is 0 */
			if (mm_populate(t->mm, addr & PAGE_MASK, (addr & PAGE_MASK) + PAGE_SIZE))
				return -EFAULT;
		} else if ((mode & ~G_MPOL_MODE_FLAGS) != G_MPOL_INTERLEAVE) {
			return -EINVAL;
		}
		out = 0;
	} else {
		out = (int32_t)mode;
	}
	if (policy && copy_to_user(t->mm, policy, &out, sizeof(out)))
		return -EFAULT;
	return nmask ? write_nodes(t->mm, nmask, maxnode, policy_nodes(mode)) : 0;
}

/* ------------------------------------------------------------ protection keys */

#define G_PKEY_ACCESS_MASK 3	/* PKEY_DISABLE_ACCESS | PKEY_DISABLE_WRITE */

SYSCALL(pkey_alloc)
{
	if (a[0] || (a[1] & ~(uint64_t)G_PKEY_ACCESS_MASK))
		return -EINVAL;
	return -ENOSPC;	/* mm_pkey_alloc(): no POE, no key */
}

SYSCALL(pkey_free)
{
	return -EINVAL;	/* no key is ever allocated, not even 0 */
}

/* do_mprotect_pkey(): the range checks, then a key that is not allocated
 * (any but -1) is EINVAL. */
SYSCALL(pkey_mprotect)
{
	uint64_t start = a[0], len = a[1];

	if ((int)a[3] == -1 && !(a[2] & ~(uint64_t)(VM_READ | VM_WRITE | VM_EXEC)))
		return mm_mprotect(t->mm, start, len, (unsigned)a[2]);
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	if (!PAGE_ALIGN(len) || start + PAGE_ALIGN(len) <= start)
		return -ENOMEM;
	return -EINVAL;
}

const struct syscall_desc mman_syscalls[] = {
	SYSCALL_DESC(227, msync, "pux"),
	SYSCALL_DESC(228, mlock, "pu"),
	SYSCALL_DESC(229, munlock, "pu"),
	SYSCALL_DESC(230, mlockall, "x"),
	SYSCALL_DESC(231, munlockall, ""),
	SYSCALL_DESC(232, mincore, "pup"),
	SYSCALL_DESC(235, mbind, "puxpux"),
	SYSCALL_DESC(236, get_mempolicy, "ppupx"),
	SYSCALL_DESC(237, set_mempolicy, "xpu"),
	SYSCALL_DESC(284, mlock2, "pux"),
	SYSCALL_DESC(288, pkey_mprotect, "puPd"),
	SYSCALL_DESC(289, pkey_alloc, "xx"),
	SYSCALL_DESC(290, pkey_free, "d"),
	SYSCALL_DESC(440, process_madvise, "dpudx"),
	{ 0 }
};
