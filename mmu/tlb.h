/*
 * tlb: a model of one agent's translation caches, in the usual hardware
 * organisation: an L1 instruction TLB and an L1 data TLB in front of a
 * unified L2 TLB, each set-associative with LRU replacement, and a fully
 * associative page-walk cache (PWC) of upper-level table descriptors that
 * shortens walks.  Entries carry their size (4 KiB pages, 2 MiB and 1 GiB
 * blocks), an ASID and the global bit (the descriptor's nG clear).
 *
 * The model decides hit or miss and counts; it does not translate.  The page
 * tables in simulated memory stay the only truth: a miss walks the real
 * descriptors (pgtable_walk_levels) and caches what it read.  A walk that
 * finds no translation caches nothing, as on Arm.
 *
 * ASIDs: an untagged TLB (asid_tagged false) matches any entry whatever its
 * ASID, so an address-space switch must flush it; a tagged one matches an
 * entry of the same ASID, or a global entry.  Handing out ASIDs (how many are
 * live, roll-over) is the caller's business.
 */
#ifndef MMU_TLB_H
#define MMU_TLB_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/pgtable.h"
#include "mmu/phys.h"

struct tlb_geometry {
	unsigned entries, ways;		/* entries a multiple of ways; 0 entries: absent */
};

struct tlb_config {
	struct tlb_geometry l1i, l1d, l2;
	unsigned pwc_entries;		/* 0: no page-walk cache */
	bool asid_tagged;
};

enum tlb_access { TLB_FETCH, TLB_DATA };

/* Where a lookup was satisfied. */
enum tlb_hit { TLB_HIT_L1, TLB_HIT_L2, TLB_WALKED };

struct tlb_lookup {
	enum tlb_hit hit;
	unsigned walk_reads;		/* descriptors read from memory by the walk */
	unsigned pwc_hit_level;		/* deepest level whose table the PWC knew, +1; 0: none */
	unsigned page_shift;		/* 12, 21 or 30 */
};

enum { TLB_L1I, TLB_L1D, TLB_L2, TLB_NR_CACHES };

struct tlb_stats {
	uint64_t hits[TLB_NR_CACHES], misses[TLB_NR_CACHES];
	uint64_t walks, walk_reads, pwc_hits, pwc_misses, faults;
	uint64_t flushes_all, flushes_asid, flushes_page;
};

/* One cached translation. */
struct tlb_entry {
	bool valid, global;
	uint8_t shift;		/* page size */
	uint16_t asid;
	uint64_t tag;		/* va >> shift */
	uint64_t stamp;		/* last use, for LRU */
};

/* L1 entries that hit recently, per kind of access, by the low bits of the
 * 4 KiB page number: a lookup tries the one of its slot first.  A slot keeps
 * a copy of what a lookup compares, so the hit path reads no entry; slots
 * are emptied when their entry is replaced or flushed.  At most one entry of
 * an L1 cache translates a VA for an ASID (entries are filled only after a
 * miss), so a slot finds the entry the set search would.  32 slots: with
 * 8, sha256sum's stack page and its buffer's page shared one and 2.5
 * million lookups went out of line to the set search (issue 11). */
#define TLB_RECENT 32

struct tlb_recent {
	uint64_t tag;			/* the entry's va >> shift; UINT64_MAX: empty */
	struct tlb_entry *entry;
	uint16_t asid;
	uint16_t asid_mask;		/* 0: any ASID matches (global, or untagged) */
	uint8_t shift;
};

/* What the inline hit path reads and writes: the first member of every
 * struct tlb (the rest is private to mmu/tlb.c). */
struct tlb_front {
	struct tlb_recent recent[2][TLB_RECENT];	/* L1I, L1D */
	/* Per L1, the 4 KiB page and ASID of its last lookup if that hit or
	 * filled the L1 (UINT64_MAX: neither).  Until another lookup of that
	 * L1, its entry stays the most recently used of the cache: looking it
	 * up again only counts a hit, and every LRU choice stays the same. */
	uint64_t last_page[2];
	uint16_t last_asid[2];
	uint64_t clock;			/* LRU time */
	bool asid_tagged;
	struct tlb_stats stats;
};

struct tlb;

/* -EINVAL for a geometry whose entries are not a multiple of its ways. */
int tlb_create(const struct tlb_config *config, struct tlb **out);
void tlb_destroy(struct tlb *tlb);

/* Look `va` up for an access in ASID `asid`; on a miss, walk the tables at
 * `root`.  False when the walk finds no translation (the access faults). */
bool tlb_translate(struct tlb *tlb, struct phys *phys, phys_addr_t root, uint16_t asid, uint64_t va,
		   enum tlb_access access, struct tlb_lookup *out);

static inline struct tlb_recent *tlb_recent_slot(struct tlb_front *f, int l1, uint64_t va)
{
	return &f->recent[l1][(va >> 12) % TLB_RECENT];
}

/* The common case of tlb_translate(), inline: `va` hits the entry its L1's
 * last lookup hit or filled (counted, already the most recently used), or the recent
 * entry of its slot (counted and aged as tlb_translate() does); false
 * (nothing counted) otherwise. */
static inline __attribute__((always_inline)) bool
tlb_hit_recent(struct tlb *tlb, enum tlb_access access, uint16_t asid, uint64_t va)
{
	struct tlb_front *f = (struct tlb_front *)tlb;
	int l1 = access == TLB_FETCH ? TLB_L1I : TLB_L1D;
	uint64_t page = va >> 12;
	struct tlb_recent *r;

	if (!((page ^ f->last_page[l1]) | (uint64_t)(asid ^ f->last_asid[l1]))) {
		f->stats.hits[l1]++;
		return true;
	}
	r = tlb_recent_slot(f, l1, va);
	/* One branch: the tag and, unless any ASID matches, the ASID. */
	if (((va >> r->shift) ^ r->tag) | ((uint64_t)(asid ^ r->asid) & r->asid_mask))
		return false;
	f->stats.hits[l1]++;
	r->entry->stamp = ++f->clock;
	f->last_page[l1] = page;
	f->last_asid[l1] = asid;
	return true;
}

/* `n` lookups of `access` that hit the entry its L1's last lookup hit, as
 * tlb_hit_recent()'s first case counts them (a caller that knows its
 * lookups are that case counts them itself, and tells them here). */
static inline void tlb_count_last_hits(struct tlb *tlb, enum tlb_access access, uint64_t n)
{
	((struct tlb_front *)tlb)->stats.hits[access == TLB_FETCH ? TLB_L1I : TLB_L1D] += n;
}

static inline bool tlb_asid_tagged(const struct tlb *tlb)
{
	return ((const struct tlb_front *)tlb)->asid_tagged;
}

/* What the caches hold for `va` in `asid`, changing nothing (no ageing, no
 * counting): for people (--explain). */
struct tlb_probe {
	bool held[TLB_NR_CACHES];	/* an entry translating `va` is in that cache */
	int pwc_level;			/* the deepest upper level the PWC holds, -1: none */
};
void tlb_probe(struct tlb *tlb, uint16_t asid, uint64_t va, struct tlb_probe *out);
/* Call `fn` for each valid entry of each cache (TLB_L1I, TLB_L1D, TLB_L2,
 * in slot order), changing nothing: for people (the gdb stub's `monitor
 * tlb`). */
void tlb_for_each_entry(const struct tlb *tlb,
			void (*fn)(void *arg, int cache, const struct tlb_entry *e), void *arg);

void tlb_flush_all(struct tlb *tlb);
/* Every non-global entry of `asid` (all of them when untagged). */
void tlb_flush_asid(struct tlb *tlb, uint16_t asid);
/* The entries that translate `va` for `asid`, in every cache and the PWC
 * (as TLBI VAE1 does). */
void tlb_flush_page(struct tlb *tlb, uint16_t asid, uint64_t va);
/* The pages of [start, end) that non-global entries of `asid` still
 * translate (any cache; a block counts once), dropped without counting a
 * flush: how a checker takes out translations a flush should have removed.
 * `first` gets the lowest such page when there is one. */
unsigned tlb_take_range(struct tlb *tlb, uint16_t asid, uint64_t start, uint64_t end,
			uint64_t *first);

const struct tlb_stats *tlb_stats(const struct tlb *tlb);
/* Add the counters of `s` to `sum`. */
void tlb_stats_add(struct tlb_stats *sum, const struct tlb_stats *s);
/* "l1i", "l1d", "l2". */
const char *tlb_cache_name(int cache);

#endif
