/*
 * machine: one simulation.  It owns the simulated memory, the CPU, the guest
 * file system view, the statistics, and the task being run, and it runs the
 * loop that turns CPU events into system calls, page faults and signals.
 *
 * Simulated time is derived from the instruction count (one instruction is
 * one nanosecond) plus the time guests spent in simulated sleeps; host time
 * never leaks into anything the guest sees.
 */
#ifndef SIM_MACHINE_H
#define SIM_MACHINE_H

#include <glib.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mmu/mm.h"
#include "mmu/stats.h"
#include "sim/abi.h"
#include "sim/cpu.h"
#include "sim/vfs.h"

#define DEFAULT_MEM	(UINT64_C(4) << 30)
#define SIM_EPOCH	INT64_C(1704067200)	/* 2024-01-01T00:00:00Z: the guest's boot time */
#define GUEST_PID	100
#define NR_RLIMITS	16

struct options {
	uint64_t mem;
	const char *root;
	bool writable;
	uint64_t max_insns;	/* 0: unlimited */
	bool strace;
	bool stats;
	uint64_t seed;
};

struct rlimit64_pair {
	uint64_t cur, max;
};

struct task {
	int tid, pid, ppid;
	struct mm *mm;
	struct fdtable files;
	char *cwd;		/* guest path */
	char *exe;		/* guest path of the program, for /proc/self/exe */
	char comm[16];		/* name for prctl(PR_GET_NAME): the program's base name */
	uint64_t clear_child_tid;
	uint64_t robust_list;
	uint64_t rseq;
	unsigned umask;
	uint64_t sigmask;
	struct guest_sigaction sigactions[G_NSIG + 1];
	struct rlimit64_pair rlimits[NR_RLIMITS];
};

struct machine {
	struct options opt;
	struct phys *phys;
	struct cpu *cpu;
	struct vfs vfs;
	struct vm_stats vmstats;
	GRand *rand;
	struct task *task;
	uint64_t syscall_counts[512];
	GHashTable *warned;		/* unknown system calls already reported */
	uint64_t sleep_ns;
	bool exited;
	int exit_status;		/* what mmusim exits with */
	double host_start;
	FILE *log;			/* diagnostics: stderr */
};

int machine_create(const struct options *opt, struct machine **out, GString *error);
void machine_destroy(struct machine *m);
/* Load `argv[0]` (a host path) and run it to the end; returns the exit
 * status mmusim should report (128+signo for a fatal signal). */
int machine_run_program(struct machine *m, char *const *argv, char *const *envp);

uint64_t machine_now_ns(const struct machine *m);
/* End the guest: exit status, or a fatal signal with its report. */
void machine_exit(struct machine *m, int status);
void machine_kill(struct machine *m, int signo, int code, uint64_t addr, const char *why);
/* Print one warning per distinct `key` (e.g. an unknown system call). */
void machine_warn_once(struct machine *m, const char *key, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

#endif
