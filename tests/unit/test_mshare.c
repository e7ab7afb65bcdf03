/*
 * mshare (mmu/mshare): the region's rules, and faults in processes mapping
 * it.  The region is the RFC documentation's: 2 TiB, one top-level slot
 * (PGDIR_SIZE = 512 GiB).  Expected values are the design note's (section 2
 * of ../shared/notes/designs.md): errno per rule, and faults per access of
 * 2 (empty host slot, unlinked), 1 (host slot filled, unlinked), 1 (linked,
 * page absent: the page appears for every sharer), 0 (linked and present).
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "mmu/mshare/mshare.h"
#include "tests/unit/mmu_test.h"

#define TiB (UINT64_C(1) << 40)
#define START (2 * TiB)
#define NONE UINT32_MAX	/* fd -1 in the RFC's unsigned field */
#define SHARED_FIXED (MM_MAP_SHARED | MM_MAP_FIXED)

static struct ptshare *ps;
static struct mshare_region *r;

static void setup(void)
{
	mmu_setup();
	ps = ptshare_new(fx.phys);
	cr_assert_eq(mshare_region_new(ps, fx.phys, &fx.stats, &fx.tunables, &r), 0);
}

/* Tests drop their own mms and the region; fx.mm goes before the map,
 * which must then be empty, and no frame may be left. */
static void teardown(void)
{
	mm_destroy(fx.mm);
	fx.mm = NULL;
	ptshare_free(ps);
	mmu_teardown();
}

TestSuite(mshare, .init = setup, .fini = teardown);

static void set_up_region(uint64_t pages)
{
	cr_assert_eq(mshare_set_size(r, START, PGDIR_SIZE), 0);
	cr_assert_eq(mshare_create_mapping(r, START, pages * PG, VM_RW, SHARED_FIXED, NONE), 0);
}

static struct mm *new_mm(void)
{
	struct mm *mm;

	cr_assert_eq(mm_create(fx.phys, &fx.stats, &mm), 0);
	mm->tunables = &fx.tunables;
	return mm;
}

static void map_region(struct mm *mm)
{
	uint64_t out;

	cr_assert_eq(mshare_check_mmap(r, START, PGDIR_SIZE), 0);
	cr_assert_eq(mm_mmap_object(mm, START, PGDIR_SIZE, VM_RW, SHARED_FIXED, &mshare_vm_ops, r,
				    &out), 0);
	cr_assert_eq(out, START);
}

Test(mshare, set_size_rules)
{
	uint64_t start = 1, size = 1;

	mshare_get_size(r, &start, &size);
	cr_expect(start == 0 && size == 0, "{0, 0} before set-up");
	cr_expect_eq(mshare_set_size(r, START + PG, PGDIR_SIZE), -EINVAL, "start misaligned");
	cr_expect_eq(mshare_set_size(r, START, PGDIR_SIZE + PG), -EINVAL, "end misaligned");
	cr_expect_eq(mshare_set_size(r, START, 0), -EINVAL, "size 0");
	cr_expect_eq(mshare_set_size(r, 0, PGDIR_SIZE), -EINVAL, "start 0: below user space");
	cr_expect_eq(mshare_set_size(r, TASK_SIZE - PGDIR_SIZE, 2 * PGDIR_SIZE), -EINVAL,
		     "past user space");
	cr_expect_eq(mshare_set_size(r, START, UINT64_C(0) - START), -EINVAL, "end wraps to 0");
	cr_expect_eq(mshare_set_size(r, START, 2 * PGDIR_SIZE), 0);
	cr_expect_eq(mshare_set_size(r, 4 * TiB, PGDIR_SIZE), -EINVAL, "set up already");
	mshare_get_size(r, &start, &size);
	cr_expect(start == START && size == 2 * PGDIR_SIZE);
	mshare_region_put(r);
}

Test(mshare, create_mapping_rules)
{
	cr_expect_eq(mshare_create_mapping(r, START, PG, VM_RW, SHARED_FIXED, NONE), -EINVAL,
		     "not set up");
	cr_assert_eq(mshare_set_size(r, START, PGDIR_SIZE), 0);
	cr_expect_eq(mshare_create_mapping(r, START - PG, PG, VM_RW, SHARED_FIXED, NONE), -EINVAL,
		     "below the region");
	cr_expect_eq(mshare_create_mapping(r, START + PGDIR_SIZE, PG, VM_RW, SHARED_FIXED, NONE),
		     -EINVAL, "at its end");
	cr_expect_eq(mshare_create_mapping(r, START + PGDIR_SIZE - PG, 2 * PG, VM_RW, SHARED_FIXED,
					   NONE), -EINVAL, "past its end");
	cr_expect_eq(mshare_create_mapping(r, START, PG, VM_RW, MM_MAP_SHARED, NONE), -EINVAL,
		     "not MAP_FIXED");
	cr_expect_eq(mshare_create_mapping(r, START, PG, VM_RW, MM_MAP_FIXED, NONE), -EINVAL,
		     "not MAP_SHARED");
	cr_expect_eq(mshare_create_mapping(r, START, PG, VM_RW, SHARED_FIXED, 0), -EINVAL, "fd 0");
	cr_expect_eq(mshare_create_mapping(r, START, 4 * PG, VM_RW, SHARED_FIXED, NONE), 0);
	cr_expect_eq(mshare_create_mapping(r, START + 2 * PG, 4 * PG, VM_RW, SHARED_FIXED, NONE),
		     -EEXIST, "overlap (MAP_FIXED_NOREPLACE)");
	cr_expect_eq(mshare_create_mapping(r, START + 4 * PG, 4 * PG, VM_RW, SHARED_FIXED, NONE), 0);
	mshare_region_put(r);
}

Test(mshare, mmap_rules)
{
	cr_expect_eq(mshare_check_mmap(r, START, PGDIR_SIZE), -EINVAL, "not set up");
	cr_assert_eq(mshare_set_size(r, START, 2 * PGDIR_SIZE), 0);
	cr_expect_eq(mshare_check_mmap(r, START + PG, PGDIR_SIZE), -EINVAL, "start misaligned");
	cr_expect_eq(mshare_check_mmap(r, START, PGDIR_SIZE / 2), -EINVAL, "end misaligned");
	cr_expect_eq(mshare_check_mmap(r, START - PGDIR_SIZE, PGDIR_SIZE), -EINVAL, "below");
	cr_expect_eq(mshare_check_mmap(r, START + PGDIR_SIZE, 2 * PGDIR_SIZE), -EINVAL, "past");
	cr_expect_eq(mshare_check_mmap(r, START + PGDIR_SIZE, PGDIR_SIZE), 0, "the upper slot");
	cr_expect_eq(mshare_check_mmap(r, START, 2 * PGDIR_SIZE - 1), 0, "length page aligned");
	mshare_region_put(r);
}

/* The four cases, and the tables: one host copy below the top level. */
Test(mshare, one_fault_populates_every_sharer)
{
	struct mm *b = new_mm();
	struct mshare_stats st;

	set_up_region(16);
	map_region(fx.mm);
	map_region(b);
	mshare_region_put(r);	/* the VMAs keep it */
	/* Empty host slot, unlinked: the host fault, then the link. */
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	cr_expect_eq(pte_at(fx.mm, START), 0, "not linked yet");
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	poke_u64(fx.mm, START, 42);
	/* Host slot filled, unlinked: one fault, then the page is there. */
	expect_fault(b, START, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_LINK);
	cr_expect_eq(frame_at(b, START), frame_at(fx.mm, START));
	cr_expect_eq(peek_u64(b, START), 42);
	/* Linked, absent: one fault in b; fx.mm sees the page with none. */
	expect_fault(b, START + 5 * PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	cr_expect_eq(frame_at(fx.mm, START + 5 * PG), frame_at(b, START + 5 * PG));
	cr_expect_eq(fx.stats.faults[FAULT_KIND_SHMEM], 2);
	cr_expect_eq(fx.stats.faults[FAULT_KIND_LINK], 2);
	/* Three roots and one host PUD, PMD and PTE table. */
	cr_expect_eq(table_frames(), 3 + 3);
	cr_expect_eq(data_frames(), 2);
	mshare_region_stats(r, &st);
	cr_expect(st.links == 2 && st.sharers == 2 && st.peak_sharers == 2);
	cr_expect(st.tables[PGD_LEVEL] == 1 && st.tables[PUD_LEVEL] == 1 &&
		  st.tables[PMD_LEVEL] == 1 && st.tables[PTE_LEVEL] == 1);
	/* Past the host's mapping: SIGSEGV (no host VMA). */
	expect_fault(b, START + 16 * PG, FAULT_READ, VM_FAULT_SIGSEGV, FAULT_KIND_MAPERR);
	mm_destroy(b);
	cr_expect_eq(peek_u64(fx.mm, START), 42, "b's exit frees no shared table");
	cr_expect_eq(table_frames(), 2 + 3);
	mshare_region_stats(r, &st);
	cr_expect(st.links == 2 && st.sharers == 1 && st.peak_sharers == 2);
	mm_destroy(fx.mm);
	fx.mm = NULL;
	expect_no_frames_in_use();
}

Test(mshare, no_split_and_munmap_unlinks)
{
	struct mm *b = new_mm();
	unsigned flushes;
	phys_addr_t table;

	set_up_region(4);
	map_region(fx.mm);
	map_region(b);
	mshare_region_put(r);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	expect_fault(b, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	cr_assert(pgtable_table_at(fx.phys, mshare_host_mm(r)->pgd, START, PGD_LEVEL, &table));
	cr_expect_eq(ptshare_nr_sharers(ps, table), 2);
	cr_expect_eq(mm_munmap(fx.mm, START, PG), -EINVAL);
	cr_expect_eq(mm_munmap(fx.mm, START + PGDIR_SIZE / 2, PGDIR_SIZE / 2), -EINVAL);
	cr_expect_eq(mm_mprotect(fx.mm, START, PG, VM_READ), -EINVAL);
	flushes = nr_flushes();
	cr_expect_eq(mm_munmap(fx.mm, START, PGDIR_SIZE), 0);
	cr_expect_eq(nr_flushes(), flushes + 1, "fx.mm's translations flushed");
	cr_expect_eq(flush_nr(flushes).start, START);
	cr_expect_eq(flush_nr(flushes).end, START + PGDIR_SIZE);
	cr_expect_eq(pte_at(fx.mm, START), 0, "unlinked");
	cr_expect_eq(ptshare_nr_sharers(ps, table), 1, "fx.mm let go of its link");
	cr_expect(pte_present(pte_at(b, START)), "b keeps the page");
	cr_expect_eq(table_frames(), 3 + 3, "the shared tables stay with the host");
	mm_destroy(b);
	cr_expect_eq(table_frames(), 1, "the last mapping took the region");
	cr_expect_eq(data_frames(), 0);
}

/* A fork child maps the region too, and links on its first touch. */
Test(mshare, fork_child_links)
{
	struct mm *child;

	set_up_region(4);
	map_region(fx.mm);
	mshare_region_put(r);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	poke_u64(fx.mm, START, 7);
	child = fork_mm();
	expect_fault(child, START, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_LINK);
	cr_expect_eq(peek_u64(child, START), 7);
	poke_u64(child, START + PG, 8);
	cr_expect_eq(peek_u64(fx.mm, START + PG), 8, "the child's page is the parent's");
	mm_destroy(child);
}

/* MADV_DONTNEED of the whole slot takes the link out (the host keeps its
 * pages); the next touch links again, and munmap and exit undo it once. */
Test(mshare, dontneed_of_the_slot_unlinks)
{
	set_up_region(4);
	map_region(fx.mm);
	mshare_region_put(r);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	poke_u64(fx.mm, START, 9);
	cr_expect_eq(mm_madvise_dontneed(fx.mm, START, PGDIR_SIZE), 0);
	cr_expect_eq(pte_at(fx.mm, START), 0);
	expect_fault(fx.mm, START, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_LINK);
	cr_expect_eq(peek_u64(fx.mm, START), 9);
	cr_expect_eq(mm_munmap(fx.mm, START, PGDIR_SIZE), 0);
	cr_expect_eq(table_frames(), 1, "fx.mm's root alone: the region went with its VMA");
}

/* A sharer dropping a page of the shared tables (MADV_DONTNEED of part of
 * the slot) flushes its range, and the region passes the flush on to the
 * other sharer (fork_mm's notifier records it): once, for the same page. */
Test(mshare, a_sharers_flush_reaches_the_others)
{
	struct mm *child;
	struct mshare_stats st;
	unsigned flushes;

	set_up_region(4);
	map_region(fx.mm);
	mshare_region_put(r);
	child = fork_mm();
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	expect_fault(child, START + PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	expect_fault(child, START + PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	flushes = nr_flushes();
	cr_expect_eq(mm_madvise_dontneed(fx.mm, START + PG, PG), 0);
	cr_assert_eq(nr_flushes(), flushes + 2);
	cr_expect(flush_nr(flushes).mm == fx.mm && flush_nr(flushes).start == START + PG &&
		  flush_nr(flushes).end == START + 2 * PG);
	cr_expect(flush_nr(flushes + 1).mm == child && flush_nr(flushes + 1).start == START + PG &&
		  flush_nr(flushes + 1).end == START + 2 * PG, "passed to the child");
	cr_expect_eq(pte_at(child, START + PG), 0, "gone for both");
	mshare_region_stats(vma_lookup(fx.mm, START)->vm_private_data, &st);
	cr_expect_eq(st.flushes_passed, 1);
	mm_destroy(child);
}
