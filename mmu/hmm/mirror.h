/*
 * hmm mirror: the device-memory design of today's Linux (HMM,
 * mm/hmm.c): a device mirrors the CPU's page table of the address space it
 * works in.  A device fault is resolved as hmm_range_fault() does: the
 * CPU's entry is looked up and, when missing or read-only for a write,
 * faulted in through the CPU's own fault path (handle_mm_fault; no VMA or
 * one that cannot be read is -EFAULT, a write to a read-only one -EPERM, as
 * hmm_range_fault answers); the device then
 * maps the same frame, writable only if the CPU's entry is.  The mirror
 * hears the mm's notifier chain: every CPU invalidation (munmap, COW,
 * mprotect, migration) drops the device's entries of the range, with its
 * TLB invalidation.  CPU and device memory management are one.
 *
 * Device-private memory (Linux's MEMORY_DEVICE_PRIVATE, lib/test_hmm.c's
 * migrations): hmm_migrate_to_device() moves private anonymous pages into
 * the device's node (a hole or the zero page becomes a zeroed device page)
 * and leaves a device-private entry in the CPU's table (mmu/pgtable.h); the
 * device maps the page.  A CPU access faults and the node's
 * migrate_to_ram brings it back (fault kind device-migrate); so does
 * hmm_migrate_to_system().  A CPU invalidation drops the device's mapping,
 * not the page: the entry in the CPU's table still holds it, and the
 * device maps it again at its next fault (hmm_range_fault returns the
 * owner's device-private pages as they are); mremap moves the entries.
 * mprotect makes device-private entries read-only; fork copies them, both
 * read-only in a private mapping (mmu/mm.c); a write through a read-only
 * one migrates the page back first, in whichever mm faults.
 *
 * Device-exclusive entries (Linux's make_device_exclusive_range, for the
 * atomic accesses of a device): hmm_make_exclusive() below.
 *
 * Device-coherent memory (Linux's MEMORY_DEVICE_COHERENT, a device whose
 * node the CPU reaches: dev->coherent, mmu/phys): the same migrations, but
 * the CPU's table maps a migrated page as a normal present entry naming the
 * device's frame; the CPU reads and writes it in place (no fault back), a
 * fork shares it copy-on-write as any anonymous page, and only
 * hmm_migrate_to_system() (or the eviction) brings it back to system
 * memory, keeping the entry's protection.
 */
#ifndef MMU_HMM_MIRROR_H
#define MMU_HMM_MIRROR_H

#include "mmu/device/device.h"

extern const struct device_mm_ops hmm_mirror_ops;

/* Make `dev`'s table map every page of [start, end) for the access,
 * faulting through the CPU's table: 0, or -EFAULT (no VMA, or one that
 * cannot be read), -EPERM (a write to a read-only one), -ENOMEM. */
int hmm_range_fault(struct device *dev, uint64_t start, uint64_t end, bool write);
/* Migrate the private anonymous pages of [start, end) to `dev`'s memory,
 * or its device-private pages back; *migrated counts them.  -EINVAL: a
 * page without a readable VMA (before anything moved). */
int hmm_migrate_to_device(struct device *dev, uint64_t start, uint64_t end, uint64_t *migrated);
int hmm_migrate_to_system(struct device *dev, uint64_t start, uint64_t end, uint64_t *migrated);
/* Every device-private page of `dev` in its mm back to system memory (the
 * driver's eviction of its memory chunks); *migrated counts them. */
int hmm_evict_device(struct device *dev, uint64_t *migrated);

/* make_device_exclusive_range() for `dev`: each page of [start, end) is
 * faulted in writable by the CPU's fault path, its CPU entry replaced by a
 * device-exclusive one (mmu/pgtable.h) and mapped writable by `dev`; a CPU
 * access or fork restores the entry and revokes the device's mapping.
 * -EBUSY: a page cannot be (no VMA, a shared mapping, not writable); the
 * pages before it stay exclusive.  A private mapping of a file qualifies:
 * the write fault gives it an anonymous copy, as Linux's does. */
int hmm_make_exclusive(struct device *dev, uint64_t start, uint64_t end);
/* -EPERM if `dev` still maps a page of [start, end) exclusively, else 0. */
int hmm_check_exclusive(struct device *dev, uint64_t start, uint64_t end);

/* What hmm_range_fault() without HMM_PFN_REQ_FAULT reports for `va`:
 * HMM_PFN_ERROR (no VMA, or one that cannot be read), 0 (nothing mapped,
 * or another device's device-private page), or HMM_PFN_VALID with
 * HMM_PFN_WRITE if the entry allows writes, the frame in *pa (the CPU's
 * page, or `dev`'s own device-private page). */
enum { HMM_PFN_VALID = 1, HMM_PFN_WRITE = 2, HMM_PFN_ERROR = 4 };
unsigned hmm_snapshot_page(struct device *dev, uint64_t va, phys_addr_t *pa);

#endif
