/*
 * accel.h: the simulated accelerators' device files, /dev/accel0 ... (one
 * per --devices), and their ioctls (mmusim's own: docs/devices.md).
 *
 *   ACCEL_IOC_LAUNCH    run a kernel over [addr, addr + size) of the
 *                       caller's address space (the device binds to it).
 *                       0, or -1 with errno: EINVAL for a kernel that is not
 *                       one (empty, unaligned to 8 bytes, past the user
 *                       address space, a stride of 0 or not a multiple of 8,
 *                       no or unknown access, no repetition, more than 2^26
 *                       accesses), EFAULT for a wild pointer.  A device
 *                       fault the design cannot resolve does not fail the
 *                       launch: the kernel stops and WAIT says so.
 *   ACCEL_IOC_WAIT      wait for the last kernel: its status (0, or the
 *                       negative errno it stopped with, e.g. -EFAULT for an
 *                       unmapped or protected page), the address it stopped
 *                       at, the checksum of the words it read, and the
 *                       device's clock; the caller's clock moves on to the
 *                       kernel's end.  ENOENT: nothing launched yet.
 *   ACCEL_IOC_COUNTERS  the device's counters since the run began.
 *
 * A read adds the 8-byte word to the checksum; a write adds 1 to it.
 */
#ifndef MMUSIM_GUEST_ACCEL_H
#define MMUSIM_GUEST_ACCEL_H

#include <linux/ioctl.h>
#include <stdint.h>

#define ACCEL_SEQUENTIAL	0
#define ACCEL_STRIDED		1
#define ACCEL_RANDOM		2

#define ACCEL_READ		1
#define ACCEL_WRITE		2

struct accel_launch {
	uint64_t addr, size;
	uint32_t pattern;	/* ACCEL_SEQUENTIAL, ACCEL_STRIDED, ACCEL_RANDOM */
	uint32_t access;	/* ACCEL_READ | ACCEL_WRITE */
	uint64_t stride;	/* ACCEL_STRIDED: bytes */
	uint64_t seed;		/* ACCEL_RANDOM */
	uint64_t reps;
};

struct accel_wait {
	int64_t status;
	uint64_t fault_addr;
	uint64_t checksum;
	uint64_t clock_ns;	/* the device's clock at the kernel's end */
};

struct accel_counters {
	uint64_t kernels, accesses, faults;
	uint64_t to_device, to_cpu;	/* pages migrated each way */
	uint64_t zero_pages, mirrored;
	uint64_t pte_updates, inval_pages, inval_ranges;
	uint64_t link_bytes;
	uint64_t tlb_hits, tlb_misses;	/* L1 and L2 lookups that hit; walks */
	uint64_t clock_ns;
};

#define ACCEL_IOC_LAUNCH	_IOW('A', 1, struct accel_launch)
#define ACCEL_IOC_WAIT		_IOR('A', 2, struct accel_wait)
#define ACCEL_IOC_COUNTERS	_IOR('A', 3, struct accel_counters)

#endif
