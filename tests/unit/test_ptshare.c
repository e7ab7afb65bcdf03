/*
 * ptshare: the reverse map from a shared page-table subtree to the address
 * spaces that hold it.  PMD tables (level 2, 1 GiB each) are hung under PUD
 * entries of real mms; the expected holders, ranges and reference counts
 * follow from the links each test makes.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "mmu/ptshare.h"
#include "tests/unit/mmu_test.h"

static struct ptshare *ps;
static struct mm *mm_b, *mm_c;

static void setup(void)
{
	mmu_setup();
	ps = ptshare_new(fx.phys);
	cr_assert_eq(mm_create(fx.phys, &fx.stats, &mm_b), 0);
	cr_assert_eq(mm_create(fx.phys, &fx.stats, &mm_c), 0);
}

/* Every test undoes its links first: the map must be empty here. */
static void teardown(void)
{
	ptshare_free(ps);
	mm_destroy(mm_b);
	mm_destroy(mm_c);
	mmu_teardown();
}

TestSuite(ptshare, .init = setup, .fini = teardown);

/* A new empty PMD table; the caller holds the creator's reference. */
static phys_addr_t new_pmd_table(void)
{
	phys_addr_t table;

	cr_assert_eq(pgtable_create(fx.phys, &table), 0);
	return table;
}

static void link_pud(struct mm *mm, uint64_t va, phys_addr_t table)
{
	cr_assert_eq(ptshare_link(ps, mm, mm->pgd, va, PUD_LEVEL, table), 0);
}

struct holder_log {
	struct ptshare_link link[4];
	unsigned n;
};

static void log_holder(void *ctx, const struct ptshare_link *link)
{
	struct holder_log *log = ctx;

	cr_assert_lt(log->n, G_N_ELEMENTS(log->link));
	log->link[log->n++] = *link;
}

/* The holders of `table` must be exactly `n` of (mm, va), at PUD level. */
static void expect_holders(phys_addr_t table, unsigned n, struct mm *const *mm,
			   const uint64_t *va)
{
	struct holder_log log = { .n = 0 };

	ptshare_for_each_sharer(ps, table, log_holder, &log);
	cr_assert_eq(log.n, n);
	cr_expect_eq(ptshare_nr_sharers(ps, table), n);
	for (unsigned i = 0; i < n; i++) {
		cr_expect_eq(log.link[i].mm, mm[i], "holder %u", i);
		cr_expect_eq(log.link[i].root, mm[i]->pgd, "holder %u", i);
		cr_expect_eq(log.link[i].va, va[i], "holder %u: %#llx", i,
			     (unsigned long long)log.link[i].va);
		cr_expect_eq(log.link[i].level, PUD_LEVEL);
		cr_expect_eq(log.link[i].table, table);
	}
}

Test(ptshare, the_map_lists_exactly_the_holders)
{
	phys_addr_t t1 = new_pmd_table(), t2 = new_pmd_table();
	uint64_t tables = table_frames();

	link_pud(fx.mm, 1 * GiB, t1);
	link_pud(mm_b, 3 * GiB, t1);
	link_pud(mm_c, 5 * GiB, t1);
	link_pud(mm_b, 7 * GiB, t2);
	pgtable_put(fx.phys, t1, PMD_LEVEL);
	pgtable_put(fx.phys, t2, PMD_LEVEL);
	/* Each link made one level-1 table (three mms; B's two links share one). */
	cr_expect_eq(table_frames(), tables + 3);
	cr_expect_eq(phys_refcount(fx.phys, t1), 3);
	cr_expect_eq(phys_refcount(fx.phys, t2), 1);
	expect_holders(t1, 3, (struct mm *[]){ fx.mm, mm_b, mm_c },
		       (const uint64_t[]){ 1 * GiB, 3 * GiB, 5 * GiB });
	expect_holders(t2, 1, (struct mm *[]){ mm_b }, (const uint64_t[]){ 7 * GiB });
	cr_expect_eq(ptshare_nr_sharers(ps, fx.mm->pgd), 0, "a root is no shared table");

	cr_expect_eq(ptshare_unlink(ps, mm_b, 3 * GiB, PUD_LEVEL), 0);
	cr_expect_eq(ptshare_unlink(ps, mm_b, 3 * GiB, PUD_LEVEL), -ENOENT);
	cr_expect_eq(ptshare_unlink(ps, mm_c, 3 * GiB, PUD_LEVEL), -ENOENT, "not C's link");
	expect_holders(t1, 2, (struct mm *[]){ fx.mm, mm_c },
		       (const uint64_t[]){ 1 * GiB, 5 * GiB });
	cr_expect_eq(phys_refcount(fx.phys, t1), 2);
	cr_expect_eq(pte_at(mm_b, 7 * GiB), 0, "B's other link is intact (no leaf yet)");

	cr_expect_eq(ptshare_unlink_range(ps, mm_c, 5 * GiB, 5 * GiB + 512 * MiB), 0,
		     "half the span: kept");
	cr_expect_eq(ptshare_unlink_range(ps, mm_c, 4 * GiB, 6 * GiB), 1);
	cr_expect_eq(ptshare_unlink_range(ps, fx.mm, 0, TASK_SIZE), 1);
	cr_expect_eq(ptshare_nr_sharers(ps, t1), 0);
	cr_expect_eq(ptshare_unlink_range(ps, mm_b, 0, TASK_SIZE), 1);
	cr_expect_eq(table_frames(), tables - 2, "both PMD tables and every level-1 table went");
}

Test(ptshare, a_fault_through_one_mm_fills_the_page_for_every_holder)
{
	phys_addr_t t = new_pmd_table(), pa = 0;
	unsigned prot = 0;

	link_pud(fx.mm, 1 * GiB, t);
	link_pud(mm_b, 3 * GiB, t);
	pgtable_put(fx.phys, t, PMD_LEVEL);
	map_fixed(1 * GiB, 2 * MiB, VM_RW, 0);
	poke_u64(fx.mm, 1 * GiB + 5 * PG + 8, 0x5ca1ab1e);
	cr_expect(pgtable_translate(fx.phys, mm_b->pgd, 3 * GiB + 5 * PG + 8, &pa, &prot));
	cr_expect_eq(pa, frame_at(fx.mm, 1 * GiB + 5 * PG) + 8);
	cr_expect_eq(*(uint64_t *)phys_to_host(fx.phys, pa), 0x5ca1ab1e);
	cr_expect_eq(prot, VM_RW);

	/* A leaves: B keeps the page; the last holder takes it with it. */
	cr_expect_eq(ptshare_unlink_range(ps, fx.mm, 0, TASK_SIZE), 1);
	cr_expect_eq(pte_at(fx.mm, 1 * GiB + 5 * PG), 0);
	cr_expect_eq(data_frames(), 1);
	cr_expect_eq(ptshare_unlink(ps, mm_b, 3 * GiB, PUD_LEVEL), 0);
	cr_expect_eq(data_frames(), 0);
}

/* The ranges a flush path is given, in order. */
struct alias_log {
	struct range_rec rec[4];
	unsigned n;
};

static void log_alias(void *ctx, struct mm *mm, uint64_t start, uint64_t end)
{
	struct alias_log *log = ctx;

	cr_assert_lt(log->n, G_N_ELEMENTS(log->rec));
	log->rec[log->n++] = (struct range_rec){ mm, start, end };
}

static void expect_aliases(struct mm *mm, uint64_t start, uint64_t end, unsigned n,
			   const struct range_rec *expected)
{
	struct alias_log log = { .n = 0 };

	ptshare_for_each_alias(ps, mm, start, end, log_alias, &log);
	cr_assert_eq(log.n, n, "%u ranges for [%#llx, %#llx)", log.n,
		     (unsigned long long)start, (unsigned long long)end);
	for (unsigned i = 0; i < n; i++) {
		cr_expect_eq(log.rec[i].mm, expected[i].mm, "range %u", i);
		cr_expect_eq(log.rec[i].start, expected[i].start, "range %u: start %#llx", i,
			     (unsigned long long)log.rec[i].start);
		cr_expect_eq(log.rec[i].end, expected[i].end, "range %u: end %#llx", i,
			     (unsigned long long)log.rec[i].end);
	}
}

Test(ptshare, a_flush_of_a_shared_range_reaches_every_holder)
{
	phys_addr_t t = new_pmd_table(), u = new_pmd_table();

	link_pud(fx.mm, 1 * GiB, t);
	link_pud(mm_b, 3 * GiB, t);
	link_pud(fx.mm, 2 * GiB, u);
	pgtable_put(fx.phys, t, PMD_LEVEL);
	pgtable_put(fx.phys, u, PMD_LEVEL);

	/* Inside t: A's range and the same offsets in B. */
	expect_aliases(fx.mm, 1 * GiB + 2 * MiB, 1 * GiB + 6 * MiB, 2, (const struct range_rec[]){
		{ fx.mm, 1 * GiB + 2 * MiB, 1 * GiB + 6 * MiB },
		{ mm_b, 3 * GiB + 2 * MiB, 3 * GiB + 6 * MiB } });
	/* Across the end of t into u (A's alone): each subtree's part. */
	expect_aliases(fx.mm, 2 * GiB - PG, 2 * GiB + PG, 3, (const struct range_rec[]){
		{ fx.mm, 2 * GiB - PG, 2 * GiB },
		{ mm_b, 4 * GiB - PG, 4 * GiB },
		{ fx.mm, 2 * GiB, 2 * GiB + PG } });
	/* Outside every subtree of A; B's view of its own link. */
	expect_aliases(fx.mm, 3 * GiB, 4 * GiB, 0, NULL);
	expect_aliases(mm_b, 3 * GiB, 3 * GiB + PG, 2, (const struct range_rec[]){
		{ fx.mm, 1 * GiB, 1 * GiB + PG },
		{ mm_b, 3 * GiB, 3 * GiB + PG } });

	ptshare_unlink_range(ps, fx.mm, 0, TASK_SIZE);
	ptshare_unlink_range(ps, mm_b, 0, TASK_SIZE);
}

Test(ptshare, a_failed_link_records_nothing)
{
	phys_addr_t t = new_pmd_table();

	link_pud(fx.mm, 1 * GiB, t);
	cr_expect_eq(ptshare_link(ps, fx.mm, fx.mm->pgd, 1 * GiB, PUD_LEVEL, t), -EEXIST);
	cr_expect_eq(ptshare_link(ps, mm_b, mm_b->pgd, 1 * GiB + PG, PUD_LEVEL, t), -EINVAL);
	expect_holders(t, 1, (struct mm *[]){ fx.mm }, (const uint64_t[]){ 1 * GiB });
	cr_expect_eq(phys_refcount(fx.phys, t), 2);
	pgtable_put(fx.phys, t, PMD_LEVEL);
	ptshare_unlink_range(ps, fx.mm, 0, TASK_SIZE);
}
