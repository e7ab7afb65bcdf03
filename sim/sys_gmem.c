/*
 * sys_gmem: gmem's calls (guest/mmusim.h): mmap with MAP_PEER_SHARED
 * (reached from sys_mm.c's mmap) and hmadvise, over mmu/gmem and the
 * devices of sim/accel.
 */
#include "sim/sys_gmem.h"

#include <errno.h>

#include "guest/mmusim.h"
#include "mmu/gmem/gmem.h"
#include "sim/abi.h"
#include "sim/accel.h"
#include "sim/syscall.h"
#include "sim/task.h"

bool gmem_peer_shared(struct machine *m, uint64_t gflags)
{
	return (gflags & MAP_PEER_SHARED) && accel_gmem_stats(m);
}

long gmem_sys_mmap(struct machine *m, struct task *t, uint64_t addr, uint64_t len, unsigned prot,
		   uint64_t gflags, unsigned flags)
{
	uint64_t out;
	int err;

	if ((gflags & G_MAP_TYPE) != G_MAP_PRIVATE || !(gflags & G_MAP_ANONYMOUS))
		return -EINVAL;
	err = gmem_mmap(t->mm, addr, len, prot, flags, accel_gmem_stats(m), &out);
	return err ? err : (long)out;
}

/* hmadvise(node, addr, len, hint) */
SYSCALL(hmadvise)
{
	int64_t node = (int64_t)a[0];
	struct device *dev = NULL;
	enum gmem_hint hint;

	if (!accel_gmem_stats(m))
		return -ENOSYS;
	if (node && !(dev = accel_device_of_node(m, node > INT32_MAX ? -1 : (int)node)))
		return -EINVAL;
	if (a[3] == MADV_PREFETCH)
		hint = GMEM_PREFETCH;
	else if (a[3] == MADV_DONTNEED)
		hint = GMEM_DONTNEED;
	else
		return -EINVAL;
	if (dev)
		device_bind(dev, t->mm);
	return gmem_hmadvise(t->mm, dev, a[1], a[2], hint);
}

const struct syscall_desc gmem_syscalls[] = {
	SYSCALL_DESC(MMUSIM_HMADVISE, hmadvise, "dpux"),
	{ 0 }
};
