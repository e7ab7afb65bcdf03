/*
 * posix_timer: timer_create(2) and its family, after Linux's
 * kernel/time/posix-timers.c and posix-cpu-timers.c.  A timer measures
 * CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME or CLOCK_TAI (simulated
 * time: sim/timer runs it), or CLOCK_PROCESS_CPUTIME_ID or
 * CLOCK_THREAD_CPUTIME_ID (CPU time: checked as it is accounted,
 * sim/itimer).  On expiry it queues its signal (SIGEV_SIGNAL, SIGEV_THREAD
 * to the process, SIGEV_THREAD_ID to one thread; SIGEV_NONE: nothing) with
 * SI_TIMER, its id and sigev_value; a timer whose signal is still pending
 * counts an overrun instead, reported by that signal and, once it is
 * delivered, by timer_getoverrun.  Timers belong to the process: fork does
 * not copy them, exec and exit delete them.
 */
#ifndef SIM_POSIX_TIMER_H
#define SIM_POSIX_TIMER_H

#include "sim/machine.h"

/* The process's CPU time or thread `t`'s advanced: CPU-time timers that
 * reached their expiry fire. */
void posix_cpu_timers_check(struct machine *m, struct task *t);
/* The signal `info` of one of p's timers is being delivered. */
void posix_timer_delivered(struct process *p, struct sig_info *info);
/* Delete every timer of `p` (exec, exit). */
void exit_posix_timers(struct machine *m, struct process *p);

#endif
