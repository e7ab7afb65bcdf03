/*
 * vas: the attach copy, the synchronisation of a switch and the permission
 * rules of mmu/vas.  fx.mm is the task's original mm; the counts are worked
 * out from the pages each test maps and touches.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>

#include "mmu/vas/vas.h"
#include "tests/unit/mmu_test.h"

#define OWN	UINT64_C(0x10000000)
#define SHARED	UINT64_C(0x100000000000)
#define CODE	UINT64_C(0x400000)

static struct vas_registry reg;
static const struct vas_cred root = { .override = true };

static void setup(void)
{
	mmu_setup();
	vas_registry_init(&reg, fx.phys, &fx.stats);
}

static void teardown(void)
{
	vas_registry_fini(&reg);
	mmu_teardown();
}

TestSuite(vas, .init = setup, .fini = teardown);

static void map_touched(struct mm *mm, uint64_t addr, uint64_t pages)
{
	uint64_t out;

	cr_assert_eq(mm_mmap(mm, addr, pages * PG, VM_RW, MM_MAP_FIXED, NULL, 0, &out), 0);
	cr_assert_eq(mm_populate(mm, addr, addr + pages * PG), 0);
}

static pte_t entry(struct mm *mm, uint64_t va)
{
	pte_t *p = pgtable_walk(mm->phys, mm->pgd, va);

	return p ? *p : 0;
}

/* Two own pages and one VAS page, attached read-only: three entries
 * copied, each frame mapped twice, the VAS's page read-only in the copy
 * alone; after the detach and the copy's end every frame is back to one
 * mapper. */
Test(vas, attach_shares_entries_and_frames)
{
	int vid = vas_create(&reg, "v", 0600, &root);
	struct vas *vas = vas_lookup(&reg, vid);
	struct vas_attachment att = { 0 };
	struct vas_copy_stats st = { 0 };

	cr_assert_eq(vid, 1);
	map_touched(fx.mm, OWN, 2);
	map_touched(vas->mm, SHARED, 1);
	cr_assert_eq(mm_create(fx.phys, &fx.stats, &att.mm), 0);
	cr_assert_eq(vas_attach_build(&att, vas, VAS_MAY_READ, fx.mm, &st), 0);
	cr_expect_eq(st.entries, 3);
	cr_expect_eq(entry(att.mm, OWN), entry(fx.mm, OWN));
	cr_expect_eq(entry(att.mm, OWN + PG), entry(fx.mm, OWN + PG));
	cr_expect_eq(entry(fx.mm, OWN) & ~PTE_ADDR_MASK, LEAF_USER_RW);
	cr_expect_eq(entry(vas->mm, SHARED) & ~PTE_ADDR_MASK, LEAF_USER_RW);
	cr_expect_eq(entry(att.mm, SHARED) & ~PTE_ADDR_MASK, LEAF_USER_RO);
	cr_expect_eq(pte_addr(entry(att.mm, SHARED)), pte_addr(entry(vas->mm, SHARED)));
	cr_expect_eq(phys_refcount(fx.phys, pte_addr(entry(fx.mm, OWN))), 2);
	cr_expect_eq(phys_refcount(fx.phys, pte_addr(entry(vas->mm, SHARED))), 2);
	cr_expect_eq(vas->readers, 1);
	cr_expect_eq(vas_may_attach(vas, VAS_MAY_WRITE, &root), -EBUSY);
	cr_expect_eq(vas_may_attach(vas, VAS_MAY_READ, &root), 0);

	cr_assert_eq(vas_attach_release(&att, &st), 0);
	mm_destroy(att.mm);
	cr_expect_eq(vas->readers, 0);
	cr_expect_eq(phys_refcount(fx.phys, pte_addr(entry(fx.mm, OWN))), 1);
	cr_expect_eq(phys_refcount(fx.phys, pte_addr(entry(vas->mm, SHARED))), 1);
	cr_expect_eq(vas_delete(&reg, vid, &root), 0);
}

/* The task maps and touches a third page next to its first two in its
 * original mm (the VMA grows to three pages): entering the VAS compares the
 * unchanged one-page VMA (nothing to copy) and copies the grown VMA whole,
 * three entries.  A second synchronisation finds nothing to do. */
Test(vas, switch_syncs_own_mappings)
{
	int vid = vas_create(&reg, "v", 0600, &root);
	struct vas *vas = vas_lookup(&reg, vid);
	struct vas_attachment att = { 0 };
	struct vas_copy_stats st = { 0 };

	map_touched(fx.mm, OWN, 2);
	map_touched(fx.mm, OWN + 16 * PG, 1);
	cr_assert_eq(mm_create(fx.phys, &fx.stats, &att.mm), 0);
	cr_assert_eq(vas_attach_build(&att, vas, VAS_MAY_READ | VAS_MAY_WRITE, fx.mm, &st), 0);
	cr_expect_eq(st.entries, 3);

	cr_assert_eq(mm_populate(fx.mm, OWN + 16 * PG, OWN + 17 * PG), 0);	/* nothing new */
	map_touched(fx.mm, OWN + 2 * PG, 1);	/* merges with the first VMA */
	st = (struct vas_copy_stats){ 0 };
	cr_assert_eq(vas_sync_own(&att, fx.mm, att.mm, &st), 0);
	cr_expect_eq(st.entries, 3);		/* the grown VMA, copied whole */
	cr_expect_eq(st.vmas, 2);		/* one compared, one copied */
	cr_expect_eq(entry(att.mm, OWN + 2 * PG), entry(fx.mm, OWN + 2 * PG));

	st = (struct vas_copy_stats){ 0 };
	cr_assert_eq(vas_sync_own(&att, fx.mm, att.mm, &st), 0);
	cr_expect_eq(st.entries, 0);		/* nothing changed: nothing copied */
	cr_expect_eq(st.removed, 0);

	cr_assert_eq(vas_attach_release(&att, &st), 0);
	mm_destroy(att.mm);
}

/* Lazy attach, read-only: the code VMA (one touched page) is copied with
 * its entry, the three-page data VMA, a one-page one 16 pages above and
 * the VAS's two-page VMA only as skeletons (vmas 4, entries 1).  A read fault in the data VMA fills all of
 * it from the original (3 entries, one fill) and is then spurious; a write
 * to the VAS's read-only VMA is refused before any fill; a read fills it
 * from the VAS read-only (2 entries).  The release fills the one-page VMA
 * never touched (fills 3); after the teardown every frame has one mapper
 * again. */
Test(vas, lazy_attach_fills_a_vma_at_its_first_fault)
{
	int vid = vas_create(&reg, "v", 0600, &root);
	struct vas *vas = vas_lookup(&reg, vid);
	struct vas_attachment att = { 0 };
	struct vas_copy_stats st = { 0 };
	struct vm_fault vmf;
	uint64_t out;

	reg.lazy = true;
	cr_assert_eq(mm_mmap(fx.mm, CODE, PG, VM_READ | VM_EXEC, MM_MAP_FIXED, NULL, 0, &out), 0);
	cr_assert_eq(mm_populate(fx.mm, CODE, CODE + PG), 0);
	map_touched(fx.mm, OWN, 3);
	map_touched(fx.mm, OWN + 16 * PG, 1);
	map_touched(vas->mm, SHARED, 2);
	cr_assert_eq(mm_create(fx.phys, &fx.stats, &att.mm), 0);
	cr_assert_eq(vas_attach_build(&att, vas, VAS_MAY_READ, fx.mm, &st), 0);
	cr_expect_eq(st.vmas, 4);
	cr_expect_eq(st.entries, 1);
	cr_expect_eq(entry(att.mm, CODE), entry(fx.mm, CODE));
	cr_expect_eq(entry(att.mm, OWN), 0);

	vm_fault_init(&vmf, att.mm, OWN + PG, FAULT_READ, 0);
	cr_assert_eq(handle_mm_fault(&vmf), VM_FAULT_DONE);
	cr_expect_eq(vmf.kind, FAULT_KIND_SPURIOUS);
	cr_expect_eq(vmf.ptes_installed, 3);
	cr_expect_eq(reg.lazy_fills, 1);
	for (int i = 0; i < 3; i++)
		cr_expect_eq(entry(att.mm, OWN + i * PG), entry(fx.mm, OWN + i * PG));

	vm_fault_init(&vmf, att.mm, SHARED, FAULT_WRITE, 0);
	cr_expect_eq(handle_mm_fault(&vmf), VM_FAULT_SIGSEGV);
	cr_expect_eq(reg.lazy_fills, 1);
	vm_fault_init(&vmf, att.mm, SHARED, FAULT_READ, 0);
	cr_assert_eq(handle_mm_fault(&vmf), VM_FAULT_DONE);
	cr_expect_eq(vmf.ptes_installed, 2);
	cr_expect_eq(entry(att.mm, SHARED + PG) & ~PTE_ADDR_MASK, LEAF_USER_RO);
	cr_expect_eq(pte_addr(entry(att.mm, SHARED)), pte_addr(entry(vas->mm, SHARED)));

	st = (struct vas_copy_stats){ 0 };
	cr_assert_eq(vas_attach_release(&att, &st), 0);
	cr_expect_eq(reg.lazy_fills, 3);
	cr_expect_eq(st.entries, 1);
	mm_destroy(att.mm);
	cr_expect_eq(phys_refcount(fx.phys, pte_addr(entry(fx.mm, OWN))), 1);
	cr_expect_eq(phys_refcount(fx.phys, pte_addr(entry(fx.mm, OWN + 16 * PG))), 1);
	cr_expect_eq(phys_refcount(fx.phys, pte_addr(entry(vas->mm, SHARED))), 1);
}

/* A switch leaves a lazy VMA alone both ways: out of the VAS the attached
 * mm has no entries to give (the original keeps its three), into it
 * nothing is copied (it fills at its fault). */
Test(vas, sync_leaves_an_unfilled_lazy_vma_alone)
{
	int vid = vas_create(&reg, "v", 0600, &root);
	struct vas_attachment att = { 0 };
	struct vas_copy_stats st = { 0 };

	reg.lazy = true;
	map_touched(fx.mm, OWN, 3);
	cr_assert_eq(mm_create(fx.phys, &fx.stats, &att.mm), 0);
	cr_assert_eq(vas_attach_build(&att, vas_lookup(&reg, vid), VAS_MAY_READ | VAS_MAY_WRITE,
				      fx.mm, &st), 0);
	st = (struct vas_copy_stats){ 0 };
	cr_assert_eq(vas_sync_own(&att, att.mm, fx.mm, &st), 0);
	cr_assert_eq(vas_sync_own(&att, fx.mm, att.mm, &st), 0);
	cr_expect_eq(st.entries + st.removed, 0);
	for (int i = 0; i < 3; i++) {
		cr_expect_neq(entry(fx.mm, OWN + i * PG), 0);
		cr_expect_eq(entry(att.mm, OWN + i * PG), 0);
	}
	cr_assert_eq(vas_attach_release(&att, &st), 0);
	mm_destroy(att.mm);
}

/* The VMA timestamps decide.  A VMA of two touched pages, in step after
 * the attach.  Grown by a page in the attached mm alone: the sync into the
 * original keeps nothing of the old copy (two entries removed) and copies
 * the three pages (vmas 1, entries 3).  Then the original grows it to four
 * pages and the attached mm shrinks it by mprotect of its last page: both
 * copies changed since they were last in step, so either direction finds
 * its source stale, -EFAULT, and leaves both as they were.  A change on
 * the destination side alone is kept (the destination is the newer). */
Test(vas, sync_by_timestamps_recopies_keeps_newer_and_refuses_stale)
{
	int vid = vas_create(&reg, "v", 0600, &root);
	struct vas_attachment att = { 0 };
	struct vas_copy_stats st = { 0 };

	map_touched(fx.mm, OWN, 2);
	cr_assert_eq(mm_create(fx.phys, &fx.stats, &att.mm), 0);
	cr_assert_eq(vas_attach_build(&att, vas_lookup(&reg, vid), VAS_MAY_READ | VAS_MAY_WRITE,
				      fx.mm, &st), 0);

	map_touched(att.mm, OWN + 2 * PG, 1);
	st = (struct vas_copy_stats){ 0 };
	cr_assert_eq(vas_sync_own(&att, att.mm, fx.mm, &st), 0);
	cr_expect_eq(st.vmas, 1);
	cr_expect_eq(st.entries, 3);
	cr_expect_eq(vma_lookup(fx.mm, OWN)->end, OWN + 3 * PG);
	cr_expect_eq(entry(fx.mm, OWN + 2 * PG), entry(att.mm, OWN + 2 * PG));

	map_touched(fx.mm, OWN + 3 * PG, 1);
	cr_assert_eq(mm_mprotect(att.mm, OWN + 2 * PG, PG, VM_READ), 0);
	st = (struct vas_copy_stats){ 0 };
	cr_expect_eq(vas_sync_own(&att, att.mm, fx.mm, &st), -EFAULT);
	cr_expect_eq(vas_sync_own(&att, fx.mm, att.mm, &st), -EFAULT);
	cr_expect_eq(st.vmas + st.entries + st.removed, 0);
	cr_expect_eq(vma_lookup(fx.mm, OWN)->end, OWN + 4 * PG);
	cr_expect_eq(vma_lookup(att.mm, OWN)->end, OWN + 2 * PG);

	cr_assert_eq(mm_munmap(att.mm, OWN, 3 * PG), 0);	/* gone here, changed there */
	cr_expect_eq(vas_sync_own(&att, fx.mm, att.mm, &st), -EFAULT);
	mm_destroy(att.mm);
	g_array_free(att.own, TRUE);
}

/* A change on the destination side alone stays: the original grows the VMA
 * to three pages; the attached mm, unchanged, syncs into it and nothing is
 * copied or removed; the other way copies the three pages. */
Test(vas, sync_keeps_a_newer_destination)
{
	int vid = vas_create(&reg, "v", 0600, &root);
	struct vas_attachment att = { 0 };
	struct vas_copy_stats st = { 0 };

	map_touched(fx.mm, OWN, 2);
	cr_assert_eq(mm_create(fx.phys, &fx.stats, &att.mm), 0);
	cr_assert_eq(vas_attach_build(&att, vas_lookup(&reg, vid), VAS_MAY_READ | VAS_MAY_WRITE,
				      fx.mm, &st), 0);
	map_touched(fx.mm, OWN + 2 * PG, 1);
	st = (struct vas_copy_stats){ 0 };
	cr_assert_eq(vas_sync_own(&att, att.mm, fx.mm, &st), 0);
	cr_expect_eq(st.entries + st.removed + st.vmas, 0);
	cr_expect_eq(vma_lookup(fx.mm, OWN)->end, OWN + 3 * PG);
	cr_assert_eq(vas_sync_own(&att, fx.mm, att.mm, &st), 0);
	cr_expect_eq(st.entries, 3);
	cr_expect_eq(vma_lookup(att.mm, OWN)->end, OWN + 3 * PG);
	cr_assert_eq(vas_attach_release(&att, &st), 0);
	mm_destroy(att.mm);
}

/* Owner uid 5 gid 7, mode 0640: the owner reads and writes, the group
 * (also by a supplementary group) reads, others nothing; root everything. */
Test(vas, mode_bits_owner_group_other_root)
{
	static const uint32_t seven[] = { 7 };
	const struct vas_cred owner = { .uid = 5, .gid = 7 }, group = { .uid = 6, .gid = 7 };
	const struct vas_cred other = { .uid = 6, .gid = 8 };
	const struct vas_cred member = { .uid = 6, .gid = 8, .groups = seven, .ngroups = 1 };
	int vid = vas_create(&reg, "p", 0640, &owner);
	struct vas *vas = vas_lookup(&reg, vid);

	cr_expect(vas_permitted(&vas->attr, &owner, VAS_MAY_READ | VAS_MAY_WRITE));
	cr_expect(vas_permitted(&vas->attr, &group, VAS_MAY_READ));
	cr_expect(!vas_permitted(&vas->attr, &group, VAS_MAY_WRITE));
	cr_expect(!vas_permitted(&vas->attr, &other, VAS_MAY_READ));
	cr_expect(vas_permitted(&vas->attr, &member, VAS_MAY_READ));
	cr_expect(!vas_permitted(&vas->attr, &member, VAS_MAY_WRITE));
	cr_expect(vas_permitted(&vas->attr, &root, VAS_MAY_READ | VAS_MAY_WRITE));
	cr_expect_eq(vas_may_attach(vas, VAS_MAY_READ, &other), -EACCES);
	cr_expect_eq(vas_delete(&reg, vid, &group), -EACCES);
	cr_expect_eq(vas_setattr(&reg, vid, &vas->attr, &other), -EACCES);
	cr_expect_eq(vas_seg_create(&reg, "s", SHARED, SHARED + PG, 0600, &owner), 1);
	cr_expect_eq(vas_seg_attach(&reg, vid, 1, O_RDWR, &group), -EACCES);
	cr_expect_eq(vas_seg_delete(&reg, 1, &other), -EACCES);
	cr_expect_eq(vas_delete(&reg, vid, &owner), 0);
}
