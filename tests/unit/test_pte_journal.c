/*
 * The journal of page-table memory (phys_set_journal, pte_set): a second
 * memory that applies only what the journal tells it (each store, each
 * table handed out zeroed) must hold the very tables of the first after
 * every mm operation: faults, copy-on-write, fork, mprotect, mremap,
 * MADV_DONTNEED, munmap, table freeing and reuse.  A store that bypasses
 * pte_set leaves the copy behind, and the comparison names the table.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <string.h>

#include "mmu_test.h"

static struct phys *mirror;

static void mirror_store(void *data, phys_addr_t pa, uint64_t val)
{
	(void)data;
	memcpy(phys_to_host(mirror, pa), &val, sizeof(val));
}

static void mirror_table(void *data, phys_addr_t pa)
{
	(void)data;
	memset(phys_to_host(mirror, pa), 0, PAGE_SIZE);
}

static const struct phys_journal journal = { mirror_store, mirror_table, NULL };

static void journal_setup(void)
{
	mmu_setup();
	cr_assert_eq(phys_create(FIXTURE_PHYS_SIZE, &mirror), 0);
	phys_set_journal(fx.phys, &journal);
}

static void journal_teardown(void)
{
	phys_set_journal(fx.phys, NULL);
	phys_destroy(mirror);
	mmu_teardown();
}

/* The table at `table` (of `level`) and every table below it: the same
 * bytes in the mirror.  Returns the tables compared. */
static unsigned expect_same_tables(phys_addr_t table, int level)
{
	const pte_t *live = phys_to_host(fx.phys, table);
	unsigned n = 1;

	cr_assert(!memcmp(live, phys_to_host(mirror, table), PAGE_SIZE),
		  "the table at %#" PRIx64 " (level %d) differs in the journal's copy", table, level);
	for (int i = 0; level < PTE_LEVEL && i < PTRS_PER_TABLE; i++)
		if (pte_present(live[i]) && !pte_is_block(live[i], level))
			n += expect_same_tables(pte_addr(live[i]), level + 1);
	return n;
}

/* A fresh mm made with the journal on (fx.mm's root predates it). */
static struct mm *journaled_mm(void)
{
	struct mm *mm;

	cr_assert_eq(mm_create(fx.phys, &fx.stats, &mm), 0);
	mm->tunables = &fx.tunables;
	return mm;
}

TestSuite(pte_journal, .init = journal_setup, .fini = journal_teardown);

Test(pte_journal, the_copy_follows_every_mm_operation)
{
	struct mm *mm = journaled_mm(), *child;
	uint64_t a = map_anon(mm, 0, 64 * PG, VM_RW, 0), moved;

	for (int i = 0; i < 64; i += 3)
		poke_u64(mm, a + i * PG, i);
	cr_expect_geq(expect_same_tables(mm->pgd, PGD_LEVEL), 4, "faults");
	cr_assert_eq(mm_dup(mm, &child), 0);
	expect_same_tables(mm->pgd, PGD_LEVEL);
	expect_same_tables(child->pgd, PGD_LEVEL);
	poke_u64(child, a + 3 * PG, 99);
	poke_u64(mm, a + 6 * PG, 98);
	expect_same_tables(child->pgd, PGD_LEVEL);
	expect_same_tables(mm->pgd, PGD_LEVEL);
	cr_assert_eq(mm_mprotect(mm, a, 16 * PG, VM_READ), 0);
	expect_same_tables(mm->pgd, PGD_LEVEL);
	cr_assert_eq(mm_mremap(mm, a + 32 * PG, 8 * PG, 8 * PG,
			       MM_REMAP_MAYMOVE | MM_REMAP_FIXED, a - (UINT64_C(1) << 30), &moved), 0);
	expect_same_tables(mm->pgd, PGD_LEVEL);
	cr_assert_eq(mm_madvise_dontneed(mm, a + 48 * PG, 8 * PG), 0);
	cr_assert_eq(mm_munmap(child, a, 64 * PG), 0);
	expect_same_tables(mm->pgd, PGD_LEVEL);
	expect_same_tables(child->pgd, PGD_LEVEL);
	mm_destroy(child);
	/* freed tables come back zeroed for a new mapping */
	poke_u64(mm, map_anon(mm, 0, PG, VM_RW, 0), 7);
	expect_same_tables(mm->pgd, PGD_LEVEL);
	mm_destroy(mm);
}
