/*
 * machine: one simulation.  It owns the simulated memory, the engine, the
 * CPUs as translation agents, the guest file system view, the tasks and the
 * statistics.  The loop that turns CPU events into system calls, page faults
 * and signals is sim/run.
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

#include "mmu/agent.h"
#include "mmu/cost.h"
#include "mmu/mm.h"
#include "mmu/stats.h"
#include "sim/abi.h"
#include "sim/cpu.h"
#include "sim/progress.h"
#include "sim/task.h"
#include "sim/timer.h"
#include "sim/vfs.h"

#define DEFAULT_MEM	(UINT64_C(4) << 30)
#define DEFAULT_CPUS	4
#define DEFAULT_DEVICE_MEM (UINT64_C(64) << 20)
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
	bool no_fastpath;		/* --no-fastpath: stores take the library's plain path */
	bool vas_lazy;			/* --vas-attach lazy (sim/sys_vas.c) */
	const char *profile;		/* built-in name or key file */
	char **sets;			/* --set assignments, NULL-terminated or NULL */
	char **tmpfs;			/* --tmpfs mount points, NULL-terminated or NULL */
	enum progress_mode progress;	/* --progress, --no-progress, or by the terminal */
	const char *mshare_flush;	/* --mshare-flush STRATEGY (mmu/mshare), NULL: per-sharer */
	bool mshare_v3_bugs;		/* --mshare-v3-bugs: the RFC v3's quirks (mmu/mshare) */
	int devices;			/* --devices N: simulated accelerators (sim/accel) */
	uint64_t device_mem;		/* --device-mem SIZE: each one's memory */
	const char *device_mm;		/* --device-mm DESIGN: "hmm" or "gmem" */
	bool device_coalesce;		/* --device-inval coalesced */
	unsigned device_coherent;	/* nodes of coherent memory (a bit each; sim/dmirror) */
};

/* A simulated CPU: a translation agent of the machine's domain (its clock,
 * TLB, mm and refill window) and the task it runs (NULL: idle). */
struct sim_cpu {
	int id;
	struct agent *agent;
	struct task *current;
	int last_tid;		/* what ran here before (it may be gone), for switch accounting */
	uint64_t slice_insns;	/* instructions `current` ran since it took the CPU (its quantum) */
};

struct region;
struct explainer;
struct gdbstub;

struct sched_stats {
	uint64_t process_switches;	/* next task in another mm */
	uint64_t thread_switches;	/* next task in the same mm */
	uint64_t forks, threads_created, execs;
};

/* A design's state in one machine (docs/design.md "Adding a design"): a
 * design that gives tasks address spaces of its own (sim/sys_vas) hears
 * when a task lets go of them (exit, execve) and when the machine goes. */
struct machine;
struct report_node;
struct design_ops {
	const char *name;
	/* (NULL: the state does not follow tasks.) */
	void (*task_release)(struct machine *m, struct task *t, void *state);
	/* (NULL: the state goes with something else, such as its mount.) */
	void (*destroy)(void *state);
	/* Add the design's member to the run's figures (NULL: none). */
	void (*report)(struct machine *m, void *state, struct report_node *root);
	/* /proc/PID/<proc_dir> (NULL: none), served by sim/procfs.c from nodes
	 * the design numbers (0: that directory, others positive) for the
	 * process of task `t`: proc_lookup gives the node and mode of `name`
	 * in `dir` or -ENOENT, proc_readdir emits each entry of `dir`,
	 * proc_show a file's text, proc_readlink a link's target. */
	const char *proc_dir;
	int (*proc_lookup)(void *state, struct task *t, int dir, const char *name, unsigned *mode);
	void (*proc_readdir)(void *state, struct task *t, int dir,
			     void (*emit)(void *arg, const char *name, int node, unsigned mode),
			     void *arg);
	int (*proc_show)(void *state, struct task *t, int node, GString *out);
	int (*proc_readlink)(void *state, struct task *t, int node, GString *out);
};

struct machine {
	struct options opt;
	struct phys *phys;
	struct cpu *cpu;		/* the one engine, time-shared by the simulated CPUs */
	struct vfs vfs;
	struct vm_stats vmstats;
	struct cost_profile profile;
	struct domain domain;		/* the CPUs as translation agents (mmu/agent) */
	struct recorder *recorder;	/* --record FILE (sim/record.h), or NULL */
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

	GHashTable *syscall_counts;	/* number -> uint64_t *: read with syscall_count() */
	const struct syscall_table *syscalls;	/* NULL: every call mmusim has (dispatch.h) */
	GHashTable *warned;		/* warnings already given */
	GHashTable *futexes;		/* futex key -> channel object */
	struct timer_queue timers;	/* armed timers (sim/timer) */
	uint64_t poll_wakeups;		/* readiness changes so far (sim/poll.h) */
	GHashTable *unix_names;		/* bound AF_UNIX names -> socket (sim/unix.c) */
	GHashTable *flocks;		/* "dev:ino" -> GList ** of flock(2) locks (sim/flock.c) */
	struct region *region;		/* the region of interest (sim/roi.h), or NULL: none */
	GArray *snapshots;		/* struct stats_snapshot in call order (sim/roi.h), or NULL */
	bool exited;
	int exit_status;		/* what mmusim exits with */
	int interrupted;		/* the host signal that stopped the run (sim/hostsig), or 0 */
	double host_start;
	struct progress progress;	/* the terminal's progress line (host time only) */
	FILE *log;			/* diagnostics: stderr */
	GHashTable *designs;		/* const struct design_ops * -> its state */
	struct explainer *explain;	/* --explain (sim/explain, opened by main), or NULL */
	struct gdbstub *gdb;		/* --gdb (sim/gdbstub, opened by main), or NULL */
};

/* 0, or -EIO when the emulator cannot start, or another -errno when an
 * option cannot be used (a profile, --mem, --root, ...); `error` says why. */
int machine_create(const struct options *opt, struct machine **out, GString *error);
void machine_destroy(struct machine *m);
/* --record: the run's trace goes to `path` from now on (needs the TLB
 * model).  -EINVAL without it, -EIO when the file cannot be made; `error`
 * says why.  machine_finish_recording() ends the file: -EIO if writing it
 * failed. */
struct trace_header;
int machine_start_recording(struct machine *m, const char *path, const struct trace_header *h,
			    GString *error);
int machine_finish_recording(struct machine *m, GString *error);
/* Free the tasks that exited (a scheduling point: nothing refers to them). */
void machine_free_dead_tasks(struct machine *m);

/* The guest's first working directory, a guest path: the host's when the
 * root is the host's /, else the root (g_free it). */
char *machine_initial_cwd(const struct machine *m);
/* Simulated time on the CPU running now (a timer's expiry while it fires). */
uint64_t machine_now_ns(const struct machine *m);
/* The simulation's time: the clock furthest ahead (simulated ns). */
uint64_t machine_simulated_ns(const struct machine *m);
/* The agent of the CPU running now: it pays for the work it does. */
struct agent *machine_agent(const struct machine *m);
/* The simulation is over: mmusim exits with `status`. */
void machine_exit(struct machine *m, int status);
/* A new address space wired to this machine's CPU (trampolines, TLB and
 * code notifications). */
int machine_new_mm(struct machine *m, struct mm **out);
int machine_dup_mm(struct machine *m, struct mm *old, struct mm **out);
/* The state `ops`'s design keeps in `m`, or NULL before it is added. */
void *machine_design(const struct machine *m, const struct design_ops *ops);
void machine_add_design(struct machine *m, const struct design_ops *ops, void *state);
/* `t` is about to drop every address space it holds (exit, execve). */
void machine_release_task(struct machine *m, struct task *t);
/* Each design in use adds its member to `root`, in the order of their names. */
void machine_report_designs(struct machine *m, struct report_node *root);
/* Print one warning per distinct `key` (e.g. an unknown system call). */
void machine_warn_once(struct machine *m, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
