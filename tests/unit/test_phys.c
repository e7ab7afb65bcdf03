/*
 * phys: frame allocation, reference counts, accounting.
 *
 * Expected addresses follow from the documented allocator: frame 0 is never
 * handed out, never-used frames come from a bump pointer in ascending order
 * (frame 1 at 0x1000, frame 2 at 0x2000, ...), and freed frames are reused
 * last-freed-first before the bump pointer moves on.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "mmu/phys.h"

#define SMALL_FRAMES 16

static struct phys *phys;

static void setup_small(void)
{
	cr_assert_eq(phys_create(SMALL_FRAMES * PAGE_SIZE, &phys), 0);
}

static void teardown(void)
{
	phys_destroy(phys);
}

TestSuite(phys, .init = setup_small, .fini = teardown);

static phys_addr_t alloc(enum frame_kind kind)
{
	phys_addr_t pa = 0;
	int err = phys_alloc(phys, kind, &pa);

	cr_assert_eq(err, 0, "phys_alloc: %d", err);
	return pa;
}

static bool frame_is_zero(phys_addr_t pa)
{
	static const uint8_t zero[PAGE_SIZE];

	return memcmp(phys_to_host(phys, pa), zero, PAGE_SIZE) == 0;
}

static void expect_create_fails(uint64_t size)
{
	struct phys *p = NULL;

	cr_expect_eq(phys_create(size, &p), -EINVAL, "size %#llx", (unsigned long long)size);
	cr_expect_null(p);
}

Test(phys, create_rejects_bad_sizes)
{
	expect_create_fails(0);
	expect_create_fails(PAGE_SIZE);		/* one frame: only the reserved frame 0 */
	expect_create_fails(3 * PAGE_SIZE + 1);	/* not a multiple of the frame size */
	/* 2^32 + 1 frames: one more than a uint32_t frame number can name
	 * (frames 0 to 2^32 - 1, 16 TiB, are fine: see --mem 16T). */
	expect_create_fails(((UINT64_C(1) << 32) + 1) * PAGE_SIZE);
}

Test(phys, two_frames_is_the_minimum)
{
	struct phys *p;
	phys_addr_t pa;

	cr_assert_eq(phys_create(2 * PAGE_SIZE, &p), 0);
	cr_expect_eq(phys_size(p), 0x2000);
	cr_expect_eq(phys_alloc(p, FRAME_DATA, &pa), 0);
	cr_expect_eq(pa, 0x1000);
	cr_expect_eq(phys_alloc(p, FRAME_DATA, &pa), -ENOMEM);
	phys_put(p, 0x1000);
	phys_destroy(p);
}

Test(phys, size_and_host_view)
{
	cr_expect_eq(phys_size(phys), 16 * 4096);
	cr_expect_eq((uint8_t *)phys_to_host(phys, 0x3456), (uint8_t *)phys_base(phys) + 0x3456);
}

Test(phys, first_frames_skip_frame_zero_and_are_zeroed)
{
	phys_addr_t a = alloc(FRAME_DATA), b = alloc(FRAME_PGTABLE);

	cr_expect_eq(a, 0x1000);
	cr_expect_eq(b, 0x2000);
	cr_expect(frame_is_zero(a));
	cr_expect(frame_is_zero(b));
	cr_expect_eq(phys_refcount(phys, a), 1);
	cr_expect_eq(phys_kind(phys, a), FRAME_DATA);
	cr_expect_eq(phys_kind(phys, b), FRAME_PGTABLE);
	phys_put(phys, a);
	phys_put(phys, b);
}

Test(phys, refcount_get_put_frees_at_zero)
{
	phys_addr_t pa = alloc(FRAME_DATA);

	phys_get(phys, pa);
	phys_get(phys, pa);
	cr_expect_eq(phys_refcount(phys, pa), 3);
	phys_put(phys, pa);
	phys_put(phys, pa);
	cr_expect_eq(phys_refcount(phys, pa), 1);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 1, "still held once");
	cr_expect_eq(phys_kind(phys, pa), FRAME_DATA);
	phys_put(phys, pa);
	cr_expect_eq(phys_refcount(phys, pa), 0);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
	cr_expect_eq(phys_kind(phys, pa), FRAME_FREE);
}

Test(phys, freed_frames_are_reused_lifo_and_rezeroed)
{
	phys_addr_t a = alloc(FRAME_DATA), b = alloc(FRAME_DATA), c = alloc(FRAME_DATA);

	cr_assert_eq(c, 0x3000);
	memset(phys_to_host(phys, b), 0xab, PAGE_SIZE);
	memset(phys_to_host(phys, c), 0xcd, PAGE_SIZE);
	phys_put(phys, b);	/* free list: 0x2000 */
	phys_put(phys, c);	/* free list: 0x2000, 0x3000 */

	cr_expect_eq(alloc(FRAME_PGTABLE), 0x3000, "the last frame freed comes back first");
	cr_expect_eq(alloc(FRAME_DATA), 0x2000);
	cr_expect_eq(alloc(FRAME_DATA), 0x4000, "free list empty: next fresh frame");
	cr_expect(frame_is_zero(0x2000));
	cr_expect(frame_is_zero(0x3000));
	cr_expect_eq(phys_kind(phys, 0x3000), FRAME_PGTABLE, "kind is the new owner's");
	for (phys_addr_t pa = a; pa <= 0x4000; pa += PAGE_SIZE)
		phys_put(phys, pa);
}

Test(phys, in_use_per_kind_and_peak)
{
	phys_addr_t pa[7];

	/* 0x1000-0x2000 data, 0x3000-0x5000 tables, 0x6000 kernel. */
	for (int i = 0; i < 6; i++)
		pa[i] = alloc(i < 2 ? FRAME_DATA : i < 5 ? FRAME_PGTABLE : FRAME_KERNEL);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 2);
	cr_expect_eq(phys_in_use(phys, FRAME_PGTABLE), 3);
	cr_expect_eq(phys_in_use(phys, FRAME_KERNEL), 1);
	cr_expect_eq(phys_peak(phys), 6);

	phys_put(phys, pa[2]);
	phys_put(phys, pa[3]);			/* 4 in use */
	cr_expect_eq(phys_in_use(phys, FRAME_PGTABLE), 1);
	cr_expect_eq(phys_peak(phys), 6, "the peak does not fall");

	pa[2] = alloc(FRAME_DATA);
	pa[3] = alloc(FRAME_DATA);		/* 6 in use again: no new peak */
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 4);
	cr_expect_eq(phys_peak(phys), 6);
	pa[6] = alloc(FRAME_DATA);		/* 7 in use: a new peak */
	cr_expect_eq(phys_peak(phys), 7);

	for (int i = 0; i < 7; i++)
		phys_put(phys, pa[i]);
	for (int kind = FRAME_DATA; kind < FRAME_NR_KINDS; kind++)
		cr_expect_eq(phys_in_use(phys, kind), 0);
	cr_expect_eq(phys_peak(phys), 7);
}

Test(phys, exhaustion_gives_enomem_until_a_frame_is_freed)
{
	phys_addr_t pa = 0x5a5a000;

	/* 16 frames, frame 0 reserved: 15 allocations, 0x1000 .. 0xf000. */
	for (uint64_t i = 1; i < SMALL_FRAMES; i++)
		cr_assert_eq(alloc(FRAME_DATA), i * PAGE_SIZE);
	cr_expect_eq(phys_alloc(phys, FRAME_DATA, &pa), -ENOMEM);
	cr_expect_eq(pa, 0x5a5a000, "output untouched on failure");
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 15);

	phys_put(phys, 0x7000);
	cr_expect_eq(alloc(FRAME_DATA), 0x7000);
	for (uint64_t i = 1; i < SMALL_FRAMES; i++)
		phys_put(phys, i * PAGE_SIZE);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 0);
}

/* Placement (hand-computed for 16 frames): code frames from the top down
 * (frame 15 at 0xf000, then 14), data frames from the bottom up; a freed
 * frame is reused by its own side; when one side's fresh frames run out it
 * takes the other side's freed ones. */
static phys_addr_t alloc_code(void)
{
	phys_addr_t pa = 0;
	int err = phys_alloc_code(phys, FRAME_DATA, &pa);

	cr_assert_eq(err, 0, "phys_alloc_code: %d", err);
	return pa;
}

Test(phys, code_frames_are_placed_apart_from_data_frames)
{
	phys_addr_t data[16], code;
	int n = 0;

	cr_expect_eq(alloc_code(), 0xf000);
	cr_expect_eq(alloc_code(), 0xe000);
	cr_expect_eq(alloc(FRAME_DATA), 0x1000);
	phys_put(phys, 0xf000);
	cr_expect_eq(alloc(FRAME_DATA), 0x2000, "a data frame must not take the freed code frame");
	cr_expect_eq(alloc_code(), 0xf000, "the code side reuses its freed frame");
	phys_put(phys, 0x2000);
	cr_expect_eq(alloc_code(), 0xd000, "the code side must not take a freed data frame");
	cr_expect(frame_is_zero(0xd000));
	/* Frames 2..12 are left: data takes them, then none. */
	while (phys_alloc(phys, FRAME_DATA, &data[n]) == 0)
		n++;
	cr_expect_eq(n, 11);
	cr_expect_eq(data[0], 0x2000);
	cr_expect_eq(data[n - 1], 0xc000);
	/* A freed code frame is all data can get now, zeroed. */
	memset(phys_to_host(phys, 0xe000), 0xa5, PAGE_SIZE);
	phys_put(phys, 0xe000);
	cr_expect_eq(alloc(FRAME_DATA), 0xe000);
	cr_expect(frame_is_zero(0xe000));
	cr_expect_eq(phys_alloc_code(phys, FRAME_DATA, &code), -ENOMEM);
	/* And a freed data frame is all code can get. */
	phys_put(phys, 0x5000);
	cr_expect_eq(alloc_code(), 0x5000);
	cr_expect_eq(phys_in_use(phys, FRAME_DATA), 15);
}

/* The peak of one kind counts that kind only, and stays when frames go:
 * three table frames at once, then two freed and one more taken: 3. */
Test(phys, peak_of_a_kind)
{
	phys_addr_t t[4], d;

	for (int i = 0; i < 3; i++)
		cr_assert_eq(phys_alloc(phys, FRAME_PGTABLE, &t[i]), 0);
	cr_assert_eq(phys_alloc(phys, FRAME_DATA, &d), 0);
	phys_put(phys, t[0]);
	phys_put(phys, t[1]);
	cr_assert_eq(phys_alloc(phys, FRAME_PGTABLE, &t[3]), 0);
	cr_expect_eq(phys_kind_peak(phys, FRAME_PGTABLE), 3);
	cr_expect_eq(phys_in_use(phys, FRAME_PGTABLE), 2);
	cr_expect_eq(phys_kind_peak(phys, FRAME_DATA), 1);
	cr_expect_eq(phys_peak(phys), 4);
}
