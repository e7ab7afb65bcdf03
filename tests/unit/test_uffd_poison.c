/*
 * Poison markers (mmu/pgtable's PTE_MARKER_POISON) and UFFDIO_POISON's
 * model (mmu/userfault/poison): a marker keeps its table (it is a leaf
 * worth keeping), an unmap clears it without a frame to drop, the fault
 * path answers VM_FAULT_HWPOISON on it (a kernel copy EFAULT), POISON
 * refuses any entry already there and COPY replaces a marker.  The counts
 * are by hand: ADDR (1 GiB) in an mm that has only its pgd needs a PUD, a
 * PMD and a PTE table, three table pages.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "mmu/fault.h"
#include "mmu/uaccess.h"
#include "mmu/userfault/modes.h"
#include "mmu/userfault/poison.h"

#define PG PAGE_SIZE
#define ADDR UINT64_C(0x40000000)
#define SRC UINT64_C(0x80000000)

static struct {
	struct phys *phys;
	struct vm_stats stats;
	struct mm *mm;
	struct userfault_ctx *ctx;
} fx;

static void setup(void)
{
	cr_assert_eq(phys_create(UINT64_C(16) << 20, &fx.phys), 0);
	cr_assert_eq(mm_create(fx.phys, &fx.stats, &fx.mm), 0);
	cr_assert_eq(mm_mmap(fx.mm, ADDR, 4 * PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &(uint64_t){ 0 }), 0);
	cr_assert_eq(mm_mmap(fx.mm, SRC, PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &(uint64_t){ 0 }), 0);
	/* no thread ever waits here: the host's hooks are never called */
	fx.ctx = userfault_new(fx.mm, &(struct userfault_host){ 0 }, &userfault_modes);
}

static void teardown(void)
{
	userfault_release(fx.ctx);
	mm_destroy(fx.mm);
	phys_destroy(fx.phys);
}

TestSuite(uffd_poison, .init = setup, .fini = teardown);

static pte_t entry(uint64_t addr)
{
	pte_t *ptep = pgtable_walk(fx.phys, fx.mm->pgd, addr);

	return ptep ? *ptep : 0;
}

static vm_fault_t fault(uint64_t addr, enum fault_access access, struct vm_fault *vmf)
{
	vm_fault_init(vmf, fx.mm, addr, access, FAULT_FLAG_ALLOW_RETRY);
	return handle_mm_fault(vmf);
}

/* A page and a marker in one table: unmapping the page keeps the table
 * (and the marker); unmapping the marker clears it and frees the tables. */
Test(uffd_poison, marker_keeps_its_table_until_unmapped)
{
	uint64_t tables = phys_in_use(fx.phys, FRAME_PGTABLE);
	struct userfault_work work = { 0 };
	struct vm_fault vmf;

	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(userfault_poison(fx.ctx, ADDR + PG, PG, false, &work), (long)PG);
	cr_expect_eq(work.tables_allocated, 3);
	cr_expect_eq(work.ptes_installed, 1);
	cr_expect_eq(phys_in_use(fx.phys, FRAME_PGTABLE), tables + 3);
	cr_assert_eq(userfault_zeropage(fx.ctx, ADDR, PG, false, &work), (long)PG);
	cr_expect_eq(pgtable_unmap_range(fx.phys, fx.mm->pgd, ADDR, ADDR + PG), 1);
	cr_expect(pte_is_poison_marker(entry(ADDR + PG)), "the marker went with its table");
	cr_expect_eq(fault(ADDR + PG, FAULT_READ, &vmf), VM_FAULT_HWPOISON);
	cr_expect_eq(pgtable_unmap_range(fx.phys, fx.mm->pgd, ADDR, ADDR + 4 * PG), 1);
	cr_expect_eq(entry(ADDR + PG), 0);
	cr_expect_eq(phys_in_use(fx.phys, FRAME_PGTABLE), tables, "the emptied tables are freed");
}

/* Linux's mfill_atomic_pte_poison refuses any entry, even a marker; the
 * fault path: HWPOISON for a read and a write, EFAULT for a kernel copy;
 * COPY replaces the marker (pte_none_mostly). */
Test(uffd_poison, poison_then_access_then_copy)
{
	struct userfault_work work = { 0 };
	struct vm_fault vmf;
	char buf[8] = "abcdefg";

	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_expect_eq(userfault_poison(fx.ctx, SRC, PG, true, &work), -ENOENT, "not registered");
	cr_expect_eq(userfault_poison(fx.ctx, ADDR + 3 * PG, 2 * PG, true, &work), -ENOENT,
		     "past the VMA");
	cr_assert_eq(userfault_poison(fx.ctx, ADDR, 2 * PG, true, &work), (long)(2 * PG));
	cr_expect_eq(userfault_poison(fx.ctx, ADDR + PG, PG, true, &work), -EEXIST, "a marker");
	cr_assert_eq(userfault_zeropage(fx.ctx, ADDR + 3 * PG, PG, false, &work), (long)PG);
	cr_expect_eq(userfault_poison(fx.ctx, ADDR + 2 * PG, 2 * PG, true, &work), (long)PG,
		     "a short count at the present page");
	cr_expect_eq(fault(ADDR + 8, FAULT_READ, &vmf), VM_FAULT_HWPOISON);
	cr_expect_eq(vmf.kind, FAULT_KIND_SIGBUS);
	cr_expect_eq(fault(ADDR + PG, FAULT_WRITE, &vmf), VM_FAULT_HWPOISON);
	cr_expect_eq(copy_to_user(fx.mm, ADDR + 16, buf, sizeof(buf)), -EFAULT);
	cr_assert_eq(copy_to_user(fx.mm, SRC, buf, sizeof(buf)), 0);
	cr_expect_eq(userfault_copy(fx.ctx, ADDR, fx.mm, SRC, PG, USERFAULT_FILL_WAKE, &work), (long)PG);
	cr_expect(pte_present(entry(ADDR)));
	cr_expect_eq(fault(ADDR, FAULT_READ, &vmf), VM_FAULT_DONE);
}

/* mremap moves a marker with the entries (Linux's move_ptes). */
Test(uffd_poison, mremap_moves_the_marker)
{
	struct userfault_work work = { 0 };
	uint64_t to;

	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(userfault_poison(fx.ctx, ADDR + PG, PG, true, &work), (long)PG);
	cr_assert_eq(mm_mremap(fx.mm, ADDR, 4 * PG, 4 * PG, MM_REMAP_MAYMOVE | MM_REMAP_FIXED, SRC + 16 * PG, &to),
		     0);
	cr_expect_eq(entry(ADDR + PG), 0);
	cr_expect(pte_is_poison_marker(entry(SRC + 17 * PG)));
}

/* fork (mm_dup) copies a private VMA's markers, even one that never held
 * a page (POISON counts as holding pages: Linux's anon_vma_prepare, without
 * which the default fork_skip_refillable copies nothing). */
Test(uffd_poison, fork_copies_the_marker)
{
	struct userfault_work work = { 0 };
	struct mm *child;
	pte_t *ptep;

	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(userfault_poison(fx.ctx, ADDR + 2 * PG, PG, true, &work), (long)PG);
	cr_assert_eq(mm_dup(fx.mm, &child), 0);
	ptep = pgtable_walk(fx.phys, child->pgd, ADDR + 2 * PG);
	cr_expect(ptep && pte_is_poison_marker(*ptep), "the child has the marker");
	mm_destroy(child);
}
