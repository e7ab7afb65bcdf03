/*
 * mmu/shootdown: who is flushed after an mm's range changed, how, and at
 * what cost, on 4 CPUs with the "default" profile:
 *   tlb_flush_page 40, tlb_flush_all 200, ipi_send 600, ipi_handle 1500,
 *   ack_wait 1000, tlbi_broadcast 100, tlbi_sync 600; 16-bit ASIDs; IPIs.
 * An IPI shootdown costs the initiator its local flush, one send per
 * target, one target's handling (the slowest acknowledgement) and the ack
 * wait; each target pays the interrupt and the flush.
 *
 * The mm (id 1, ASID 5) is filled in by hand: shootdown only reads its id
 * and changes its cpumask.  Model TLBs look pages up in a real page table.
 */
#include <criterion/criterion.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/cost.h"
#include "mmu/latency.h"
#include "mmu/pgtable.h"
#include "mmu/phys.h"
#include "mmu/shootdown.h"
#include "mmu/tlb.h"

#define NCPUS 4
#define PG UINT64_C(4096)
#define BASE UINT64_C(0x40000000)
#define ASID 5
#define OTHER_MM 2		/* the id of some other mm a CPU may run */

static struct cost_profile p;
static struct phys *phys;
static phys_addr_t root;
static struct shootdown_cpu cpus[NCPUS];
static struct mm mm;
static struct shootdown sd;

static void setup(void)
{
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	cr_assert_eq(phys_create(UINT64_C(16) << 20, &phys), 0);
	cr_assert_eq(pgtable_create(phys, &root), 0);
	mm = (struct mm){ .id = 1 };
}

static void teardown(void)
{
	for (int c = 0; c < NCPUS; c++)
		tlb_destroy(cpus[c].tlb);
	pgtable_put(phys, root, PGD_LEVEL);
	phys_destroy(phys);
	cost_profile_clear(&p);
}

TestSuite(shootdown, .init = setup, .fini = teardown);

static uint64_t bit(int cpu)
{
	return UINT64_C(1) << cpu;
}

/* CPU c runs (or lazily holds) the mm with id `mm_id`; with a model TLB of
 * the profile's geometry when `with_tlb`. */
static void set_cpu(int c, uint64_t mm_id, bool with_tlb)
{
	cpus[c].active_mm = mm_id;
	if (with_tlb)
		cr_assert_eq(tlb_create(&p.tlb, &cpus[c].tlb), 0);
}

static void map_pages(uint64_t va, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		phys_addr_t pa;

		cr_assert_eq(phys_alloc(phys, FRAME_DATA, &pa), 0);
		cr_assert_eq(pgtable_map(phys, root, va + i * PG, pa, VM_READ), 0);
	}
}

/* Where CPU c's model TLB found `va` for the mm's ASID. */
static enum tlb_hit lookup(int c, uint64_t va)
{
	struct tlb_lookup l;

	cr_assert(tlb_translate(cpus[c].tlb, phys, root, ASID, va, TLB_DATA, &l));
	return l.hit;
}

static void shoot(int self, uint64_t start, uint64_t end)
{
	shootdown_flush(cpus, NCPUS, self, &mm, ASID, start, end, &p, &sd);
}

/* Mask {0,1,2}, all three running the mm, CPU 3 elsewhere; CPU 0 flushes
 * one page.  Initiator: 40 (local) + 2 * 600 (sends) + 1500 + 40 (one
 * target's handling) + 1000 (ack) = 3780.  Target: 1500 + 40 = 1540. */
Test(shootdown, ipis_go_to_the_other_cpus_of_the_mask)
{
	for (int c = 0; c < 3; c++)
		set_cpu(c, mm.id, false);
	set_cpu(3, OTHER_MM, false);
	mm.cpumask = bit(0) | bit(1) | bit(2);

	shoot(0, BASE, BASE + PG);
	cr_expect_not(sd.full);
	cr_expect_eq(sd.pages, 1);
	cr_expect_eq(sd.nr_targets, 2);
	cr_expect_eq(sd.targets, bit(1) | bit(2));
	cr_expect_eq(sd.initiator.total, 3780);
	cr_expect_eq(sd.initiator.cycles[COST_TLB_FLUSH_PAGE], 80);
	cr_expect_eq(sd.initiator.cycles[COST_IPI_SEND], 1200);
	cr_expect_eq(sd.initiator.cycles[COST_IPI_HANDLE], 1500);
	cr_expect_eq(sd.initiator.cycles[COST_ACK_WAIT], 1000);
	cr_expect_eq(sd.target.total, 1540);
	cr_expect_eq(sd.target.cycles[COST_IPI_HANDLE], 1500);
	cr_expect_eq(sd.target.cycles[COST_TLB_FLUSH_PAGE], 40);
	cr_expect_eq(mm.cpumask, bit(0) | bit(1) | bit(2), "everyone runs the mm: the mask stays");
}

/* Only the initiator holds the mm: a local flush of 40 cycles, no IPI. */
Test(shootdown, a_lone_cpu_flushes_locally_without_ipis)
{
	set_cpu(0, mm.id, false);
	for (int c = 1; c < NCPUS; c++)
		set_cpu(c, OTHER_MM, false);
	mm.cpumask = bit(0);

	shoot(0, BASE, BASE + PG);
	cr_expect_eq(sd.nr_targets, 0);
	cr_expect_eq(sd.targets, 0);
	cr_expect_eq(sd.initiator.total, 40);
	cr_expect_eq(sd.target.total, 0);
}

/* [BASE + 0x800, BASE + 0x1800) touches 2 pages; [BASE, BASE) none. */
Test(shootdown, a_range_is_rounded_out_to_whole_pages)
{
	set_cpu(0, mm.id, false);
	mm.cpumask = bit(0);

	shoot(0, BASE + 0x800, BASE + 0x1800);
	cr_expect_eq(sd.pages, 2);
	cr_expect_eq(sd.initiator.total, 2 * 40);
	shoot(0, BASE, BASE);
	cr_expect_eq(sd.pages, 0);
	cr_expect_eq(sd.initiator.total, 0);
}

/* 33 pages (the ceiling) go one by one: the target pays 1500 + 33 * 40 =
 * 2820; a page just past the range survives in its model TLB. */
Test(shootdown, thirty_three_pages_are_flushed_one_by_one)
{
	set_cpu(0, mm.id, true);
	set_cpu(1, mm.id, true);
	mm.cpumask = bit(0) | bit(1);
	map_pages(BASE, 34);
	cr_expect_eq(lookup(1, BASE + 32 * PG), TLB_WALKED);
	cr_expect_eq(lookup(1, BASE + 33 * PG), TLB_WALKED);

	shoot(0, BASE, BASE + 33 * PG);
	cr_expect_not(sd.full);
	cr_expect_eq(sd.pages, 33);
	cr_expect_eq(sd.nr_targets, 1);
	cr_expect_eq(sd.target.total, 2820);
	cr_expect_eq(sd.target.cycles[COST_TLB_FLUSH_PAGE], 33 * 40);
	cr_expect_eq(sd.target.cycles[COST_TLB_FLUSH_ALL], 0);
	cr_expect_eq(sd.initiator.cycles[COST_TLB_FLUSH_ALL], 0);
	cr_expect_eq(sd.initiator.cycles[COST_IPI_SEND], 600);
	cr_expect_eq(sd.initiator.cycles[COST_ACK_WAIT], 1000);
	cr_expect_eq(tlb_stats(cpus[1].tlb)->flushes_page, 33);
	cr_expect_eq(lookup(1, BASE + 32 * PG), TLB_WALKED, "last page of the range: flushed");
	cr_expect_eq(lookup(1, BASE + 33 * PG), TLB_HIT_L1, "outside the range: kept");
}

/*
 * The initiator waits for one target's whole handling: 33 page flushes,
 * not one.  Initiator: 33 * 40 (local) + 600 (send) + 1500 + 33 * 40 (the
 * target's handling) + 1000 (ack) = 5740, of which 2640 are page flushes.
 */
Test(shootdown, the_initiator_waits_for_a_targets_whole_flush)
{
	set_cpu(0, mm.id, false);
	set_cpu(1, mm.id, false);
	mm.cpumask = bit(0) | bit(1);

	shoot(0, BASE, BASE + 33 * PG);
	cr_expect_eq(sd.initiator.cycles[COST_TLB_FLUSH_PAGE], 2640);
	cr_expect_eq(sd.initiator.cycles[COST_IPI_HANDLE], 1500);
	cr_expect_eq(sd.initiator.total, 5740);
	cr_expect_eq(sd.initiator.total - sd.target.total, 1320 + 600 + 1000,
		     "local flush + send + ack on top of one target's handling");
}

/* 34 pages: past the ceiling, the whole ASID.  Target 1500 + 200 = 1700;
 * initiator 200 + 600 + 1700 + 1000 = 3500.  An entry far outside the
 * range goes too. */
Test(shootdown, thirty_four_pages_flush_the_whole_asid)
{
	set_cpu(0, mm.id, true);
	set_cpu(1, mm.id, true);
	mm.cpumask = bit(0) | bit(1);
	map_pages(BASE + 100 * PG, 1);
	cr_expect_eq(lookup(1, BASE + 100 * PG), TLB_WALKED);

	shoot(0, BASE, BASE + 34 * PG);
	cr_expect(sd.full);
	cr_expect_eq(sd.pages, 0);
	cr_expect_eq(sd.nr_targets, 1);
	cr_expect_eq(sd.target.total, 1700);
	cr_expect_eq(sd.target.cycles[COST_TLB_FLUSH_ALL], 200);
	cr_expect_eq(sd.target.cycles[COST_TLB_FLUSH_PAGE], 0);
	cr_expect_eq(sd.initiator.total, 3500);
	cr_expect_eq(sd.initiator.cycles[COST_TLB_FLUSH_ALL], 400);
	cr_expect_eq(sd.initiator.cycles[COST_TLB_FLUSH_PAGE], 0);
	cr_expect_eq(tlb_stats(cpus[1].tlb)->flushes_asid, 1);
	cr_expect_eq(tlb_stats(cpus[1].tlb)->flushes_page, 0);
	cr_expect_eq(lookup(1, BASE + 100 * PG), TLB_WALKED);
}

/* Tagged TLBs: CPU 1 switched away but may still hold the mm's entries, so
 * it is interrupted all the same, and then leaves the mask; CPU 2, running
 * the mm, stays.  The next shootdown interrupts only CPU 2. */
Test(shootdown, a_lazy_cpu_is_flushed_once_and_leaves_the_mask)
{
	set_cpu(0, mm.id, false);
	set_cpu(1, OTHER_MM, false);
	set_cpu(2, mm.id, false);
	set_cpu(3, OTHER_MM, false);
	mm.cpumask = bit(0) | bit(1) | bit(2);

	shoot(0, BASE, BASE + PG);
	cr_expect_eq(sd.targets, bit(1) | bit(2));
	cr_expect_eq(mm.cpumask, bit(0) | bit(2));
	shoot(0, BASE, BASE + PG);
	cr_expect_eq(sd.targets, bit(2));
	cr_expect_eq(sd.nr_targets, 1);
	cr_expect_eq(mm.cpumask, bit(0) | bit(2));
}

/* Untagged TLBs (asid_bits 0): CPU 1's switch away flushed its TLB, so it
 * is dropped from the mask without an IPI.  One target (CPU 2):
 * initiator 40 + 600 + 1500 + 40 + 1000 = 3180. */
Test(shootdown, untagged_cpus_not_running_the_mm_get_no_ipi)
{
	cr_assert_eq(cost_profile_set(&p, "tlb.asid_bits=0", NULL), 0);
	cr_assert_not(p.tlb.asid_tagged);
	set_cpu(0, mm.id, false);
	set_cpu(1, OTHER_MM, false);
	set_cpu(2, mm.id, false);
	set_cpu(3, OTHER_MM, false);
	mm.cpumask = bit(0) | bit(1) | bit(2);

	shoot(0, BASE, BASE + PG);
	cr_expect_eq(sd.targets, bit(2));
	cr_expect_eq(sd.nr_targets, 1);
	cr_expect_eq(sd.initiator.cycles[COST_IPI_SEND], 600);
	cr_expect_eq(sd.initiator.total, 3180);
	cr_expect_eq(mm.cpumask, bit(0) | bit(2));
}

/* Broadcast TLBI: nobody is interrupted; the initiator pays 100 per page
 * and one 600-cycle sync: 3 pages -> 900; past the ceiling, one TLBI for
 * the ASID -> 700.  CPU 3 is outside the mask, yet its entry is gone too,
 * as is CPU 1's; the page after the range survives. */
Test(shootdown, broadcast_tlbi_reaches_every_cpu_without_ipis)
{
	cr_assert_eq(cost_profile_set(&p, "tlb.shootdown=broadcast", NULL), 0);
	set_cpu(0, mm.id, true);
	set_cpu(1, mm.id, true);
	set_cpu(2, OTHER_MM, true);
	set_cpu(3, OTHER_MM, true);
	mm.cpumask = bit(0) | bit(1);
	map_pages(BASE, 4);
	for (int c = 1; c < NCPUS; c += 2) {
		cr_expect_eq(lookup(c, BASE), TLB_WALKED);
		cr_expect_eq(lookup(c, BASE + 3 * PG), TLB_WALKED);
		cr_expect_eq(lookup(c, BASE), TLB_HIT_L1);
	}

	shoot(0, BASE, BASE + 3 * PG);
	cr_expect_eq(sd.nr_targets, 0);
	cr_expect_eq(sd.targets, 0);
	cr_expect_eq(sd.target.total, 0);
	cr_expect_eq(sd.initiator.cycles[COST_TLBI_BROADCAST], 300);
	cr_expect_eq(sd.initiator.cycles[COST_TLBI_SYNC], 600);
	cr_expect_eq(sd.initiator.total, 900);
	cr_expect_eq(sd.initiator.cycles[COST_IPI_SEND], 0);
	for (int c = 1; c < NCPUS; c += 2) {
		cr_expect_eq(lookup(c, BASE), TLB_WALKED, "cpu %d kept a flushed page", c);
		cr_expect_eq(lookup(c, BASE + 3 * PG), TLB_HIT_L1, "cpu %d lost a page past the range", c);
	}
	cr_expect_eq(mm.cpumask, bit(0) | bit(1));

	shoot(0, BASE, BASE + 34 * PG);
	cr_expect(sd.full);
	cr_expect_eq(sd.initiator.total, 700);
	cr_expect_eq(lookup(3, BASE + 3 * PG), TLB_WALKED, "the whole ASID went");
}

/* IPIs: on the target, the flushed page's entry is gone (the next lookup
 * walks) while the entry of the next page is still an L1 hit; CPU 3,
 * outside the mask, is not touched. */
Test(shootdown, a_target_forgets_the_flushed_page_only)
{
	for (int c = 0; c < NCPUS; c++)
		set_cpu(c, c == 3 ? OTHER_MM : mm.id, true);
	mm.cpumask = bit(0) | bit(1) | bit(2);
	map_pages(BASE, 2);
	for (int c = 0; c < NCPUS; c++) {
		lookup(c, BASE);
		lookup(c, BASE + PG);
	}

	shoot(0, BASE, BASE + PG);
	for (int c = 0; c < 3; c++) {
		cr_expect_eq(lookup(c, BASE), TLB_WALKED, "cpu %d kept the flushed page", c);
		cr_expect_eq(lookup(c, BASE + PG), TLB_HIT_L1, "cpu %d lost the other page", c);
	}
	cr_expect_eq(lookup(3, BASE), TLB_HIT_L1, "no IPI, no flush outside the mask");
	cr_expect_eq(tlb_stats(cpus[3].tlb)->flushes_page, 0);
}
