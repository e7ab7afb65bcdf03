/*
 * latency: simulated latencies of events (a page fault of a kind, a context
 * switch, a system call, a signal delivery), each with its breakdown into
 * modelled steps.  Kinds are named ("fault:anon-zero", "switch:process",
 * "syscall:read"); per kind the recorder keeps how many events took each
 * exact latency (its memory grows with the distinct values, not with the
 * run), so reports can give exact percentiles, and the sum per step (the
 * profile's steps and device_wait), for the mean breakdown.
 */
#ifndef MMU_LATENCY_H
#define MMU_LATENCY_H

#include <glib.h>
#include <stdint.h>

#include "mmu/cost.h"

/* An event being costed: cycles per step.  Indirect cost is what the event
 * causes later and is paid for then (the TLB refills after a switch): it is
 * reported with the event but is not part of its latency. */
#define DEVICE_WAIT_STEP "device_wait"	/* the key of event_cost.device_wait */

struct event_cost {
	uint64_t cycles[NR_COST_STEPS];
	uint64_t device_wait;		/* cycles the CPU waited for a device (its TLB
					 * invalidation, mmu/device): a step of its own,
					 * in `total`, not a profile value */
	uint64_t total;
	uint64_t indirect;		/* cycles */
	uint64_t refills;		/* TLB misses behind `indirect` */
};

struct latency_summary {
	const char *kind;
	uint64_t count;
	double mean;
	uint64_t median, p90, p99, max;		/* cycles */
	double mean_steps[NR_COST_STEPS];
	double mean_device_wait;		/* event_cost.device_wait: a step too */
	double mean_indirect, mean_refills;
};

struct latency_recorder;

struct latency_recorder *latency_recorder_new(void);
void latency_recorder_free(struct latency_recorder *r);
/* Add `count` times the profile's cost of `step` to `ev`. */
void event_charge(struct event_cost *ev, const struct cost_profile *p, enum cost_step step,
		  uint64_t count);
/* Add the direct cost of `part` to `ev`, step by step. */
void event_add(struct event_cost *ev, const struct event_cost *part);
void latency_record(struct latency_recorder *r, const char *kind, const struct event_cost *ev);
/* Record every event `r` records from now on in `tee` too (NULL: stop);
 * e.g. the events of a region of interest. */
void latency_set_tee(struct latency_recorder *r, struct latency_recorder *tee);
/* Summaries of every kind, sorted by kind name (free with g_array_free). */
GArray *latency_summaries(struct latency_recorder *r);

#endif
