/*
 * signal: POSIX signals as Linux delivers them on arm64.
 *
 * Signals are pending per thread (tkill, faults) or per process (kill); one
 * instance per number.  Before a task returns to user mode, do_signal()
 * takes the lowest-numbered deliverable signal and acts: the default action
 * (terminate, terminate with core, ignore; stop is not modelled and is
 * ignored), or a handler, entered through an AArch64 rt_sigframe (siginfo,
 * ucontext with the registers, FP/SIMD state and signal mask) on the task's
 * stack or its sigaltstack, returning through rt_sigreturn.
 *
 * A blocking call that a signal interrupts returns -ERESTARTSYS; delivery
 * turns that into a restart of the call (SA_RESTART, or no handler) or
 * -EINTR (the WAIT_RESTART state of sim/wait.h).
 */
#ifndef SIM_SIGNAL_H
#define SIM_SIGNAL_H

#include "sim/machine.h"

#define G_SA_NOCLDSTOP	0x00000001u
#define G_SA_NOCLDWAIT	0x00000002u
#define G_SA_SIGINFO	0x00000004u
#define G_SA_RESTORER	0x04000000u
#define G_SA_ONSTACK	0x08000000u
#define G_SA_RESTART	0x10000000u
#define G_SA_NODEFER	0x40000000u
#define G_SA_RESETHAND	0x80000000u

#define G_SI_USER	0
#define G_SI_KERNEL	0x80
#define G_SI_TKILL	(-6)
#define G_CLD_EXITED	1
#define G_CLD_KILLED	2
#define G_CLD_DUMPED	3

static inline uint64_t sigmask_of(int sig)
{
	return UINT64_C(1) << (sig - 1);
}

void send_signal_to_task(struct machine *m, struct task *t, const struct sig_info *info);
void send_signal_to_process(struct machine *m, struct process *p, const struct sig_info *info);
/* A fault the task cannot run past (SIGSEGV, SIGBUS, SIGILL, SIGTRAP): if
 * it is blocked or ignored, the default action is taken. */
void force_fault_signal(struct machine *m, struct task *t, int signo, int code, uint64_t addr);
/* Deliver pending signals before the task returns to user mode. */
void do_signal(struct machine *m, struct task *t);
/* The process ends because of `signo` (wait status encoding done here). */
void kill_process_by_signal(struct machine *m, struct process *p, int signo);

#endif
