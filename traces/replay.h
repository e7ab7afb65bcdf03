/*
 * replay: accesses driven through the mmu/ model with no emulator, as the
 * run loop and sim/cpu drive it in a live run under --tlb exact: each
 * access is looked up a page at a time in the TLB of the agent it runs on
 * (agent_access, the live run's very calls), and an access the page tables
 * do not allow faults (handle_mm_fault, costed on that agent as in a live
 * run) and is looked up again, as the re-executed instruction would be.
 * Instructions are paid at the profile's cost, lookups as the agent counts
 * them.
 *
 * The address space is synthetic (Valgrind lackey traces, mmu/ only): one
 * private anonymous mapping over the whole user range, read-write-execute,
 * so every page is demand-zero on first touch; one CPU.  An access outside
 * [MMAP_MIN_ADDR, TASK_SIZE) faults with SIGSEGV, and is counted and
 * skipped.
 *
 * A replay holds its own physical memory, domain and mm: several replays
 * run side by side (a sweep), each with its own profile.
 */
#ifndef TRACES_REPLAY_H
#define TRACES_REPLAY_H

#include <glib.h>
#include <stdint.h>

#include "mmu/agent.h"
#include "mmu/stats.h"
#include "report/model.h"
#include "traces/trace.h"

struct replay {
	const struct cost_profile *profile;
	struct phys *phys;
	struct vm_stats stats;
	struct domain domain;
	struct mm *mm;
	uint64_t insns;			/* not yet paid */
	uint64_t instructions;		/* in all */
	uint64_t accesses;		/* data accesses and fetches replayed */
	uint64_t segv;			/* accesses no mapping allows */
	bool oom;			/* simulated memory ran out */
};

/* A synthetic address space of `mem` bytes of simulated memory, costed by
 * `profile` (which must outlive the replay).  -errno with the cause in
 * `error`. */
int replay_init_synthetic(struct replay *r, const struct cost_profile *profile, uint64_t mem,
			  GString *error);
void replay_fini(struct replay *r);

void replay_access(struct replay *r, enum trace_kind kind, uint64_t va, uint64_t size);
void replay_insns(struct replay *r, uint64_t count);
/* Pay what is owed and close the refill windows: the figures are final. */
void replay_finish(struct replay *r);
/* Simulated time: the latest agent clock (ns). */
uint64_t replay_simulated_ns(const struct replay *r);

/* The replay's figures into `root`, in a live run's report order and form:
 * result, faults, tlb, shootdowns, latencies. */
void replay_fill_report(struct report_node *root, const struct replay *r);

#endif
