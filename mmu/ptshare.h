/*
 * ptshare: the reverse map of shared page-table subtrees, the base of mshare
 * (docs/design.md, "Shared page tables").
 *
 * ptshare_link() hangs a table page under an entry of an address space's tree
 * (pgtable_link) and records who holds it: (mm, root, va, level).  From a
 * table page the map gives every holder, so that a change made in a shared
 * subtree through one mm can be flushed in every mm that reaches it
 * (ptshare_for_each_sharer, ptshare_for_each_alias); from an mm it gives
 * every subtree the mm holds, so that munmap and exit can let go of them
 * (ptshare_unlink_range).
 *
 * The map knows only the links made through it.  An mm that holds linked
 * subtrees lets go of them here before it puts its root: pgtable_put()
 * would drop the reference behind the map's back.  A range unmap that
 * covers a link's whole span (pgtable_unmap_range(), as MADV_DONTNEED of
 * it does) takes the subtree out of the tree itself; the map lists that
 * link until it is undone here, which then drops nothing more.  Links
 * inside a linked subtree are not followed: the sharers of a table are the
 * holders of that table page itself.
 *
 * struct mm is named, never looked into: the map needs no part of mm.h.
 * Callbacks must not change the map.  Nothing here flushes a TLB.
 */
#ifndef MMU_PTSHARE_H
#define MMU_PTSHARE_H

#include <stdint.h>

#include "mmu/pgtable.h"
#include "mmu/phys.h"

struct mm;
struct ptshare;

/* One holder of a shared table page. */
struct ptshare_link {
	struct mm *mm;
	phys_addr_t root;	/* mm's root table */
	uint64_t va;		/* the entry's span starts here: aligned to pgtable_span(level) */
	int level;		/* of the entry; the table is of level + 1 */
	phys_addr_t table;
};

typedef void (*ptshare_link_fn)(void *ctx, const struct ptshare_link *link);
typedef void (*ptshare_range_fn)(void *ctx, struct mm *mm, uint64_t start, uint64_t end);

struct ptshare *ptshare_new(struct phys *phys);
/* The map must be empty: every link undone. */
void ptshare_free(struct ptshare *ps);

/* pgtable_link() into `root`, `mm`'s tree, and record it; its errors. */
int ptshare_link(struct ptshare *ps, struct mm *mm, phys_addr_t root, uint64_t va, int level,
		 phys_addr_t table);
/* Undo `mm`'s link at (va, level): -ENOENT if there is none. */
int ptshare_unlink(struct ptshare *ps, struct mm *mm, uint64_t va, int level);
/* Undo every link of `mm` whose span lies inside [start, end) (munmap; the
 * whole user range at exit); returns how many.  A link only partly inside is
 * kept: its leaves are every holder's (mmu/pgtable.h). */
unsigned ptshare_unlink_range(struct ptshare *ps, struct mm *mm, uint64_t start, uint64_t end);

/* Holders of the table page `table`, and each of them in the order linked. */
unsigned ptshare_nr_sharers(struct ptshare *ps, phys_addr_t table);
void ptshare_for_each_sharer(struct ptshare *ps, phys_addr_t table, ptshare_link_fn fn,
			     void *ctx);
/* For each subtree `mm` holds that overlaps [start, end), in the order
 * linked: `fn` gets every holder of it (`mm` included) with the overlap
 * moved to where that holder has the subtree, the range a flush after a
 * change to those leaves must cover. */
void ptshare_for_each_alias(struct ptshare *ps, struct mm *mm, uint64_t start, uint64_t end,
			    ptshare_range_fn fn, void *ctx);

#endif
