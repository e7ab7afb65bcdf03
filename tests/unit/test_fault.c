/*
 * fault: handle_mm_fault() on every path: demand-zero, private file pages
 * (including SIGBUS beyond end of file), shared anonymous pages,
 * copy-on-write, SIGSEGV kinds and simulated-memory exhaustion, with the
 * per-kind counters in struct vm_stats.
 *
 * Frame numbers: on a fresh RAM mm_create() takes 0x1000 for the root; the
 * first fault prepares its data frame (0x2000) before it builds the level
 * 1-3 tables (0x3000, 0x4000, 0x5000).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "mmu/mm.h"
#include "mmu/vm_file.h"
#include "mmu/vma_tree.h"
#include "tests/unit/mmu_test.h"

TestSuite(fault, .init = mmu_setup, .fini = mmu_teardown);
/* Tests in this suite size the RAM themselves with mmu_setup_frames(). */
TestSuite(fault_oom, .fini = mmu_teardown);

#define X UINT64_C(0x20000000)

static void expect_counts(const uint64_t expected[NR_FAULT_KINDS])
{
	for (int k = 0; k < NR_FAULT_KINDS; k++)
		cr_expect_eq(fx.stats.faults[k], expected[k], "%s: %" G_GUINT64_FORMAT
			     ", expected %" G_GUINT64_FORMAT, fault_kind_name(k),
			     fx.stats.faults[k], expected[k]);
}

static bool bytes_are(phys_addr_t frame, size_t from, size_t to, uint8_t value)
{
	const uint8_t *p = phys_to_host(fx.phys, frame);

	for (size_t i = from; i < to; i++)
		if (p[i] != value)
			return false;
	return true;
}

/* ---- anonymous memory ---- */

Test(fault, first_touch_maps_a_zero_page)
{
	map_fixed(X, 2 * PG, VM_RW, 0);
	expect_fault(fx.mm, X + 0x123, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_ANON);
	cr_expect_eq(pte_at(fx.mm, X), 0x2000 | LEAF_USER_RW);
	cr_expect(bytes_are(0x2000, 0, PG, 0));
	cr_expect_eq(data_frames(), 1);
	cr_expect_eq(table_frames(), 4);
	cr_expect_eq(pte_at(fx.mm, X + PG), 0, "only the faulting page");

	expect_fault(fx.mm, X + 0xff8, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_SPURIOUS);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SPURIOUS);
	cr_expect_eq(data_frames(), 1);
}

Test(fault, read_only_mapping_gets_a_read_only_entry)
{
	map_fixed(X, PG, VM_READ, 0);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_ANON);
	cr_expect_eq(pte_at(fx.mm, X), 0x2000 | LEAF_USER_RO);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_SIGSEGV, FAULT_KIND_ACCERR);
	expect_fault(fx.mm, X, FAULT_EXEC, VM_FAULT_SIGSEGV, FAULT_KIND_ACCERR);
	cr_expect_eq(pte_at(fx.mm, X), 0x2000 | LEAF_USER_RO, "unchanged");
}

Test(fault, no_vma_is_maperr)
{
	map_fixed(X, PG, VM_RW, 0);
	map_fixed(X + 2 * PG, PG, VM_RW, 0);
	expect_fault(fx.mm, X + PG, FAULT_READ, VM_FAULT_SIGSEGV, FAULT_KIND_MAPERR);
	expect_fault(fx.mm, X - 1, FAULT_WRITE, VM_FAULT_SIGSEGV, FAULT_KIND_MAPERR);
	expect_fault(fx.mm, 0, FAULT_READ, VM_FAULT_SIGSEGV, FAULT_KIND_MAPERR);
	expect_fault(fx.mm, TASK_SIZE, FAULT_READ, VM_FAULT_SIGSEGV, FAULT_KIND_MAPERR);
	expect_fault(fx.mm, UINT64_C(0xffff000000001000), FAULT_READ, VM_FAULT_SIGSEGV,
		     FAULT_KIND_MAPERR);
	cr_expect_eq(data_frames(), 0);
	cr_expect_eq(table_frames(), 1, "a failed fault builds no table");
}

Test(fault, prot_none_and_non_exec_are_accerr)
{
	map_fixed(X, PG, VM_NONE, 0);
	map_fixed(X + PG, PG, VM_RW, 0);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_SIGSEGV, FAULT_KIND_ACCERR);
	expect_fault(fx.mm, X + PG, FAULT_EXEC, VM_FAULT_SIGSEGV, FAULT_KIND_ACCERR);
	cr_expect_eq(data_frames(), 0);
}

Test(fault, write_only_mapping_is_readable)
{
	/* On AArch64 any EL0 permission includes read. */
	map_fixed(X, PG, VM_WRITE, 0);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_ANON);
	cr_expect_eq(pte_at(fx.mm, X), 0x2000 | LEAF_USER_RW);
}

Test(fault, exec_fault_invalidates_translated_code)
{
	map_fixed(X, 2 * PG, VM_READ | VM_EXEC, 0);
	expect_fault(fx.mm, X + PG + 4, FAULT_EXEC, VM_FAULT_DONE, FAULT_KIND_ANON);
	/* UXN clear: 0x0020000000000000 | 0xfc3. */
	cr_expect_eq(pte_at(fx.mm, X + PG), 0x2000 | UINT64_C(0x0020000000000fc3));
	cr_assert_eq(nr_code_invals(), 1);
	cr_expect_eq(code_inval_nr(0).start, X + PG);
	cr_expect_eq(code_inval_nr(0).end, X + 2 * PG);
}

Test(fault, counters_count_each_kind)
{
	const uint64_t expected[NR_FAULT_KINDS] = {
		[FAULT_KIND_ANON] = 2,
		[FAULT_KIND_SPURIOUS] = 1,
		[FAULT_KIND_MAPERR] = 1,
		[FAULT_KIND_ACCERR] = 3,
	};

	map_fixed(X, 2 * PG, VM_READ, 0);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_ANON);
	expect_fault(fx.mm, X + PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_ANON);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_SPURIOUS);
	expect_fault(fx.mm, X + 2 * PG, FAULT_READ, VM_FAULT_SIGSEGV, FAULT_KIND_MAPERR);
	for (int i = 0; i < 3; i++)
		expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_SIGSEGV, FAULT_KIND_ACCERR);
	expect_counts(expected);
	cr_expect_eq(fx.stats.tlb_flushes, 0);
}

/* ---- private file mappings ---- */

/* A file of one and a half pages: 4096 bytes of 'A', then 2048 of 'B'. */
static struct vm_file *half_page_file(void)
{
	static char data[PG + PG / 2];

	memset(data, 'A', PG);
	memset(data + PG, 'B', PG / 2);
	return temp_vm_file(data, sizeof(data), "/data/file");
}

Test(fault, file_pages_are_read_on_first_touch)
{
	struct vm_file *file = half_page_file();

	map_file(file, X, 3, VM_READ, 0);
	vm_file_put(file);

	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	cr_expect(bytes_are(frame_at(fx.mm, X), 0, PG, 'A'));
	expect_fault(fx.mm, X + PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	cr_expect(bytes_are(frame_at(fx.mm, X + PG), 0, PG / 2, 'B'));
	cr_expect(bytes_are(frame_at(fx.mm, X + PG), PG / 2, PG, 0), "zero past end of file");
	cr_expect_eq(pte_at(fx.mm, X + PG) & ~PTE_ADDR_MASK, LEAF_USER_RO);
}

Test(fault, vm_file_reads_whole_pages_zero_filled_past_eof)
{
	struct vm_file *file = half_page_file();
	static uint8_t page[PG];

	memset(page, 0xee, sizeof(page));
	cr_expect_eq(vm_file_read_page(file, PG, page), 0);
	cr_expect_eq(page[0], 'B');
	cr_expect_eq(page[PG / 2 - 1], 'B');
	for (size_t i = PG / 2; i < PG; i++)
		cr_assert_eq(page[i], 0, "byte %zu past end of file", i);
	cr_expect_eq(vm_file_read_page(file, PG + PG / 2, page), -ENXIO, "exactly at EOF");
	cr_expect_eq(vm_file_read_page(file, 2 * PG, page), -ENXIO);
	cr_expect_str_eq(vm_file_name(file), "/data/file");
	vm_file_put(file);
}

Test(fault, file_page_wholly_beyond_eof_is_sigbus)
{
	struct vm_file *file = half_page_file();
	const uint64_t expected[NR_FAULT_KINDS] = { [FAULT_KIND_SIGBUS] = 2 };

	/* Pages 0-2 of the file; page 2 starts at 8192 > 6144 bytes. */
	map_file(file, X, 3, VM_RW, 0);
	vm_file_put(file);
	expect_fault(fx.mm, X + 2 * PG, FAULT_READ, VM_FAULT_SIGBUS, FAULT_KIND_SIGBUS);
	expect_fault(fx.mm, X + 2 * PG + 8, FAULT_WRITE, VM_FAULT_SIGBUS, FAULT_KIND_SIGBUS);
	cr_expect_eq(data_frames(), 0, "the frame read into is given back");
	cr_expect_eq(table_frames(), 1, "no table built for it");
	expect_counts(expected);
}

Test(fault, file_offset_selects_the_page)
{
	struct vm_file *file = half_page_file();

	map_file(file, X, 1, VM_READ, PG);	/* file page 1 */
	vm_file_put(file);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	cr_expect(bytes_are(frame_at(fx.mm, X), 0, PG / 2, 'B'));
}

Test(fault, private_file_writes_stay_private)
{
	struct vm_file *file = half_page_file();
	phys_addr_t frame;

	map_file(file, X, 1, VM_RW, 0);
	map_file(file, X + 4 * PG, 1, VM_READ, 0);	/* a second view of page 0 */
	vm_file_put(file);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_FILE);
	frame = frame_at(fx.mm, X);
	memset(phys_to_host(fx.phys, frame), 'Z', PG);

	expect_fault(fx.mm, X + 4 * PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	cr_expect_neq(frame_at(fx.mm, X + 4 * PG), frame);
	cr_expect(bytes_are(frame_at(fx.mm, X + 4 * PG), 0, PG, 'A'), "the file is untouched");

	cr_assert_eq(mm_madvise_dontneed(fx.mm, X, PG), 0);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	cr_expect(bytes_are(frame_at(fx.mm, X), 0, PG, 'A'), "dropped: read from the file again");
}

/* ---- shared anonymous memory ---- */

Test(fault, shared_anonymous_pages_belong_to_the_object)
{
	phys_addr_t page0, page1;

	map_fixed(X, 2 * PG, VM_RW, MM_MAP_SHARED);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	expect_fault(fx.mm, X + PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	page0 = frame_at(fx.mm, X);
	page1 = frame_at(fx.mm, X + PG);
	cr_expect_neq(page0, page1, "one frame per page of the object");
	cr_expect_eq(pte_at(fx.mm, X + PG), page1 | LEAF_USER_RW);
	cr_expect_eq(phys_refcount(fx.phys, page1), 2, "the object's and the entry's");
	memset(phys_to_host(fx.phys, page1), 0x5a, PG);

	/* Unmapping page 0 leaves a VMA for object page 1 onwards; the object
	 * keeps page 0 while any mapping of it lives. */
	cr_assert_eq(mm_munmap(fx.mm, X, PG), 0);
	cr_assert_eq(vma_lookup(fx.mm, X + PG)->pgoff, 1);
	cr_expect_eq(phys_refcount(fx.phys, page0), 1);
	cr_assert_eq(mm_madvise_dontneed(fx.mm, X + PG, PG), 0);
	expect_fault(fx.mm, X + PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	cr_expect_eq(frame_at(fx.mm, X + PG), page1, "the same page of the object");
	cr_expect(bytes_are(page1, 0, PG, 0x5a));

	cr_assert_eq(mm_munmap(fx.mm, X + PG, PG), 0);
	cr_expect_eq(data_frames(), 0, "the last mapping took the object with it");
}

Test(fault, read_only_shared_mapping_refuses_writes)
{
	map_fixed(X, PG, VM_READ, MM_MAP_SHARED);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_SIGSEGV, FAULT_KIND_ACCERR);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	cr_expect_eq(pte_at(fx.mm, X) & ~PTE_ADDR_MASK, LEAF_USER_RO);
}

/* ---- copy-on-write ---- */

Test(fault, cow_copies_once_per_page_then_reuses)
{
	const uint64_t expected[NR_FAULT_KINDS] = {
		[FAULT_KIND_ANON] = 2,
		[FAULT_KIND_COW_COPY] = 2,
		[FAULT_KIND_COW_REUSE] = 2,
		[FAULT_KIND_SPURIOUS] = 1,
	};
	struct mm *child;

	map_fixed(X, 2 * PG, VM_RW, 0);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	expect_fault(fx.mm, X + PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	child = fork_mm();
	forget_notifications();

	expect_fault(child, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_SPURIOUS);
	expect_fault(child, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_COPY);
	expect_fault(child, X + PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_COPY);
	cr_expect_eq(data_frames(), 4);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_REUSE);
	expect_fault(fx.mm, X + PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_REUSE);
	cr_expect_eq(data_frames(), 4);
	expect_counts(expected);

	/* One flush per copy, of the child's page; none for a reuse. */
	cr_assert_eq(nr_flushes(), 2);
	cr_expect_eq(flush_nr(0).mm, child);
	cr_expect_eq(flush_nr(0).start, X);
	cr_expect_eq(flush_nr(0).end, X + PG);
	cr_expect_eq(flush_nr(1).start, X + PG);
	cr_expect_eq(flush_nr(1).end, X + 2 * PG);
	mm_destroy(child);
}

Test(fault, write_after_the_child_exits_reuses_the_page)
{
	phys_addr_t frame;

	map_fixed(X, PG, VM_RW, 0);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	frame = frame_at(fx.mm, X);
	mm_destroy(fork_mm());
	cr_expect_eq(pte_at(fx.mm, X), frame | LEAF_USER_RO, "still write-protected");
	cr_expect_eq(phys_refcount(fx.phys, frame), 1);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_REUSE);
	cr_expect_eq(pte_at(fx.mm, X), frame | LEAF_USER_RW);
}

/* ---- simulated memory exhausted ---- */

/*
 * 6 frames: 0 reserved, root 0x1000, then the first fault takes data 0x2000
 * and tables 0x3000-0x5000.  RAM is then full: the next fault's data frame
 * cannot be had, and nothing is built for it.
 */
Test(fault_oom, no_frame_for_the_data)
{
	const uint64_t expected[NR_FAULT_KINDS] = { [FAULT_KIND_ANON] = 1, [FAULT_KIND_OOM] = 1 };

	mmu_setup_frames(6);
	map_fixed(X, 2 * PG, VM_RW, 0);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	expect_fault(fx.mm, X + PG, FAULT_WRITE, VM_FAULT_OOM, FAULT_KIND_OOM);
	cr_expect_eq(pte_at(fx.mm, X + PG), 0);
	cr_expect_eq(data_frames(), 1);
	cr_expect_eq(table_frames(), 4);
	expect_counts(expected);
}

/*
 * 5 frames: root 0x1000, data 0x2000, level-1 0x3000, level-2 0x4000; the
 * level-3 table cannot be had.  The data frame must be given back.
 */
Test(fault_oom, no_frame_for_a_table)
{
	mmu_setup_frames(5);
	map_fixed(X, PG, VM_RW, 0);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_OOM, FAULT_KIND_OOM);
	cr_expect_eq(data_frames(), 0);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_OOM], 1);
}

/*
 * Regression (fixed; was a bug in mmu/fault.c, do_missing_page): the file's header promises that "a
 * fault that fails (SIGBUS, OOM) leaves the tables as they were", but when
 * pgtable_walk_alloc() runs out part-way, the level-1 and level-2 tables it
 * built stay.  Nothing frees them before mm_destroy(): range walks free only
 * tables they emptied, and these never held an entry, so even munmap of the
 * VMA leaves them allocated.
 */
Test(fault_oom, failed_table_walk_leaves_the_tables_as_they_were)
{
	mmu_setup_frames(5);
	map_fixed(X, PG, VM_RW, 0);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_OOM, FAULT_KIND_OOM);
	cr_expect_eq(table_frames(), 1, "only the root");
}

/*
 * 10 frames: the parent's root, data and three tables (0x1000-0x5000), the
 * child's root and three tables (0x6000-0x9000).  A copy-on-write copy has
 * no frame left; both entries stay as they were.
 */
Test(fault_oom, cow_copy_without_a_frame)
{
	struct mm *child;
	phys_addr_t frame;

	mmu_setup_frames(10);
	map_fixed(X, PG, VM_RW, 0);
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	frame = frame_at(fx.mm, X);
	child = fork_mm();
	cr_assert_eq(table_frames(), 8);
	expect_fault(child, X, FAULT_WRITE, VM_FAULT_OOM, FAULT_KIND_OOM);
	cr_expect_eq(pte_at(child, X), frame | LEAF_USER_RO);
	cr_expect_eq(phys_refcount(fx.phys, frame), 2);
	mm_destroy(child);
}

/* ---- the record of a fault, and its modelled steps ---- */

static struct vm_fault fault_at(struct mm *mm, uint64_t addr, enum fault_access access)
{
	struct vm_fault vmf;

	vm_fault_init(&vmf, mm, addr, access, 0);
	cr_assert_eq(handle_mm_fault(&vmf), VM_FAULT_DONE);
	return vmf;
}

/* The first touch below the root builds the level 1-3 tables (3 pages);
 * the next page of the same 2 MiB shares them. */
Test(fault, the_record_lists_tables_pages_and_entries)
{
	struct vm_fault vmf;

	map_fixed(X, 2 * PG, VM_RW, 0);
	vmf = fault_at(fx.mm, X + 8, FAULT_WRITE);
	cr_expect_eq(vmf.address, X);
	cr_expect_eq(vmf.real_address, X + 8);
	cr_expect_eq(vmf.tables_allocated, 3);
	cr_expect_eq(vmf.pages_zeroed, 1);
	cr_expect_eq(vmf.pages_copied, 0);
	cr_expect_eq(vmf.ptes_installed, 1);
	cr_expect_eq(vmf.flushes, 0);
	vmf = fault_at(fx.mm, X + PG, FAULT_READ);
	cr_expect_eq(vmf.tables_allocated, 0);
	cr_expect_eq(vmf.pages_zeroed, 1);
}

Test(fault, a_cow_copy_records_the_copy_and_its_flush)
{
	struct vm_fault vmf;
	struct mm *child;

	map_fixed(X, PG, VM_RW, 0);
	fault_at(fx.mm, X, FAULT_WRITE);
	child = fork_mm();
	vmf = fault_at(child, X, FAULT_WRITE);
	cr_expect_eq(vmf.kind, FAULT_KIND_COW_COPY);
	cr_expect_eq(vmf.pages_copied, 1);
	cr_expect_eq(vmf.pages_zeroed, 0);
	cr_expect_eq(vmf.ptes_installed, 1);
	cr_expect_eq(vmf.flushes, 1);
	mm_destroy(child);
}

/* A page the shared object already holds is not zeroed again. */
Test(fault, a_shared_page_found_in_the_object_is_not_zeroed)
{
	struct vm_fault vmf;
	struct mm *child;

	map_fixed(X, PG, VM_RW, MM_MAP_SHARED);
	child = fork_mm();
	vmf = fault_at(fx.mm, X, FAULT_READ);
	cr_expect_eq(vmf.pages_zeroed, 1);
	vmf = fault_at(child, X, FAULT_READ);
	cr_expect_eq(vmf.kind, FAULT_KIND_SHMEM);
	cr_expect_eq(vmf.pages_zeroed, 0);
	cr_expect_eq(frame_at(child, X), frame_at(fx.mm, X));
	mm_destroy(child);
}

/* Default profile: trap 100 + 3 tables x 300 + zero 250 + install 40 +
 * exit 80 = 1370 cycles; a file page costs a copy (500) instead. */
Test(fault, steps_come_from_the_record)
{
	struct cost_profile p;
	struct vm_fault vmf = { .tables_allocated = 3, .pages_zeroed = 1, .ptes_installed = 1 };
	struct event_cost ev;

	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	ev = vm_fault_steps(&vmf, &p);
	cr_expect_eq(ev.total, 1370);
	cr_expect_eq(ev.cycles[COST_PGTABLE_ALLOC], 900);
	vmf = (struct vm_fault){ .pages_copied = 1, .ptes_installed = 1 };
	cr_expect_eq(vm_fault_steps(&vmf, &p).total, 100 + 500 + 40 + 80);
	cost_profile_clear(&p);
}

/* ------------------------------------------------------------------
 * Linux's fault path (the vm tunables, each turned on alone): the zero
 * page, fault-around, fork's page-table copy, stack growth.  Expected
 * values are worked out by hand from mm/memory.c's rules.
 */

TestSuite(linux_fault, .init = mmu_setup, .fini = mmu_teardown);

Test(linux_fault, a_read_maps_the_zero_page_and_a_write_replaces_it)
{
	phys_addr_t zero;

	fx.tunables.zero_page = true;
	map_fixed(X, 4 * PG, VM_RW, 0);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_ZERO_PAGE);
	expect_fault(fx.mm, X + PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_ZERO_PAGE);
	zero = frame_at(fx.mm, X);
	cr_expect_eq(frame_at(fx.mm, X + PG), zero, "one zero page for both");
	cr_expect_eq(pte_at(fx.mm, X) & ~PTE_ADDR_MASK, LEAF_USER_RO, "read-only in a writable VMA");
	cr_expect_eq(data_frames(), 1, "the zero page is counted once");
	cr_expect_eq(vma_lookup(fx.mm, X)->flags & VM_ANON_PAGES, 0,
		     "the zero page is nobody's own page");

	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_ZERO);
	cr_expect_neq(frame_at(fx.mm, X), zero);
	cr_expect(bytes_are(frame_at(fx.mm, X), 0, PG, 0));
	cr_expect_eq(pte_at(fx.mm, X) & ~PTE_ADDR_MASK, LEAF_USER_RW);
	cr_expect_eq(frame_at(fx.mm, X + PG), zero, "the other page still maps it");
	cr_expect_eq(data_frames(), 2);
	/* A write to an untouched page allocates at once, as before. */
	expect_fault(fx.mm, X + 2 * PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	mm_munmap(fx.mm, X + PG, PG);
	cr_expect_eq(data_frames(), 2, "the zero page went with its last entry");
	/* A single entry on the zero page: a write still must not reuse it. */
	expect_fault(fx.mm, X + 3 * PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_ZERO_PAGE);
	expect_fault(fx.mm, X + 3 * PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_ZERO);
	mm_munmap(fx.mm, X, 4 * PG);
	fx.tunables.zero_page = false;
}

/* 32 pages of shared memory, written in one mm, read in its fork child. */
Test(linux_fault, fault_around_maps_the_cached_pages_of_the_aligned_window)
{
	struct mm *child;

	fx.tunables.fault_around_bytes = 16 * PG;
	fx.tunables.fork_skip_refillable = true;
	map_fixed(X, 32 * PG, VM_RW, MM_MAP_SHARED);
	for (int i = 0; i < 32; i++)	/* write faults never fault around */
		poke_u64(fx.mm, X + (uint64_t)i * PG, (uint64_t)i);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_SHMEM], 32);
	cr_expect_eq(fx.stats.fault_around_pages, 0);

	child = fork_mm();
	cr_expect_eq(pte_at(child, X + 5 * PG), 0, "fork copied no entry of shared memory");
	expect_fault(child, X + 5 * PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	cr_expect_eq(fx.stats.fault_around_pages, 15, "pages 0-15 but the faulting one");
	for (int i = 0; i < 16; i++)
		cr_expect_eq(frame_at(child, X + (uint64_t)i * PG), frame_at(fx.mm, X + (uint64_t)i * PG));
	cr_expect_eq(pte_at(child, X + 16 * PG), 0, "outside the window");
	expect_fault(child, X + 31 * PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	cr_expect_eq(fx.stats.fault_around_pages, 30);
	cr_expect_eq(peek_u64(child, X + 20 * PG), 20);
	mmput(child);
}

/* Fault-around maps only over empty entries (filemap_map_pages skips an
 * entry that is not pte_none): a poison marker and a userfaultfd
 * write-protect marker in the window stay as they are. */
Test(linux_fault, fault_around_leaves_markers_alone)
{
	struct mm *child;
	pte_t *ptep;

	fx.tunables.fault_around_bytes = 16 * PG;
	fx.tunables.fork_skip_refillable = true;
	map_fixed(X, 16 * PG, VM_RW, MM_MAP_SHARED);
	for (int i = 0; i < 16; i++)
		poke_u64(fx.mm, X + (uint64_t)i * PG, (uint64_t)i);
	child = fork_mm();
	cr_assert_geq(pgtable_walk_alloc(child->phys, child->pgd, X + 6 * PG, &ptep), 0);
	*ptep = PTE_MARKER_POISON;
	cr_assert_geq(pgtable_walk_alloc(child->phys, child->pgd, X + 7 * PG, &ptep), 0);
	*ptep = PTE_UFFD_WP;
	expect_fault(child, X + 5 * PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	cr_expect_eq(fx.stats.fault_around_pages, 13, "pages 0-15 but the faulting one and the markers");
	cr_expect_eq(pte_at(child, X + 6 * PG), PTE_MARKER_POISON, "the poison marker was mapped over");
	cr_expect_eq(pte_at(child, X + 7 * PG), PTE_UFFD_WP, "the write-protect marker was mapped over");
	cr_expect_eq(frame_at(child, X + 8 * PG), frame_at(fx.mm, X + 8 * PG));
	mmput(child);
}

/* A 10-page file mapped as 20 pages, 8 pages into a page table: the
 * window (do_fault_around) starts at the VMA, not at the 16-page boundary
 * below it, runs 16 pages from there, and stops at end of file. */
Test(linux_fault, fault_around_clips_to_the_vma_and_end_of_file)
{
	static uint8_t data[10 * PG];
	struct vm_file *file;

	memset(data, 'F', sizeof(data));
	file = temp_vm_file(data, sizeof(data), "/data/ten");
	fx.tunables.fault_around_bytes = 16 * PG;
	map_file(file, X + 8 * PG, 20, VM_READ, 0);
	vm_file_put(file);

	/* pte 11: from max(0, 11 - 3) = 8, to min(8 + 16, 11 + 20 - 3) = 24;
	 * the file's pages are ptes 8-17. */
	expect_fault(fx.mm, X + 11 * PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	cr_expect_eq(fx.stats.fault_around_pages, 9, "got %" G_GUINT64_FORMAT, fx.stats.fault_around_pages);
	cr_expect_eq(pte_at(fx.mm, X + 7 * PG), 0, "below the VMA");
	cr_expect(bytes_are(frame_at(fx.mm, X + 17 * PG), 0, PG, 'F'));
	cr_expect_eq(pte_at(fx.mm, X + 8 * PG) & ~PTE_ADDR_MASK, LEAF_USER_RO);
	cr_expect_eq(pte_at(fx.mm, X + 18 * PG), 0, "past end of file");
	expect_fault(fx.mm, X + 18 * PG, FAULT_READ, VM_FAULT_SIGBUS, FAULT_KIND_SIGBUS);
	expect_fault(fx.mm, X + 17 * PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_SPURIOUS);
}

Test(linux_fault, fault_around_off_maps_one_page)
{
	fx.tunables.fault_around_bytes = 0;
	map_fixed(X, 32 * PG, VM_RW, MM_MAP_SHARED);
	poke_u64(fx.mm, X + PG, 1);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	cr_expect_eq(fx.stats.fault_around_pages, 0);
}

Test(linux_fault, private_file_write_copies_the_cached_page)
{
	static uint8_t data[2 * PG];
	struct vm_file *file;
	phys_addr_t cached;

	memset(data, 'C', sizeof(data));
	file = temp_vm_file(data, sizeof(data), "/data/two");
	map_file(file, X, 2, VM_RW, 0);
	vm_file_put(file);
	expect_fault(fx.mm, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	cached = frame_at(fx.mm, X);
	cr_expect_eq(pte_at(fx.mm, X) & ~PTE_ADDR_MASK, LEAF_USER_RO, "the cache's page, read-only");
	expect_fault(fx.mm, X, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_COPY);
	cr_expect_neq(frame_at(fx.mm, X), cached);
	cr_expect(bytes_are(frame_at(fx.mm, X), 0, PG, 'C'));
	/* A write first: one fault, a copy (do_cow_fault). */
	expect_fault(fx.mm, X + PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_FILE);
	cr_expect_eq(pte_at(fx.mm, X + PG) & ~PTE_ADDR_MASK, LEAF_USER_RW);
	cr_expect_eq(data_frames(), 4, "two cached pages and two copies");
}

Test(linux_fault, fork_copies_only_vmas_with_pages_of_their_own)
{
	struct mm *child;

	fx.tunables.fork_skip_refillable = true;
	map_fixed(X, PG, VM_RW, 0);
	map_fixed(X + 2 * PG, PG, VM_RW, MM_MAP_SHARED);
	poke_u64(fx.mm, X, 1);
	poke_u64(fx.mm, X + 2 * PG, 2);
	child = fork_mm();
	cr_expect_eq(frame_at(child, X), frame_at(fx.mm, X), "private anonymous: copied");
	cr_expect_eq(pte_at(child, X + 2 * PG), 0, "shared: left to a fault");
	cr_expect_eq(peek_u64(child, X + 2 * PG), 2);
	mmput(child);

	fx.tunables.fork_skip_refillable = false;
	child = fork_mm();
	cr_expect_eq(frame_at(child, X + 2 * PG), frame_at(fx.mm, X + 2 * PG), "off: all copied");
	mmput(child);
}

/* MADV_WIPEONFORK wins over both fork rules: the child's VMA holds no
 * entry and no pages of its own (a zero-page read, not the parent's 7),
 * whether or not fork copies refillable VMAs; MADV_DONTFORK leaves the
 * VMA out; locks are not inherited. */
Test(linux_fault, fork_wipes_wipeonfork_and_skips_dontfork)
{
	struct mm *child;

	fx.tunables.zero_page = true;
	map_fixed(X, 2 * PG, VM_RW, 0);
	map_fixed(X + 4 * PG, PG, VM_RW, 0);
	poke_u64(fx.mm, X, 7);
	poke_u64(fx.mm, X + 4 * PG, 8);
	cr_assert_eq(mm_madvise(fx.mm, X, 2 * PG, MM_MADV_WIPEONFORK), 0);
	cr_assert_eq(mm_madvise(fx.mm, X + 4 * PG, PG, MM_MADV_DONTFORK), 0);
	cr_assert_eq(mm_mlock(fx.mm, X, 2 * PG, VM_LOCKED), 0);
	for (int copy_all = 0; copy_all < 2; copy_all++) {
		fx.tunables.fork_skip_refillable = !copy_all;
		child = fork_mm();
		cr_expect_eq(pte_at(child, X), 0, "no entry copied (copy all: %d)", copy_all);
		cr_expect_eq(vma_lookup(child, X)->flags & (VM_ANON_PAGES | VM_LOCKED_MASK), 0);
		cr_expect_eq(vma_lookup(child, X)->flags & VM_WIPEONFORK, VM_WIPEONFORK, "still wiped");
		cr_expect_null(vma_lookup(child, X + 4 * PG), "DONTFORK: not in the child");
		expect_fault(child, X, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_ZERO_PAGE);
		cr_expect_eq(peek_u64(child, X), 0);
		mmput(child);
	}
	cr_expect_eq(peek_u64(fx.mm, X), 7, "the parent keeps its page");
}

#define STACK_AT UINT64_C(0x40000000)

Test(linux_fault, the_stack_grows_down_to_a_fault_below_it)
{
	fx.tunables.stack_growth = true;
	map_fixed(STACK_AT - 4 * PG, 4 * PG, VM_RW, MM_MAP_GROWSDOWN);
	expect_fault(fx.mm, STACK_AT - 10 * PG + 8, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	expect_vma(fx.mm, STACK_AT - PG, STACK_AT - 10 * PG, STACK_AT, VM_RW);
	/* RLIMIT_STACK: 8 MiB from the top, no more. */
	expect_fault(fx.mm, STACK_AT - 8 * MiB, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	expect_fault(fx.mm, STACK_AT - 8 * MiB - 1, FAULT_WRITE, VM_FAULT_SIGSEGV, FAULT_KIND_MAPERR);
}

/* The gap index follows the grown stack (mmu/vma_tree's contract: a start
 * moves through vma_set_range): the tree's figures give its new start, and
 * the highest free 10 pages under STACK_AT end where it now begins. */
Test(linux_fault, stack_growth_keeps_the_gap_index_current)
{
	uint64_t addr;

	fx.tunables.stack_growth = true;
	map_fixed(STACK_AT - 4 * PG, 4 * PG, VM_RW, MM_MAP_GROWSDOWN);
	expect_fault(fx.mm, STACK_AT - 10 * PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_ANON);
	cr_assert_eq(mm_map_count(fx.mm), 1);
	cr_expect_eq(fx.mm->vmas.root->rb.first_start, STACK_AT - 10 * PG,
		     "the tree's first start %#" PRIx64, fx.mm->vmas.root->rb.first_start);
	cr_assert_eq(vma_tree_gap_topdown(&fx.mm->vmas, STACK_AT - 30 * PG, STACK_AT, 10 * PG, &addr), 0);
	cr_expect_eq(addr, STACK_AT - 20 * PG, "got %#" PRIx64, addr);
}

Test(linux_fault, the_stack_keeps_its_guard_gap)
{
	uint64_t low = STACK_AT - 4 * MiB;

	fx.tunables.stack_growth = true;
	map_fixed(STACK_AT - 4 * PG, 4 * PG, VM_RW, MM_MAP_GROWSDOWN);
	map_fixed(low, PG, VM_RW, 0);
	/* The gap below the grown stack must stay 256 pages (1 MiB). */
	expect_fault(fx.mm, low + PG + MiB, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_ANON);
	expect_fault(fx.mm, low + PG + MiB - 1, FAULT_READ, VM_FAULT_SIGSEGV, FAULT_KIND_MAPERR);
}

Test(linux_fault, without_stack_growth_a_fault_below_is_maperr)
{
	map_fixed(STACK_AT - 4 * PG, 4 * PG, VM_RW, MM_MAP_GROWSDOWN);
	expect_fault(fx.mm, STACK_AT - 5 * PG, FAULT_WRITE, VM_FAULT_SIGSEGV, FAULT_KIND_MAPERR);
}

/* A file of `pages` pages of `fill` opened twice: two vm_files, one inode. */
static void open_twice(uint64_t pages, int fill, struct vm_file **a, struct vm_file **b)
{
	char path[] = "/tmp/mmusim-test-XXXXXX";
	int fd = mkstemp(path);
	uint8_t page[PG];

	cr_assert_geq(fd, 0, "mkstemp: %d", errno);
	memset(page, fill, sizeof(page));
	for (uint64_t i = 0; i < pages; i++)
		cr_assert_eq(write(fd, page, PG), (ssize_t)PG);
	*a = vm_file_new(fd, "/data/one");
	*b = vm_file_new(open(path, O_RDONLY), "/data/one");
	unlink(path);
}

/* Linux's page cache is the inode's: two opens, two mappings, one frame. */
Test(linux_fault, separate_mmaps_of_one_file_share_its_page_cache)
{
	struct vm_file *a, *b, *other;
	static uint8_t data[PG];

	open_twice(4, 'S', &a, &b);
	memset(data, 'O', sizeof(data));
	other = temp_vm_file(data, sizeof(data), "/data/other");
	map_file(a, X, 4, VM_READ, 0);
	map_file(b, X + 16 * PG, 4, VM_READ, 0);
	map_file(other, X + 32 * PG, 1, VM_READ, 0);
	vm_file_put(a);
	vm_file_put(b);
	vm_file_put(other);

	expect_fault(fx.mm, X + PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	expect_fault(fx.mm, X + 17 * PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	cr_expect_eq(frame_at(fx.mm, X + 17 * PG), frame_at(fx.mm, X + PG), "one cached frame");
	expect_fault(fx.mm, X + 32 * PG, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_FILE);
	cr_expect(bytes_are(frame_at(fx.mm, X + 32 * PG), 0, PG, 'O'), "another inode, its own page");
	cr_expect_eq(data_frames(), 2);
	mm_munmap(fx.mm, X, 48 * PG);
	cr_expect_eq(data_frames(), 0, "the cache went with the last mapping of the file");
}

/* A read fault with fault-around in a 16-page file: 16 entries installed
 * and no copy (the file is taken to be in the host's page cache), whether
 * or not the simulated cache held its pages already (the second mapping's
 * fault finds them there: the first read them in). */
Test(linux_fault, a_neighbour_mapped_around_costs_an_entry_not_a_copy)
{
	struct vm_file *a, *b;
	struct vm_fault vmf;

	fx.tunables.fault_around_bytes = 16 * PG;
	open_twice(16, 'N', &a, &b);
	map_file(a, X, 16, VM_READ, 0);
	map_file(b, X + 16 * PG, 16, VM_READ, 0);
	vm_file_put(a);
	vm_file_put(b);

	vm_fault_init(&vmf, fx.mm, X + 3 * PG, FAULT_READ, 0);
	cr_assert_eq(handle_mm_fault(&vmf), VM_FAULT_DONE);
	cr_expect_eq(vmf.pages_copied, 0, "reading into the cache is free");
	cr_expect_eq(vmf.pages_around, 15);
	cr_expect_eq(vmf.ptes_installed, 16);

	vm_fault_init(&vmf, fx.mm, X + 20 * PG, FAULT_READ, 0);
	cr_assert_eq(handle_mm_fault(&vmf), VM_FAULT_DONE);
	cr_expect_eq(vmf.pages_copied, 0, "every page was cached");
	cr_expect_eq(vmf.pages_around, 15);
	cr_expect_eq(vmf.ptes_installed, 16);
	cr_expect_eq(data_frames(), 16);
}
