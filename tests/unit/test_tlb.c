/*
 * mmu/tlb: hit and miss sequences computed by hand from the configured
 * geometry.  Set index = (va >> 12) % sets for 4 KiB pages; a cold walk
 * reads 4 descriptors (pgd, pud, pmd, pte); the page-walk cache (PWC) holds
 * upper-level descriptors, so a walk reads only the levels below the
 * deepest one it knows.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "mmu/tlb.h"

#define PG UINT64_C(4096)
#define BASE UINT64_C(0x40000000)	/* 1 GiB: pgd 0, pud 1 */

static struct phys *phys;
static phys_addr_t root;
static struct tlb *tlb;

static void setup(void)
{
	cr_assert_eq(phys_create(UINT64_C(16) << 20, &phys), 0);
	cr_assert_eq(pgtable_create(phys, &root), 0);
}

static void teardown(void)
{
	tlb_destroy(tlb);
	pgtable_put(phys, root, PGD_LEVEL);
	phys_destroy(phys);
}

TestSuite(tlb, .init = setup, .fini = teardown);

static void make_tlb(struct tlb_config config)
{
	cr_assert_eq(tlb_create(&config, &tlb), 0);
}

static void map(uint64_t va, unsigned prot)
{
	phys_addr_t pa;

	cr_assert_eq(phys_alloc(phys, FRAME_DATA, &pa), 0);
	cr_assert_eq(pgtable_map(phys, root, va, pa, prot), 0);
}

static enum tlb_hit access_as(uint16_t asid, uint64_t va, struct tlb_lookup *out)
{
	cr_assert(tlb_translate(tlb, phys, root, asid, va, TLB_DATA, out), "no translation for %#lx",
		  (unsigned long)va);
	return out->hit;
}

static enum tlb_hit data(uint64_t va)
{
	struct tlb_lookup l;

	return access_as(1, va, &l);
}

/* A page mapped at each step's va, then each walked in turn: the memory
 * reads of its walk, and the level below which the PWC knew it. */
struct walk_step {
	uint64_t va;
	unsigned reads, known;
};

static void expect_walks(const struct walk_step *steps, size_t n)
{
	struct tlb_lookup l;

	for (size_t i = 0; i < n; i++)
		map(steps[i].va, VM_READ);
	for (size_t i = 0; i < n; i++) {
		cr_expect_eq(access_as(1, steps[i].va, &l), TLB_WALKED);
		cr_expect_eq(l.walk_reads, steps[i].reads, "step %zu: %u reads", i, l.walk_reads);
		cr_expect_eq(l.pwc_hit_level, steps[i].known, "step %zu", i);
	}
}

/* L1d: 4 entries, 2 ways: 2 sets.  Pages 0, 2, 4 (from BASE) share set 0. */
Test(tlb, lru_evicts_the_least_recently_used_way)
{
	make_tlb((struct tlb_config){ .l1d = { 4, 2 } });
	for (int p = 0; p <= 4; p += 2)
		map(BASE + p * PG, VM_READ);
	cr_expect_eq(data(BASE), TLB_WALKED);		/* A: set0 = {A} */
	cr_expect_eq(data(BASE + 2 * PG), TLB_WALKED);	/* B: set0 = {A, B} */
	cr_expect_eq(data(BASE), TLB_HIT_L1);		/* A used last: B is LRU */
	cr_expect_eq(data(BASE + 4 * PG), TLB_WALKED);	/* C evicts B */
	cr_expect_eq(data(BASE), TLB_HIT_L1);		/* A survived */
	cr_expect_eq(data(BASE + 2 * PG), TLB_WALKED);	/* B was evicted; now C is LRU */
	cr_expect_eq(data(BASE + 4 * PG), TLB_WALKED);	/* so C went */
	cr_expect_eq(tlb_stats(tlb)->hits[TLB_L1D], 2);
	cr_expect_eq(tlb_stats(tlb)->misses[TLB_L1D], 5);
}

/* A hit on the entry the cache's last lookup hit is not aged again (it is
 * the most recently used already); a lookup of another entry in between,
 * a miss that fills the set included, must end that.  Same set as above:
 * A A B A C must evict B, as A A A B A C would. */
Test(tlb, a_repeated_hit_keeps_lru_order)
{
	make_tlb((struct tlb_config){ .l1d = { 4, 2 } });
	for (int p = 0; p <= 4; p += 2)
		map(BASE + p * PG, VM_READ);
	cr_expect_eq(data(BASE), TLB_WALKED);		/* A: set0 = {A} */
	cr_expect_eq(data(BASE), TLB_HIT_L1);		/* A again: the last hit */
	cr_expect_eq(data(BASE + 8), TLB_HIT_L1);	/* the same page */
	cr_expect_eq(data(BASE + 2 * PG), TLB_WALKED);	/* B fills: set0 = {A, B} */
	cr_expect_eq(data(BASE), TLB_HIT_L1);		/* A used last: B is LRU */
	cr_expect_eq(data(BASE + 4 * PG), TLB_WALKED);	/* C evicts B */
	cr_expect_eq(data(BASE + 16), TLB_HIT_L1);	/* A survived */
	cr_expect_eq(data(BASE + 2 * PG), TLB_WALKED);	/* B was evicted */
	cr_expect_eq(tlb_stats(tlb)->hits[TLB_L1D], 4);
	cr_expect_eq(tlb_stats(tlb)->misses[TLB_L1D], 4);
}

/*
 * The entry a miss filled is the L1's most recent: the next lookup of its
 * page hits inline (tlb_hit_recent), and LRU is as if it had been looked
 * up the long way.  One set of 2 ways: A (walk), A (hit inline), A (hit),
 * B (walk), A (hit), C (walk: evicts B, the least recently used), B (walk:
 * evicts A), A (walk).  3 hits, 5 misses.
 */
Test(tlb, the_entry_a_miss_filled_hits_inline)
{
	static const struct { uint64_t va; enum tlb_hit hit; } steps[] = {
		{ BASE + PG, TLB_HIT_L1 }, { BASE + 2 * PG, TLB_WALKED }, { BASE + PG, TLB_HIT_L1 },
		{ BASE + 3 * PG, TLB_WALKED }, { BASE + 2 * PG, TLB_WALKED }, { BASE + PG, TLB_WALKED },
	};

	make_tlb((struct tlb_config){ .l1d = { 2, 2 } });
	for (uint64_t p = 1; p <= 3; p++)
		map(BASE + p * PG, VM_READ);
	cr_expect_eq(data(BASE + PG), TLB_WALKED);
	cr_expect(tlb_hit_recent(tlb, TLB_DATA, 1, BASE + PG + 8), "the filled entry hits inline");
	for (size_t i = 0; i < G_N_ELEMENTS(steps); i++)
		cr_expect_eq(data(steps[i].va), steps[i].hit, "step %zu", i);
	cr_expect_eq(tlb_stats(tlb)->hits[TLB_L1D], 3);
	cr_expect_eq(tlb_stats(tlb)->misses[TLB_L1D], 5);
}

/* L1d of one entry: A hits (the lookup remembers it), B takes its place:
 * A must miss again, however recently it hit. */
Test(tlb, an_evicted_entry_that_hit_recently_misses)
{
	make_tlb((struct tlb_config){ .l1d = { 1, 1 } });
	map(BASE, VM_READ);
	map(BASE + PG, VM_READ);
	cr_expect_eq(data(BASE), TLB_WALKED);
	cr_expect_eq(data(BASE), TLB_HIT_L1);
	cr_expect_eq(data(BASE), TLB_HIT_L1);
	cr_expect_eq(data(BASE + PG), TLB_WALKED);	/* evicts A */
	cr_expect_eq(data(BASE), TLB_WALKED);
	cr_expect_eq(tlb_stats(tlb)->hits[TLB_L1D], 2);
	cr_expect_eq(tlb_stats(tlb)->misses[TLB_L1D], 3);
}

/* An L1 miss that hits L2 refills L1 without a walk. */
Test(tlb, l2_backs_l1)
{
	make_tlb((struct tlb_config){ .l1d = { 2, 2 }, .l2 = { 8, 2 } });
	for (int p = 0; p < 3; p++)
		map(BASE + p * PG, VM_READ);
	data(BASE);
	data(BASE + PG);
	data(BASE + 2 * PG);				/* L1 (1 set, 2 ways) drops BASE */
	cr_expect_eq(data(BASE), TLB_HIT_L2);
	cr_expect_eq(data(BASE), TLB_HIT_L1);
	cr_expect_eq(tlb_stats(tlb)->walks, 3);
}

Test(tlb, asid_tagged_entries_are_isolated)
{
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 8, 2 }, .asid_tagged = true });
	map(BASE, VM_READ);
	cr_expect_eq(access_as(1, BASE, &l), TLB_WALKED);
	cr_expect_eq(access_as(2, BASE, &l), TLB_WALKED, "ASID 2 must not use ASID 1's entry");
	cr_expect_eq(access_as(1, BASE, &l), TLB_HIT_L1);
	tlb_flush_asid(tlb, 1);
	cr_expect_eq(access_as(1, BASE, &l), TLB_WALKED);
	cr_expect_eq(access_as(2, BASE, &l), TLB_HIT_L1, "flushing ASID 1 kept ASID 2");
}

/* After a hit, the entry is the recent one of its slot (tlb_hit_recent):
 * that shortcut must check the ASID too. */
Test(tlb, a_recent_hit_is_isolated_by_asid)
{
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 8, 2 }, .asid_tagged = true });
	map(BASE, VM_READ);
	cr_expect_eq(access_as(1, BASE, &l), TLB_WALKED);
	cr_expect_eq(access_as(1, BASE, &l), TLB_HIT_L1);
	cr_expect(tlb_hit_recent(tlb, TLB_DATA, 1, BASE), "ASID 1's entry is the recent one");
	cr_expect_not(tlb_hit_recent(tlb, TLB_DATA, 2, BASE), "ASID 2 must not hit ASID 1's entry");
	cr_expect_eq(access_as(2, BASE, &l), TLB_WALKED);
	cr_expect_eq(tlb_stats(tlb)->hits[TLB_L1D], 2);
}

/* The recent slots go by the low five bits of the page number: the stack's
 * top page and a data page that share only their low three bits (one slot
 * when there were 8, as sha256sum's loop met them: issue 11) both stay
 * recent when looked up in turn. */
Test(tlb, pages_eight_apart_are_both_recent)
{
	uint64_t stack = UINT64_C(0x7ffffffff000), heap = BASE + 7 * PG;

	make_tlb((struct tlb_config){ .l1d = { 64, 4 }, .asid_tagged = true });
	map(stack, VM_READ | VM_WRITE);
	map(heap, VM_READ | VM_WRITE);
	cr_expect_eq(data(stack), TLB_WALKED);
	cr_expect_eq(data(heap), TLB_WALKED);
	cr_expect_eq(data(stack), TLB_HIT_L1);
	cr_expect_eq(data(heap), TLB_HIT_L1);
	for (int i = 0; i < 2; i++) {
		cr_expect(tlb_hit_recent(tlb, TLB_DATA, 1, stack), "the stack page is recent");
		cr_expect(tlb_hit_recent(tlb, TLB_DATA, 1, heap), "the data page is recent");
	}
	cr_expect_eq(tlb_stats(tlb)->hits[TLB_L1D], 6);
}

Test(tlb, untagged_entries_match_any_asid)
{
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 8, 2 }, .asid_tagged = false });
	map(BASE, VM_READ);
	access_as(1, BASE, &l);
	cr_expect_eq(access_as(2, BASE, &l), TLB_HIT_L1);
}

/* A page mapped without nG (here: the EL1 trampoline kind) is global. */
Test(tlb, global_entries_survive_an_asid_flush)
{
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 8, 2 }, .asid_tagged = true });
	map(BASE, VM_KERNEL_EXEC);
	map(BASE + PG, VM_READ);
	access_as(1, BASE, &l);
	access_as(1, BASE + PG, &l);
	cr_expect_eq(access_as(2, BASE, &l), TLB_HIT_L1, "global: any ASID");
	tlb_flush_asid(tlb, 1);
	cr_expect_eq(access_as(1, BASE, &l), TLB_HIT_L1, "global entries outlive ASID flushes");
	cr_expect_eq(access_as(1, BASE + PG, &l), TLB_WALKED);
	tlb_flush_all(tlb);
	cr_expect_eq(access_as(1, BASE, &l), TLB_WALKED);
}

/*
 * PWC with 8 entries and no TLB worth the name (1 entry): every access walks.
 *   BASE            cold: 4 reads; PWC learns pgd[0], pud[1], pmd[0]
 *   BASE + 4K       same 2 MiB: pmd known -> reads only the pte: 1
 *   BASE + 2M       same 1 GiB, new 2 MiB: pud known -> pmd + pte: 2
 *   BASE + 1G       same 512 GiB: pgd known -> pud + pmd + pte: 3
 *   512 GiB         new pgd slot: nothing known -> 4
 */
Test(tlb, page_walk_cache_shortens_walks)
{
	static const struct walk_step steps[] = {
		{ BASE, 4, 0 }, { BASE + PG, 1, 3 }, { BASE + (2 << 20), 2, 2 },
		{ BASE + (UINT64_C(1) << 30), 3, 1 }, { UINT64_C(1) << 39, 4, 0 },
	};

	make_tlb((struct tlb_config){ .l1d = { 1, 1 }, .pwc_entries = 8 });
	expect_walks(steps, G_N_ELEMENTS(steps));
	cr_expect_eq(tlb_stats(tlb)->walk_reads, 4 + 1 + 2 + 3 + 4);
}

/*
 * A PWC of 2 entries: a walk's own fills evict the entries it found, and
 * an evicted level is cached again.  By hand (LRU over the PWC):
 *   BASE       nothing known, 4 reads; fills pgd, pud, then pmd over the
 *              pgd: {pmd, pud}
 *   BASE + 4K  pmd known (aged), 1 read; pgd over the pud, the pud again
 *              over the pmd, the pmd again over the pgd: {pmd, pud}
 *   BASE + 2M  pud known, 2 reads (the pmd and the pte)
 */
Test(tlb, a_walk_caches_again_what_its_fills_evicted)
{
	static const struct walk_step steps[] = {
		{ BASE, 4, 0 }, { BASE + PG, 1, 3 }, { BASE + (2 << 20), 2, 2 },
	};

	make_tlb((struct tlb_config){ .l1d = { 1, 1 }, .pwc_entries = 2 });
	expect_walks(steps, G_N_ELEMENTS(steps));
}

/*
 * Tagged: the PWC's entries are an ASID's.  By hand: ASID 1 walks BASE
 * cold (4 reads); ASID 2 walks it cold too (ASID 1's entries are not its
 * own: 4 reads); ASID 1 walks BASE + 4K knowing its pmd (1 read), though
 * the last walk's entries were ASID 2's.
 */
Test(tlb, page_walk_cache_entries_are_an_asids)
{
	static const struct { uint16_t asid; uint64_t va; unsigned reads, known; } steps[] = {
		{ 1, BASE, 4, 0 }, { 2, BASE, 4, 0 }, { 1, BASE + PG, 1, 3 },
	};
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 1, 1 }, .pwc_entries = 8, .asid_tagged = true });
	map(BASE, VM_READ);
	map(BASE + PG, VM_READ);
	for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
		cr_expect_eq(access_as(steps[i].asid, steps[i].va, &l), TLB_WALKED);
		cr_expect_eq(l.walk_reads, steps[i].reads, "step %zu: %u reads", i, l.walk_reads);
		cr_expect_eq(l.pwc_hit_level, steps[i].known, "step %zu", i);
	}
}

Test(tlb, without_pwc_every_walk_reads_four_levels)
{
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 1, 1 } });
	map(BASE, VM_READ);
	map(BASE + PG, VM_READ);
	access_as(1, BASE, &l);
	access_as(1, BASE + PG, &l);
	cr_expect_eq(l.walk_reads, 4);
}

/* A 2 MiB block written by hand at level 2 (valid, bit 1 clear, AF, user
 * read-only, nG): one walk of 3 reads, then one entry covers all 512 pages. */
Test(tlb, a_block_entry_covers_two_megabytes)
{
	pte_t *pmd, entries[PGTABLE_LEVELS];
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 8, 2 } });
	map(BASE, VM_READ);				/* builds the pgd, pud and pmd tables */
	pgtable_walk_levels(phys, root, BASE, entries);
	/* The level-2 table is the one the level-1 (pud) entry points to; the
	 * block maps PA 2 MiB, which the model never touches. */
	pmd = (pte_t *)phys_to_host(phys, pte_addr(entries[PUD_LEVEL])) +
	      pgtable_index(BASE + (2 << 20), PMD_LEVEL);
	*pmd = (UINT64_C(2) << 20) | PTE_VALID | PTE_USER | PTE_RDONLY | PTE_SH_INNER | PTE_AF | PTE_NG;
	cr_expect_eq(access_as(1, BASE + (2 << 20), &l), TLB_WALKED);
	cr_expect_eq(l.walk_reads, 3);
	cr_expect_eq(l.page_shift, 21);
	cr_expect_eq(access_as(1, BASE + (2 << 20) + 511 * PG, &l), TLB_HIT_L1);
	cr_expect_eq(tlb_stats(tlb)->walks, 1, "one walk for the whole block");
	*pmd = 0;	/* not a table: keep pgtable_put from following it */
}

/* A level-0 entry written valid with bit 1 clear (a journal may hold any
 * value) is no 512 GiB block: the 4 KiB granule has none at level 0, and
 * the architecture makes it a translation fault at level 0.  The walk reads
 * that one entry and faults; nothing is filled, and a table walk of the mm
 * (pgtable_leaf) finds no page there. */
Test(tlb, a_level_0_entry_without_the_table_bit_faults)
{
	pte_t *pgd, saved;
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 8, 2 }, .l2 = { 16, 4 } });
	map(BASE, VM_READ);
	pgd = (pte_t *)phys_to_host(phys, root) + pgtable_index(BASE, PGD_LEVEL);
	saved = *pgd;
	*pgd = PTE_VALID | PTE_USER | PTE_AF;	/* a "block" of PA 0 */
	cr_expect_not(tlb_translate(tlb, phys, root, 1, BASE, TLB_DATA, &l));
	cr_expect_eq(l.walk_reads, 1);
	cr_expect_eq(tlb_stats(tlb)->faults, 1);
	cr_expect_eq(pgtable_leaf(phys, root, BASE), 0);
	*pgd = saved;
	cr_expect_eq(data(BASE), TLB_WALKED, "the table again: walked, nothing was filled");
}

/* A block's entry is the recent one of every page that hit it: when it is
 * evicted, no slot may keep it (only a page's entry has one slot). */
Test(tlb, an_evicted_block_leaves_no_recent_slot)
{
	uint64_t block = BASE + (2 << 20);
	pte_t *pmd, entries[PGTABLE_LEVELS];
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 1, 1 } });
	map(BASE, VM_READ);
	pgtable_walk_levels(phys, root, BASE, entries);
	pmd = (pte_t *)phys_to_host(phys, pte_addr(entries[PUD_LEVEL])) +
	      pgtable_index(block, PMD_LEVEL);
	*pmd = (UINT64_C(2) << 20) | PTE_VALID | PTE_USER | PTE_RDONLY | PTE_SH_INNER | PTE_AF | PTE_NG;
	cr_expect_eq(access_as(1, block, &l), TLB_WALKED);
	cr_expect_eq(access_as(1, block, &l), TLB_HIT_L1);
	cr_expect_eq(access_as(1, block + 3 * PG, &l), TLB_HIT_L1);
	cr_expect_eq(data(BASE), TLB_WALKED);		/* evicts the block */
	cr_expect_not(tlb_hit_recent(tlb, TLB_DATA, 1, block + 3 * PG));
	cr_expect_not(tlb_hit_recent(tlb, TLB_DATA, 1, block));
	cr_expect_eq(access_as(1, block + 3 * PG, &l), TLB_WALKED);
	*pmd = 0;	/* not a table: keep pgtable_put from following it */
}

Test(tlb, flushing_a_page_drops_it_everywhere)
{
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 8, 2 }, .l2 = { 16, 4 }, .pwc_entries = 4 });
	map(BASE, VM_READ);
	map(BASE + PG, VM_READ);
	access_as(1, BASE, &l);
	access_as(1, BASE + PG, &l);
	tlb_flush_page(tlb, 1, BASE);
	cr_expect_eq(access_as(1, BASE, &l), TLB_WALKED, "neither L1 nor L2 may keep it");
	cr_expect_eq(l.walk_reads, 4, "the walk-cache entries on its path went too");
	cr_expect_eq(access_as(1, BASE + PG, &l), TLB_HIT_L1, "other pages stay");
}

/* A page's flush looks only in the sets its address indexes, one a page
 * size: a 2 MiB block's entry, placed by its own tag, is found there too,
 * in L1 (3 sets) and L2 (5 sets, neither a power of two); another ASID's
 * entry for the page stays. */
Test(tlb, flushing_a_page_of_a_block_drops_the_block)
{
	uint64_t block = BASE + (2 << 20);
	pte_t *pmd, entries[PGTABLE_LEVELS];
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 6, 2 }, .l2 = { 10, 2 }, .asid_tagged = true });
	map(BASE, VM_READ);
	pgtable_walk_levels(phys, root, BASE, entries);
	pmd = (pte_t *)phys_to_host(phys, pte_addr(entries[PUD_LEVEL])) + pgtable_index(block, PMD_LEVEL);
	*pmd = (UINT64_C(2) << 20) | PTE_VALID | PTE_USER | PTE_RDONLY | PTE_SH_INNER | PTE_AF | PTE_NG;
	cr_expect_eq(access_as(1, block, &l), TLB_WALKED);
	cr_expect_eq(access_as(2, block, &l), TLB_WALKED);
	tlb_flush_page(tlb, 1, block + 300 * PG);
	cr_expect_eq(access_as(1, block + 7 * PG, &l), TLB_WALKED, "the block's entry must go from L1 and L2");
	cr_expect_eq(access_as(2, block + 7 * PG, &l), TLB_HIT_L1, "ASID 2's entry stays");
	*pmd = 0;	/* not a table: keep pgtable_put from following it */
}

/* Arm caches no failed walk: mapping the page afterwards needs no flush. */
Test(tlb, a_fault_caches_nothing)
{
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1d = { 8, 2 }, .l2 = { 16, 4 } });
	cr_expect_not(tlb_translate(tlb, phys, root, 1, BASE, TLB_DATA, &l));
	cr_expect_eq(tlb_stats(tlb)->faults, 1);
	map(BASE, VM_READ);
	cr_expect_eq(access_as(1, BASE, &l), TLB_WALKED);
}

Test(tlb, fetches_and_loads_use_their_own_l1)
{
	struct tlb_lookup l;

	make_tlb((struct tlb_config){ .l1i = { 4, 2 }, .l1d = { 4, 2 } });
	map(BASE, VM_READ | VM_EXEC);
	cr_assert(tlb_translate(tlb, phys, root, 1, BASE, TLB_FETCH, &l));
	cr_expect_eq(l.hit, TLB_WALKED);
	cr_expect_eq(access_as(1, BASE, &l), TLB_WALKED, "the L1 data TLB is separate");
	cr_assert(tlb_translate(tlb, phys, root, 1, BASE, TLB_FETCH, &l));
	cr_expect_eq(l.hit, TLB_HIT_L1);
}

Test(tlb, geometry_must_divide_into_sets)
{
	struct tlb *bad = NULL;

	cr_expect_eq(tlb_create(&(struct tlb_config){ .l1d = { 6, 4 } }, &bad), -EINVAL);
	make_tlb((struct tlb_config){ 0 });
}

/* tlb_probe (--explain) says where `va` is cached and changes nothing: the
 * counters stay, and the LRU order too (A probed last is still evicted
 * first when it was used first). */
Test(tlb, probe_reads_without_ageing_or_counting)
{
	struct tlb_stats before;
	struct tlb_probe p;

	make_tlb((struct tlb_config){ .l1d = { 4, 2 }, .l2 = { 8, 2 }, .pwc_entries = 4 });
	for (int pg = 0; pg <= 4; pg += 2)
		map(BASE + pg * PG, VM_READ);
	tlb_probe(tlb, 1, BASE, &p);
	cr_expect(!p.held[TLB_L1I] && !p.held[TLB_L1D] && !p.held[TLB_L2]);
	cr_expect_eq(p.pwc_level, -1);
	data(BASE);			/* A */
	data(BASE + 2 * PG);		/* B: A is now LRU in set 0 */
	before = *tlb_stats(tlb);
	tlb_probe(tlb, 1, BASE, &p);
	cr_expect(!p.held[TLB_L1I] && p.held[TLB_L1D] && p.held[TLB_L2]);
	cr_expect_eq(p.pwc_level, PMD_LEVEL, "the walk cached levels 0-2");
	cr_expect_eq(memcmp(&before, tlb_stats(tlb), sizeof(before)), 0, "nothing counted");
	data(BASE + 4 * PG);		/* C evicts A, the LRU, despite the probe */
	tlb_probe(tlb, 1, BASE, &p);
	cr_expect(!p.held[TLB_L1D] && p.held[TLB_L2]);
	tlb_probe(tlb, 2, BASE, &p);
	cr_expect(p.held[TLB_L2], "untagged: any ASID matches");
}
