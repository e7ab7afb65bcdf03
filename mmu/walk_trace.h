/*
 * walk_trace: one translation table walk written out level by level, for
 * people (--explain, the gdb stub's `monitor walk`).  It reads the tables
 * the way the MMU does for an EL0 access and records, for each level, the
 * table page it read, the index the address selects and the descriptor it
 * found; then where the walk stopped and why, and what the descriptor
 * allows.  It reads only: nothing is faulted in, cached or counted.
 *
 * The verdict follows the order in which the Arm architecture reports an
 * EL0 abort: an invalid descriptor is a translation fault at its level; a
 * valid leaf with the access flag clear is an access flag fault; a leaf
 * whose AP, UXN or an APTable above forbids the access is a permission
 * fault (at the leaf's level).
 */
#ifndef MMU_WALK_TRACE_H
#define MMU_WALK_TRACE_H

#include <glib.h>
#include <stdint.h>

#include "mmu/mm_types.h"
#include "mmu/pgtable.h"

struct walk_step {
	phys_addr_t table;	/* the table page read at this level */
	unsigned index;		/* the entry the address selects in it */
	pte_t desc;		/* what that entry holds */
};

enum walk_verdict {
	WALK_OK,		/* the access may proceed */
	WALK_TRANSLATION,	/* an invalid descriptor at `levels` - 1 */
	WALK_ACCESS_FLAG,
	WALK_PERMISSION,
	WALK_OUT_OF_RANGE,	/* beyond VA_BITS: TTBR0 covers no such address */
};

struct walk_trace {
	uint64_t va;
	phys_addr_t root;
	int levels;			/* steps read, 0 when the address is out of range */
	struct walk_step steps[PGTABLE_LEVELS];
	bool table_rdonly;		/* an APTable above the leaf forbids writes */
	enum walk_verdict verdict;
	phys_addr_t pa;			/* the output address when the leaf is valid */
};

/* Walk `va` in the tables at `root` for `access`. */
void walk_trace(struct phys *phys, phys_addr_t root, uint64_t va, enum fault_access access,
		struct walk_trace *out);

/* The level of the last descriptor read: where the walk stopped. */
static inline int walk_trace_last_level(const struct walk_trace *w)
{
	return w->levels - 1;
}

/* "translation fault at level 3", "permission fault at level 3", "ok". */
void walk_verdict_describe(const struct walk_trace *w, GString *out);
/* The descriptor's bits, decoded for its level: "invalid", or "table ->
 * 0x3000 APTable=ro" or "page 0x41000 AF nG AP=rw (EL0 rw) UXN PXN". */
void pte_describe(pte_t desc, int level, GString *out);
/* "[L0 0][L1 0][L2 2][L3 16] + 0x123": the table indices and page offset. */
void va_describe_indices(uint64_t va, GString *out);

#endif
