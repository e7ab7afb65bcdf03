/*
 * pgtable: AArch64 stage-1 translation tables, 4 KiB granule, 4 levels, 48-bit
 * virtual addresses, stored in simulated physical memory (mmu/phys) so that
 * the emulated CPU walks exactly the descriptors written here.
 *
 *   level 0 (pgd)  VA[47:39]   each entry spans 512 GiB
 *   level 1 (pud)  VA[38:30]   1 GiB
 *   level 2 (pmd)  VA[29:21]   2 MiB
 *   level 3 (pte)  VA[20:12]   4 KiB
 *
 * Descriptor bits used (Arm ARM D8.3): valid [0], table/page [1], AttrIndx
 * [4:2] = 0 (MAIR attr 0: normal write-back), AP [7:6], SH [9:8] inner, AF
 * [10] (set on install: QEMU does not manage it), nG [11], PXN [53], UXN [54].
 *
 * Reference counts (mmu/phys): a leaf entry owns one reference to the frame it
 * maps; a table entry owns one reference to the table page it points to.  A
 * table page may therefore hang under several parents (a shared subtree,
 * pgtable_link()) and is freed, with everything below it, when the last
 * parent lets go.  Tables left empty by a range operation are freed on the
 * way back up, unless they are shared.
 *
 * The rules for shared subtrees (a table page whose count is above one):
 *  - a shared table is one object: a leaf installed, changed or cleared in it
 *    through any parent is seen through every parent, so the caller flushes
 *    every sharer (mmu/ptshare finds them);
 *  - no walker frees a shared table or clears the entry pointing to it
 *    because it became empty: it stays linked in every parent until each
 *    one unlinks it (pgtable_unlink) or puts its root (pgtable_put);
 *  - pgtable_unmap_range() over a range that covers the whole span of an
 *    entry pointing to a shared table unlinks it: that tree lets go, the
 *    other parents keep every entry.  A range that covers only part of it
 *    clears the leaves in the range, for every parent (first rule).
 *
 * Nothing here flushes a TLB: callers that downgrade or remove a valid entry
 * must flush (mm does, through flush_tlb_mm_range()).
 */
#ifndef MMU_PGTABLE_H
#define MMU_PGTABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/phys.h"

typedef uint64_t pte_t;

enum { PGD_LEVEL, PUD_LEVEL, PMD_LEVEL, PTE_LEVEL, PGTABLE_LEVELS };

#define PTRS_PER_TABLE 512
#define PGDIR_SHIFT 39
#define PGDIR_SIZE (UINT64_C(1) << PGDIR_SHIFT)
#define VA_BITS 48

#define PTE_VALID	(UINT64_C(1) << 0)
#define PTE_TABLE	(UINT64_C(1) << 1)	/* table at levels 0-2, page at level 3 */
#define PTE_USER	(UINT64_C(1) << 6)	/* AP[1]: EL0 may access */
#define PTE_RDONLY	(UINT64_C(1) << 7)	/* AP[2]: read-only */
#define PTE_SH_INNER	(UINT64_C(3) << 8)
#define PTE_AF		(UINT64_C(1) << 10)
#define PTE_NG		(UINT64_C(1) << 11)
#define PTE_PXN		(UINT64_C(1) << 53)
#define PTE_UFFD_WP	(UINT64_C(1) << 58)	/* software: userfaultfd write-protected
						 * (mmu/userfault/wp.h; Linux's arm64 bit) */
#define PTE_UXN		(UINT64_C(1) << 54)
#define PTE_TABLE_RDONLY (UINT64_C(1) << 62)	/* APTable[1] of a table entry: nothing
						 * below it is writable (TCR.HPD0 clear) */
#define PTE_ADDR_MASK	UINT64_C(0x0000fffffffff000)
/* A device-private entry (Linux's device-private swap entry, mm/hmm): a
 * leaf the MMU ignores (valid bit clear) that names a frame of a device's
 * memory node holding the page, with the page's attributes, and holds a
 * reference to it.  The CPU's access faults; the fault path hands it to the
 * node's owner (mmu/fault.c, struct dev_pagemap), which migrates the page
 * back.  Bit 55 is one of the descriptor bits Arm leaves to software. */
#define PTE_DEVICE_PRIVATE (UINT64_C(1) << 55)
/* A device-exclusive entry (Linux's device-exclusive swap entry,
 * make_device_exclusive_range()): a device-private entry with bit 56 set
 * (software too) that names the CPU's own frame of a page a device holds
 * for atomic access; it holds the entry's reference.  A CPU access
 * restores the page's entry and revokes the device's mapping (mmu/fault.c);
 * fork restores it before copying (mmu/mm.c). */
#define PTE_DEVICE_EXCLUSIVE (UINT64_C(1) << 56)
/* A poison marker (Linux's PTE_MARKER_POISONED, userfaultfd's UFFDIO_POISON,
 * mmu/userfault/poison.h): a leaf the MMU ignores that holds no frame; an
 * access to it is VM_FAULT_HWPOISON.  Unmapping clears it, mremap moves it.
 * Bit 57 is another of the bits Arm leaves to software. */
#define PTE_MARKER_POISON (UINT64_C(1) << 57)
/* A write-protect marker (Linux's PTE_MARKER_UFFD_WP, userfaultfd's
 * WP_UNPOPULATED, mmu/userfault/wp.h): PTE_UFFD_WP alone in an entry that is
 * not valid, i.e. an empty entry write-protected; holds no frame.  A fault
 * takes it as a missing entry whose page comes in write-protected (or, in a
 * VMA no longer registered in WP mode, as a missing entry).  Unmapping
 * clears it, mprotect keeps it, mremap moves it (drops it when the
 * context lacks EVENT_REMAP), fork copies it. */
#define PTE_MARKER_UFFD_WP PTE_UFFD_WP

/* Protections: the PROT_* values, plus an EL1-only executable page. */
#define VM_NONE		0u
#define VM_READ		1u
#define VM_WRITE	2u
#define VM_EXEC		4u
#define VM_KERNEL_EXEC	8u

static inline unsigned pgtable_index(uint64_t va, int level)
{
	return (unsigned)(va >> (PGDIR_SHIFT - 9 * level)) & (PTRS_PER_TABLE - 1);
}

static inline uint64_t pgtable_span(int level)
{
	return UINT64_C(1) << (PGDIR_SHIFT - 9 * level);
}

static inline bool pte_present(pte_t e) { return e & PTE_VALID; }

/* Every store into a page-table entry goes through here (Linux's
 * set_pte_at and pte_clear): the entry at `ptep`, in `phys`'s memory,
 * becomes `val`, and phys's journal is told (phys_set_journal). */
static inline void pte_set(struct phys *phys, pte_t *ptep, pte_t val)
{
	*ptep = val;
	phys_journal_store(phys, ptep, val);
}
/* A block descriptor: valid with bit 1 clear at level 1 or 2, mapping 1 GiB
 * or 2 MiB itself rather than a table. */
static inline bool pte_is_block(pte_t e, int level)
{
	return level > PGD_LEVEL && level < PTE_LEVEL && pte_present(e) && !(e & PTE_TABLE);
}
/* A table descriptor: valid with bit 1 set, at levels 0 to 2.  A valid
 * level-0 entry without bit 1 is neither: the 4 KiB granule has no level-0
 * blocks, and the architecture makes it a translation fault at level 0. */
static inline bool pte_is_table(pte_t e, int level)
{
	return level < PTE_LEVEL && pte_present(e) && (e & PTE_TABLE);
}
static inline phys_addr_t pte_addr(pte_t e) { return e & PTE_ADDR_MASK; }
static inline bool pte_is_device_private(pte_t e)
{
	return !pte_present(e) && (e & PTE_DEVICE_PRIVATE);
}
static inline bool pte_is_device_exclusive(pte_t e)
{
	return pte_is_device_private(e) && (e & PTE_DEVICE_EXCLUSIVE);
}
static inline bool pte_is_poison_marker(pte_t e)
{
	return !pte_present(e) && e == PTE_MARKER_POISON;
}
static inline bool pte_is_uffd_wp_marker(pte_t e)
{
	return !pte_present(e) && e == PTE_MARKER_UFFD_WP;
}
/* A marker: an entry that maps nothing but is not empty. */
static inline bool pte_is_marker(pte_t e)
{
	return pte_is_poison_marker(e) || pte_is_uffd_wp_marker(e);
}
/* A device-private entry for the page at `pa` with `prot`. */
pte_t pte_mk_device_private(phys_addr_t pa, unsigned prot);

pte_t pte_mk_page(phys_addr_t pa, unsigned prot);
pte_t pte_mk_table(phys_addr_t table);
unsigned pte_prot(pte_t e);

/* A new, empty root (pgd) page holding one reference for its owner. */
int pgtable_create(struct phys *phys, phys_addr_t *root);
/* The same in memory node `node` (a device's own table, mmu/device): the
 * tables a walk creates below a root live in the root's node. */
int pgtable_create_node(struct phys *phys, int node, phys_addr_t *root);
/* Drop one reference to the table page `table` at `level`; at zero, release
 * every entry below it too.  A table another parent still holds is left
 * whole: nothing below it is touched. */
void pgtable_put(struct phys *phys, phys_addr_t table, int level);

/* Install a leaf entry; the caller's reference to `pa` passes to the entry.
 * -EEXIST if `va` is already mapped, -ENOMEM if a table page cannot be had. */
int pgtable_map(struct phys *phys, phys_addr_t root, uint64_t va, phys_addr_t pa,
		unsigned prot);
/* The leaf entry for `va` (host pointer into simulated RAM), or NULL when a
 * table on the way is missing.  The entry itself may be invalid. */
pte_t *pgtable_walk(struct phys *phys, phys_addr_t root, uint64_t va);
/* The same, creating missing tables: returns how many table pages it
 * created, or -ENOMEM on exhaustion (and then creates none). */
int pgtable_walk_alloc(struct phys *phys, phys_addr_t root, uint64_t va, pte_t **ptep);
/* The entry read at each level for `va`; returns how many levels were read
 * (the walk stops at the first invalid entry, and at a block entry: a valid
 * level-1 or level-2 descriptor with bit 1 clear maps 1 GiB or 2 MiB). */
int pgtable_walk_levels(struct phys *phys, phys_addr_t root, uint64_t va,
			pte_t entries[PGTABLE_LEVELS]);
/* Software translation, as the emulated MMU would do it. */
/* The leaf entry for `va` (0 when no table covers it) as the MMU applies
 * it: read-only when a table entry above forbids writes (PTE_TABLE_RDONLY). */
pte_t pgtable_leaf(struct phys *phys, phys_addr_t root, uint64_t va);
bool pgtable_translate(struct phys *phys, phys_addr_t root, uint64_t va,
		       phys_addr_t *pa, unsigned *prot);

/*
 * Shared subtrees.  pgtable_link() points the entry at `level` for `va` (a
 * table entry: PGD_LEVEL, PUD_LEVEL or PMD_LEVEL) at `table`, a table page of
 * level `level` + 1, and takes a reference to it.  The entry spans
 * pgtable_span(level): a PMD table (1 GiB) hangs under a PUD entry
 * (level PUD_LEVEL, `va` 1 GiB aligned), a PUD table (512 GiB) under a PGD
 * entry.  Missing tables above the entry are created.  -EINVAL if `level` is
 * not a table level, `va` is not aligned to the entry's span or lies beyond
 * VA_BITS, or `table` is `root` or not a table page; -EEXIST if the entry is
 * valid already; -ENOMEM if a table above cannot be had.  That `table` is of
 * level `level` + 1 and does not hold `root`'s entry itself is the caller's
 * to know.
 *
 * pgtable_unlink() clears that entry and drops its reference: the subtree is
 * freed only when this was its last parent.  Tables above it left empty are
 * freed (unless shared).  -EINVAL as above; -ENOENT if the entry does not
 * point to a table.  Neither flushes a TLB.
 */
int pgtable_link(struct phys *phys, phys_addr_t root, uint64_t va, int level, phys_addr_t table);
int pgtable_unlink(struct phys *phys, phys_addr_t root, uint64_t va, int level);
/* The table page the entry at `level` for `va` points to; false if none (or
 * the arguments are invalid as for pgtable_link()). */
bool pgtable_table_at(struct phys *phys, phys_addr_t root, uint64_t va, int level,
		      phys_addr_t *table);
/* Whether the table entry at `level` for `va` forbids writes below it
 * (PTE_TABLE_RDONLY), and setting it so: the entry is `root`'s own, the
 * table below may be shared.  -ENOENT if the entry points to no table. */
bool pgtable_table_rdonly(struct phys *phys, phys_addr_t root, uint64_t va, int level);
int pgtable_table_set_rdonly(struct phys *phys, phys_addr_t root, uint64_t va, int level,
			     bool rdonly);

/*
 * Visit every valid leaf entry in [start, end) in address order.  The visitor
 * returns 0 to go on, PTE_VISIT_CLEARED if it invalidated the entry (so that
 * emptied tables get freed), or a negative errno to stop the walk.  Leaves in
 * shared subtrees are visited too: what the visitor changes there, every
 * sharer sees.
 */
#define PTE_VISIT_CLEARED 1
typedef int (*pte_visit_fn)(void *ctx, uint64_t va, pte_t *ptep);
int pgtable_walk_range(struct phys *phys, phys_addr_t root, uint64_t start,
		       uint64_t end, pte_visit_fn visit, void *ctx);
/* The same, visiting device-private leaves and markers too: for a
 * visitor that handles every kind of leaf (mremap, mprotect, fork). */
int pgtable_walk_range_all(struct phys *phys, phys_addr_t root, uint64_t start, uint64_t end,
			   pte_visit_fn visit, void *ctx);

/* Clear every leaf entry in [start, end) (device-private ones and markers too), dropping the frame references,
 * and unlink the shared tables the range covers whole; returns the number of
 * leaf entries `root` no longer reaches (cleared, or below an unlinked table),
 * so a caller flushes exactly when the result is not zero. */
uint64_t pgtable_unmap_range(struct phys *phys, phys_addr_t root, uint64_t start,
			     uint64_t end);

#endif
