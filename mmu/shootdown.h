/*
 * shootdown: after an mm's page tables lost or downgraded translations,
 * which CPUs' TLBs must forget them, how they are told, and what it costs,
 * as flush_tlb_mm_range() does in Linux.
 *
 * Who: the CPUs in mm->cpumask.  A CPU enters the mask when it switches to
 * the mm and, lazily, stays there after switching away: with ASID-tagged
 * TLBs its entries survive the switch; with untagged TLBs the switch flushed
 * them, so only CPUs still running the mm count.  A CPU that is flushed
 * while not running the mm leaves the mask.
 *
 * What: [start, end) page by page up to FLUSH_CEILING_PAGES pages, and the
 * mm's whole ASID beyond (tlb_single_page_flush_ceiling in x86 Linux).
 *
 * How (the profile's `shootdown`):
 *  - IPIs: the initiator flushes locally, sends one IPI per other CPU in
 *    the mask and waits for the slowest acknowledgement; each target takes
 *    the interrupt and flushes.  The target's cost is its own (charged to
 *    its clock by the caller).
 *  - broadcast TLBI: the initiator issues one TLBI per page (or one for the
 *    ASID) that every CPU's TLB obeys, then one DSB to wait for all; nobody
 *    is interrupted.
 *
 * The model TLBs of the CPUs are flushed here; the emulator's own TLB is the
 * caller's business (it must never be stale, whatever the model says).
 */
#ifndef MMU_SHOOTDOWN_H
#define MMU_SHOOTDOWN_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/cost.h"
#include "mmu/latency.h"
#include "mmu/mm.h"
#include "mmu/tlb.h"

#define FLUSH_CEILING_PAGES 33

/* What the shootdown needs to know of each CPU. */
struct shootdown_cpu {
	struct tlb *tlb;		/* NULL: TLB not modelled (--tlb off) */
	uint64_t active_mm;		/* id of the mm it runs or lazily holds; 0: none */
};

struct shootdown {
	bool full;			/* the whole ASID (beyond the ceiling) */
	uint64_t pages;			/* else the pages flushed one by one */
	uint64_t targets;		/* CPUs interrupted */
	unsigned nr_targets;
	unsigned nr_flushed;		/* CPUs that flushed, the initiator included */
	struct event_cost initiator;	/* the CPU that changed the tables */
	struct event_cost target;	/* each CPU interrupted */
};

/* Flush [start, end) of `mm` (running with `asid`) on behalf of CPU `self`. */
void shootdown_flush(struct shootdown_cpu *cpus, int nr_cpus, int self, struct mm *mm,
		     uint16_t asid, uint64_t start, uint64_t end, const struct cost_profile *p,
		     struct shootdown *out);

/* Flush [start, end) of the address spaces with the `nr_asids` ASIDs of
 * `asids` on the CPUs of `mask` (with broadcast TLBIs: on every CPU), one
 * shootdown for all, as one TLBI by VA for all ASIDs per page; no ASID:
 * each CPU's whole TLB (flush_tlb_all).  For translations of shared page
 * tables (mmu/mshare), which several mms hold; no mm's mask changes. */
void shootdown_flush_mask(struct shootdown_cpu *cpus, int nr_cpus, int self, uint64_t mask,
			  const uint16_t *asids, int nr_asids, uint64_t start, uint64_t end,
			  const struct cost_profile *p, struct shootdown *out);

#endif
