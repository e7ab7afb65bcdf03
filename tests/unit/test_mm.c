/*
 * mm: mmap, munmap, mprotect, brk, mremap, madvise(MADV_DONTNEED), populate
 * and the copy-on-write duplicate, with the TLB flushes each one owes.
 *
 * Top-down placement starts at MMAP_BASE = 0x7ffff7800000 (see mmu_test.h):
 * a first mapping of length L lands at MMAP_BASE - L, the next one directly
 * below it.  MAP_FIXED addresses are chosen by the tests.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "mmu/mm.h"
#include "mmu/shmem.h"
#include "mmu/uaccess.h"
#include "tests/unit/mmu_test.h"

TestSuite(mm, .init = mmu_setup, .fini = mmu_teardown);

#define X UINT64_C(0x20000000)
#define BRK0 UINT64_C(0x01000000)

/* Exactly `n` flushes so far, the last of them for [start, end) of `mm`. */
static void expect_flushes(unsigned n, struct mm *mm, uint64_t start, uint64_t end)
{
	struct range_rec last;

	cr_assert_eq(nr_flushes(), n, "%u flushes, expected %u", nr_flushes(), n);
	if (!n)
		return;
	last = flush_nr(n - 1);
	cr_expect_eq(last.mm, mm);
	cr_expect_eq(last.start, start, "flush start %#" G_GINT64_MODIFIER "x", last.start);
	cr_expect_eq(last.end, end, "flush end %#" G_GINT64_MODIFIER "x", last.end);
}

/* ---- mmap ---- */

Test(mm, mmap_places_top_down_from_mmap_base)
{
	uint64_t first = map_anon(fx.mm, 0, 0x3000, VM_RW, 0);
	uint64_t second = map_anon(fx.mm, 0, 0x2001, VM_READ, 0);	/* rounds up to 0x3000 */

	cr_expect_eq(fx.mm->mmap_base, EXPECTED_MMAP_BASE);
	cr_expect_eq(first, 0x7ffff77fd000);
	cr_expect_eq(second, 0x7ffff77fa000);
	expect_vma(fx.mm, first, 0x7ffff77fd000, 0x7ffff7800000, VM_RW);
	expect_vma(fx.mm, second, 0x7ffff77fa000, 0x7ffff77fd000, VM_READ);
	cr_expect_eq(mm_map_count(fx.mm), 2);
}

Test(mm, mmap_honours_a_usable_hint)
{
	cr_expect_eq(map_anon(fx.mm, 0x10000000, PG, VM_RW, 0), 0x10000000, "free hint");
	cr_expect_eq(map_anon(fx.mm, 0x10000800, PG, VM_READ, 0), 0x10001000,
		     "hint rounded up to a page");
	cr_expect_eq(map_anon(fx.mm, 0x10000000, PG, VM_READ, 0), 0x7ffff77ff000,
		     "occupied hint: top-down instead");
	cr_expect_eq(map_anon(fx.mm, 0x0fffe000, 3 * PG, VM_RW, 0), 0x7ffff77fc000,
		     "hint range runs into a VMA: top-down, below the previous one");
	cr_expect_eq(map_anon(fx.mm, 0x1000, PG, VM_READ, 0), 0x7ffff77fb000,
		     "hint below MMAP_MIN_ADDR is ignored");
	cr_expect_eq(mm_map_count(fx.mm), 5);
}

Test(mm, mmap_fixed_replaces_what_was_there)
{
	map_fixed(X, 4 * PG, VM_RW, 0);
	for (uint64_t i = 0; i < 4; i++)
		poke_u64(fx.mm, X + i * PG, 0x1111 * (i + 1));
	forget_notifications();

	map_fixed(X + PG, PG, VM_READ, 0);
	cr_expect_eq(mm_map_count(fx.mm), 3);
	expect_vma(fx.mm, X, X, X + PG, VM_RW);
	expect_vma(fx.mm, X + PG, X + PG, X + 2 * PG, VM_READ);
	expect_vma(fx.mm, X + 2 * PG, X + 2 * PG, X + 4 * PG, VM_RW);
	expect_flushes(1, fx.mm, X + PG, X + 2 * PG);
	cr_expect_eq(data_frames(), 3, "the replaced page's frame is freed");
	cr_expect_eq(peek_u64(fx.mm, X), 0x1111);
	cr_expect_eq(peek_u64(fx.mm, X + PG), 0, "a new, zero-filled page");
	cr_expect_eq(peek_u64(fx.mm, X + 2 * PG), 0x3333);
}

Test(mm, mmap_fixed_noreplace_refuses_an_overlap)
{
	uint64_t out = 0;

	map_fixed(X, 2 * PG, VM_RW, 0);
	cr_expect_eq(mm_mmap(fx.mm, X + PG, 2 * PG, VM_READ, MM_MAP_FIXED | MM_MAP_NOREPLACE,
			     NULL, 0, &out), -EEXIST);
	cr_expect_eq(mm_map_count(fx.mm), 1);
	expect_vma(fx.mm, X, X, X + 2 * PG, VM_RW);

	cr_expect_eq(mm_mmap(fx.mm, X + 2 * PG, PG, VM_READ, MM_MAP_FIXED | MM_MAP_NOREPLACE,
			     NULL, 0, &out), 0);
	cr_expect_eq(out, X + 2 * PG);
}

static void expect_mmap_error(uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
			      uint64_t offset, int err)
{
	uint64_t out = 0;

	cr_expect_eq(mm_mmap(fx.mm, addr, len, prot, flags, NULL, offset, &out), err,
		     "mmap(%#" G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER "x): expected %d",
		     addr, len, err);
}

Test(mm, mmap_rejects_bad_arguments)
{
	expect_mmap_error(0, 0, VM_RW, 0, 0, -EINVAL);			/* empty */
	expect_mmap_error(0, PG, VM_RW, 0, 0x800, -EINVAL);		/* offset not aligned */
	expect_mmap_error(0, PG, VM_KERNEL_EXEC, 0, 0, -EINVAL);	/* not a PROT_* bit */
	expect_mmap_error(X + 0x800, PG, VM_RW, MM_MAP_FIXED, 0, -EINVAL);
	expect_mmap_error(0x1000, PG, VM_RW, MM_MAP_FIXED, 0, -EPERM);	/* below 0x10000 */
	expect_mmap_error(TASK_SIZE - PG, 2 * PG, VM_RW, MM_MAP_FIXED, 0, -ENOMEM);
	expect_mmap_error(0, TASK_SIZE + PG, VM_RW, 0, 0, -ENOMEM);
	/* 0xfffffffffffff000 + 0x2000 wraps. */
	expect_mmap_error(0, 2 * PG, VM_RW, 0, UINT64_C(0xfffffffffffff000), -EOVERFLOW);
	cr_expect_eq(mm_map_count(fx.mm), 0);
}

/* Heuristic overcommit: one request may be as large as memory (the
 * fixture's 64 MiB, no swap), not a page more, if it must be backed by
 * memory: private writable, or shared anonymous whatever its protection.
 * MAP_NORESERVE and private read-only mappings are never refused. */
Test(mm, mmap_refuses_a_request_larger_than_memory)
{
	const uint64_t mem = FIXTURE_PHYS_SIZE, over = mem + PG;

	expect_mmap_error(0, over, VM_RW, 0, 0, -ENOMEM);
	expect_mmap_error(0, over, VM_NONE, MM_MAP_SHARED, 0, -ENOMEM);
	expect_mmap_error(X, over, VM_RW, MM_MAP_FIXED, 0, -ENOMEM);
	cr_expect_eq(mm_map_count(fx.mm), 0);
	cr_expect_eq(mm_munmap(fx.mm, map_anon(fx.mm, 0, mem, VM_RW, 0), mem), 0);
	cr_expect_eq(mm_munmap(fx.mm, map_anon(fx.mm, 0, over, VM_RW, MM_MAP_NORESERVE), over), 0);
	cr_expect_eq(mm_munmap(fx.mm, map_anon(fx.mm, 0, over, VM_READ, 0), over), 0);
	cr_expect_eq(mm_munmap(fx.mm, map_anon(fx.mm, 0, over, VM_NONE, 0), over), 0);
	cr_expect_eq(mm_map_count(fx.mm), 0);
}

/* The heap grows by at most all of memory in one step. */
Test(mm, brk_refuses_growth_larger_than_memory)
{
	fx.mm->start_brk = fx.mm->brk = BRK0;
	cr_expect_eq(mm_brk(fx.mm, BRK0 + FIXTURE_PHYS_SIZE + PG), BRK0);
	cr_expect_eq(mm_map_count(fx.mm), 0);
	cr_expect_eq(mm_brk(fx.mm, BRK0 + FIXTURE_PHYS_SIZE), BRK0 + FIXTURE_PHYS_SIZE);
	cr_expect_eq(mm_brk(fx.mm, BRK0 + 2 * FIXTURE_PHYS_SIZE), BRK0 + 2 * FIXTURE_PHYS_SIZE,
		     "each step is judged alone");
}

Test(mm, mmap_populate_faults_every_page_in)
{
	uint64_t a = map_anon(fx.mm, 0, 3 * PG, VM_RW, MM_MAP_POPULATE);

	cr_expect_eq(data_frames(), 3);
	cr_expect_eq(table_frames(), 4, "root + one table per level");
	cr_expect_eq(fx.stats.faults[FAULT_KIND_ANON], 3);
	for (uint64_t i = 0; i < 3; i++)
		cr_expect_eq(pte_at(fx.mm, a + i * PG) & ~PTE_ADDR_MASK, LEAF_USER_RW);

	map_anon(fx.mm, 0, 2 * PG, VM_NONE, MM_MAP_POPULATE);	/* nothing it may fault in */
	cr_expect_eq(data_frames(), 3);
}

/* ---- munmap ---- */

Test(mm, munmap_flushes_only_when_something_was_mapped)
{
	map_fixed(X, 4 * PG, VM_RW, 0);
	poke_u64(fx.mm, X + PG, 42);
	forget_notifications();

	cr_assert_eq(mm_munmap(fx.mm, X + 2 * PG, 2 * PG), 0);	/* never touched */
	expect_flushes(0, NULL, 0, 0);
	cr_assert_eq(mm_munmap(fx.mm, X + PG, PG), 0);
	expect_flushes(1, fx.mm, X + PG, X + 2 * PG);
	cr_expect_eq(data_frames(), 0);
	cr_assert_eq(mm_munmap(fx.mm, 0x50000000, PG), 0, "a hole is fine");
	expect_flushes(1, fx.mm, X + PG, X + 2 * PG);
	cr_expect_eq(fx.stats.tlb_flushes, 1);
	expect_vma(fx.mm, X, X, X + PG, VM_RW);
	cr_expect_eq(mm_map_count(fx.mm), 1);
}

Test(mm, munmap_rejects_bad_arguments)
{
	map_fixed(X, PG, VM_RW, 0);
	cr_expect_eq(mm_munmap(fx.mm, X + 1, PG), -EINVAL);
	cr_expect_eq(mm_munmap(fx.mm, X, 0), -EINVAL);
	cr_expect_eq(mm_munmap(fx.mm, TASK_SIZE - PG, 2 * PG), -EINVAL);
	cr_expect_eq(mm_map_count(fx.mm), 1);
}

/* ---- mprotect ---- */

Test(mm, mprotect_flushes_downgrades_only)
{
	phys_addr_t frame;

	map_fixed(X, 2 * PG, VM_RW, 0);
	poke_u64(fx.mm, X, 1);
	frame = frame_at(fx.mm, X);
	forget_notifications();

	cr_assert_eq(mm_mprotect(fx.mm, X, 2 * PG, VM_READ), 0);
	expect_flushes(1, fx.mm, X, X + 2 * PG);
	cr_expect_eq(pte_at(fx.mm, X), frame | LEAF_USER_RO);

	cr_assert_eq(mm_mprotect(fx.mm, X, 2 * PG, VM_RW), 0);
	expect_flushes(1, fx.mm, X, X + 2 * PG);	/* an upgrade needs no flush */
	cr_expect_eq(pte_at(fx.mm, X), frame | LEAF_USER_RW);

	cr_assert_eq(mm_mprotect(fx.mm, X, 2 * PG, VM_NONE), 0);
	expect_flushes(2, fx.mm, X, X + 2 * PG);
	/* PROT_NONE: valid, no EL0 bit, AP[2] read-only: 0x3|0x80|0x300|0x400|0x800. */
	cr_expect_eq(pte_at(fx.mm, X), frame | UINT64_C(0x0060000000000f83));
	cr_expect_eq(data_frames(), 1, "PROT_NONE keeps the page");
}

Test(mm, mprotect_adding_exec_invalidates_code)
{
	phys_addr_t frame;

	map_fixed(X, 2 * PG, VM_RW, 0);
	poke_u64(fx.mm, X + PG, 1);
	frame = frame_at(fx.mm, X + PG);
	forget_notifications();

	cr_assert_eq(mm_mprotect(fx.mm, X, 2 * PG, VM_READ | VM_EXEC), 0);
	expect_flushes(1, fx.mm, X, X + 2 * PG);		/* write was taken away */
	cr_assert_eq(nr_code_invals(), 1);
	cr_expect_eq(code_inval_nr(0).start, X);
	cr_expect_eq(code_inval_nr(0).end, X + 2 * PG);
	/* UXN (bit 54) clear: 0x0020000000000000 | 0xfc3. */
	cr_expect_eq(pte_at(fx.mm, X + PG), frame | UINT64_C(0x0020000000000fc3));
}

Test(mm, mprotect_of_untouched_pages_flushes_nothing)
{
	map_fixed(X, 2 * PG, VM_RW, 0);
	cr_assert_eq(mm_mprotect(fx.mm, X, 2 * PG, VM_READ), 0);
	expect_flushes(0, NULL, 0, 0);
	expect_vma(fx.mm, X, X, X + 2 * PG, VM_READ);
}

Test(mm, mprotect_rejects_bad_arguments)
{
	map_fixed(X, 2 * PG, VM_RW, 0);
	cr_expect_eq(mm_mprotect(fx.mm, X + 8, PG, VM_READ), -EINVAL);
	cr_expect_eq(mm_mprotect(fx.mm, X, PG, VM_KERNEL_EXEC), -EINVAL);
	cr_expect_eq(mm_mprotect(fx.mm, X + 4 * PG, PG, VM_READ), -ENOMEM, "a hole");
	cr_expect_eq(mm_mprotect(fx.mm, X, 3 * PG, VM_READ), -ENOMEM, "runs past the end");
	cr_expect_eq(mm_mprotect(fx.mm, X + 4 * PG, 0, VM_READ), 0, "empty: nothing to do");
}

/* ---- mmu_gather: one flush per mprotect ---- */

/* Two VMAs that cannot merge (RW next to RWX), a page present in each:
 * taking write away from both flushes once, for [X, X + 4 pages). */
Test(mm, mprotect_over_two_vmas_flushes_once_for_their_union)
{
	map_fixed(X, 2 * PG, VM_RW, 0);
	map_fixed(X + 2 * PG, 2 * PG, VM_RW | VM_EXEC, 0);
	cr_assert_eq(mm_map_count(fx.mm), 2);
	poke_u64(fx.mm, X, 1);
	poke_u64(fx.mm, X + 3 * PG, 2);
	forget_notifications();

	cr_assert_eq(mm_mprotect(fx.mm, X, 4 * PG, VM_READ), 0);
	expect_flushes(1, fx.mm, X, X + 4 * PG);
	expect_vma(fx.mm, X, X, X + 4 * PG, VM_READ);	/* now alike: merged */
	cr_expect_eq(pte_at(fx.mm, X + 3 * PG), frame_at(fx.mm, X + 3 * PG) | LEAF_USER_RO);
}

/* Only the part of each VMA inside the range is changed and flushed: pages
 * 1 and 2 of the four, [X + PG, X + 3 PG), once. */
Test(mm, mprotect_across_a_vma_boundary_flushes_only_the_range)
{
	map_fixed(X, 2 * PG, VM_RW, 0);
	map_fixed(X + 2 * PG, 2 * PG, VM_RW | VM_EXEC, 0);
	for (uint64_t i = 0; i < 4; i++)
		poke_u64(fx.mm, X + i * PG, i);
	forget_notifications();

	cr_assert_eq(mm_mprotect(fx.mm, X + PG, 2 * PG, VM_READ), 0);
	expect_flushes(1, fx.mm, X + PG, X + 3 * PG);
	expect_vma(fx.mm, X, X, X + PG, VM_RW);
	expect_vma(fx.mm, X + PG, X + PG, X + 3 * PG, VM_READ);
	expect_vma(fx.mm, X + 3 * PG, X + 3 * PG, X + 4 * PG, VM_RW | VM_EXEC);
}

/* Three VMAs, the middle one never touched (nothing to downgrade there):
 * still one flush, spanning from the first to the last, [X, X + 6 pages). */
Test(mm, mprotect_flush_spans_an_untouched_vma_in_between)
{
	map_fixed(X, 2 * PG, VM_RW, 0);
	map_fixed(X + 2 * PG, 2 * PG, VM_RW | VM_EXEC, 0);
	map_fixed(X + 4 * PG, 2 * PG, VM_RW, 0);
	cr_assert_eq(mm_map_count(fx.mm), 3);
	poke_u64(fx.mm, X, 1);
	poke_u64(fx.mm, X + 5 * PG, 2);
	forget_notifications();

	cr_assert_eq(mm_mprotect(fx.mm, X, 6 * PG, VM_READ), 0);
	expect_flushes(1, fx.mm, X, X + 6 * PG);
}

/* Upgrading two VMAs with present pages (READ and READ|EXEC to RWX) takes
 * nothing away: no flush at all. */
Test(mm, mprotect_upgrade_over_two_vmas_flushes_nothing)
{
	map_fixed(X, 2 * PG, VM_RW, 0);
	map_fixed(X + 2 * PG, 2 * PG, VM_RW | VM_EXEC, 0);
	poke_u64(fx.mm, X, 1);
	poke_u64(fx.mm, X + 2 * PG, 2);
	cr_assert_eq(mm_mprotect(fx.mm, X, 2 * PG, VM_READ), 0);
	cr_assert_eq(mm_mprotect(fx.mm, X + 2 * PG, 2 * PG, VM_READ | VM_EXEC), 0);
	cr_assert_eq(mm_map_count(fx.mm), 2);
	forget_notifications();

	cr_assert_eq(mm_mprotect(fx.mm, X, 4 * PG, VM_RW | VM_EXEC), 0);
	expect_flushes(0, NULL, 0, 0);
	expect_vma(fx.mm, X, X, X + 4 * PG, VM_RW | VM_EXEC);
	poke_u64(fx.mm, X, 3);			/* writable again */
	cr_expect_eq(peek_u64(fx.mm, X), 3);
}

/* The gather itself: ranges added out of order flush once as their hull;
 * finishing again, or with nothing gathered, flushes nothing. */
Test(mm, a_gather_flushes_the_hull_of_its_ranges_once)
{
	struct mmu_gather tlb;

	tlb_gather_mmu(&tlb, fx.mm);
	tlb_finish_mmu(&tlb);
	expect_flushes(0, NULL, 0, 0);

	tlb_gather_mmu(&tlb, fx.mm);
	tlb_gather_range(&tlb, X + 4 * PG, X + 5 * PG);
	tlb_gather_range(&tlb, X, X + PG);
	tlb_gather_range(&tlb, X + 2 * PG, X + 3 * PG);
	expect_flushes(0, NULL, 0, 0);		/* nothing until the finish */
	tlb_finish_mmu(&tlb);
	expect_flushes(1, fx.mm, X, X + 5 * PG);
	tlb_finish_mmu(&tlb);
	expect_flushes(1, fx.mm, X, X + 5 * PG);
}

/* ---- brk ---- */

static void set_brk_start(uint64_t addr)
{
	fx.mm->start_brk = fx.mm->brk = addr;
}

Test(mm, brk_grows_and_shrinks_the_heap)
{
	struct vma *heap;

	set_brk_start(BRK0);
	cr_expect_eq(mm_brk(fx.mm, BRK0 + 0x2345), BRK0 + 0x2345);
	expect_vma(fx.mm, BRK0, BRK0, BRK0 + 0x3000, VM_RW);
	heap = vma_lookup(fx.mm, BRK0);
	cr_assert_not_null(heap);
	cr_expect_str_eq(heap->name, "[heap]");

	cr_expect_eq(mm_brk(fx.mm, BRK0 + 0x5000), BRK0 + 0x5000);
	expect_vma(fx.mm, BRK0, BRK0, BRK0 + 0x5000, VM_RW);
	cr_expect_eq(mm_map_count(fx.mm), 1, "the growth merged into the heap");

	poke_u64(fx.mm, BRK0 + 0x4000, 7);
	forget_notifications();
	cr_expect_eq(mm_brk(fx.mm, BRK0 + 0x1000), BRK0 + 0x1000);
	expect_vma(fx.mm, BRK0, BRK0, BRK0 + 0x1000, VM_RW);
	expect_flushes(1, fx.mm, BRK0 + 0x1000, BRK0 + 0x5000);
	cr_expect_eq(data_frames(), 0);

	cr_expect_eq(mm_brk(fx.mm, BRK0 - PG), BRK0 + 0x1000, "below start_brk: unchanged");
	cr_expect_eq(fx.mm->brk, BRK0 + 0x1000);
	cr_expect_eq(mm_brk(fx.mm, BRK0), BRK0);
	cr_expect_eq(mm_map_count(fx.mm), 0);
}

Test(mm, brk_keeps_a_guard_gap_below_the_next_mapping)
{
	set_brk_start(BRK0);
	map_fixed(BRK0 + 2 * MiB, PG, VM_RW, 0);
	/* [BRK0, new end + 1 MiB) must be free: BRK0 + 1 MiB + 4 KiB is too far. */
	cr_expect_eq(mm_brk(fx.mm, BRK0 + MiB + PG), BRK0);
	cr_expect_eq(mm_map_count(fx.mm), 1);
	cr_expect_eq(mm_brk(fx.mm, BRK0 + MiB), BRK0 + MiB);
	expect_vma(fx.mm, BRK0, BRK0, BRK0 + MiB, VM_RW);
}

/* ---- mremap ---- */

Test(mm, mremap_grows_in_place_when_the_room_is_free)
{
	uint64_t a = map_anon(fx.mm, 0, PG, VM_RW, 0), out = 0;

	cr_assert_eq(a, 0x7ffff77ff000);
	cr_assert_eq(mm_mremap(fx.mm, a, PG, 3 * PG, 0, 0, &out), 0);
	cr_expect_eq(out, a);
	expect_vma(fx.mm, a, a, a + 3 * PG, VM_RW);
}

Test(mm, mremap_moves_when_blocked_and_keeps_the_contents)
{
	uint64_t high = map_anon(fx.mm, 0, PG, VM_READ, 0);
	uint64_t low = map_anon(fx.mm, 0, PG, VM_RW, 0), out = 0;
	phys_addr_t frame;

	cr_assert_eq(high, 0x7ffff77ff000);
	cr_assert_eq(low, 0x7ffff77fe000);
	poke_u64(fx.mm, low, 0xfeedface);
	poke_u64(fx.mm, low + 0xff8, 0x1234);
	frame = frame_at(fx.mm, low);
	forget_notifications();

	cr_expect_eq(mm_mremap(fx.mm, low, PG, 2 * PG, 0, 0, &out), -ENOMEM, "may not move");
	expect_vma(fx.mm, low, low, low + PG, VM_RW);

	cr_assert_eq(mm_mremap(fx.mm, low, PG, 2 * PG, MM_REMAP_MAYMOVE, 0, &out), 0);
	/* Top-down, below `low`: 0x7ffff77fe000 - 0x2000. */
	cr_expect_eq(out, 0x7ffff77fc000);
	expect_vma(fx.mm, out, out, out + 2 * PG, VM_RW);
	cr_expect_null(vma_lookup(fx.mm, low));
	cr_expect_eq(pte_at(fx.mm, low), 0);
	cr_expect_eq(frame_at(fx.mm, out), frame, "the frame moved, not copied");
	cr_expect_eq(data_frames(), 1);
	expect_flushes(1, fx.mm, low, low + PG);
	cr_expect_eq(peek_u64(fx.mm, out), 0xfeedface);
	cr_expect_eq(peek_u64(fx.mm, out + 0xff8), 0x1234);
	cr_expect_eq(peek_u64(fx.mm, out + PG), 0, "the new tail is demand-zero");
}

Test(mm, mremap_shrink_unmaps_the_tail)
{
	uint64_t a = map_anon(fx.mm, 0, 4 * PG, VM_RW, 0), out = 0;

	for (uint64_t i = 0; i < 4; i++)
		poke_u64(fx.mm, a + i * PG, i + 1);
	forget_notifications();
	cr_assert_eq(mm_mremap(fx.mm, a, 4 * PG, PG, 0, 0, &out), 0);
	cr_expect_eq(out, a);
	expect_vma(fx.mm, a, a, a + PG, VM_RW);
	expect_flushes(1, fx.mm, a + PG, a + 4 * PG);
	cr_expect_eq(data_frames(), 1);
	cr_expect_eq(peek_u64(fx.mm, a), 1);
}

Test(mm, mremap_fixed_moves_to_the_given_address)
{
	uint64_t a = map_anon(fx.mm, 0, 2 * PG, VM_RW, 0), out = 0;

	poke_u64(fx.mm, a + PG, 0xabcdef);
	cr_assert_eq(mm_mremap(fx.mm, a + PG, PG, PG, MM_REMAP_MAYMOVE | MM_REMAP_FIXED,
			       0x30000000, &out), 0);
	cr_expect_eq(out, 0x30000000);
	expect_vma(fx.mm, a, a, a + PG, VM_RW);
	expect_vma(fx.mm, 0x30000000, 0x30000000, 0x30001000, VM_RW);
	cr_expect_eq(peek_u64(fx.mm, 0x30000000), 0xabcdef);
}

Test(mm, mremap_rejects_bad_arguments)
{
	uint64_t a = map_anon(fx.mm, 0, 2 * PG, VM_RW, 0), out = 0;

	cr_expect_eq(mm_mremap(fx.mm, a + 8, PG, PG, 0, 0, &out), -EINVAL);
	cr_expect_eq(mm_mremap(fx.mm, a, PG, PG, MM_REMAP_FIXED, X, &out), -EINVAL,
		     "FIXED needs MAYMOVE");
	cr_expect_eq(mm_mremap(fx.mm, a, PG, 2 * PG, MM_REMAP_MAYMOVE | MM_REMAP_FIXED, a - PG,
			       &out), -EINVAL, "new range overlaps the old one");
	cr_expect_eq(mm_mremap(fx.mm, a, 0, PG, MM_REMAP_MAYMOVE, 0, &out), -EINVAL);
	cr_expect_eq(mm_mremap(fx.mm, X, PG, 2 * PG, MM_REMAP_MAYMOVE, 0, &out), -EFAULT,
		     "nothing mapped there");
	cr_expect_eq(mm_mremap(fx.mm, a, 3 * PG, 4 * PG, MM_REMAP_MAYMOVE, 0, &out), -EFAULT,
		     "old range runs past its VMA");
	expect_vma(fx.mm, a, a, a + 2 * PG, VM_RW);
}

/*
 * Regression (fixed; was a bug in mmu/mm.c, mm_mremap, in-place growth): `old_end <= TASK_SIZE - grow`
 * underflows when grow > TASK_SIZE, so a growth of 2^48 bytes passes, and
 * with nothing mapped above the VMA is stretched past TASK_SIZE.  Linux
 * (vma_expandable -> get_unmapped_area) refuses with -ENOMEM.
 */
Test(mm, mremap_cannot_grow_past_task_size)
{
	uint64_t a = map_anon(fx.mm, 0, PG, VM_RW, 0), out = 0;

	cr_expect_eq(mm_mremap(fx.mm, a, PG, UINT64_C(1) << 48, 0, 0, &out), -ENOMEM);
	expect_vma(fx.mm, a, a, a + PG, VM_RW);
}

/*
 * Regression (fixed; mmu/mm.c, mm_mprotect and mm_madvise_dontneed): a length that
 * PAGE_ALIGN() wraps to 0 (len > 2^64 - 4096) is taken for an empty range
 * and succeeds.  Linux rejects it after rounding: mprotect with -ENOMEM
 * (end <= start), madvise with -EINVAL (len_in && !len).
 */
Test(mm, lengths_that_round_up_to_zero_are_errors)
{
	uint64_t a = map_anon(fx.mm, 0, PG, VM_RW, 0);

	cr_expect_eq(mm_mprotect(fx.mm, a, UINT64_MAX, VM_READ), -ENOMEM);
	cr_expect_eq(mm_madvise_dontneed(fx.mm, a, UINT64_MAX), -EINVAL);
}

/* ---- madvise(MADV_DONTNEED) ---- */

Test(mm, dontneed_drops_private_anonymous_pages)
{
	uint64_t a = map_anon(fx.mm, 0, 2 * PG, VM_RW, 0);

	poke_u64(fx.mm, a, 0xdeadbeef);
	poke_u64(fx.mm, a + PG, 7);
	forget_notifications();
	cr_assert_eq(mm_madvise_dontneed(fx.mm, a, PG), 0);
	expect_flushes(1, fx.mm, a, a + PG);
	cr_expect_eq(data_frames(), 1);
	cr_expect_eq(peek_u64(fx.mm, a), 0, "refaulted as a zero page");
	cr_expect_eq(peek_u64(fx.mm, a + PG), 7);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_ANON], 3);
}

Test(mm, dontneed_keeps_shared_anonymous_data)
{
	uint64_t a = map_anon(fx.mm, 0, PG, VM_RW, MM_MAP_SHARED);
	phys_addr_t frame;

	poke_u64(fx.mm, a, 0xdeadbeef);
	frame = frame_at(fx.mm, a);
	cr_expect_eq(phys_refcount(fx.phys, frame), 2, "the object's and the entry's");
	forget_notifications();
	cr_assert_eq(mm_madvise_dontneed(fx.mm, a, PG), 0);
	expect_flushes(1, fx.mm, a, a + PG);
	cr_expect_eq(pte_at(fx.mm, a), 0);
	cr_expect_eq(phys_refcount(fx.phys, frame), 1, "the shared object keeps the page");
	cr_expect_eq(peek_u64(fx.mm, a), 0xdeadbeef);
	cr_expect_eq(frame_at(fx.mm, a), frame);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_SHMEM], 2);
}

Test(mm, dontneed_of_untouched_pages_and_bad_arguments)
{
	uint64_t a = map_anon(fx.mm, 0, 2 * PG, VM_RW, 0);

	cr_expect_eq(mm_madvise_dontneed(fx.mm, a, 2 * PG), 0);
	expect_flushes(0, NULL, 0, 0);
	cr_expect_eq(mm_madvise_dontneed(fx.mm, a + 1, PG), -EINVAL);
	cr_expect_eq(mm_madvise_dontneed(fx.mm, a, 3 * PG), -ENOMEM, "runs past the VMA");
	cr_expect_eq(mm_madvise_dontneed(fx.mm, X, PG), -ENOMEM, "a hole");
}

/* ---- mm_dup (fork) ---- */

/* Destroy both address spaces; nothing may be left behind. */
static void destroy_both(struct mm *child)
{
	mm_destroy(child);
	mm_destroy(fx.mm);
	fx.mm = NULL;
	expect_no_frames_in_use();
}

Test(mm, dup_shares_private_pages_copy_on_write)
{
	uint64_t a = map_anon(fx.mm, 0, PG, VM_RW, 0);
	phys_addr_t frame, copy;
	struct mm *child;

	poke_u64(fx.mm, a, 0x1234);
	frame = frame_at(fx.mm, a);
	forget_notifications();

	child = fork_mm();
	cr_expect_eq(frame_at(child, a), frame);
	cr_expect_eq(phys_refcount(fx.phys, frame), 2);
	cr_expect_eq(pte_at(fx.mm, a), frame | LEAF_USER_RO, "parent write-protected");
	cr_expect_eq(pte_at(child, a), frame | LEAF_USER_RO);
	expect_flushes(1, fx.mm, 0, TASK_SIZE);
	expect_vma(child, a, a, a + PG, VM_RW);

	expect_fault(child, a, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_COPY);
	copy = frame_at(child, a);
	cr_expect_neq(copy, frame);
	cr_expect_eq(phys_refcount(fx.phys, frame), 1);
	cr_expect_eq(phys_refcount(fx.phys, copy), 1);
	cr_expect_eq(pte_at(child, a), copy | LEAF_USER_RW);
	cr_expect_eq(peek_u64(child, a), 0x1234, "the copy has the contents");
	expect_flushes(2, child, a, a + PG);

	expect_fault(fx.mm, a, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_REUSE);
	cr_expect_eq(pte_at(fx.mm, a), frame | LEAF_USER_RW, "upgraded in place");
	expect_flushes(2, child, a, a + PG);

	poke_u64(child, a, 0x5678);
	cr_expect_eq(peek_u64(fx.mm, a), 0x1234);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_COW_COPY], 1);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_COW_REUSE], 1);
	destroy_both(child);
}

Test(mm, mprotect_keeps_cow_pages_write_protected)
{
	uint64_t a = map_anon(fx.mm, 0, PG, VM_RW, 0);
	phys_addr_t frame;
	struct mm *child;

	poke_u64(fx.mm, a, 1);
	frame = frame_at(fx.mm, a);
	child = fork_mm();
	cr_assert_eq(mm_mprotect(fx.mm, a, PG, VM_READ), 0);
	cr_assert_eq(mm_mprotect(fx.mm, a, PG, VM_RW), 0);
	expect_vma(fx.mm, a, a, a + PG, VM_RW);
	cr_expect_eq(pte_at(fx.mm, a), frame | LEAF_USER_RO, "the child still maps the frame");
	expect_fault(fx.mm, a, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_COW_COPY);
	cr_expect_eq(peek_u64(child, a), 1);
	destroy_both(child);
}

Test(mm, dup_keeps_shared_anonymous_memory_shared)
{
	uint64_t a = map_anon(fx.mm, 0, PG, VM_RW, MM_MAP_SHARED);
	phys_addr_t frame;
	struct mm *child;

	poke_u64(fx.mm, a, 1);
	frame = frame_at(fx.mm, a);
	forget_notifications();

	child = fork_mm();
	cr_expect_eq(phys_refcount(fx.phys, frame), 3, "the object + two entries");
	cr_expect_eq(pte_at(fx.mm, a), frame | LEAF_USER_RW, "no write protection");
	cr_expect_eq(pte_at(child, a), frame | LEAF_USER_RW);
	expect_flushes(0, NULL, 0, 0);
	poke_u64(child, a, 2);
	cr_expect_eq(peek_u64(fx.mm, a), 2);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_COW_COPY], 0);
	destroy_both(child);
}

Test(mm, dup_copies_the_layout_and_the_break)
{
	struct mm *child;

	set_brk_start(BRK0);
	mm_brk(fx.mm, BRK0 + 2 * PG);
	map_anon(fx.mm, 0, PG, VM_READ, 0);
	map_anon(fx.mm, 0, 3 * PG, VM_RW, MM_MAP_SHARED);
	child = fork_mm();
	cr_expect_eq(mm_map_count(child), 3);
	cr_expect_eq(child->start_brk, BRK0);
	cr_expect_eq(child->brk, BRK0 + 2 * PG);
	expect_vma(child, BRK0, BRK0, BRK0 + 2 * PG, VM_RW);
	expect_vma(child, 0x7ffff77ff000, 0x7ffff77ff000, EXPECTED_MMAP_BASE, VM_READ);
	expect_vma(child, 0x7ffff77fc000, 0x7ffff77fc000, 0x7ffff77ff000, VM_RW);
	cr_expect_eq(table_frames(), 2, "nothing populated: two roots");
	destroy_both(child);
}

/* ---- mseal, memory-deny-write-execute, the OOM reaper ---- */

/* Pages 1-2 of [X, X + 4 pages) sealed: what mm/mseal.c refuses (EPERM),
 * with nothing changed, and what it still allows around them. */
Test(mm, a_sealed_vma_refuses_unmap_move_and_mprotect)
{
	uint64_t out;

	map_fixed(X, 4 * PG, VM_RW, 0);
	cr_assert_eq(mm_mseal(fx.mm, X + PG, 2 * PG), 0);
	expect_vma(fx.mm, X + PG, X + PG, X + 3 * PG, VM_RW);
	cr_expect(vma_lookup(fx.mm, X + PG)->flags & VM_SEALED);
	cr_expect_not(vma_lookup(fx.mm, X)->flags & VM_SEALED);
	cr_expect_eq(mm_munmap(fx.mm, X, 4 * PG), -EPERM);
	expect_vma(fx.mm, X, X, X + PG, VM_RW);
	cr_expect_eq(mm_mprotect(fx.mm, X + PG, PG, VM_RW), -EPERM);
	cr_expect_eq(mm_mremap(fx.mm, X + PG, PG, 2 * PG, MM_REMAP_MAYMOVE, 0, &out), -EPERM);
	cr_expect_eq(mm_mmap(fx.mm, X + 2 * PG, PG, VM_READ, MM_MAP_FIXED, NULL, 0, &out), -EPERM);
	cr_expect_eq(mm_munmap(fx.mm, X, PG), 0);
	cr_expect_eq(mm_mmap(fx.mm, X + 3 * PG, PG, VM_READ, MM_MAP_FIXED, NULL, 0, &out), 0);
	expect_vma(fx.mm, X + 2 * PG, X + PG, X + 3 * PG, VM_RW);
}

Test(mm, mseal_checks_its_range_before_sealing_anything)
{
	map_fixed(X, PG, VM_RW, 0);
	map_fixed(X + 2 * PG, PG, VM_RW, 0);
	cr_expect_eq(mm_mseal(fx.mm, X, 3 * PG), -ENOMEM);
	cr_expect_not(vma_lookup(fx.mm, X)->flags & VM_SEALED);
	cr_expect_eq(mm_mseal(fx.mm, X + 1, PG), -EINVAL);
	cr_expect_eq(mm_mseal(fx.mm, X, UINT64_MAX), -EINVAL);
	cr_expect_eq(mm_mseal(fx.mm, X + PG, 0), 0);
}

/* As Linux's mprotect, VMA by VMA: the one before the sealed one changed. */
Test(mm, mprotect_stops_at_a_sealed_vma)
{
	map_fixed(X, 2 * PG, VM_RW, 0);
	cr_assert_eq(mm_mseal(fx.mm, X + PG, PG), 0);
	cr_expect_eq(mm_mprotect(fx.mm, X, 2 * PG, VM_READ), -EPERM);
	expect_vma(fx.mm, X, X, X + PG, VM_READ);
	expect_vma(fx.mm, X + PG, X + PG, X + 2 * PG, VM_RW);
}

/* The VMAs after the refused one are left whole: not split at the end. */
Test(mm, a_refused_mprotect_leaves_no_split_behind)
{
	map_fixed(X, PG, VM_RW, 0);
	map_fixed(X + PG, PG, VM_READ, 0);
	map_fixed(X + 2 * PG, 2 * PG, VM_RW, 0);
	cr_assert_eq(mm_mseal(fx.mm, X + PG, PG), 0);
	cr_expect_eq(mm_mprotect(fx.mm, X, 3 * PG, VM_READ), -EPERM);
	expect_vma(fx.mm, X + 2 * PG, X + 2 * PG, X + 4 * PG, VM_RW);
}

/* DONTNEED discards up to the first sealed read-only anonymous VMA. */
Test(mm, dontneed_stops_at_sealed_read_only_anonymous_memory)
{
	map_fixed(X, 2 * PG, VM_RW, 0);
	poke_u64(fx.mm, X, 5);
	poke_u64(fx.mm, X + PG, 6);
	cr_assert_eq(mm_mprotect(fx.mm, X + PG, PG, VM_READ), 0);
	cr_assert_eq(mm_mseal(fx.mm, X + PG, PG), 0);
	cr_expect_eq(mm_madvise_dontneed(fx.mm, X, 2 * PG), -EPERM);
	cr_expect_eq(pte_at(fx.mm, X), 0, "the page before it was discarded");
	cr_expect_eq(peek_u64(fx.mm, X + PG), 6);
	cr_expect_eq(mm_discard_limit(fx.mm, X, X + 2 * PG), X + PG);
}

Test(mm, mdwe_refuses_write_exec_and_exec_gain)
{
	uint64_t a = map_anon(fx.mm, 0, PG, VM_READ, 0), out;

	fx.mm->flags |= MMF_HAS_MDWE;
	cr_expect_eq(mm_mmap(fx.mm, 0, PG, VM_RW | VM_EXEC, 0, NULL, 0, &out), -EACCES);
	cr_expect_eq(mm_mmap(fx.mm, 0, PG, VM_READ | VM_EXEC, 0, NULL, 0, &out), 0);
	cr_expect_eq(mm_mprotect(fx.mm, a, PG, VM_READ | VM_EXEC), -EACCES);
	expect_vma(fx.mm, a, a, a + PG, VM_READ);
	cr_expect_eq(mm_mprotect(fx.mm, out, PG, VM_EXEC), 0);
}

Test(mm, dup_keeps_mdwe_unless_no_inherit)
{
	struct mm *child;

	fx.mm->flags |= MMF_HAS_MDWE;
	child = fork_mm();
	cr_expect_eq(child->flags, MMF_HAS_MDWE);
	mmput(child);
	fx.mm->flags |= MMF_HAS_MDWE_NO_INHERIT;
	child = fork_mm();
	cr_expect_eq(child->flags, 0);
	mmput(child);
}

/* The OOM reaper frees private pages at once and keeps the VMAs; shared
 * memory stays (other mms may map it). */
Test(mm, oom_reap_frees_private_pages_only)
{
	uint64_t priv = map_anon(fx.mm, 0, 2 * PG, VM_RW, 0);
	uint64_t shared = map_anon(fx.mm, 0, PG, VM_RW, MM_MAP_SHARED);

	poke_u64(fx.mm, priv, 1);
	poke_u64(fx.mm, priv + PG, 2);
	poke_u64(fx.mm, shared, 3);
	cr_assert_eq(data_frames(), 3);
	mm_oom_reap(fx.mm);
	cr_expect_eq(data_frames(), 1);
	cr_expect_eq(pte_at(fx.mm, priv), 0);
	cr_expect_neq(pte_at(fx.mm, shared), 0);
	expect_vma(fx.mm, priv, priv, priv + 2 * PG, VM_RW);
	cr_expect(fx.mm->flags & MMF_OOM_SKIP);
}

/* A hole punched in the object leaves every mapping (Linux's
 * unmap_mapping_range from shmem_fallocate): the shared mapping's entries
 * go and it reads zeroes; a private mapping's entry of the object's page
 * goes, its own copy stays (even_cows false). */
Test(mm, punch_hole_unmaps_the_objects_pages_everywhere)
{
	struct shmem *sh = shmem_new(fx.phys);
	uint64_t shared, private, v = 0;

	cr_assert_eq(mm_mmap_shmem(fx.mm, 0, 2 * PG, VM_RW, MM_MAP_SHARED, sh, 0, &shared), 0);
	cr_assert_eq(mm_mmap_shmem(fx.mm, 0, 2 * PG, VM_RW, 0, sh, 0, &private), 0);
	poke_u64(fx.mm, shared, 1);
	poke_u64(fx.mm, shared + PG, 2);
	poke_u64(fx.mm, private, 3);		/* a private copy */
	cr_assert_eq(copy_from_user(fx.mm, &v, private + PG, sizeof(v)), 0);
	cr_assert_eq(v, 2, "the object's page 1");
	shmem_punch_hole(sh, 0, 2);
	cr_expect_eq(pte_at(fx.mm, shared), 0);
	cr_expect_eq(pte_at(fx.mm, shared + PG), 0);
	cr_expect_eq(pte_at(fx.mm, private + PG), 0);
	cr_expect_neq(pte_at(fx.mm, private), 0, "the private copy stays");
	cr_assert_eq(copy_from_user(fx.mm, &v, private, sizeof(v)), 0);
	cr_expect_eq(v, 3);
	cr_assert_eq(copy_from_user(fx.mm, &v, shared + PG, sizeof(v)), 0);
	cr_expect_eq(v, 0, "a new zeroed page");
	cr_assert_eq(mm_munmap(fx.mm, shared, 2 * PG), 0);
	cr_assert_eq(mm_munmap(fx.mm, private, 2 * PG), 0);
	shmem_put(sh);
}

/* mm_mmap_shmem maps the object itself: a write through one mapping is in
 * the object, and only MAP_SHARED mappings are counted (F_SEAL_WRITE). */
Test(mm, mmap_shmem_maps_the_object_and_counts_shared_mappings)
{
	struct shmem *sh = shmem_new(fx.phys);
	uint64_t shared, private;
	char buf[4];

	cr_assert_eq(mm_mmap_shmem(fx.mm, 0, 2 * PG, VM_RW, MM_MAP_SHARED, sh, 0, &shared), 0);
	cr_assert_eq(mm_mmap_shmem(fx.mm, 0, PG, VM_RW, 0, sh, PG, &private), 0);
	cr_expect_eq(shmem_shared_mappings(sh), 1);
	cr_assert_eq(copy_to_user(fx.mm, shared + PG, "abc", 4), 0);
	shmem_read(sh, PG, buf, 4);
	cr_expect_str_eq(buf, "abc", "the shared mapping wrote the object");
	cr_assert_eq(copy_from_user(fx.mm, buf, private, 4), 0);
	cr_expect_str_eq(buf, "abc", "the private mapping at offset PG reads it");
	cr_assert_eq(copy_to_user(fx.mm, private, "xyz", 4), 0);
	shmem_read(sh, PG, buf, 4);
	cr_expect_str_eq(buf, "abc", "a private write copies");
	cr_assert_eq(mm_munmap(fx.mm, shared, 2 * PG), 0);
	cr_expect_eq(shmem_shared_mappings(sh), 0);
	shmem_put(sh);
}
