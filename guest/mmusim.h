/*
 * mmusim.h: what a guest program needs to talk to mmusim beyond Linux.
 *
 * mmusim answers the Linux arm64 system calls.  Calls of its own (the
 * designs it models: address-space switching, mshare, userfaultfd, device
 * memory) get numbers from MMUSIM_SYSCALL_BASE up, well clear of Linux's
 * table, and are listed here as they are added (mmusim's dispatcher takes
 * numbers below 2048; an unregistered one answers ENOSYS).  A guest can tell it runs
 * under mmusim from uname(2): the release ends in "-mmusim".
 */
#ifndef MMUSIM_GUEST_H
#define MMUSIM_GUEST_H

#define MMUSIM_SYSCALL_BASE 1000
/* 1000-1015: the first-class address spaces (VAS) calls (guest/vas.h). */

/*
 * The 2014 userfault RFC (v2: userfaultfd and remap_anon_pages; the
 * merged ioctl interface is Linux's own call 282).  Its MADV_USERFAULT 18
 * and MADV_NOUSERFAULT 19 are MADV_WIPEONFORK and MADV_KEEPONFORK today,
 * which keep that meaning; these are mmusim's numbers for the RFC's.
 *
 *   madvise(addr, len, MMUSIM_MADV_USERFAULT)    private anonymous memory
 *       only (else EINVAL): touching a missing page raises SIGBUS with
 *       si_addr the address, unless a userfaultfd registered the range.
 *   syscall(__NR_userfaultfd_rfc, flags)         O_CLOEXEC | O_NONBLOCK.
 *       write the u64 UFFD_RFC_PROTOCOL, read it back (-1ULL: unknown);
 *       then write u64 {start | UFFD_RFC_REGISTER, end},
 *       {start | UFFD_RFC_UNREGISTER, end} or {start, end} (wake faults
 *       read in the range) and read u64 fault addresses.
 *   syscall(__NR_remap_anon_pages, dst, src, len, flags)  moves pages
 *       (RAP_ALLOW_SRC_HOLES): the bytes moved.
 */
#define __NR_userfaultfd_rfc		(MMUSIM_SYSCALL_BASE + 40)
#define __NR_remap_anon_pages		(MMUSIM_SYSCALL_BASE + 41)
#define MMUSIM_MADV_USERFAULT		1018
#define MMUSIM_MADV_NOUSERFAULT		1019
#define UFFD_RFC_PROTOCOL		0xaaULL
#define UFFD_RFC_REGISTER		1ULL
#define UFFD_RFC_UNREGISTER		2ULL
#define RAP_ALLOW_SRC_HOLES		1UL

/*
 * Statistics and the region of interest, after gem5's m5ops (docs/design.md,
 * "Regions of interest"; sim/roi.h).  No arguments; each returns 0 or -1
 * with errno (EINVAL) through syscall(2), or -errno from mmusim_syscall3.
 *
 *   MMUSIM_ROI_BEGIN     open the region of interest: from this call's
 *                        return, --stats and --report count the region's
 *                        figures beside the whole run's.  EINVAL if a region
 *                        is open already (regions do not nest).
 *   MMUSIM_ROI_END       close it at this call's entry (neither call is part
 *                        of the region).  EINVAL if no region is open.  A
 *                        region may open and close again: its figures add up.
 *   MMUSIM_RESET_STATS   set the region's figures to zero (an open region
 *                        goes on counting from here).  The whole run's
 *                        figures are never reset.
 */
#define MMUSIM_ROI_BEGIN	1100
#define MMUSIM_ROI_END		1101
#define MMUSIM_RESET_STATS	1102
/*
 * Snapshots of the whole run's figures, taken while the guest runs (one
 * argument: a tag of the guest's choosing, shown with the snapshot).
 *
 *   MMUSIM_SNAPSHOT_STATS  record the figures now: --report lists every
 *                          snapshot under "snapshots", --stats shows them.
 *   MMUSIM_DUMP_STATS      the same, and write them to standard error at
 *                          once (a long run's progress, as gem5's dumpstats).
 *
 * A run keeps at most MMUSIM_MAX_SNAPSHOTS; past that both answer ENOSPC.
 */
#define MMUSIM_SNAPSHOT_STATS	1103
#define MMUSIM_DUMP_STATS	1104
#define MMUSIM_MAX_SNAPSHOTS	65536
#define MMUSIM_UNAME_RELEASE_SUFFIX "-mmusim"

/*
 * gmem's interface (--device-mm gmem; docs/devices.md), the 2023 RFC's:
 *
 *   mmap(..., MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0)
 *       memory shared with the accelerators, tracked by the address
 *       space's logical page table (a bit Linux gives no mmap flag; without
 *       --device-mm gmem it is ignored, as Linux ignores unknown flags).
 *       EINVAL with MAP_SHARED or a file.
 *   syscall(MMUSIM_HMADVISE, node, addr, len, hint)
 *       node 0 is CPU memory, node N the memory of /dev/accel(N-1);
 *       MADV_PREFETCH moves the range there ahead of use, MADV_DONTNEED
 *       drops its pages wherever they are.  EINVAL: an unknown node or
 *       hint, an unaligned addr, a range that wraps or is not peer-shared;
 *       ENOMEM: a hole; ENOSYS without --device-mm gmem.
 */
#define MMUSIM_HMADVISE		1200
#define MAP_PEER_SHARED		0x200000
#define MADV_PREFETCH		200	/* not a Linux advice */
#ifndef MADV_DONTNEED
#define MADV_DONTNEED		4	/* Linux's */
#endif

#ifdef __aarch64__
/* Raw system calls, for programs built without a C library. */
static inline long mmusim_syscall3(long nr, long a0, long a1, long a2)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}

static inline long mmusim_syscall6(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;
	register long x3 __asm__("x3") = a3;
	register long x4 __asm__("x4") = a4;
	register long x5 __asm__("x5") = a5;

	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}
static inline long mmusim_roi_begin(void)
{
	return mmusim_syscall3(MMUSIM_ROI_BEGIN, 0, 0, 0);
}

static inline long mmusim_roi_end(void)
{
	return mmusim_syscall3(MMUSIM_ROI_END, 0, 0, 0);
}

static inline long mmusim_reset_stats(void)
{
	return mmusim_syscall3(MMUSIM_RESET_STATS, 0, 0, 0);
}

static inline long mmusim_snapshot_stats(long tag)
{
	return mmusim_syscall3(MMUSIM_SNAPSHOT_STATS, tag, 0, 0);
}

static inline long mmusim_dump_stats(long tag)
{
	return mmusim_syscall3(MMUSIM_DUMP_STATS, tag, 0, 0);
}
#endif

#endif
