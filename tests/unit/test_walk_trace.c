/*
 * walk_trace: a walk written out level by level (--explain), checked
 * against tables whose every address is known by hand.
 *
 * The VA: 0x0000_7f12_3456_79ab, in the page 0x7f1234567000 whose indices
 * tests/unit/test_pgtable.c derives: level 0: 254, level 1: 72, level 2:
 * 418, level 3: 359; page offset 0x9ab.
 *
 * On a fresh RAM the root is 0x1000; mapping the first page takes its data
 * frame 0x2000, then the level-1 table 0x3000, level-2 0x4000 and level-3
 * 0x5000.  Descriptors from the Arm ARM bit positions: a table entry is its
 * address | 0x3; a read-write EL0 page is pa | valid, page (0x3) | AP[1]
 * EL0 (0x40) | SH inner (0x300) | AF (0x400) | nG (0x800) | PXN (bit 53) |
 * UXN (bit 54) = pa | 0x0060000000000f43; read-only adds AP[2] (0x80).
 */
#include <criterion/criterion.h>
#include <glib.h>

#include "mmu/phys.h"
#include "mmu/walk_trace.h"

#define VA UINT64_C(0x00007f12345679ab)
#define RW_PAGE UINT64_C(0x0060000000000f43)
#define AP_RO UINT64_C(0x80)
#define AF UINT64_C(0x400)
#define UXN (UINT64_C(1) << 54)

static struct phys *phys;
static phys_addr_t root;

static void setup(void)
{
	cr_assert_eq(phys_create(UINT64_C(64) << 20, &phys), 0);
	cr_assert_eq(pgtable_create(phys, &root), 0);
	cr_assert_eq(root, 0x1000);
}

static void teardown(void)
{
	pgtable_put(phys, root, PGD_LEVEL);
	phys_destroy(phys);
}

TestSuite(walk_trace, .init = setup, .fini = teardown);

static void map_page(unsigned prot)
{
	phys_addr_t pa;

	cr_assert_eq(phys_alloc(phys, FRAME_DATA, &pa), 0);
	cr_assert_eq(pa, 0x2000);
	cr_assert_eq(pgtable_map(phys, root, VA & ~UINT64_C(0xfff), pa, prot), 0);
}

static pte_t *leaf(void)
{
	return (pte_t *)phys_to_host(phys, 0x5000 + 359 * sizeof(pte_t));
}

static char *verdict(const struct walk_trace *w)
{
	GString *s = g_string_new(NULL);

	walk_verdict_describe(w, s);
	return g_string_free(s, FALSE);
}

static void expect_verdict(const struct walk_trace *w, const char *expected)
{
	char *got = verdict(w);

	cr_expect_str_eq(got, expected);
	g_free(got);
}

Test(walk_trace, every_level_of_a_mapped_page)
{
	const phys_addr_t tables[] = { 0x1000, 0x3000, 0x4000, 0x5000 };
	const unsigned index[] = { 254, 72, 418, 359 };
	const pte_t desc[] = { 0x3003, 0x4003, 0x5003, 0x2000 | RW_PAGE };
	struct walk_trace w;

	map_page(VM_READ | VM_WRITE);
	walk_trace(phys, root, VA, FAULT_WRITE, &w);
	cr_assert_eq(w.levels, 4);
	for (int l = 0; l < 4; l++) {
		cr_expect_eq(w.steps[l].table, tables[l], "level %d table", l);
		cr_expect_eq(w.steps[l].index, index[l], "level %d index", l);
		cr_expect_eq(w.steps[l].desc, desc[l], "level %d descriptor %#llx", l,
			     (unsigned long long)w.steps[l].desc);
	}
	cr_expect_eq(w.verdict, WALK_OK);
	cr_expect_eq(w.pa, 0x29ab);
	expect_verdict(&w, "translates to 0x29ab");
}

Test(walk_trace, an_invalid_entry_is_a_translation_fault_at_its_level)
{
	struct walk_trace w;

	map_page(VM_READ | VM_WRITE);
	/* 2 MiB on: level-2 index 419 of table 0x4000 is empty. */
	walk_trace(phys, root, VA + (UINT64_C(2) << 20), FAULT_READ, &w);
	cr_expect_eq(w.levels, 3);
	cr_expect_eq(w.steps[2].table, 0x4000);
	cr_expect_eq(w.steps[2].index, 419);
	cr_expect_eq(w.steps[2].desc, 0);
	cr_expect_eq(w.verdict, WALK_TRANSLATION);
	expect_verdict(&w, "translation fault at level 2");
	/* 512 GiB on: level-0 index 255 of the root is empty. */
	walk_trace(phys, root, VA + (UINT64_C(512) << 30), FAULT_READ, &w);
	cr_expect_eq(w.levels, 1);
	expect_verdict(&w, "translation fault at level 0");
}

Test(walk_trace, a_write_to_a_read_only_page_is_a_permission_fault)
{
	struct walk_trace w;

	map_page(VM_READ);
	cr_expect_eq(*leaf(), 0x2000 | RW_PAGE | AP_RO);
	walk_trace(phys, root, VA, FAULT_READ, &w);
	cr_expect_eq(w.verdict, WALK_OK);
	walk_trace(phys, root, VA, FAULT_WRITE, &w);
	cr_expect_eq(w.verdict, WALK_PERMISSION);
	expect_verdict(&w, "permission fault at level 3");
	walk_trace(phys, root, VA, FAULT_EXEC, &w);
	cr_expect_eq(w.verdict, WALK_PERMISSION, "UXN is set");
}

Test(walk_trace, aptable_above_forbids_writes_below)
{
	struct walk_trace w;

	map_page(VM_READ | VM_WRITE);
	cr_assert_eq(pgtable_table_set_rdonly(phys, root, VA & ~((UINT64_C(1) << 39) - 1), PGD_LEVEL,
					      true), 0);
	walk_trace(phys, root, VA, FAULT_WRITE, &w);
	cr_expect(w.table_rdonly);
	cr_expect_eq(w.verdict, WALK_PERMISSION);
	walk_trace(phys, root, VA, FAULT_READ, &w);
	cr_expect_eq(w.verdict, WALK_OK);
}

Test(walk_trace, access_flag_clear_is_an_access_flag_fault)
{
	struct walk_trace w;

	map_page(VM_READ | VM_WRITE | VM_EXEC);
	*leaf() &= ~AF;
	walk_trace(phys, root, VA, FAULT_READ, &w);
	cr_expect_eq(w.verdict, WALK_ACCESS_FLAG);
	expect_verdict(&w, "access flag fault at level 3");
	*leaf() |= AF;
	walk_trace(phys, root, VA, FAULT_EXEC, &w);
	cr_expect_eq(w.verdict, WALK_OK, "UXN clear");
}

Test(walk_trace, beyond_48_bits_no_table_is_read)
{
	struct walk_trace w;

	walk_trace(phys, root, UINT64_C(1) << 48, FAULT_READ, &w);
	cr_expect_eq(w.levels, 0);
	cr_expect_eq(w.verdict, WALK_OUT_OF_RANGE);
}

static void expect_decoded(pte_t desc, int level, const char *expected)
{
	GString *s = g_string_new(NULL);

	pte_describe(desc, level, s);
	cr_expect_str_eq(s->str, expected);
	g_string_free(s, TRUE);
}

Test(walk_trace, descriptors_decoded)
{
	expect_decoded(0, 3, "invalid");
	expect_decoded(0x3003, 0, "table -> 0x3000");
	expect_decoded(0x3003 | (UINT64_C(1) << 62), 1, "table -> 0x3000 APTable=ro");
	expect_decoded(0x2000 | RW_PAGE, 3, "page 0x2000 AF nG AP=rw (EL0 rw) UXN PXN");
	expect_decoded((0x2000 | RW_PAGE | AP_RO) & ~UXN, 3, "page 0x2000 AF nG AP=ro (EL0 ro) PXN");
	/* Bit 1 clear at level 2: a 2 MiB block; nG clear: global. */
	expect_decoded(UINT64_C(0x40200000) | 0x1 | 0x40 | 0x400, 2,
		       "block (2 MiB) 0x40200000 AF global AP=rw (EL0 rw)");
	expect_decoded(UINT64_C(0x40000000) | 0x1 | 0x400, 1,
		       "block (1 GiB) 0x40000000 AF global AP=rw (EL0 none)");
}

Test(walk_trace, indices_named)
{
	GString *s = g_string_new(NULL);

	va_describe_indices(VA, s);
	cr_expect_str_eq(s->str, "[L0 254][L1 72][L2 418][L3 359] + 0x9ab");
	g_string_free(s, TRUE);
}
