/*
 * task: threads and processes, after Linux's task_struct.  A task is a
 * thread; a process is a thread group whose tasks share one `struct
 * process` (pid, parent, children, exit status, shared pending signals).
 * What clone(2) may share is reference counted: the address space (mm), the
 * descriptor table (files), cwd and umask (fs), and the signal handlers
 * (sighand).
 *
 * A task runs in its active mm.  It may hold further address spaces (the
 * first-class address spaces of a later issue): task_switch_mm() changes the
 * active one, and whatever runs the task loads that mm's root and ASID.
 * As the VAS RFC has it: fork gives the child a copy of the original mm
 * (mms[0]) alone, whichever is active (sim/fork.c); a thread (CLONE_VM)
 * shares every mm and starts in the active one; exec drops them all and
 * starts in the new image's (task_exec_mm); exit drops them all
 * (task_release).
 */
#ifndef SIM_TASK_H
#define SIM_TASK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm.h"
#include "sim/abi.h"
#include "sim/cpu.h"
#include "sim/cred.h"
#include "sim/fdtable.h"
#include "sim/timer.h"
#include "sim/vfs.h"
#include "sim/wait.h"

#define NR_RLIMITS 16

struct fs_struct {
	int refs;
	char *cwd;		/* guest path */
	unsigned umask;
};

struct files_struct {
	int refs;
	struct fdtable fdt;
};

struct sighand {
	int refs;
	struct guest_sigaction action[G_NSIG + 1];
};

/* What a signal carries to its handler (struct siginfo's first fields). */
struct sig_info {
	int signo, code;
	int pid, uid;		/* sender (kill), or child (SIGCHLD) */
	int status;		/* SIGCHLD */
	uint64_t addr;		/* fault address (SIGSEGV, SIGBUS, SIGILL, SIGTRAP) */
	bool fault;		/* raised by a fault: siginfo carries si_addr */
	int timerid, overrun;	/* SI_TIMER: the POSIX timer and its overruns */
	uint64_t value;		/* SI_TIMER: its sigev_value */
};

/* Signals waiting for delivery: one instance per signal number. */
struct sigpending {
	uint64_t set;		/* bit signo-1 */
	struct sig_info info[G_NSIG + 1];
};

struct rlimit64_pair {
	uint64_t cur, max;
};

/* An interval timer (setitimer): ITIMER_REAL runs on simulated time (its
 * `timer`), ITIMER_VIRTUAL and ITIMER_PROF on the process's CPU time
 * (`expires` in CPU ns; 0: disarmed). */
struct itimer {
	struct sim_timer timer;
	uint64_t expires, interval;	/* ns */
};

struct process {
	int pid, pgid, sid;
	struct process *parent;	/* NULL: the initial process (its parent is outside) */
	GList *children;	/* struct process * */
	GList *threads;		/* struct task *, live */
	bool exiting;		/* exit_group or a fatal signal is under way */
	bool zombie;		/* every thread has exited; waiting to be reaped */
	int wait_status;	/* as wait4 reports it */
	int exit_signal;	/* sent to the parent when it ends (SIGCHLD) */
	struct sigpending shared_pending;
	struct rlimit64_pair rlimits[NR_RLIMITS];
	char *exe;		/* guest path of the program, for /proc/self/exe */
	char comm[16];
	struct itimer itimers[3];	/* ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF (sim/itimer) */
	GPtrArray *posix_timers;	/* timer_create's (sim/posix_timer), NULL: none made yet */
	int next_timer_id;
	uint64_t utime, stime;		/* CPU ns of its threads, live and gone: user, system */
	uint64_t cutime, cstime;	/* ... of its reaped children and theirs */
	bool dumpable;			/* prctl PR_SET_DUMPABLE; exec sets it again */
	int membarrier;			/* membarrier registrations (MEMBARRIER_CMD_REGISTER_*) */
	struct cred cred;		/* a zombie's: its last thread's, for /proc */
};

enum task_state {
	TASK_RUNNABLE,		/* on a CPU or in the run queue */
	TASK_BLOCKED,		/* asleep: `wait` says on what */
	TASK_DEAD,
};

struct task {
	int tid;
	struct process *proc;
	struct mm *mm;			/* the active address space */
	GPtrArray *mms;			/* every address space the task holds (mm first) */
	struct fs_struct *fs;
	struct files_struct *files;
	struct sighand *sighand;
	uint64_t blocked;		/* signal mask */
	struct sigpending pending;
	uint64_t altstack_sp, altstack_size;
	int altstack_flags;
	uint64_t clear_child_tid, robust_list, rseq;
	struct cpu_context *ctx;

	enum task_state state;
	struct task_wait wait;		/* sleeping, waking, retrying: see sim/wait.h */
	uint64_t saved_sigmask;		/* rt_sigsuspend: the mask to restore after the handler */
	bool sigsuspended;
	uint64_t sigwait_set;		/* rt_sigtimedwait: signals that end the wait */
	void *copy_out;			/* a read's bytes waiting for a user fault (sim/copyout.c; one block) */
	char *strace_line;		/* --strace: the call's line so far */
	bool strace_addr_result;
	const char *strace_redo_fmt;	/* decode again at the end (memory not in yet), or NULL */
	uint64_t strace_mm_id;		/* the mm the arguments were decoded in */
	int syscall_nr;			/* the call it is in (retried when woken), or -1 */
	uint64_t syscall_args[6];
	struct task *vfork_parent;	/* blocked until this task execs or exits */
	int cpu;			/* the simulated CPU it last ran on */
	uint64_t ready_since;		/* simulated ns it became runnable */
	uint64_t cpus_allowed;		/* sched_setaffinity: the CPUs it may run on (bit per CPU) */
	struct cred cred;		/* sim/cred.h */
	int nice;			/* -20..19: setpriority (recorded; the scheduler ignores it) */
	int policy, rt_priority;	/* sched_setscheduler (recorded, as nice) */
	bool reset_on_fork;		/* SCHED_RESET_ON_FORK */
	uint64_t utime, stime;		/* CPU ns: user mode, system calls and faults */
	int pdeathsig;			/* prctl PR_SET_PDEATHSIG: sent when the parent ends */
	bool no_new_privs;		/* prctl PR_SET_NO_NEW_PRIVS: never cleared */
	uint64_t timer_slack_ns;	/* prctl PR_SET_TIMERSLACK (recorded; timers are exact) */
	unsigned mempolicy;		/* set_mempolicy mode | mode flags (one node: 0) */
};

struct fs_struct *fs_new(const char *cwd);
struct fs_struct *fs_copy(const struct fs_struct *fs);
void fs_put(struct fs_struct *fs);
struct files_struct *files_new(void);
struct files_struct *files_copy(const struct files_struct *files);
void files_put(struct files_struct *files);
struct sighand *sighand_new(void);
struct sighand *sighand_copy(const struct sighand *sh);
void sighand_put(struct sighand *sh);

/* Processes belong to the machine's list (machine.h) and are freed when
 * reaped or when the machine goes. */
struct process *process_new(int pid, struct process *parent, const char *exe);
void process_free(struct process *proc);
void process_set_exe(struct process *proc, const char *exe);

/* A task with nothing attached; the caller fills the shared parts. */
struct task *task_alloc(int tid, struct process *proc, struct cpu *cpu);
/* Drop everything a task holds (every mm it holds included); the task
 * stays, DEAD. */
void task_release(struct task *t);
void task_free(struct task *t);
/* Make `mm` (one the task holds) the active address space. */
void task_switch_mm(struct task *t, struct mm *mm);
/* Add an address space to those the task holds (taking a reference). */
void task_attach_mm(struct task *t, struct mm *mm);
/* The task starts a program (execve, or the first one): it drops every
 * address space it holds and runs in `mm` alone (taking a reference). */
void task_exec_mm(struct task *t, struct mm *mm);

bool task_is_group_leader(const struct task *t);
/* Whether a signal is pending that the task does not block. */
bool signal_pending(const struct task *t);

#endif
