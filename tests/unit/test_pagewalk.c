/*
 * pagewalk: the pages a walk reports (frames as the tables hold them, their
 * mappers) and the smaps counts, hand-computed: 3 of 8 anonymous pages
 * touched; a page shared with a fork child (Pss half a page each); shared
 * anonymous memory, whose object holds a reference of its own; a read-only
 * private file mapping (clean file pages).
 */
#include <criterion/criterion.h>

#include "mmu/pagewalk.h"
#include "mmu/vm_file.h"
#include "tests/unit/mmu_test.h"

TestSuite(pagewalk, .init = mmu_setup, .fini = mmu_teardown);

#define X UINT64_C(0x20000000)
#define FULL_PAGE (PAGE_SIZE << PSS_SHIFT)

static struct mem_size_stats gather(struct mm *mm, uint64_t addr)
{
	struct mem_size_stats mss = { 0 };

	smap_gather(mm, vma_lookup(mm, addr), &mss);
	return mss;
}

struct seen {
	unsigned n;
	struct page_info pages[8];
};

static int record(void *ctx, const struct page_info *page)
{
	struct seen *s = ctx;

	cr_assert_lt(s->n, 8);
	s->pages[s->n++] = *page;
	return 0;
}

Test(pagewalk, visits_the_touched_pages_with_the_tables_frames)
{
	struct seen s = { 0 };
	struct page_info one;

	map_fixed(X, 8 * PG, VM_RW, 0);
	for (int i = 1; i < 8; i += 3)	/* pages 1, 4, 7 */
		expect_fault(fx.mm, X + i * PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	cr_assert_eq(walk_vma_pages(fx.mm, vma_lookup(fx.mm, X), X, X + 8 * PG, record, &s), 0);
	cr_assert_eq(s.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		cr_expect_eq(s.pages[i].va, X + (1 + 3 * i) * PG);
		cr_expect_eq(s.pages[i].pa, frame_at(fx.mm, s.pages[i].va));
		cr_expect_eq(s.pages[i].mapcount, 1);
		cr_expect(s.pages[i].anon && s.pages[i].dirty && s.pages[i].writable && s.pages[i].young);
	}
	cr_expect(page_info_at(fx.mm, X + 4 * PG, &one));
	cr_expect_eq(one.pa, frame_at(fx.mm, X + 4 * PG));
	cr_expect_not(page_info_at(fx.mm, X + 5 * PG, &one), "untouched page");
	cr_expect_not(page_info_at(fx.mm, X + 8 * PG, &one), "beyond the VMA");

	/* A range inside the VMA: only its pages. */
	s.n = 0;
	walk_vma_pages(fx.mm, vma_lookup(fx.mm, X), X + 2 * PG, X + 5 * PG, record, &s);
	cr_expect_eq(s.n, 1);
}

Test(pagewalk, three_of_eight_anonymous_pages)
{
	struct mem_size_stats mss;

	map_fixed(X, 8 * PG, VM_RW, 0);
	for (int i = 0; i < 3; i++)
		expect_fault(fx.mm, X + i * PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	mss = gather(fx.mm, X);
	cr_expect_eq(mss.resident, 3 * PG);
	cr_expect_eq(mss.pss, 3 * FULL_PAGE);
	cr_expect_eq(mss.pss_dirty, 3 * FULL_PAGE);
	cr_expect_eq(mss.pss_anon, 3 * FULL_PAGE);
	cr_expect_eq(mss.private_dirty, 3 * PG);
	cr_expect_eq(mss.anonymous, 3 * PG);
	cr_expect_eq(mss.referenced, 3 * PG);
	cr_expect_eq(mss.shared_clean + mss.shared_dirty + mss.private_clean, 0);
	cr_expect_eq(mss.file_rss + mss.shmem_rss + mss.pss_file + mss.pss_shmem, 0);
}

/* Two touched pages, then fork: both shared by two mappers (Pss half);
 * the child writes one, which becomes private to each of them. */
Test(pagewalk, fork_shares_then_copy_on_write_unshares)
{
	struct mem_size_stats parent, child;
	struct mm *c;

	map_fixed(X, 2 * PG, VM_RW, 0);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	expect_fault(fx.mm, X + PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	c = fork_mm();
	parent = gather(fx.mm, X);
	child = gather(c, X);
	cr_expect_eq(parent.resident, 2 * PG);
	cr_expect_eq(parent.shared_dirty, 2 * PG);
	cr_expect_eq(parent.private_dirty, 0);
	cr_expect_eq(parent.pss, FULL_PAGE, "two halves");
	cr_expect_eq(child.pss, FULL_PAGE);

	expect_fault(c, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_COPY);
	parent = gather(fx.mm, X);
	child = gather(c, X);
	cr_expect_eq(parent.private_dirty, PG);
	cr_expect_eq(parent.shared_dirty, PG);
	cr_expect_eq(parent.pss, FULL_PAGE + FULL_PAGE / 2);
	cr_expect_eq(child.pss, FULL_PAGE + FULL_PAGE / 2);
	mmput(c);
}

/* The shmem object's own reference is no mapper: one mapper, then two. */
Test(pagewalk, shared_anonymous_pages_count_their_mappers)
{
	struct mem_size_stats mss;
	struct page_info page;
	struct mm *c;

	map_fixed(X, 4 * PG, VM_RW, MM_MAP_SHARED);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	cr_assert(page_info_at(fx.mm, X, &page));
	cr_expect_eq(page.mapcount, 1);
	cr_expect_not(page.anon);
	mss = gather(fx.mm, X);
	cr_expect_eq(mss.private_dirty, PG);
	cr_expect_eq(mss.shmem_rss, PG);
	cr_expect_eq(mss.pss_shmem, FULL_PAGE);
	cr_expect_eq(mss.anonymous, 0);

	c = fork_mm();	/* fork copies the entries of shared mappings */
	cr_assert(page_info_at(c, X, &page));
	cr_expect_eq(page.mapcount, 2);
	mss = gather(c, X);
	cr_expect_eq(mss.shared_dirty, PG);
	cr_expect_eq(mss.pss, FULL_PAGE / 2);
	mmput(c);
}

Test(pagewalk, read_only_file_pages_are_clean_file_pages)
{
	static const char data[2 * 4096] = "file";
	struct vm_file *file = temp_vm_file(data, sizeof(data), "/data");
	struct mem_size_stats mss;

	map_file(file, X, 2, VM_READ, 0);
	vm_file_put(file);
	expect_fault(fx.mm, X + PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	mss = gather(fx.mm, X);
	cr_expect_eq(mss.resident, PG);
	cr_expect_eq(mss.private_clean, PG);
	cr_expect_eq(mss.file_rss, PG);
	cr_expect_eq(mss.pss_file, FULL_PAGE);
	cr_expect_eq(mss.anonymous + mss.private_dirty + mss.pss_dirty, 0);
}

/* A private file mapping maps the page cache's page (the cache's own
 * reference is not a mapper) until a write copies it: the copy is an
 * anonymous, dirty page of this mapping alone. */
Test(pagewalk, a_written_private_file_page_is_an_anonymous_copy)
{
	static const char data[2 * 4096] = "file";
	struct vm_file *file = temp_vm_file(data, sizeof(data), "/data");
	struct mem_size_stats mss;

	map_file(file, X, 2, VM_READ | VM_WRITE, 0);
	vm_file_put(file);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	expect_fault(fx.mm, X + PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	expect_fault(fx.mm, X + PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_COPY);
	mss = gather(fx.mm, X);
	cr_expect_eq(mss.resident, 2 * PG);
	cr_expect_eq(mss.private_clean, PG, "the cache's page, mapped once");
	cr_expect_eq(mss.private_dirty, PG, "the copy");
	cr_expect_eq(mss.anonymous, PG);
	cr_expect_eq(mss.file_rss, PG);
	cr_expect_eq(mss.shared_clean + mss.shared_dirty, 0);
}
