/*
 * mmu/asid: the ASID allocator, followed switch by switch.
 *
 * With bits = 2 there are 4 numbers, of which 1..3 are handed out (0 never
 * is), and a context id is generation | ASID where the generation is a
 * multiple of 4 starting at 4.  So in the first generation the ids are 5, 6,
 * 7 for ASIDs 1, 2, 3; after one roll-over (generation 8) they are 9, 10, 11;
 * after two (generation 12) 13, 14, 15.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/asid.h"

static struct asid_allocator a;

static void teardown(void)
{
	asid_allocator_fini(&a);
}

TestSuite(asid, .fini = teardown);

/* Switch `cpu` to the mm whose context id is *ctx; the switch must run with
 * `asid`, leave `id` in *ctx and ask for a flush exactly when `flush` says. */
static void expect_switch(int cpu, uint64_t *ctx, uint16_t asid, uint64_t id, bool flush)
{
	bool got_flush = !flush;
	uint16_t got = asid_switch_mm(&a, cpu, ctx, &got_flush);

	cr_assert_eq(got, asid, "cpu %d: ASID %u, expected %u", cpu, got, asid);
	cr_assert_eq(*ctx, id, "cpu %d: context id %lu, expected %lu", cpu, (unsigned long)*ctx,
		     (unsigned long)id);
	cr_assert_eq(got_flush, flush, "cpu %d: flush %d, expected %d", cpu, got_flush, flush);
}

Test(asid, first_allocations_hand_out_1_2_3_without_flushes)
{
	uint64_t A = 0, B = 0, C = 0;

	asid_allocator_init(&a, 2, 2);
	expect_switch(0, &A, 1, 4 | 1, false);
	expect_switch(1, &B, 2, 4 | 2, false);
	expect_switch(0, &C, 3, 4 | 3, false);
	cr_expect_eq(a.rollovers, 0);
}

/* A context id of the current generation is used as it is. */
Test(asid, an_mm_switched_to_again_keeps_its_asid_without_a_flush)
{
	uint64_t A = 0, B = 0;

	asid_allocator_init(&a, 2, 2);
	expect_switch(0, &A, 1, 5, false);
	expect_switch(0, &B, 2, 6, false);
	expect_switch(0, &A, 1, 5, false);
	expect_switch(1, &A, 1, 5, false);	/* on the other CPU too */
	expect_switch(1, &B, 2, 6, false);
	cr_expect_eq(a.rollovers, 0);
}

/*
 * Two different mms running at the roll-over:
 *   cpu0 A -> 1 (5), cpu1 B -> 2 (6), cpu0 C -> 3 (7), cpu0 A again -> 1 (5).
 *   Now cpu0 runs A (ASID 1), cpu1 runs B (ASID 2), C's 3 is idle.
 *   cpu1 D: no free ASID -> roll-over to generation 8; 1 and 2 stay reserved,
 *     3 is recycled: D = 8|3 = 11, and cpu1 flushes now (its next switch is
 *     this one).
 *   cpu0 B: old id 6, reserved by cpu1 -> renewed to 8|2 = 10; cpu0's first
 *     switch since the roll-over: flush.
 *   cpu1 A: old id 5, reserved by cpu0 -> 9; cpu1 already flushed: none.
 *   cpu0 C: old id 7, but 3 belongs to D now and nothing is free -> second
 *     roll-over (generation 12); running are B (2, cpu0) and A (1, cpu1), so
 *     C gets 3 again: 12|3 = 15, with a flush on cpu0 (this switch).
 *   cpu1 A: id 9, reserved by cpu1 -> 13, flush (first switch since the
 *     second roll-over).
 */
Test(asid, a_rollover_keeps_the_running_asids_and_flushes_each_cpu_once)
{
	uint64_t A = 0, B = 0, C = 0, D = 0;

	asid_allocator_init(&a, 2, 2);
	expect_switch(0, &A, 1, 5, false);
	expect_switch(1, &B, 2, 6, false);
	expect_switch(0, &C, 3, 7, false);
	expect_switch(0, &A, 1, 5, false);
	cr_assert_eq(a.rollovers, 0);

	expect_switch(1, &D, 3, 11, true);
	cr_expect_eq(a.rollovers, 1);
	cr_expect_eq(C, 7, "C was not switched to: its id is still the old one");
	expect_switch(0, &B, 2, 10, true);
	expect_switch(1, &A, 1, 9, false);
	expect_switch(1, &D, 3, 11, false);	/* current generation: as it is */
	expect_switch(0, &B, 2, 10, false);
	cr_expect_eq(a.rollovers, 1);

	expect_switch(1, &A, 1, 9, false);
	expect_switch(0, &C, 3, 15, true);
	cr_expect_eq(a.rollovers, 2);
	expect_switch(1, &A, 1, 13, true);
	expect_switch(1, &A, 1, 13, false);
	expect_switch(0, &C, 3, 15, false);
}

/*
 * Both CPUs run A (ASID 1) at the roll-over, so only 1 stays taken:
 *   cpu0 D (new) -> roll-over to generation 8, D gets the first free, 2:
 *     8|2 = 10, flush on cpu0.
 *   cpu1 C: old id 7, ASID 3 is free in this generation -> C keeps 3:
 *     8|3 = 11, flush on cpu1.
 *   cpu0 A: reserved -> 9, no flush (cpu0 flushed at D).
 *   cpu1 B: old id 6, but 2 is D's now and 1, 3 are taken -> roll-over 2;
 *     running: A (1) on cpu0, C (3) on cpu1; B gets 2: 12|2 = 14.
 */
Test(asid, an_old_mm_whose_number_is_still_free_gets_it_back)
{
	uint64_t A = 0, B = 0, C = 0, D = 0;

	asid_allocator_init(&a, 2, 2);
	expect_switch(0, &A, 1, 5, false);
	expect_switch(1, &B, 2, 6, false);
	expect_switch(0, &C, 3, 7, false);
	expect_switch(0, &A, 1, 5, false);
	expect_switch(1, &A, 1, 5, false);

	expect_switch(0, &D, 2, 10, true);
	cr_expect_eq(a.rollovers, 1);
	expect_switch(1, &C, 3, 11, true);
	expect_switch(0, &A, 1, 9, false);
	cr_expect_eq(a.rollovers, 1);

	expect_switch(1, &B, 2, 14, true);
	cr_expect_eq(a.rollovers, 2);
	expect_switch(0, &A, 1, 13, true);
}

/*
 * A CPU that has not switched since a roll-over keeps its reservation
 * through the next one: cpu1 runs B (2) at both roll-overs, so B keeps 2.
 *   cpu0 A 1 (5), cpu1 B 2 (6), cpu0 C 3 (7).
 *   cpu0 D -> roll-over 1 (gen 8): reserved C (3, cpu0) and B (2, cpu1);
 *     D = 8|1 = 9, flush.
 *   cpu0 A (old 5, 1 is D's) -> nothing free -> roll-over 2 (gen 12):
 *     cpu0 active D (1), cpu1 still reserved B (2); A gets 3: 15, flush.
 *   cpu1 B (old 6) -> reserved -> 12|2 = 14, flush (owed since roll-over 1,
 *     still owed once).
 */
Test(asid, a_cpu_that_did_not_switch_keeps_its_reservation_across_rollovers)
{
	uint64_t A = 0, B = 0, C = 0, D = 0;

	asid_allocator_init(&a, 2, 2);
	expect_switch(0, &A, 1, 5, false);
	expect_switch(1, &B, 2, 6, false);
	expect_switch(0, &C, 3, 7, false);
	expect_switch(0, &D, 1, 9, true);
	expect_switch(0, &A, 3, 15, true);
	cr_expect_eq(a.rollovers, 2);
	expect_switch(1, &B, 2, 14, true);
	expect_switch(1, &B, 2, 14, false);
}

/* 16 bits: 65535 usable ASIDs, so 1000 mms take 1..1000 in order of first
 * switch (generation 2^16 = 65536 above them) and a second round of
 * switches finds every one current. */
Test(asid, sixteen_bits_never_roll_over_for_a_thousand_mms)
{
	static uint64_t ids[1000];

	asid_allocator_init(&a, 16, 2);
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < 1000; i++) {
			expect_switch((int)(i % 2), &ids[i], (uint16_t)(i + 1), 65536 + i + 1, false);
		}
	}
	cr_expect_eq(a.rollovers, 0);
}

/*
 * A reservation is renewed with its mm: once B (ASID 2, reserved by cpu1,
 * which has not switched since) takes its number into generation 8 as
 * id 10, the reservation must say 10 too, or the next roll-over would not
 * recognise B.
 *   cpu0 A 1 (5), cpu1 B 2 (6), cpu0 C 3 (7).
 *   cpu0 D -> roll-over 1 (gen 8): reserved C (3) and B (2); D = 9, flush.
 *   cpu0 B (old 6) -> reserved by cpu1 -> 10, no flush (cpu0 just did).
 *   cpu0 D (9), current: as it is.
 *   cpu0 A (old 5, 1 is D's, none free) -> roll-over 2 (gen 12): cpu0 runs
 *     D (1), cpu1 still holds B (2): A = 12|3 = 15, flush.
 *   cpu1 B (10) -> still reserved by cpu1 -> 14 with ASID 2, flush, and no
 *     third roll-over.
 */
Test(asid, a_reservation_moves_to_the_new_generation_with_its_mm)
{
	uint64_t A = 0, B = 0, C = 0, D = 0;

	asid_allocator_init(&a, 2, 2);
	expect_switch(0, &A, 1, 5, false);
	expect_switch(1, &B, 2, 6, false);
	expect_switch(0, &C, 3, 7, false);
	expect_switch(0, &D, 1, 9, true);
	expect_switch(0, &B, 2, 10, false);
	expect_switch(0, &D, 1, 9, false);
	expect_switch(0, &A, 3, 15, true);
	cr_expect_eq(a.rollovers, 2);
	expect_switch(1, &B, 2, 14, true);
	cr_expect_eq(a.rollovers, 2);
}

/*
 * bits = 3 (ASIDs 1..7, generations of 8), only cpu0 switching:
 *   M1..M7 take 1..7 (ids 9..15); a new N rolls over (gen 16): M7 (7) is
 *   running and stays reserved; N gets the first free, 1 (17).
 *   M5 (old 13): 5 is free -> 16|5 = 21, not the next free number (2).
 *   M2 (old 10): 2 is free -> 18.
 *   M1 (old 9): 1 is N's -> the next free after where the search stopped
 *     (2, now taken), 3 -> 19.
 */
Test(asid, old_numbers_come_back_when_free_and_are_replaced_when_taken)
{
	uint64_t m[8] = { 0 }, N = 0;

	asid_allocator_init(&a, 3, 2);
	for (unsigned i = 1; i <= 7; i++)
		expect_switch(0, &m[i], (uint16_t)i, 8 + i, false);
	expect_switch(0, &N, 1, 17, true);
	cr_expect_eq(a.rollovers, 1);
	expect_switch(0, &m[5], 5, 21, false);
	expect_switch(0, &m[2], 2, 18, false);
	expect_switch(0, &m[1], 3, 19, false);
	expect_switch(0, &m[7], 7, 23, false);	/* reserved: kept */
	cr_expect_eq(a.rollovers, 1);
}
