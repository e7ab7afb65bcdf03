/*
 * shmem: byte access for files whose contents a shmem object holds
 * (tmpfs).  Expected values follow from 4 KiB pages: a write spanning a
 * page boundary takes two frames, a read of a page never written allocates
 * nothing and reads zeroes, truncating drops the pages wholly past the new
 * end and zeroes the rest of the last one.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "mmu/phys.h"
#include "mmu/shmem.h"

#define FRAMES 8

static struct phys *phys;
static struct shmem *sh;

static void setup(void)
{
	cr_assert_eq(phys_create(FRAMES * PAGE_SIZE, &phys), 0);
	sh = shmem_new(phys);
}

static void teardown(void)
{
	shmem_put(sh);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0, "the object's frames were not given back");
	phys_destroy(phys);
}

TestSuite(shmem, .init = setup, .fini = teardown);

Test(shmem, write_across_a_page_boundary)
{
	char buf[4] = { 0 };

	cr_assert_eq(shmem_write(sh, PAGE_SIZE - 2, "abc", 3), 0);
	cr_expect_eq(shmem_nr_pages(sh), 2);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 2);
	shmem_read(sh, PAGE_SIZE - 2, buf, 3);
	cr_expect_str_eq(buf, "abc");
}

Test(shmem, holes_read_zero_and_allocate_nothing)
{
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	shmem_read(sh, 5 * PAGE_SIZE + 100, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		cr_expect_eq(buf[i], 0);
	cr_expect_eq(shmem_nr_pages(sh), 0);
}

Test(shmem, truncate_drops_pages_and_zeroes_the_tail)
{
	char buf[3] = { 'x', 'x', 'x' };

	cr_assert_eq(shmem_write(sh, PAGE_SIZE - 2, "abc", 3), 0);
	shmem_truncate(sh, PAGE_SIZE - 1);	/* keeps 'a' only */
	cr_expect_eq(shmem_nr_pages(sh), 1);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 1);
	shmem_read(sh, PAGE_SIZE - 2, buf, 3);
	cr_expect_eq(buf[0], 'a');
	cr_expect_eq(buf[1], 0);
	cr_expect_eq(buf[2], 0);
	shmem_truncate(sh, 0);
	cr_expect_eq(shmem_nr_pages(sh), 0);
}

/* Simulated memory runs out: -ENOMEM, the pages got so far stay. */
Test(shmem, write_beyond_memory_fails)
{
	static char big[(FRAMES + 1) * PAGE_SIZE];

	cr_expect_eq(shmem_write(sh, 0, big, sizeof(big)), -ENOMEM);
	cr_expect_leq(shmem_nr_pages(sh), FRAMES);
}
