/*
 * region: the figures of a region of interest (sim/roi.h says how a guest
 * marks one): the machine's plain totals read at the moments an interval
 * opens and closes, their differences added up over the intervals, and the
 * tables the region counts into itself while open (system calls by number,
 * latencies).  Data only: it knows nothing of the machine.
 */
#ifndef SIM_REGION_H
#define SIM_REGION_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/agent.h"
#include "mmu/latency.h"
#include "mmu/stats.h"
#include "mmu/tlb.h"

/* The machine's plain totals at one moment.  Only uint64_t members: an
 * interval's figures are the member-wise difference of two readings. */
struct run_counters {
	uint64_t instructions;
	uint64_t simulated_ns;		/* the clock furthest ahead */
	uint64_t faults[NR_FAULT_KINDS];
	uint64_t fault_around_pages;
	uint64_t tlb_flushes;
	struct tlb_stats tlb;		/* every CPU's TLB added up */
	struct shootdown_stats shootdowns;
	uint64_t process_switches, thread_switches, forks, threads_created, execs;
};

struct region {
	bool open;
	bool closed_at_entry;		/* the end call now running closed it */
	uint64_t intervals;		/* begin/end pairs, the one open included */
	struct run_counters start;	/* the open interval's first reading */
	struct run_counters sum;	/* closed intervals, added up */
	GHashTable *syscalls;		/* counted while open (dispatch.h), or NULL */
	struct latency_recorder *latency;	/* events recorded while open */
};

/* The whole run's figures at a moment the guest chose (MMUSIM_SNAPSHOT_STATS,
 * MMUSIM_DUMP_STATS: sim/roi.h). */
struct stats_snapshot {
	uint64_t tag;			/* the guest's argument */
	bool dumped;			/* also written to standard error then */
	struct run_counters run;
};

struct region *region_new(void);
void region_free(struct region *r);
/* sum += to - from, member by member. */
void run_counters_add_interval(struct run_counters *sum, const struct run_counters *from,
			       const struct run_counters *to);
/* Forget every figure (intervals, sums, tables); `open` and `start` stay. */
void region_clear(struct region *r);

#endif
