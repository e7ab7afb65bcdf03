/*
 * migrate: the one primitive that moves a page between memory nodes (after
 * Linux's migrate_vma_setup/pages/finalize, for one page at a time): the
 * page's contents move to a frame of the destination node and its mapping
 * moves from one page table to another.
 *
 * A side of a migration is a page table (the CPU's, an mm's pgd; or a
 * device's own, mmu/device) with the two things only its owner knows: how
 * to drop the translations of a page its TLBs may cache (the CPU's: a
 * flush_tlb_mm_range() of the page, the domain's shootdown; a device's: its
 * TLB invalidation), and how many translations of a page its TLBs still
 * hold (taken out: the debug check).
 *
 * migrate_page(): `from` must map `va` (a valid entry, or a device-private
 * one, mmu/pgtable.h); `to` must not, unless `to` is `from` (a page moving
 * in place: a device-private page back to RAM).  A frame of `node`
 * gets a copy of the page, `from`'s entry is cleared (its reference to the
 * old frame dropped: a frame others map too stays theirs) and invalidated,
 * and `to` maps the new frame with `prot`.  After every migration it checks
 * that no stale translation survived: `from`'s table no longer translates
 * `va`, `to`'s translates it to the new frame, and neither side's TLBs
 * still hold a translation from before; a violation is a simulator bug,
 * counted in the record (the callers assert it is zero).  Nothing changes
 * when it fails: -ENOENT (`from` does not map `va`), -EEXIST (`to` does),
 * -EINVAL (no such node), -ENOMEM (the node, or `to`'s table, is full).
 *
 * What it did goes into a record the caller costs (a copy over the link of
 * the two nodes, table pages allocated, entries cleared and installed).
 */
#ifndef MMU_DEVICE_MIGRATE_H
#define MMU_DEVICE_MIGRATE_H

#include <stdint.h>

#include "mmu/phys.h"

struct mm;

struct migrate_side {
	phys_addr_t root;
	void (*invalidate)(struct migrate_side *side, uint64_t va);
	unsigned (*take_stale)(struct migrate_side *side, uint64_t va);
};

struct migrate_record {
	uint64_t pages;			/* pages moved */
	uint64_t tables_allocated;	/* by `to`'s walk */
	uint64_t stale;			/* translations the debug check found: 0 */
};

/* The CPU's side of `mm`: its pgd, a flush_tlb_mm_range() of the page (the
 * domain's shootdown, every notifier subscriber), and the translations the
 * domain's agents still hold. */
struct migrate_cpu_side {
	struct migrate_side side;
	struct mm *mm;
};

void migrate_cpu_side_init(struct migrate_cpu_side *cpu, struct mm *mm);

int migrate_page(struct phys *phys, struct migrate_side *from, struct migrate_side *to,
		 uint64_t va, int node, unsigned prot, struct migrate_record *rec);

#endif
