/*
 * machine: one simulation.  It owns the simulated memory, the CPU, the guest
 * file system view, the statistics, and the task being run, and it runs the
 * loop that turns CPU events into system calls, page faults and signals.
 *
 * Simulated time is each CPU's clock: the instructions it ran and the events
 * charged to it, at the cost profile's rates, plus idle time it skipped;
 * host time never leaks into anything the guest sees.
 */
#ifndef SIM_MACHINE_H
#define SIM_MACHINE_H

#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mmu/asid.h"
#include "mmu/cost.h"
#include "mmu/latency.h"
#include "mmu/mm.h"
#include "mmu/shootdown.h"
#include "mmu/stats.h"
#include "mmu/tlb.h"
#include "sim/abi.h"
#include "sim/cpu.h"
#include "sim/task.h"
#include "sim/vfs.h"

#define DEFAULT_MEM	(UINT64_C(4) << 30)
#define DEFAULT_CPUS	4
#define MAX_CPUS	64
#define DEFAULT_QUANTUM	20000		/* instructions */
#define DEFAULT_MAX_TASKS 256
#define SIM_EPOCH	INT64_C(1704067200)	/* 2024-01-01T00:00:00Z: the guest's boot time */
#define FIRST_PID	100

struct options {
	uint64_t mem;
	const char *root;
	bool writable;
	uint64_t max_insns;	/* 0: unlimited */
	bool strace;
	bool stats;
	const char *report;		/* --report FILE, or NULL */
	uint64_t seed;
	int cpus;
	uint64_t quantum;
	int max_tasks;
	bool tlb_off;			/* --tlb off: no per-access TLB lookups */
	const char *profile;		/* built-in name or key file */
	char **sets;			/* --set assignments, NULL-terminated or NULL */
};

/* A simulated CPU: its own clock, the task it runs (NULL: idle), its TLB. */
struct sim_cpu {
	int id;
	uint64_t clock;		/* simulated ns */
	struct task *current;
	int last_tid;		/* what ran here before (it may be gone), for switch accounting */
	uint64_t last_mm_id;	/* the mm it runs or, idle, lazily still holds */
	struct tlb *tlb;	/* its TLB model; NULL under --tlb off */
	uint64_t tlb_cycles;	/* lookups and walks not yet on the clock */
	const char *switch_kind;	/* the last context switch, still collecting refills */
	struct event_cost switch_cost;
};

/* TLB shootdowns (sim/tlbmodel). */
struct shootdown_stats {
	uint64_t shootdowns;	/* flushes of an mm's range */
	uint64_t full;		/* of them, beyond the ceiling: the whole ASID */
	uint64_t pages;		/* pages flushed one by one */
	uint64_t ipis;		/* interrupts sent */
};

struct sched_stats {
	uint64_t process_switches;	/* next task in another mm */
	uint64_t thread_switches;	/* next task in the same mm */
	uint64_t forks, threads_created, execs;
};

struct machine {
	struct options opt;
	struct phys *phys;
	struct cpu *cpu;		/* the one engine, time-shared by the simulated CPUs */
	struct vfs vfs;
	struct vm_stats vmstats;
	struct cost_profile profile;
	struct latency_recorder *latency;
	struct asid_allocator asids;	/* when the profile's TLBs are tagged */
	struct shootdown_stats shootdowns;
	struct event_cost work;		/* done inside the fault or call being handled */
	GRand *rand;

	struct sim_cpu cpus[MAX_CPUS];
	struct sim_cpu *this_cpu;	/* the simulated CPU running right now */
	struct task *loaded;		/* the task whose registers are in the engine */
	GQueue runqueue;		/* runnable tasks without a CPU, FIFO */
	GList *blocked;			/* blocked tasks, in the order they blocked */
	GHashTable *tasks;		/* tid -> struct task *, live tasks */
	GList *processes;		/* every struct process not yet reaped */
	GList *dead;			/* exited tasks, freed at the next scheduling point */
	int next_pid;
	int nr_tasks;
	struct process *init;		/* the process mmusim started */
	struct sched_stats sched;

	uint64_t syscall_counts[512];
	GHashTable *warned;		/* warnings already given */
	GHashTable *futexes;		/* futex key -> channel object */
	bool exited;
	int exit_status;		/* what mmusim exits with */
	double host_start;
	FILE *log;			/* diagnostics: stderr */
};

int machine_create(const struct options *opt, struct machine **out, GString *error);
void machine_destroy(struct machine *m);
/* Load `argv[0]` (a host path) and run it, and everything it starts, until
 * it exits; returns the exit status mmusim should report (128+signo for a
 * fatal signal). */
int machine_run_program(struct machine *m, char *const *argv, char *const *envp);

/* Simulated time on the CPU running now. */
uint64_t machine_now_ns(const struct machine *m);
/* Advance CPU `c`'s clock by the cost of `ev`. */
void machine_pay(struct machine *m, struct sim_cpu *c, const struct event_cost *ev);
/* Charge an event's cost to CPU `c` and record its latency under `kind`. */
void machine_account(struct machine *m, struct sim_cpu *c, const char *kind,
		     const struct event_cost *ev);
/* Account a fault or system call: with it, the work it caused (shootdowns
 * it initiated, collected in m->work). */
void machine_account_handler(struct machine *m, const char *kind, struct event_cost *ev);
/* Add `count` times the profile's cost of `step` to the event `ev`. */
void machine_charge(struct machine *m, struct event_cost *ev, enum cost_step step, uint64_t count);
/* The simulation is over: mmusim exits with `status`. */
void machine_exit(struct machine *m, int status);
/* A new address space wired to this machine's CPU (trampolines, TLB and
 * code notifications). */
int machine_new_mm(struct machine *m, struct mm **out);
int machine_dup_mm(struct machine *m, struct mm *old, struct mm **out);
/* Print one warning per distinct `key` (e.g. an unknown system call). */
void machine_warn_once(struct machine *m, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
