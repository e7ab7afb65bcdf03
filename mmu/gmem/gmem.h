/*
 * gmem: the device-memory design of the 2023 RFC (seed 004,
 * ../shared/notes/designs.md section 4).  A process opts in per mapping
 * with mmap(MAP_PRIVATE | MAP_PEER_SHARED): anonymous private memory whose
 * pages the address space's logical page table (mmu/gmem/vm_object) tracks,
 * wherever they are.  The CPU's and the devices' tables only map what the
 * logical table says; no notifier ties them (CPU and device memory
 * management kept apart, as the RFC has it).
 *
 *  - A device fault (gm_dev_fault) on a NOMAP page installs a zeroed page
 *    of the device's memory; on a CPU page it migrates the page to the
 *    device (mmu/device/migrate: the CPU entry invalidated with its
 *    shootdown, the copy over the link, the device's entry installed); on
 *    another device's page, from that device.  A device fault outside a
 *    peer-shared mapping, or one its protection forbids, is -EFAULT.
 *  - A CPU fault consults the logical table: a DEVICE page migrates back
 *    ("no CPU PTE does not mean a zero page"); a NOMAP one gets a zeroed
 *    frame.
 *  - hmadvise(MADV_PREFETCH) moves a range to a node ahead of use, paying
 *    the link's latency once for the whole batch; MADV_DONTNEED drops the
 *    pages wherever they are (entries back to NOMAP).
 *  - munmap frees the range's entries and unmaps it from every device that
 *    holds pages of it (munmap_in_peer_devices), per page or with one
 *    coalesced invalidation per device (--device-inval).
 *  - A device bound to another address space takes its pages back to the
 *    CPU first; at the mm's end they are only dropped.
 *
 * Each peer-shared VMA has its own small handle on the mm's table, so two
 * of them never merge (a merge would close one and free its entries); a
 * fork child does not inherit them (VM_DONTCOPY).  mremap moves the
 * logical entries with the CPU's, and each device holding a page of the
 * range maps it at its new address (the RFC leaves mremap out).  Not
 * modelled: mprotect reaching device entries (the RFC's pmap_protect),
 * huge pages.
 */
#ifndef MMU_GMEM_GMEM_H
#define MMU_GMEM_GMEM_H

#include <stdint.h>

#include "mmu/device/device.h"
#include "mmu/gmem/vm_object.h"
#include "mmu/mm_types.h"

/* The design's figures, over every address space. */
struct gmem_stats {
	uint64_t cpu_faults;		/* CPU faults that found a DEVICE page */
	uint64_t prefetched;		/* pages hmadvise moved */
	uint64_t dropped;		/* pages hmadvise(MADV_DONTNEED) dropped */
	uint64_t unmapped_entries;	/* entries munmap freed */
	uint64_t peak_entries, peak_nodes, peak_bytes;	/* of one logical table */
};

enum gmem_hint { GMEM_PREFETCH, GMEM_DONTNEED };

extern const struct device_mm_ops gmem_device_ops;
extern const struct vm_ops gmem_vm_ops;

/* A peer-shared mapping (MM_MAP_* flags; not shared): as mm_mmap_object,
 * its pages tracked by `mm`'s logical table, made on first use. */
int gmem_mmap(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	      struct gmem_stats *stats, uint64_t *out);
/* `mm`'s logical table, or NULL while it has no peer-shared mapping. */
struct vm_object *gmem_table_of(struct mm *mm);
/* hmadvise: move [start, start + len) to `dev`'s memory (NULL: the CPU's),
 * or drop it.  -EINVAL: start unaligned, the range wraps, a VMA of it is not
 * peer-shared, an unknown hint; -ENOMEM: a hole; a migration's errno. */
int gmem_hmadvise(struct mm *mm, struct device *dev, uint64_t start, uint64_t len,
		  enum gmem_hint hint);

#endif
