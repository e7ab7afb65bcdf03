/*
 * sim/procfs_mem and procfs_pid at the level of one address space: the
 * frame numbers pagemap gives are the frames the simulated tables hold
 * (pgtable_translate), its argument checks, and mem's short counts and EIO
 * at unmapped pages (as Linux's mem_rw()).
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "mmu/uaccess.h"
#include "sim/procfs_internal.h"
#include "tests/unit/sim_test.h"

TestSuite(procfs, .init = sim_setup, .fini = sim_teardown);

#define X UINT64_C(0x20000000)
#define PRESENT (UINT64_C(1) << 63)
#define EXCLUSIVE (UINT64_C(1) << 56)

static struct mm *space_with_two_pages(void)
{
	struct mm *mm;
	uint64_t addr, one = 1;

	cr_assert_eq(machine_new_mm(m, &mm), 0);
	cr_assert_eq(mm_mmap(mm, X, 2 * PAGE_SIZE, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &addr), 0);
	cr_assert_eq(copy_to_user(mm, X + PAGE_SIZE, &one, sizeof(one)), 0);	/* page 1 only */
	return mm;
}

Test(procfs, pagemap_frames_are_the_tables_frames)
{
	struct mm *mm = space_with_two_pages();
	struct task t = { .mm = mm };
	uint64_t entries[3];
	phys_addr_t pa;
	unsigned prot;

	cr_assert(pgtable_translate(mm->phys, mm->pgd, X + PAGE_SIZE, &pa, &prot));
	cr_assert_eq(proc_pagemap_read(&t, entries, sizeof(entries), (int64_t)(X >> PAGE_SHIFT) * 8),
		     (long)sizeof(entries));
	cr_expect_eq(entries[0], 0, "untouched page");
	cr_expect_eq(entries[1], PRESENT | EXCLUSIVE | (pa >> PAGE_SHIFT));
	cr_expect_eq(entries[2], 0, "beyond the VMA");

	cr_expect_eq(proc_pagemap_read(&t, entries, 8, 4), -EINVAL);
	cr_expect_eq(proc_pagemap_read(&t, entries, 12, 0), -EINVAL);
	cr_expect_eq(proc_pagemap_read(&t, entries, 8, (int64_t)(TASK_SIZE >> PAGE_SHIFT) * 8), 0,
		     "no entries beyond the user address space");
	mmput(mm);
}

Test(procfs, mem_reads_up_to_the_first_unmapped_page)
{
	struct mm *mm = space_with_two_pages();
	struct task t = { .mm = mm };
	char buf[2 * 4096];
	uint64_t value = 0x55;

	cr_expect_eq(proc_mem_rw(&t, buf, 16, X + 2 * PAGE_SIZE, false), -EIO, "unmapped");
	cr_expect_eq(proc_mem_rw(&t, buf, sizeof(buf), X + PAGE_SIZE, false), (long)PAGE_SIZE,
		     "short count at the unmapped page");
	cr_expect_eq(proc_mem_rw(&t, &value, sizeof(value), X, true), (long)sizeof(value));
	cr_expect_eq(proc_mem_rw(&t, buf, sizeof(value), X, false), (long)sizeof(value));
	cr_expect_eq(*(uint64_t *)buf, 0x55);
	cr_expect_eq(proc_mem_rw(&t, buf, 8, TASK_SIZE, false), -EIO);
	mmput(mm);
}
