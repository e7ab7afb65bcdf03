/*
 * sigqueue: generating signals, after the first half of Linux's
 * kernel/signal.c.  A signal is queued on a thread (tkill, faults) or on
 * its process (kill), one instance per number, unless the receiver ignores
 * it; a receiver that does not block it is woken from an interruptible
 * sleep (sched_interrupt).  Delivery is sim/signal's; this half sits below
 * it and below sim/exit (which sends SIGCHLD), so neither needs the other.
 */
#ifndef SIM_SIGQUEUE_H
#define SIM_SIGQUEUE_H

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
#define G_SI_TIMER	(-2)
#define G_SI_TKILL	(-6)
#define G_CLD_EXITED	1
#define G_CLD_KILLED	2
#define G_CLD_DUMPED	3

static inline uint64_t sigmask_of(int sig)
{
	return UINT64_C(1) << (sig - 1);
}

/* Notified (poll_notify) whenever a signal is queued: signalfd waits on it. */
extern const char sigqueue_channel;

void send_signal_to_task(struct machine *m, struct task *t, const struct sig_info *info);
void send_signal_to_process(struct machine *m, struct process *p, const struct sig_info *info);
/* A fault the task cannot run past (SIGSEGV, SIGBUS, SIGILL, SIGTRAP): if
 * it is blocked or ignored, the default action is taken. */
void force_fault_signal(struct machine *m, struct task *t, int signo, int code, uint64_t addr);

enum sig_default { SIG_TERM, SIG_CORE, SIG_IGNORE };

/* What SIG_DFL does for `sig` (stop signals are not modelled: ignored). */
enum sig_default sig_default_action(int sig);
/* Whether the task's handlers discard `sig` (SIG_IGN, or a default of ignore). */
bool sig_ignored(const struct task *t, int sig);

#endif
