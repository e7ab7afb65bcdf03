/*
 * device: a simulated accelerator, a translation agent of the domain with
 * its own memory node (mmu/phys), its own page table in that node (the
 * AArch64 format of mmu/pgtable: one walker for every table), its own TLB
 * (the profile's [device] geometry, untagged: a device works in one
 * address space at a time) and its own clock, on which it pays its work at
 * the [device] costs of the profile.
 *
 * A device does work by running a kernel: a deterministic stream of 8-byte
 * accesses over a virtual range of the address space it is bound to
 * (sequential, strided, or random from a seed; reads, writes or both;
 * repeated).  A read adds the word to the kernel's checksum, a write adds 1
 * to it (a read-modify-write of the page: what the CPU sees after the
 * device wrote).  Each access is looked up in the device's TLB (a miss
 * walks its table) and the data is read or written through its table.
 *
 * A miss its table cannot satisfy (no entry, or a read-only one for a
 * write) is a device fault, which goes to the design in force through the
 * one hook below, `struct device_mm_ops` (gmem's logical table, the HMM
 * mirror): the core knows nothing of how a fault is resolved.  A fault the
 * design cannot resolve (no VMA, a protection that forbids the access)
 * stops the kernel with the design's errno and the address, for the guest.
 *
 * A device's table holds a reference to each frame it maps, as the CPU's
 * does (mmu/pgtable); device_unmap_range() clears entries and invalidates
 * the device's TLB per page or with one coalesced invalidation.  A TLB
 * invalidation the CPU asks for outside a kernel (munmap, a CPU fault
 * migrating a page back) is waited for: the CPU running the mm pays it too.
 */
#ifndef MMU_DEVICE_DEVICE_H
#define MMU_DEVICE_DEVICE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/agent.h"
#include "mmu/mm_types.h"
#include "mmu/device/migrate.h"
#include "mmu/notifier.h"

struct device;
struct mm;

enum device_pattern { DEVICE_SEQUENTIAL, DEVICE_STRIDED, DEVICE_RANDOM, DEVICE_NR_PATTERNS };

#define DEVICE_READ	1u
#define DEVICE_WRITE	2u
#define DEVICE_WORD	8u		/* bytes of one access */
#define DEVICE_MAX_ACCESSES (UINT64_C(1) << 26)	/* of one kernel, repetitions included */

struct device_kernel {
	uint64_t start, size;		/* the virtual range, DEVICE_WORD aligned */
	enum device_pattern pattern;
	uint64_t stride;		/* STRIDED: bytes between accesses */
	uint64_t seed;			/* RANDOM */
	unsigned access;		/* DEVICE_READ | DEVICE_WRITE */
	uint64_t reps;
};

struct device_counters {
	uint64_t kernels, accesses;
	uint64_t faults;		/* device faults taken to the design */
	uint64_t to_device, to_cpu;	/* pages migrated each way */
	uint64_t zero_pages;		/* device pages installed zeroed */
	uint64_t mirrored;		/* CPU frames mapped as they are (a mirror) */
	uint64_t pte_updates;		/* entries written in the device's table */
	uint64_t inval_pages;		/* pages invalidated one by one */
	uint64_t inval_ranges;		/* coalesced invalidations */
	uint64_t link_bytes;		/* over the CPU-device link, both ways */
};

/* The design in force for device memory (--device-mm): the named hook. */
struct device_mm_ops {
	const char *name;
	/* The device missed `va` (page aligned) in its table while working in
	 * `dev->mm`: make its table allow the access, paying the work on
	 * the device (device_pay) -> 0; or the errno the kernel stops with
	 * (-EFAULT: no VMA there, -EACCES: the VMA forbids the access,
	 * -ENOMEM). */
	int (*fault)(struct device *dev, uint64_t va, bool write);
	/* `dev` begins working in dev->mm (NULL: nothing to do). */
	void (*bind)(struct device *dev);
	/* `dev` is leaving dev->mm: for another mm, or at the mm's end
	 * (`mm_ending`: nobody will see its pages again); its entries are
	 * dropped after (NULL: nothing to do). */
	void (*unbind)(struct device *dev, bool mm_ending);
	/* The CPU's translations of [start, end) in dev->mm were removed or
	 * downgraded (the mm's notifier chain): NULL for a design that does
	 * not follow the CPU's table. */
	void (*invalidate)(struct device *dev, uint64_t start, uint64_t end);
	/* The CPU faulted on a device-private entry naming a page of this
	 * device's memory (NULL: the design writes none): bring it back, the
	 * fault's outcome. */
	vm_fault_t (*migrate_to_ram)(struct device *dev, struct vm_fault *vmf);
};

struct device {
	int id;				/* accelN */
	int node;			/* its memory */
	struct phys *phys;
	const struct device_profile *costs;
	struct agent agent;		/* its clock and TLB */
	phys_addr_t pgd;		/* its own table, in its node */
	struct migrate_side side;	/* its table as a side of a migration */
	struct mm *mm;			/* bound: the address space it works in */
	struct mmu_notifier sub;	/* on mm's chain: release unbinds, invalidations
					 * go to the design's `invalidate` */
	const struct device_mm_ops *ops;
	void *design;			/* the design's state for this device */
	bool coalesce;			/* one invalidation per range, not per page */
	bool coherent;			/* its memory is coherent: the CPU maps its pages */
	bool running;			/* inside device_run */
	struct dev_pagemap pgmap;	/* its node's owner: ops->migrate_to_ram */
	struct device_counters counters;
};

/* Device `id` on memory node `node` of `d`'s memory, with the design `ops`.
 * -EINVAL: no such node, or an invalid [device] TLB geometry; -ENOMEM. */
int device_init(struct device *dev, struct domain *d, int id, int node,
		const struct device_mm_ops *ops);
void device_fini(struct device *dev);
/* Work in `mm` from now on (the previous one's entries dropped). */
void device_bind(struct device *dev, struct mm *mm);
void device_unbind(struct device *dev);

/* Run `k` to its end or its first unresolved fault: 0, or the errno with
 * *fault_va the address; -EINVAL for a kernel that is not one (empty,
 * unaligned, past TASK_SIZE, a stride of 0 or not a multiple of the word,
 * no access kind, no repetition, more than DEVICE_MAX_ACCESSES accesses). */
int device_run(struct device *dev, const struct device_kernel *k, uint64_t *checksum,
	       uint64_t *fault_va);

/* Pay `cycles` on the device's clock. */
void device_pay(struct device *dev, uint64_t cycles);
/* Map `pa` (its reference passes to the entry) at `va` with `prot`, paying
 * the entry's update: 0, -EEXIST, -ENOMEM. */
int device_map(struct device *dev, uint64_t va, phys_addr_t pa, unsigned prot);
/* Clear the entries of [start, end) and invalidate the device's TLB for
 * them (per page, or once when dev->coalesce); returns the entries cleared. */
uint64_t device_unmap_range(struct device *dev, uint64_t start, uint64_t end);
/* The cost of moving `pages` pages over the link in one transfer, counted. */
void device_pay_link(struct device *dev, uint64_t pages);

#endif
