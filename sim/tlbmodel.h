/*
 * tlbmodel: the translation hardware of the simulated CPUs, as the cost
 * profile describes it, wired to the machine.
 *
 *  - Lookups (--tlb exact): each CPU has a model TLB (mmu/tlb); every guest
 *    data access and every page a block is fetched from is looked up in the
 *    TLB of the CPU that runs it, and a miss walks the real tables.  Hits
 *    and walks cost cycles on that CPU's clock.  Under --tlb off there are
 *    no per-access lookups; everything below is modelled all the same.
 *  - Switches: an address-space switch runs the next mm with an ASID from
 *    the allocator (mmu/asid) and flushes only on roll-over, or, with
 *    untagged TLBs, flushes the non-global entries.  The CPU joins the mm's
 *    CPU mask.
 *  - Refills: the TLB misses a CPU takes after a context switch, until its
 *    next one, are that switch's indirect cost; the switch's latency is
 *    recorded when that window closes.
 *  - Shootdowns: a flush of an mm's range (its notifier) goes to the CPUs
 *    in its mask (mmu/shootdown).  The initiator's cost joins the event it
 *    happens in (the system call or fault); each target pays its own.
 */
#ifndef SIM_TLBMODEL_H
#define SIM_TLBMODEL_H

#include "sim/machine.h"

int tlbmodel_init(struct machine *m, GString *error);
void tlbmodel_fini(struct machine *m);

/* CPU `c` is about to run `next` after running another mm (or none). */
void tlbmodel_switch_mm(struct machine *m, struct sim_cpu *c, struct mm *next, struct event_cost *ev);
/* A context switch of `kind` on `c`, direct cost `ev` already paid: its
 * latency is recorded with the refills that follow, when the next switch on
 * `c` (or the end of the run) closes it. */
void tlbmodel_open_switch(struct machine *m, struct sim_cpu *c, const char *kind,
			  const struct event_cost *ev);
void tlbmodel_close_switches(struct machine *m);
/* Lookup and walk cycles `c` has accrued since the last call. */
uint64_t tlbmodel_take_cycles(struct sim_cpu *c);
/* The counters of every CPU's TLB added up (all zero under --tlb off). */
void tlbmodel_total_stats(const struct machine *m, struct tlb_stats *out);
/* The translations of [start, end) of `mm` changed: shoot them down. */
void tlbmodel_flush(struct machine *m, struct mm *mm, uint64_t start, uint64_t end);

#endif
