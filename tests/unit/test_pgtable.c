/*
 * pgtable: AArch64 stage-1 descriptors (4 KiB granule, 4 levels), the
 * walkers, table-page accounting and shared subtrees.
 *
 * Expected descriptors are assembled from the Arm ARM bit positions, not
 * from the code:
 *   valid [0] = 0x1, table/page [1] = 0x2, AttrIndx [4:2] = 0,
 *   AP[1] (EL0 access) [6] = 0x40, AP[2] (read-only) [7] = 0x80,
 *   SH inner shareable [9:8] = 0x300, AF [10] = 0x400, nG [11] = 0x800,
 *   PXN [53] = 0x0020000000000000, UXN [54] = 0x0040000000000000.
 *
 * Physical addresses follow from the allocator on a fresh RAM: frame 0 is
 * reserved and fresh frames come in ascending order, so the root is 0x1000
 * and the next frames are 0x2000, 0x3000, ...
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <glib.h>

#include "mmu/pgtable.h"
#include "mmu/phys.h"

#define KiB UINT64_C(1024)
#define MiB (KiB * 1024)
#define GiB (MiB * 1024)

#define AP_EL0	UINT64_C(0x40)
#define AP_RO	UINT64_C(0x80)
#define PXN	(UINT64_C(1) << 53)
#define UXN	(UINT64_C(1) << 54)
/* valid | page | SH inner | AF | nG, common to every user page. */
#define USER_PAGE_BITS (UINT64_C(0x3) | 0x300 | 0x400 | 0x800)

/*
 * The VA used throughout: 0x0000_7f12_3456_7000.
 *   level 0: VA >> 39 = 0x7f1 >> 3         = 0xfe                  = 254
 *   level 1: VA >> 30 = 0x7f123 >> 2       = 0x1fc48,  & 0x1ff = 0x048 = 72
 *   level 2: VA >> 21 = 0x7f12345 >> 1     = 0x3f891a2, & 0x1ff = 0x1a2 = 418
 *   level 3: VA >> 12 = 0x7f1234567,         & 0x1ff = 0x167          = 359
 */
#define VA UINT64_C(0x00007f1234567000)
static const unsigned va_index[PGTABLE_LEVELS] = { 254, 72, 418, 359 };

static struct phys *phys;
static phys_addr_t root;

static void setup_ram(uint64_t size)
{
	cr_assert_eq(phys_create(size, &phys), 0);
	cr_assert_eq(pgtable_create(phys, &root), 0);
	cr_assert_eq(root, 0x1000, "the first frame after the reserved frame 0");
}

static void setup(void)
{
	setup_ram(64 * MiB);
}

/* 4 frames: 0 reserved, the root at 0x1000, two more. */
static void setup_tiny(void)
{
	setup_ram(4 * 4 * KiB);
}

static void teardown(void)
{
	phys_destroy(phys);
}

TestSuite(pgtable, .init = setup, .fini = teardown);
TestSuite(pgtable_tiny, .init = setup_tiny, .fini = teardown);

static uint64_t tables_in_use(void)
{
	return phys_in_use(phys, FRAME_PGTABLE);
}

/* A new data frame mapped at `va`; returns its physical address. */
static phys_addr_t map_new_page(uint64_t va, unsigned prot)
{
	phys_addr_t pa;

	cr_assert_eq(phys_alloc(phys, FRAME_DATA, &pa), 0);
	cr_assert_eq(pgtable_map(phys, root, va, pa, prot), 0);
	return pa;
}

/* Entry `index` of the table page at `table`, read from simulated RAM. */
static pte_t *entry_in(phys_addr_t table, unsigned index)
{
	return (pte_t *)phys_to_host(phys, table + index * sizeof(pte_t));
}

static void expect_walk(phys_addr_t pgd, uint64_t va, int levels, const pte_t *expected)
{
	pte_t got[PGTABLE_LEVELS] = { 0 };

	cr_assert_eq(pgtable_walk_levels(phys, pgd, va, got), levels,
		     "levels read for %#llx", (unsigned long long)va);
	for (int l = 0; l < levels; l++)
		cr_expect_eq(got[l], expected[l], "level %d: %#llx, expected %#llx", l,
			     (unsigned long long)got[l], (unsigned long long)expected[l]);
}

Test(pgtable, indices_of_a_known_va)
{
	for (int l = PGD_LEVEL; l < PGTABLE_LEVELS; l++)
		cr_expect_eq(pgtable_index(VA, l), va_index[l], "level %d", l);
	cr_expect_eq(pgtable_span(PGD_LEVEL), 512 * GiB);
	cr_expect_eq(pgtable_span(PUD_LEVEL), 1 * GiB);
	cr_expect_eq(pgtable_span(PMD_LEVEL), 2 * MiB);
	cr_expect_eq(pgtable_span(PTE_LEVEL), 4 * KiB);
}

struct encoding {
	unsigned prot;
	pte_t desc;		/* for pa 0x12345000 */
	unsigned decoded;	/* what pte_prot() must give back */
};

static const struct encoding encodings[] = {
	/* RW, no execute anywhere. */
	{ VM_READ | VM_WRITE, 0x12345000 | USER_PAGE_BITS | AP_EL0 | PXN | UXN, VM_READ | VM_WRITE },
	{ VM_READ, 0x12345000 | USER_PAGE_BITS | AP_EL0 | AP_RO | PXN | UXN, VM_READ },
	/* EL0-executable: UXN clear, PXN still set. */
	{ VM_READ | VM_EXEC, 0x12345000 | USER_PAGE_BITS | AP_EL0 | AP_RO | PXN, VM_READ | VM_EXEC },
	{ VM_READ | VM_WRITE | VM_EXEC, 0x12345000 | USER_PAGE_BITS | AP_EL0 | PXN,
	  VM_READ | VM_WRITE | VM_EXEC },
	/* AArch64 has no write-only or execute-only EL0 page: read comes along. */
	{ VM_WRITE, 0x12345000 | USER_PAGE_BITS | AP_EL0 | PXN | UXN, VM_READ | VM_WRITE },
	{ VM_EXEC, 0x12345000 | USER_PAGE_BITS | AP_EL0 | AP_RO | PXN, VM_READ | VM_EXEC },
	/* PROT_NONE: valid, but no EL0 access bit; read-only for EL1, never executable. */
	{ VM_NONE, 0x12345000 | USER_PAGE_BITS | AP_RO | PXN | UXN, VM_NONE },
	/* EL1 trampoline: read-only, executable at EL1 but not at EL0 (UXN set:
	 * without AP_EL0, EL0 still executes a page whose UXN is clear), global
	 * (nG clear). */
	{ VM_KERNEL_EXEC, 0x12345000 | 0x3 | 0x300 | 0x400 | AP_RO | UXN, VM_KERNEL_EXEC },
};

Test(pgtable, page_descriptor_encoding_and_decoding)
{
	for (size_t i = 0; i < G_N_ELEMENTS(encodings); i++) {
		const struct encoding *e = &encodings[i];
		pte_t got = pte_mk_page(0x12345000, e->prot);

		cr_expect_eq(got, e->desc, "prot %u: %#018llx, expected %#018llx", e->prot,
			     (unsigned long long)got, (unsigned long long)e->desc);
		cr_expect_eq(pte_prot(e->desc), e->decoded, "prot %u decodes as %u", e->prot,
			     pte_prot(e->desc));
	}
	/* The literal from the AArch64 format, for the most common case. */
	cr_expect_eq(pte_mk_page(0x2000, VM_READ | VM_WRITE), UINT64_C(0x0060000000002f43));
}

Test(pgtable, descriptors_keep_only_output_address_bits)
{
	/* Bits [11:0] and [63:48] of a "physical address" are not address. */
	cr_expect_eq(pte_mk_page(UINT64_C(0xffff000012345abc), VM_READ | VM_WRITE),
		     UINT64_C(0x0060000012345f43));
	cr_expect_eq(pte_mk_table(0x5000), 0x5003);
	cr_expect_eq(pte_mk_table(UINT64_C(0xabcdef123000)), UINT64_C(0xabcdef123003));
	cr_expect_eq(pte_addr(UINT64_C(0x0060000012345f43)), 0x12345000);
}

Test(pgtable, first_page_builds_three_tables_below_the_root)
{
	/* data 0x2000, then level-1 0x3000, level-2 0x4000, level-3 0x5000. */
	const pte_t expected[] = { 0x3003, 0x4003, 0x5003, UINT64_C(0x0060000000002f43) };
	phys_addr_t pa = map_new_page(VA, VM_READ | VM_WRITE);

	cr_assert_eq(pa, 0x2000);
	cr_expect_eq(tables_in_use(), 4, "root + 3");
	expect_walk(root, VA, 4, expected);
	/* Each entry sits at table + 8 * index. */
	cr_expect_eq(*entry_in(0x1000, 254), 0x3003);
	cr_expect_eq(*entry_in(0x3000, 72), 0x4003);
	cr_expect_eq(*entry_in(0x4000, 418), 0x5003);
	cr_expect_eq(*entry_in(0x5000, 359), UINT64_C(0x0060000000002f43));
	cr_expect_eq(pgtable_walk(phys, root, VA), entry_in(0x5000, 359));
	cr_expect_eq(phys_kind(phys, 0x5000), FRAME_PGTABLE);
	pgtable_put(phys, root, PGD_LEVEL);
}

Test(pgtable, translate_adds_the_page_offset)
{
	phys_addr_t pa = 0;
	unsigned prot = 99;

	map_new_page(VA, VM_READ | VM_EXEC);
	cr_assert(pgtable_translate(phys, root, VA + 0xabc, &pa, &prot));
	cr_expect_eq(pa, 0x2abc);
	cr_expect_eq(prot, VM_READ | VM_EXEC);
	cr_expect_not(pgtable_translate(phys, root, VA + 0x1000, &pa, &prot), "next page");
	cr_expect_not(pgtable_translate(phys, root, VA - 512 * GiB, &pa, &prot), "no table");
	cr_expect_null(pgtable_walk(phys, root, VA - 512 * GiB));
	pgtable_put(phys, root, PGD_LEVEL);
}

Test(pgtable, walk_levels_stops_at_the_first_invalid_entry)
{
	const pte_t l0_missing[] = { 0 };
	const pte_t l1_missing[] = { 0x3003, 0 };
	const pte_t l2_missing[] = { 0x3003, 0x4003, 0 };
	const pte_t l3_missing[] = { 0x3003, 0x4003, 0x5003, 0 };

	map_new_page(VA, VM_READ | VM_WRITE);
	expect_walk(root, VA + 512 * GiB, 1, l0_missing);	/* level-0 index 255 */
	expect_walk(root, VA + 1 * GiB, 2, l1_missing);		/* level-1 index 73 */
	expect_walk(root, VA + 2 * MiB, 3, l2_missing);		/* level-2 index 419 */
	expect_walk(root, VA + 4 * KiB, 4, l3_missing);		/* level-3 index 360 */
	pgtable_put(phys, root, PGD_LEVEL);
}

Test(pgtable, mapping_a_mapped_va_is_eexist)
{
	phys_addr_t other;

	map_new_page(VA, VM_READ);
	cr_assert_eq(phys_alloc(phys, FRAME_DATA, &other), 0);
	cr_expect_eq(pgtable_map(phys, root, VA, other, VM_READ | VM_WRITE), -EEXIST);
	cr_expect_eq(*entry_in(0x5000, 359), 0x2000 | USER_PAGE_BITS | AP_EL0 | AP_RO | PXN | UXN);
	cr_expect_eq(tables_in_use(), 4);
	phys_put(phys, other);
	pgtable_put(phys, root, PGD_LEVEL);
}

Test(pgtable, table_pages_needed_by_distance)
{
	struct { uint64_t va; uint64_t tables; } steps[] = {
		{ VA, 4 },			/* root + levels 1-3 */
		{ VA + 4 * KiB, 4 },		/* same level-3 table */
		{ VA + 2 * MiB, 5 },		/* new level-3 table */
		{ VA + 1 * GiB, 7 },		/* new level-2 and level-3 tables */
		{ VA + 512 * GiB, 10 },		/* new level-1, level-2, level-3 tables */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
		map_new_page(steps[i].va, VM_READ | VM_WRITE);
		cr_expect_eq(tables_in_use(), steps[i].tables, "after mapping %#llx",
			     (unsigned long long)steps[i].va);
	}
	cr_expect_eq(pgtable_unmap_range(phys, root, 0, UINT64_C(1) << VA_BITS), 5);
	cr_expect_eq(tables_in_use(), 1, "only the root is left");
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
	cr_expect_eq(*entry_in(root, 254), 0);
	cr_expect_eq(*entry_in(root, 255), 0);
	pgtable_put(phys, root, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 0);
}

Test(pgtable, unmap_frees_only_tables_it_empties)
{
	map_new_page(VA, VM_READ | VM_WRITE);
	map_new_page(VA + 4 * KiB, VM_READ | VM_WRITE);
	map_new_page(VA + 2 * MiB, VM_READ | VM_WRITE);
	cr_assert_eq(tables_in_use(), 5);

	cr_expect_eq(pgtable_unmap_range(phys, root, VA + 2 * MiB, VA + 2 * MiB + 4 * KiB), 1);
	cr_expect_eq(tables_in_use(), 4, "the second level-3 table went");
	cr_expect_eq(*entry_in(0x4000, 419), 0);

	cr_expect_eq(pgtable_unmap_range(phys, root, VA, VA + 4 * KiB), 1);
	cr_expect_eq(tables_in_use(), 4, "VA + 4 KiB still uses the first level-3 table");
	cr_expect_eq(*entry_in(0x5000, 359), 0);
	cr_expect_eq(pte_addr(*entry_in(0x5000, 360)), 0x6000, "the second page's frame");

	cr_expect_eq(pgtable_unmap_range(phys, root, VA + 1 * GiB, VA + 2 * GiB), 0);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 1);
	pgtable_put(phys, root, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 0);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
}

Test(pgtable, prot_none_is_valid_without_el0_access)
{
	phys_addr_t pa = 0;
	unsigned prot = 99;
	pte_t e;

	map_new_page(VA, VM_NONE);
	e = *pgtable_walk(phys, root, VA);
	cr_expect(e & 0x1, "valid: the page stays allocated and mapped");
	cr_expect_not(e & AP_EL0, "EL0 may not touch it");
	cr_expect(pgtable_translate(phys, root, VA, &pa, &prot));
	cr_expect_eq(pa, 0x2000);
	cr_expect_eq(prot, VM_NONE);
	pgtable_put(phys, root, PGD_LEVEL);
}

Test(pgtable, putting_the_root_frees_every_frame_below)
{
	map_new_page(VA, VM_READ | VM_WRITE);
	map_new_page(VA + 1 * GiB, VM_READ);
	map_new_page(VA + 512 * GiB, VM_READ | VM_EXEC);
	cr_assert_eq(tables_in_use(), 1 + 3 + 2 + 3);
	cr_assert_eq(phys_in_use(phys, FRAME_DATA), 3);
	pgtable_put(phys, root, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 0);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
}

/* Hang a new empty table under entry `index` of `parent`; returns it. */
static phys_addr_t hang_new_table(phys_addr_t parent, unsigned index)
{
	phys_addr_t table;

	cr_assert_eq(pgtable_create(phys, &table), 0);
	*entry_in(parent, index) = pte_mk_table(table);	/* the entry owns the reference */
	return table;
}

Test(pgtable, shared_level3_table_lives_until_its_last_parent_lets_go)
{
	phys_addr_t root_b, l1_b, l2_b, pa = 0;
	unsigned prot;
	const pte_t leaf = UINT64_C(0x0060000000002f43);

	map_new_page(VA, VM_READ | VM_WRITE);	/* A: root 0x1000, data 0x2000, tables 0x3000-0x5000 */
	cr_assert_eq(pgtable_create(phys, &root_b), 0);
	l1_b = hang_new_table(root_b, 254);
	l2_b = hang_new_table(l1_b, 72);
	cr_assert_eq(root_b, 0x6000);
	cr_assert_eq(l2_b, 0x8000);
	phys_get(phys, 0x5000);			/* B's level-2 entry takes a reference */
	*entry_in(l2_b, 418) = pte_mk_table(0x5000);

	cr_expect_eq(phys_refcount(phys, 0x5000), 2);
	cr_expect_eq(tables_in_use(), 7);
	expect_walk(root_b, VA, 4, (const pte_t[]){ 0x7003, 0x8003, 0x5003, leaf });

	pgtable_put(phys, root, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 4, "A's root, level-1 and level-2 tables are gone");
	cr_expect_eq(phys_refcount(phys, 0x5000), 1);
	cr_expect_eq(phys_kind(phys, 0x5000), FRAME_PGTABLE);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 1, "the leaf still holds the page");
	cr_expect(pgtable_translate(phys, root_b, VA + 8, &pa, &prot));
	cr_expect_eq(pa, 0x2008);
	cr_expect_eq(prot, VM_READ | VM_WRITE);

	pgtable_put(phys, root_b, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 0);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
}

Test(pgtable_tiny, map_fails_with_enomem_when_a_table_cannot_be_had)
{
	phys_addr_t pa;

	/* Data 0x2000, level-1 table 0x3000: no frame is left for level 2. */
	cr_assert_eq(phys_alloc(phys, FRAME_DATA, &pa), 0);
	cr_expect_eq(pgtable_map(phys, root, VA, pa, VM_READ), -ENOMEM);
	cr_expect_eq(phys_refcount(phys, pa), 1, "the caller still owns the page");
	phys_put(phys, pa);
	pgtable_put(phys, root, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 0);
}

struct visit_log {
	uint64_t va[8];
	unsigned n;
	unsigned stop_after;	/* return -EINTR on this visit (1-based), 0: never */
};

static int log_visit(void *ctx, uint64_t va, pte_t *ptep)
{
	struct visit_log *log = ctx;

	cr_assert(pte_present(*ptep));
	cr_assert_lt(log->n, G_N_ELEMENTS(log->va));
	log->va[log->n++] = va;
	return log->n == log->stop_after ? -EINTR : 0;
}

static void expect_visits(const struct visit_log *log, unsigned n, const uint64_t *va)
{
	cr_assert_eq(log->n, n);
	for (unsigned i = 0; i < n; i++)
		cr_expect_eq(log->va[i], va[i], "visit %u: %#llx", i, (unsigned long long)log->va[i]);
}

Test(pgtable, walk_range_visits_leaves_in_address_order)
{
	const uint64_t order[] = { VA, VA + 4 * KiB, VA + 2 * MiB, VA + 1 * GiB };
	struct visit_log all = { 0 }, middle = { 0 }, stopped = { .stop_after = 2 };

	map_new_page(VA + 1 * GiB, VM_READ);
	map_new_page(VA + 2 * MiB, VM_READ);
	map_new_page(VA, VM_READ);
	map_new_page(VA + 4 * KiB, VM_READ);

	cr_expect_eq(pgtable_walk_range(phys, root, 0, UINT64_C(1) << VA_BITS, log_visit, &all), 0);
	expect_visits(&all, 4, order);
	cr_expect_eq(pgtable_walk_range(phys, root, VA + 4 * KiB, VA + 1 * GiB, log_visit, &middle), 0);
	expect_visits(&middle, 2, order + 1);
	cr_expect_eq(pgtable_walk_range(phys, root, VA, VA + 2 * GiB, log_visit, &stopped), -EINTR);
	expect_visits(&stopped, 2, order);
	pgtable_put(phys, root, PGD_LEVEL);
}

/*
 * Linked subtrees.  One PMD table (level 2, spanning 1 GiB) hangs under a PUD
 * entry of two roots:
 *   A at VA_1G = VA & ~(1 GiB - 1) = 0x7f12_0000_0000: root[254] -> L1[72]
 *   B at VB    = 256 GiB          = 0x0040_0000_0000: root[0]   -> L1[256]
 *   (256 GiB >> 30 = 256; >> 39 = 0)
 * so VA (offset 0x3456_7000 in the GiB) is VB + 0x3456_7000 in B.  Frames on
 * a fresh RAM: A's root 0x1000, the PMD table 0x2000, B's root 0x3000, the
 * level-1 tables the links create 0x4000 (A) and 0x5000 (B).
 */
#define VA_1G UINT64_C(0x00007f1200000000)
#define VB UINT64_C(0x0000004000000000)
#define VB_PAGE (VB + (VA - VA_1G))
#define PMD_TABLE UINT64_C(0x2000)

static phys_addr_t root_b;

/* The PMD table linked into A and B; the creator's reference is dropped. */
static void link_pmd_into_a_and_b(void)
{
	phys_addr_t pmd;

	cr_assert_eq(pgtable_create(phys, &pmd), 0);
	cr_assert_eq(pgtable_create(phys, &root_b), 0);
	cr_assert_eq(pmd, PMD_TABLE);
	cr_assert_eq(root_b, 0x3000);
	cr_assert_eq(pgtable_link(phys, root, VA_1G, PUD_LEVEL, pmd), 0);
	cr_assert_eq(pgtable_link(phys, root_b, VB, PUD_LEVEL, pmd), 0);
	cr_assert_eq(phys_refcount(phys, pmd), 3, "creator, A, B");
	pgtable_put(phys, pmd, PMD_LEVEL);
}

/* The leaf descriptor of a read-write user page at `pa`. */
static pte_t rw_leaf(phys_addr_t pa)
{
	return pa | USER_PAGE_BITS | AP_EL0 | PXN | UXN;
}

Test(pgtable, a_leaf_installed_through_one_root_is_seen_through_the_other)
{
	phys_addr_t pa = 0;
	unsigned prot = 0;

	link_pmd_into_a_and_b();
	cr_expect_eq(*entry_in(root, 254), 0x4003);
	cr_expect_eq(*entry_in(0x4000, 72), 0x2003);
	cr_expect_eq(*entry_in(root_b, 0), 0x5003);
	cr_expect_eq(*entry_in(0x5000, 256), 0x2003);
	cr_expect_eq(phys_refcount(phys, PMD_TABLE), 2);
	cr_expect_eq(tables_in_use(), 5);

	/* Data 0x6000; its level-3 table 0x7000 goes into the shared PMD table. */
	cr_assert_eq(map_new_page(VA, VM_READ | VM_WRITE), 0x6000);
	cr_expect_eq(tables_in_use(), 6, "one level-3 table, for both roots");
	cr_expect_eq(*entry_in(PMD_TABLE, 418), 0x7003);
	expect_walk(root_b, VB_PAGE, 4, (const pte_t[]){ 0x5003, 0x2003, 0x7003, rw_leaf(0x6000) });
	cr_expect(pgtable_translate(phys, root_b, VB_PAGE + 8, &pa, &prot));
	cr_expect_eq(pa, 0x6008);
	cr_expect_eq(prot, VM_READ | VM_WRITE);
	cr_expect_eq(phys_refcount(phys, 0x7000), 1, "its parent is the one PMD table");
	cr_expect_eq(phys_refcount(phys, 0x6000), 1);

	pgtable_put(phys, root, PGD_LEVEL);
	pgtable_put(phys, root_b, PGD_LEVEL);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
	cr_expect_eq(tables_in_use(), 0);
}

Test(pgtable, unmapping_in_one_root_never_frees_the_shared_table)
{
	phys_addr_t pa = 0;
	unsigned prot;

	link_pmd_into_a_and_b();
	map_new_page(VA, VM_READ | VM_WRITE);		/* data 0x6000, level 3 0x7000 */

	/* Part of the GiB, no leaf in it: nothing happens. */
	cr_expect_eq(pgtable_unmap_range(phys, root, VA_1G, VA_1G + 2 * MiB), 0);
	/* Part of the GiB with the leaf: cleared for both (the subtree is one
	 * object); the emptied level-3 table goes, the emptied shared PMD table
	 * stays linked in both roots. */
	cr_expect_eq(pgtable_unmap_range(phys, root, VA, VA + 4 * KiB), 1);
	cr_expect_null(pgtable_walk(phys, root_b, VB_PAGE));
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
	cr_expect_eq(tables_in_use(), 5, "roots, level-1 tables, the PMD table");
	cr_expect_eq(*entry_in(0x4000, 72), 0x2003, "A keeps its link");
	cr_expect_eq(*entry_in(0x5000, 256), 0x2003, "B keeps its link");
	cr_expect_eq(*entry_in(root, 254), 0x4003);
	cr_expect_eq(phys_refcount(phys, PMD_TABLE), 2);

	/* A page installed through B now (data and level 3 reuse 0x7000 and
	 * 0x6000, the free list being LIFO) is seen through A. */
	cr_assert_eq(phys_alloc(phys, FRAME_DATA, &pa), 0);
	cr_assert_eq(pgtable_map(phys, root_b, VB_PAGE, pa, VM_READ), 0);
	cr_expect(pgtable_translate(phys, root, VA, &pa, &prot));
	cr_expect_eq(prot, VM_READ);

	/* The whole GiB in A: A lets go, B keeps every entry. */
	cr_expect_eq(pgtable_unmap_range(phys, root, VA_1G, VA_1G + 1 * GiB), 1,
		     "one leaf A no longer reaches");
	cr_expect_eq(*entry_in(root, 254), 0, "A's emptied level-1 table went too");
	cr_expect_eq(phys_refcount(phys, PMD_TABLE), 1);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 1);
	cr_expect(pgtable_translate(phys, root_b, VB_PAGE, &pa, &prot));
	cr_expect_eq(tables_in_use(), 5, "roots, B's level 1, the PMD table, level 3");

	/* B lets go last: the subtree goes with everything in it. */
	cr_expect_eq(pgtable_unlink(phys, root_b, VB, PUD_LEVEL), 0);
	cr_expect_eq(*entry_in(root_b, 0), 0);
	cr_expect_eq(tables_in_use(), 2, "the two roots");
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
	pgtable_put(phys, root, PGD_LEVEL);
	pgtable_put(phys, root_b, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 0);
}

Test(pgtable, unlinking_one_parent_keeps_the_other_intact)
{
	phys_addr_t pa = 0;
	unsigned prot;

	link_pmd_into_a_and_b();
	map_new_page(VA, VM_READ | VM_WRITE);		/* data 0x6000, level 3 0x7000 */
	cr_expect_eq(pgtable_unlink(phys, root, VA_1G, PUD_LEVEL), 0);
	cr_expect_eq(*entry_in(root, 254), 0);
	cr_expect_eq(tables_in_use(), 5, "A's level-1 table went");
	cr_expect_eq(phys_refcount(phys, PMD_TABLE), 1);
	cr_expect_eq(*entry_in(PMD_TABLE, 418), 0x7003);
	cr_expect_eq(*entry_in(0x7000, 359), rw_leaf(0x6000));
	cr_expect(pgtable_translate(phys, root_b, VB_PAGE, &pa, &prot));
	cr_expect_eq(pa, 0x6000);
	cr_expect_not(pgtable_translate(phys, root, VA, &pa, &prot));
	cr_expect_eq(pgtable_unlink(phys, root, VA_1G, PUD_LEVEL), -ENOENT);

	pgtable_put(phys, root_b, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 1, "A's root");
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
	pgtable_put(phys, root, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 0);
}

Test(pgtable, putting_a_root_leaves_a_shared_subtree_whole)
{
	phys_addr_t pa = 0;
	unsigned prot;

	link_pmd_into_a_and_b();
	map_new_page(VA, VM_READ | VM_WRITE);
	pgtable_put(phys, root, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 4, "B's root and level 1, the PMD table, level 3");
	cr_expect_eq(phys_refcount(phys, PMD_TABLE), 1);
	cr_expect(pgtable_translate(phys, root_b, VB_PAGE, &pa, &prot));
	cr_expect_eq(pa, 0x6000);
	pgtable_put(phys, root_b, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 0);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
}

/* A PUD table (512 GiB) under PGD entries 1 (A) and 2 (B): no table is
 * created above it, and VA 512 GiB + x in A is 1 TiB + x in B. */
Test(pgtable, a_pud_table_hangs_under_pgd_entries)
{
	phys_addr_t pud, pa = 0;
	unsigned prot;

	cr_assert_eq(pgtable_create(phys, &pud), 0);
	cr_assert_eq(pgtable_create(phys, &root_b), 0);
	cr_assert_eq(pgtable_link(phys, root, 512 * GiB, PGD_LEVEL, pud), 0);
	cr_assert_eq(pgtable_link(phys, root_b, 1024 * GiB, PGD_LEVEL, pud), 0);
	pgtable_put(phys, pud, PUD_LEVEL);
	cr_expect_eq(*entry_in(root, 1), pud | 3);
	cr_expect_eq(*entry_in(root_b, 2), pud | 3);
	cr_expect_eq(tables_in_use(), 3);
	map_new_page(512 * GiB + 3 * GiB + 5 * MiB, VM_READ);
	cr_expect(pgtable_translate(phys, root_b, 1024 * GiB + 3 * GiB + 5 * MiB, &pa, &prot));
	cr_expect_eq(prot, VM_READ);
	cr_expect_eq(pgtable_unmap_range(phys, root, 0, UINT64_C(1) << VA_BITS), 1);
	cr_expect_eq(*entry_in(root, 1), 0);
	cr_expect(pgtable_translate(phys, root_b, 1024 * GiB + 3 * GiB + 5 * MiB, &pa, &prot));
	pgtable_put(phys, root, PGD_LEVEL);
	pgtable_put(phys, root_b, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 0);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
}

Test(pgtable, link_and_unlink_refuse_bad_arguments)
{
	phys_addr_t pmd, data;

	link_pmd_into_a_and_b();
	cr_assert_eq(phys_alloc(phys, FRAME_DATA, &data), 0);
	cr_assert_eq(pgtable_create(phys, &pmd), 0);
	cr_expect_eq(pgtable_link(phys, root, VA_1G, PUD_LEVEL, pmd), -EEXIST);
	cr_expect_eq(pgtable_link(phys, root, VA_1G + 2 * MiB, PUD_LEVEL, pmd), -EINVAL,
		     "not aligned to the entry's 1 GiB");
	cr_expect_eq(pgtable_link(phys, root, VA, PTE_LEVEL, pmd), -EINVAL, "a leaf level");
	cr_expect_eq(pgtable_link(phys, root, VA_1G, -1, pmd), -EINVAL);
	cr_expect_eq(pgtable_link(phys, root, UINT64_C(1) << VA_BITS, PGD_LEVEL, pmd), -EINVAL);
	cr_expect_eq(pgtable_link(phys, root, 0, PUD_LEVEL, root), -EINVAL, "the root itself");
	cr_expect_eq(pgtable_link(phys, root, 0, PUD_LEVEL, data), -EINVAL, "a data frame");
	/* A valid block-sized slot below an existing entry. */
	map_new_page(0, VM_READ);
	cr_expect_eq(pgtable_link(phys, root, 0, PMD_LEVEL, pmd), -EEXIST);
	cr_expect_eq(phys_refcount(phys, pmd), 1, "no failed call took a reference");
	cr_expect_eq(pgtable_unlink(phys, root, VA_1G + 2 * MiB, PUD_LEVEL), -EINVAL);
	cr_expect_eq(pgtable_unlink(phys, root, 2 * GiB, PUD_LEVEL), -ENOENT);
	cr_expect_eq(pgtable_unlink(phys, root, 0, PTE_LEVEL), -EINVAL);
	cr_expect_eq(pgtable_unlink(phys, root, 512 * GiB, PGD_LEVEL), -ENOENT);
	phys_put(phys, data);
	pgtable_put(phys, pmd, PMD_LEVEL);
	pgtable_put(phys, root, PGD_LEVEL);
	pgtable_put(phys, root_b, PGD_LEVEL);
	cr_expect_eq(tables_in_use(), 0);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
}
