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
#include <inttypes.h>

#include "mmu/mshare/mshare.h"
#include "mmu/pagewalk.h"
#include "mmu/uaccess.h"
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

	cr_assert_eq(mshare_check_mmap(r, START, PGDIR_SIZE, 0), 0);
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
	cr_expect_eq(mshare_check_mmap(r, START, PGDIR_SIZE, 0), -EINVAL, "not set up");
	cr_assert_eq(mshare_set_size(r, START, 2 * PGDIR_SIZE), 0);
	cr_expect_eq(mshare_check_mmap(r, START + PG, PGDIR_SIZE, PG), -EINVAL, "start misaligned");
	cr_expect_eq(mshare_check_mmap(r, START, PGDIR_SIZE / 2, 0), -EINVAL, "end misaligned");
	cr_expect_eq(mshare_check_mmap(r, START - PGDIR_SIZE, PGDIR_SIZE, 0), -EINVAL, "below");
	cr_expect_eq(mshare_check_mmap(r, START + PGDIR_SIZE, 2 * PGDIR_SIZE, PGDIR_SIZE), -EINVAL,
		     "past");
	cr_expect_eq(mshare_check_mmap(r, START + PGDIR_SIZE, PGDIR_SIZE, PGDIR_SIZE), 0,
		     "the upper slot, at its offset");
	cr_expect_eq(mshare_check_mmap(r, START, 2 * PGDIR_SIZE - 1, 0), 0, "length page aligned");
	/* The offset is where the address lies in the region: another would
	 * alias the host's addresses (v3 ignores it). */
	cr_expect_eq(mshare_check_mmap(r, START + PGDIR_SIZE, PGDIR_SIZE, 0), -EINVAL,
		     "the upper slot at offset 0");
	cr_expect_eq(mshare_check_mmap(r, START, PGDIR_SIZE, PGDIR_SIZE), -EINVAL,
		     "the lower slot at the upper one's offset");
	cr_expect_eq(mshare_check_mmap(r, START, PGDIR_SIZE, PG), -EINVAL, "offset inside a slot");
	mshare_set_v3_bugs(r, true);
	cr_expect_eq(mshare_check_mmap(r, START + PGDIR_SIZE, PGDIR_SIZE, 0), 0, "v3: ignored");
	cr_expect_eq(mshare_check_mmap(r, START, PGDIR_SIZE, PGDIR_SIZE), 0, "v3: ignored");
	mshare_region_put(r);
}

/* The four cases, and the tables: one host copy below the top level. */
Test(mshare, one_fault_populates_every_sharer)
{
	struct mm *b = new_mm();
	struct mshare_stats st;
	uint64_t own[PGTABLE_LEVELS], shared[PGTABLE_LEVELS];

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
	/* fx.mm's own tables: its root, and for an anonymous page at 1 GiB a
	 * PUD, PMD and PTE table; shared: the host's PUD, PMD and PTE. */
	map_fixed(GiB, PG, VM_RW, 0);
	poke_u64(fx.mm, GiB, 1);
	mm_pgtable_pages_split(fx.mm, own, shared);
	cr_expect(own[PGD_LEVEL] == 1 && own[PUD_LEVEL] == 1 && own[PMD_LEVEL] == 1 &&
		  own[PTE_LEVEL] == 1);
	cr_expect(shared[PGD_LEVEL] == 0 && shared[PUD_LEVEL] == 1 && shared[PMD_LEVEL] == 1 &&
		  shared[PTE_LEVEL] == 1);
	cr_expect_eq(mm_own_pgtable_pages(fx.mm), 3, "VmPTE: the shared ones are the host's");
	cr_expect_eq(mm_pgtable_pages(fx.mm), 6);
	mm_munmap(fx.mm, GiB, PG);
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

/* fx.mm and `b` map a 4-page region and link its slot, fx.mm populating
 * its first page; the host's table they hold. */
static phys_addr_t link_two(struct mm *b)
{
	phys_addr_t table;

	set_up_region(4);
	map_region(fx.mm);
	map_region(b);
	mshare_region_put(r);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	expect_fault(b, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	cr_assert(pgtable_table_at(fx.phys, mshare_host_mm(r)->pgd, START, PGD_LEVEL, &table));
	return table;
}

Test(mshare, no_split_and_munmap_unlinks)
{
	struct mm *b = new_mm();
	unsigned flushes;
	phys_addr_t table;

	table = link_two(b);
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

/* A read-only mapping links the host's writable leaves read-only (APTable
 * in its own top-level entry): its writes fault (SIGSEGV, EFAULT), a
 * writable sharer's do not; mprotect to read-write lifts it at the next
 * write fault. */
Test(mshare, a_read_only_mapping_writes_nothing)
{
	struct mm *b = new_mm();
	uint64_t out, value = 5;

	set_up_region(4);
	map_region(fx.mm);
	cr_assert_eq(mm_mmap_object(b, START, PGDIR_SIZE, VM_READ, SHARED_FIXED, &mshare_vm_ops, r,
				    &out), 0);
	mshare_region_put(r);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	poke_u64(fx.mm, START, 42);
	expect_fault(b, START, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_LINK);
	cr_expect(pte_at(b, START) & PTE_RDONLY ? 0 : 1, "the shared leaf is the host's: writable");
	cr_expect(pgtable_leaf(fx.phys, b->pgd, START) & PTE_RDONLY, "read-only through b");
	cr_expect_not(pgtable_leaf(fx.phys, fx.mm->pgd, START) & PTE_RDONLY, "writable for fx.mm");
	cr_expect_eq(peek_u64(b, START), 42);
	cr_expect_eq(copy_to_user(b, START, &value, sizeof(value)), -EFAULT);
	expect_fault(b, START, FAULT_WRITE, VM_FAULT_SIGSEGV, FAULT_KIND_ACCERR);
	cr_expect_eq(peek_u64(fx.mm, START), 42);
	cr_assert_eq(mm_mprotect(b, START, PGDIR_SIZE, VM_RW), 0);
	expect_fault(b, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	poke_u64(b, START, 7);
	cr_expect_eq(peek_u64(fx.mm, START), 7);
	mm_destroy(b);
}

/* --mshare-v3-bugs: SET_SIZE takes start 0 and then again (v3 knows set-up
 * by start), size 0 becomes all-ones; a read-only mapping links the host's
 * writable leaves as they are. */
Test(mshare, v3_set_size_quirks)
{
	uint64_t start, size;

	mshare_set_v3_bugs(r, true);
	cr_expect_eq(mshare_set_size(r, 0, PGDIR_SIZE), 0, "start 0");
	cr_expect_eq(mshare_set_size(r, START, 0), 0, "again, since start was 0");
	mshare_get_size(r, &start, &size);
	cr_expect(start == START && size == UINT64_MAX, "size 0 stored as all-ones");
	cr_expect_eq(mshare_set_size(r, START, PGDIR_SIZE), -EINVAL, "start set: set up");
	cr_expect_eq(mshare_set_size(r, START + PG, PGDIR_SIZE), -EINVAL, "still aligned");
	mshare_region_put(r);
}

Test(mshare, v3_read_only_mapping_writes)
{
	struct mm *b = new_mm();
	uint64_t out, value = 5;

	mshare_set_v3_bugs(r, true);
	set_up_region(4);
	map_region(fx.mm);
	cr_assert_eq(mm_mmap_object(b, START, PGDIR_SIZE, VM_READ, SHARED_FIXED, &mshare_vm_ops, r,
				    &out), 0);
	mshare_region_put(r);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	expect_fault(fx.mm, START, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_LINK);
	expect_fault(b, START, FAULT_READ, VM_FAULT_DONE, FAULT_KIND_LINK);
	cr_expect_not(pgtable_leaf(fx.phys, b->pgd, START) & PTE_RDONLY, "the host's, writable");
	cr_expect_eq(copy_to_user(b, START, &value, sizeof(value)), 0);
	cr_expect_eq(peek_u64(fx.mm, START), 5, "written through the read-only mapping");
	mm_destroy(b);
}

/* --mshare-v3-bugs: munmap leaves the link (by default it goes:
 * no_split_and_munmap_unlinks), so the unmapped range still reaches the
 * populated page through the tables, and the other sharer's change is
 * still passed to it; its exit undoes the link, and the region goes with
 * the last of them. */
Test(mshare, v3_munmap_leaves_the_link)
{
	struct mm *b = new_mm();
	phys_addr_t table, pa;
	unsigned prot, flushes;

	mshare_set_v3_bugs(r, true);
	table = link_two(b);
	expect_fault(b, START + PG, FAULT_WRITE, VM_FAULT_DONE, FAULT_KIND_SHMEM);
	poke_u64(b, START, 42);
	cr_expect_eq(mm_munmap(fx.mm, START, PGDIR_SIZE), 0);
	cr_expect_null(vma_lookup(fx.mm, START));
	cr_expect_eq(ptshare_nr_sharers(ps, table), 2, "fx.mm keeps its link");
	cr_assert(pgtable_translate(fx.phys, fx.mm->pgd, START, &pa, &prot), "still reached");
	cr_expect_eq(*(uint64_t *)phys_to_host(fx.phys, pa), 42);
	flushes = nr_flushes();
	cr_expect_eq(mm_madvise_dontneed(b, START + PG, PG), 0);
	cr_expect_eq(nr_flushes(), flushes + 1, "passed to fx.mm, which still holds the table");
	cr_expect_eq(flush_nr(flushes).mm, fx.mm);
	mm_destroy(b);
	cr_expect_eq(ptshare_nr_sharers(ps, table), 1);
	cr_expect_eq(table_frames(), 1 + 4, "fx.mm's root; the host's four: fx.mm keeps the region");
	mm_destroy(fx.mm);
	fx.mm = NULL;
	cr_expect_eq(table_frames(), 0, "the region went with fx.mm's exit");
	cr_expect_eq(data_frames(), 0);
}

/* The ledger of page tables per process: fx.mm's as it unmaps its linked
 * mapping (before the unlink: its root, and the host's PUD, PMD and PTE
 * table reached through it), b's as it exits, likewise; fx.mm's exit
 * later records nothing more, since it no longer holds the region. */
Test(mshare, the_ledger_records_each_sharers_tables)
{
	struct mshare_ledger *ledger = mshare_ledger_new();
	struct mm *b = new_mm();
	const struct mshare_tables *t;
	uint64_t b_id = b->id;
	unsigned n;

	mshare_set_ledger(r, ledger, 7);
	link_two(b);
	cr_expect_eq(mm_munmap(fx.mm, START, PGDIR_SIZE), 0);
	mm_destroy(b);
	mm_destroy(fx.mm);
	fx.mm = NULL;
	t = mshare_ledger_tables(ledger, &n);
	cr_assert_eq(n, 2);
	for (unsigned i = 0; i < n; i++) {
		cr_expect_eq(t[i].region, 7);
		cr_expect(t[i].own[PGD_LEVEL] == 1 && t[i].own[PUD_LEVEL] == 0 &&
			  t[i].own[PMD_LEVEL] == 0 && t[i].own[PTE_LEVEL] == 0, "the root alone");
		cr_expect(t[i].shared[PGD_LEVEL] == 0 && t[i].shared[PUD_LEVEL] == 1 &&
			  t[i].shared[PMD_LEVEL] == 1 && t[i].shared[PTE_LEVEL] == 1,
			  "the host's three, still linked");
	}
	cr_expect(t[0].mm != b_id && t[1].mm == b_id, "fx.mm first, at its munmap; b at its exit");
	mshare_ledger_free(ledger);
}

/* ------------------------------------------------------ flush strategies */

/*
 * A change of shared leaves reaching the other holders' CPUs, by strategy.
 * 4 CPUs, the "default" profile (2 GHz; tlb_flush_page 40, tlb_flush_all
 * 200, ipi_send 600, ipi_handle 1500, ack_wait 1000 cycles; tagged ASIDs,
 * IPIs).  Three sharers A (fx.mm), B, C of page X:
 *   CPU 0 runs A and reads X;  CPU 1 runs B, reads X, then runs C and reads
 *   X (it keeps B's entry: tagged);  CPU 2 runs C and reads X;  CPU 3 idle.
 * Then A drops X (MADV_DONTNEED) on CPU 0, flushing its own mask {0}
 * itself.  What B's and C's CPUs must forget: B's X on CPU 1, C's X on
 * CPUs 1 and 2.  Masks: B {1}, C {1, 2}; the host mm's {0, 1, 2}.
 *   none: nothing sent; 3 stale (first: B's X on CPU 1).
 *   per-sharer: B's shootdown 1 IPI, C's 2: 3 IPIs, 3 CPUs;
 *     initiator (600 + 1540 + 1000) + (1200 + 1540 + 1000) = 6880 cycles.
 *   union-mask: one to {1, 2}: 2 IPIs, 2 CPUs; 1200 + 1540 + 1000 = 3740.
 *   host-mask: one to {0, 1, 2}: local 40 + 2 IPIs: 3780; 3 CPUs.
 *   all: every CPU's whole TLB: 200 + 3 * 600 + (1500 + 200) + 1000 = 4700;
 *     3 IPIs, 4 CPUs.
 * 2 cycles a ns.
 */
#include "mmu/agent.h"

#define X (START + PG)

static struct cost_profile profile;
static struct domain dom;

static void flush_setup(void)
{
	GString *error = g_string_new(NULL);

	setup();
	cr_assert_eq(cost_profile_load("default", &profile, NULL), 0);
	cr_assert_eq(domain_init(&dom, fx.phys, &profile, 4, true, error), 0, "%s", error->str);
	g_string_free(error, TRUE);
	domain_attach_mm(&dom, fx.mm);
}

static void flush_teardown(void)
{
	mm_destroy(fx.mm);
	fx.mm = NULL;
	domain_fini(&dom);
	cost_profile_clear(&profile);
	teardown();
}

TestSuite(mshare_flush, .init = flush_setup, .fini = flush_teardown);

/* CPU `cpu` runs `mm` and reads `va`, faulting (and linking) as needed. */
static void run_and_read(int cpu, struct mm *mm, uint64_t va)
{
	struct agent *a = &dom.agents[cpu];

	agent_switch_mm(a, mm);
	dom.current = a;
	for (int i = 0; i < 3 && !pte_present(pte_at(mm, va)); i++) {
		struct vm_fault vmf;

		vm_fault_init(&vmf, mm, va, FAULT_READ, 0);
		cr_assert_eq(handle_mm_fault(&vmf), VM_FAULT_DONE);
	}
	cr_assert(pte_present(pte_at(mm, va)));
	agent_access(a, mm, va, false);
}

/* A (fx.mm), B and C read X on their CPUs as above, under `strategy`;
 * CPU 0 runs A at the end. */
static void three_read_x(enum mshare_flush strategy, struct mm *b, struct mm *c)
{
	domain_attach_mm(&dom, b);
	domain_attach_mm(&dom, c);
	set_up_region(4);
	mshare_set_flush(r, strategy);
	map_region(fx.mm);
	map_region(b);
	map_region(c);
	mshare_region_put(r);
	run_and_read(0, fx.mm, X);
	run_and_read(1, b, X);
	run_and_read(1, c, X);
	run_and_read(2, c, X);
	run_and_read(0, fx.mm, X);
}

/* The change above under `strategy`; the region's counters after it. */
static void change_x(enum mshare_flush strategy, struct mshare_stats *st, uint64_t *b_id)
{
	struct mm *b = new_mm(), *c = new_mm();
	uint64_t flushes;

	three_read_x(strategy, b, c);
	flushes = fx.stats.tlb_flushes;
	cr_assert_eq(mm_madvise_dontneed(fx.mm, X, PG), 0);
	cr_expect_eq(fx.stats.tlb_flushes, flushes + 3, "every holder's chain hears it");
	cr_expect_eq(pte_at(b, X), 0);
	mshare_region_stats(r, st);
	*b_id = b->id;
	mm_destroy(b);
	mm_destroy(c);
}

Test(mshare_flush, none_flushes_nobody_and_leaves_three_stale)
{
	struct mshare_stats st;
	uint64_t b_id;

	change_x(MSHARE_FLUSH_NONE, &st, &b_id);
	cr_expect_eq(st.changes, 1);
	cr_expect(st.shootdowns == 0 && st.ipis == 0 && st.cpus_flushed == 0 &&
		  st.initiator_ns == 0);
	cr_expect_eq(st.stale, 3);
	cr_expect(st.stale_mm == b_id && st.stale_cpu == 1 && st.stale_va == X,
		  "first: B's X on CPU 1 (mm %" PRIu64 ", CPU %d, %#" PRIx64 ")", st.stale_mm,
		  st.stale_cpu, st.stale_va);
}

Test(mshare_flush, per_sharer_interrupts_a_cpu_once_per_mm)
{
	struct mshare_stats st;
	uint64_t b_id;

	change_x(MSHARE_FLUSH_PER_SHARER, &st, &b_id);
	cr_expect(st.shootdowns == 2 && st.ipis == 3 && st.cpus_flushed == 3);
	cr_expect_eq(st.initiator_ns, 6880 / 2);
	cr_expect_eq(st.stale, 0);
	cr_expect_eq(st.flushes_passed, 2);
}

Test(mshare_flush, union_mask_sends_one_ipi_per_cpu)
{
	struct mshare_stats st;
	uint64_t b_id;

	change_x(MSHARE_FLUSH_UNION_MASK, &st, &b_id);
	cr_expect(st.shootdowns == 1 && st.ipis == 2 && st.cpus_flushed == 2);
	cr_expect_eq(st.initiator_ns, 3740 / 2);
	cr_expect_eq(st.stale, 0);
}

Test(mshare_flush, host_mask_holds_every_cpu_that_ran_a_sharer)
{
	struct mshare_stats st;
	uint64_t b_id;

	change_x(MSHARE_FLUSH_HOST_MASK, &st, &b_id);
	cr_expect(st.shootdowns == 1 && st.ipis == 2 && st.cpus_flushed == 3);
	cr_expect_eq(st.initiator_ns, 3780 / 2);
	cr_expect_eq(st.stale, 0);
}

Test(mshare_flush, all_flushes_every_cpu_whole)
{
	struct mshare_stats st;
	uint64_t b_id;

	change_x(MSHARE_FLUSH_ALL, &st, &b_id);
	cr_expect(st.shootdowns == 1 && st.ipis == 3 && st.cpus_flushed == 4);
	cr_expect_eq(st.initiator_ns, 4700 / 2);
	cr_expect_eq(st.stale, 0);
}

Test(mshare_flush, strategy_names)
{
	enum mshare_flush f;

	for (int i = 0; i < NR_MSHARE_FLUSH; i++) {
		cr_expect_eq(mshare_flush_parse(mshare_flush_name(i), &f), 0);
		cr_expect_eq(f, i);
	}
	cr_expect_str_eq(mshare_flush_name(MSHARE_FLUSH_UNION_MASK), "union-mask");
	cr_expect_eq(mshare_flush_parse("per_sharer", &f), -EINVAL);
	mshare_region_put(r);
}

/* More sharers than CPUs' bits (70): union-mask flushes every one's ASID;
 * the last ones read X on CPU 1, so a flush that left any out would leave
 * them stale. */
Test(mshare_flush, union_mask_reaches_seventy_sharers)
{
	struct mm *mms[70];
	struct mshare_stats st;

	set_up_region(4);
	mshare_set_flush(r, MSHARE_FLUSH_UNION_MASK);
	map_region(fx.mm);
	for (int i = 0; i < 70; i++) {
		mms[i] = new_mm();
		domain_attach_mm(&dom, mms[i]);
		map_region(mms[i]);
	}
	mshare_region_put(r);
	run_and_read(0, fx.mm, X);
	for (int i = 0; i < 70; i++)
		run_and_read(1, mms[i], X);
	run_and_read(0, fx.mm, X);
	cr_assert_eq(mm_madvise_dontneed(fx.mm, X, PG), 0);
	mshare_region_stats(r, &st);
	cr_expect(st.shootdowns == 1 && st.ipis == 1 && st.cpus_flushed == 1);
	cr_expect_eq(st.stale, 0);
	for (int i = 0; i < 70; i++)
		mm_destroy(mms[i]);
}

/* --------------------------------------------- changes the host makes */

/*
 * The host mm changes its own leaves (what reclaim or migration do through
 * the reverse map, which points at the host; here MADV_DONTNEED of X in
 * the host mm, from CPU 0): unlike a sharer's change, every holder must
 * forget X, A included.  The setup above: A's X on CPU 0, B's on CPU 1,
 * C's on CPUs 1 and 2; masks A {0}, B {1}, C {1, 2}, host {0, 1, 2}.
 *   none: nothing sent; 4 stale (first: A's X on CPU 0).
 *   per-sharer: A's flush is local (40), B's one IPI (600 + 1540 + 1000),
 *     C's two (1200 + 1540 + 1000): 3 IPIs, 4 CPUs, 6920 cycles.
 *   union-mask and host-mask: one shootdown to {0, 1, 2}: 40 + 1200 +
 *     1540 + 1000 = 3780 cycles, 2 IPIs, 3 CPUs.
 *   all: as for a sharer's change: 4700 cycles, 3 IPIs, 4 CPUs.
 * Every holder's notifier chain hears its alias whatever the strategy
 * (fx.stats.tlb_flushes: one per holder, and the host's own).
 */
static void host_changes_x(enum mshare_flush strategy, struct mshare_stats *st)
{
	struct mm *b = new_mm(), *c = new_mm();
	uint64_t flushes;

	three_read_x(strategy, b, c);
	flushes = fx.stats.tlb_flushes;
	cr_assert_eq(mm_madvise_dontneed(mshare_host_mm(r), X, PG), 0);
	cr_expect_eq(fx.stats.tlb_flushes, flushes + 1 + 3, "the host's, and every holder's");
	cr_expect(pte_at(fx.mm, X) == 0 && pte_at(b, X) == 0 && pte_at(c, X) == 0,
		  "gone for every sharer");
	mshare_region_stats(r, st);
	cr_expect_eq(st->changes, 1);
	mm_destroy(b);
	mm_destroy(c);
}

Test(mshare_flush, a_host_change_under_none_leaves_four_stale)
{
	struct mshare_stats st;

	host_changes_x(MSHARE_FLUSH_NONE, &st);
	cr_expect(st.shootdowns == 0 && st.ipis == 0 && st.cpus_flushed == 0);
	cr_expect_eq(st.stale, 4);
	cr_expect(st.stale_mm == fx.mm->id && st.stale_cpu == 0 && st.stale_va == X,
		  "first: A's X on CPU 0 (mm %" PRIu64 ", CPU %d)", st.stale_mm, st.stale_cpu);
}

Test(mshare_flush, a_host_change_per_sharer_flushes_a_too)
{
	struct mshare_stats st;

	host_changes_x(MSHARE_FLUSH_PER_SHARER, &st);
	cr_expect(st.ipis == 3 && st.cpus_flushed == 4, "%" PRIu64 " IPIs, %" PRIu64 " CPUs",
		  st.ipis, st.cpus_flushed);
	cr_expect_eq(st.initiator_ns, 6920 / 2);
	cr_expect_eq(st.flushes_passed, 3);
	cr_expect_eq(st.stale, 0);
}

Test(mshare_flush, a_host_change_union_and_host_mask_agree)
{
	enum mshare_flush strategies[] = { MSHARE_FLUSH_UNION_MASK, MSHARE_FLUSH_HOST_MASK };

	for (int i = 0; i < 2; i++) {
		struct mshare_stats st;

		if (i) {	/* a fresh A and region for the second strategy */
			mm_destroy(fx.mm);
			fx.mm = new_mm();
			domain_attach_mm(&dom, fx.mm);
			cr_assert_eq(mshare_region_new(ps, fx.phys, &fx.stats, &fx.tunables, &r), 0);
		}
		host_changes_x(strategies[i], &st);
		cr_expect(st.shootdowns == 1 && st.ipis == 2 && st.cpus_flushed == 3, "%s",
			  mshare_flush_name(strategies[i]));
		cr_expect_eq(st.initiator_ns, 3780 / 2);
		cr_expect_eq(st.stale, 0);
	}
}

Test(mshare_flush, a_host_change_under_all_flushes_every_cpu)
{
	struct mshare_stats st;

	host_changes_x(MSHARE_FLUSH_ALL, &st);
	cr_expect(st.shootdowns == 1 && st.ipis == 3 && st.cpus_flushed == 4);
	cr_expect_eq(st.initiator_ns, 4700 / 2);
	cr_expect_eq(st.stale, 0);
}

/* A mirror subscribed to a sharer's notifier chain (a device's page
 * tables, as KVM or an accelerator keep) hears a change the host makes,
 * and one another sharer makes, at its own alias of the range, even under
 * v3's none. */
struct mirror {
	struct mmu_notifier n;	/* first */
	unsigned calls;
	uint64_t start, end;
};

static void mirror_invalidate(struct mmu_notifier *n, struct mm *mm, uint64_t start, uint64_t end)
{
	struct mirror *m = (struct mirror *)n;

	m->calls++;
	m->start = start;
	m->end = end;
}

static const struct mmu_notifier_ops mirror_ops = { .invalidate_range = mirror_invalidate };

Test(mshare_flush, a_mirror_hears_a_host_change)
{
	struct mm *b = new_mm(), *c = new_mm();
	struct mirror m = { .n.ops = &mirror_ops };

	three_read_x(MSHARE_FLUSH_NONE, b, c);
	mmu_notifier_register(&m.n, b);
	cr_assert_eq(mm_mprotect(mshare_host_mm(r), START, 4 * PG, VM_READ), 0);
	cr_expect_eq(m.calls, 1);
	cr_expect(m.start == START && m.end == START + 4 * PG, "[%#" PRIx64 ", %#" PRIx64 ")",
		  m.start, m.end);
	cr_expect(pgtable_leaf(fx.phys, b->pgd, X) & PTE_RDONLY, "read-only for every sharer");
	expect_fault(c, X, FAULT_WRITE, VM_FAULT_SIGSEGV, FAULT_KIND_ACCERR);
	cr_assert_eq(mm_madvise_dontneed(fx.mm, X, PG), 0);
	cr_expect_eq(m.calls, 2);
	cr_expect(m.start == X && m.end == X + PG, "A's change of X");
	mmu_notifier_unregister(&m.n, b);
	mm_destroy(b);
	mm_destroy(c);
}
