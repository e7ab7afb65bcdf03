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
 * Address spaces are synthetic: each is one private anonymous mapping over
 * the whole user range, read-write-execute, so every page is demand-zero on
 * first touch.  A Valgrind lackey trace runs in one on one CPU; a recorded
 * run's accesses run in one per recorded mm (a fork's copy is mm_dup of its
 * parent's, copy-on-write as fork makes it), each CPU in the mm it switched
 * to: what the accesses cost without the run's own mm operations, file
 * mappings and system calls, which are not replayed.  An access outside
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
#include "mmu/figures.h"
#include "mmu/stats.h"
#include "report/model.h"
#include "traces/trace.h"

/* Pages the current CPU's mm was last seen to allow, per kind of access,
 * by the low bits of the page number: the permission check of an access
 * skips the table walk when its page is there.  Emptied whenever a table
 * may change (a fault, a fork, an mm dropped) or the CPU or its mm does. */
#define REPLAY_ALLOWED 64

struct replay;

/* A replay other than the synthetic one (the exact replay of a recorded
 * run, traces/journal.h) takes over its records, its accesses and its end. */
struct replay_mode {
	int (*record)(struct replay *r, const struct trace_record *rec, GString *error);
	int (*accesses)(struct replay *r, const struct trace_accesses *run, size_t n,
			uint64_t offset, GString *error);
	void (*free)(struct replay *r);
	/* Its own sections of the report (NULL: none). */
	void (*report)(struct report_node *root, const struct replay *r);
};

struct replay {
	uint64_t allowed[3][REPLAY_ALLOWED];	/* page number + 1; 0: empty */
	const struct cost_profile *profile;
	struct phys *phys;
	struct vm_stats stats;
	struct domain domain;
	GHashTable *mms;		/* recorded mm id -> struct mm * */
	struct mm *running[MAX_AGENTS];	/* the mm each CPU runs; NULL: none yet */
	struct agent *agent;		/* the CPU of the last record */
	struct mm *mm;			/* and the mm it runs */
	uint64_t insns;			/* that CPU's, not yet paid */
	uint64_t instructions;		/* in all */
	uint64_t accesses;		/* data accesses and fetches replayed */
	uint64_t segv;			/* accesses no mapping allows */
	bool oom;			/* simulated memory ran out */
	const struct replay_mode *mode;	/* NULL: synthetic */
	struct journal_replay *exact;	/* the exact replay's state (traces/journal.h) */
	bool totals;			/* the recorded run's vm-counts and memory came */
	struct memory_figures memory;	/* that memory record's */
};

/* `nr_cpus` CPUs and `mem` bytes of simulated memory, costed by `profile`
 * (which must outlive the replay), no address space yet.  -errno with the
 * cause in `error`. */
int replay_init(struct replay *r, const struct cost_profile *profile, uint64_t mem, int nr_cpus,
		GString *error);
/* replay_init() with one CPU running one synthetic address space (lackey). */
int replay_init_synthetic(struct replay *r, const struct cost_profile *profile, uint64_t mem,
			  GString *error);
void replay_fini(struct replay *r);

/* The events of a recorded run (docs/trace-format.md), in order; 0, or
 * -errno with the cause in `error` (an mm unknown or known already, a CPU
 * out of range or in no mm, memory for the address space). */
int replay_record(struct replay *r, const struct trace_record *rec, GString *error);

/* One access (one lackey instruction when a fetch) on the CPU of the last
 * record. */
void replay_access(struct replay *r, enum trace_kind kind, uint64_t va, uint64_t size);
/* What trace_read_accesses() gave (its first record at stream `offset`),
 * in order, as replay_record() would run them.  0, or -EINVAL with the
 * cause in `error` when the CPU is in no address space. */
int replay_accesses(struct replay *r, const struct trace_accesses *run, size_t n,
		    uint64_t offset, GString *error);
/* The `n` accesses of `run` looked up on agent `a` in `mm`, as
 * replay_accesses() does: in the synthetic replay each checked against the
 * tables and faulted as access_pages does, in the exact one (r->exact)
 * only looked up, its first page and its last (the run's faults are in
 * its journal).  Not counted in r->accesses. */
void replay_lookup_run(struct replay *r, struct agent *a, struct mm *mm,
		       const struct trace_accesses *run, size_t n);
/* One access of `size` at `va` looked up on `a` in `mm`: its first page,
 * and its last if another, as sim/cpu looks them up. */
void replay_lookup_pages(struct agent *a, struct mm *mm, uint64_t va, uint64_t size, bool fetch);
void replay_insns(struct replay *r, uint64_t count);
/* Pay what is owed and close the refill windows: the figures are final. */
void replay_finish(struct replay *r);
/* Simulated time: the latest agent clock (ns). */
uint64_t replay_simulated_ns(const struct replay *r);

/* The replay's figures into `root`, in a live run's report order and form:
 * result, faults, tlb, shootdowns, latencies. */
void replay_fill_report(struct report_node *root, const struct replay *r);

#endif
