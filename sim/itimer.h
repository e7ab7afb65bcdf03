/*
 * itimer: a process's interval timers (getitimer/setitimer: ITIMER_REAL on
 * simulated time, ITIMER_VIRTUAL and ITIMER_PROF on its CPU time) and the
 * CPU time accounting they run on, which times(2), getrusage(2), wait4's
 * rusage and the CPU-time clocks report.  A task's CPU time is the simulated time its CPU spent on it:
 * running its instructions (user) and handling its system calls and faults
 * (system).
 */
#ifndef SIM_ITIMER_H
#define SIM_ITIMER_H

#include "sim/machine.h"

/* struct rusage, 64-bit: the CPU times, then 14 counters (mmusim leaves
 * them 0). */
struct guest_rusage {
	struct { int64_t sec, usec; } utime, stime;
	int64_t counters[14];
};

/* A struct rusage saying `utime` and `stime` ns. */
struct guest_rusage rusage_of_times(uint64_t utime, uint64_t stime);
/* `t` spent `user` and `sys` ns of its CPU's time; CPU-time itimers that
 * expire send their signals. */
void account_cputime(struct machine *m, struct task *t, uint64_t user, uint64_t sys);
/* The process ended: its timers stop (and its POSIX timers go). */
void exit_itimers(struct machine *m, struct process *p);

#endif
