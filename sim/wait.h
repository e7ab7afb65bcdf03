/*
 * wait: why a task is off its CPU, and what it does when it gets it back.
 * One record per task (struct task's `wait`) serves both ways of sleeping:
 * in a system call (a pipe, a futex, wait4, a timer) and in a page fault
 * (a fault another task must resolve, as userfaultfd's).  Only the state
 * machine lives here; block_on() and block_in_fault() (sim/syscall.h) put a
 * task to sleep, the scheduler (sim/sched.h) wakes it, signals interrupt it
 * and the dispatcher (sim/dispatch.h) resumes it.
 *
 *            block_on(channel, wake_at)     [sched_block]
 *            block_in_fault(channel)
 *   RUNNING ----------------------------> BLOCKED (channel, wake_at, killable_only)
 *    ^  ^                                  |
 *    |  |          sched_wake / wake_channel|-----> WOKEN ------+
 *    |  |                   the timer fires |-----> TIMED_OUT --+
 *    |  |  a signal (only SIGKILL when      |-----> INTERRUPTED +
 *    |  |  killable_only) [sched_interrupt]                     |
 *    |  |                                                       | the task is on
 *    |  |                                                       | a CPU again
 *    |  |   resume RESUME_USER (a call that already had its      v [resume_after_wait]
 *    |  +-- answer, vfork) or RESUME_FAULT (woken: the fault is |
 *    |      retried and counted if it completes): the           |
 *    |      instruction at PC runs (again); a pending signal is |
 *    |      delivered first                                     |
 *    |                                                          |
 *    |      resume RESUME_SYSCALL: the call runs again and      |
 *    |      reads the state (woken? timed out? interrupted?) ---+
 *    |        returns a result -------------------------------> RUNNING
 *    |        blocks again (SYSCALL_BLOCKED) -----------------> BLOCKED
 *    |        returns -ERESTARTSYS (a signal is pending) -----> RESTART
 *    |
 *    +---- RESTART: do_signal decides before the task returns to user mode:
 *          a handler without SA_RESTART -> the call returns -EINTR;
 *          no handler, or SA_RESTART    -> PC goes back to the svc, which
 *          runs again after the handler (if any) returns.
 *
 * A call that a signal interrupts before it sleeps goes straight from
 * RUNNING to RESTART.  A fault is always re-executed: a signal that arrives
 * while a task sleeps in a fault is delivered with the faulting PC in its
 * frame, so the instruction runs again after the handler.
 */
#ifndef SIM_WAIT_H
#define SIM_WAIT_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm_types.h"

enum wait_state {
	WAIT_RUNNING,		/* not waiting */
	WAIT_BLOCKED,		/* asleep on `channel` and/or until `wake_at` */
	WAIT_WOKEN,		/* runnable: woken on its channel */
	WAIT_TIMED_OUT,		/* runnable: its timer fired */
	WAIT_INTERRUPTED,	/* runnable: a signal ended the sleep */
	WAIT_RESTART,		/* a call ended with -ERESTARTSYS: do_signal restarts it or says EINTR */
};

/* What runs when the task is back on a CPU. */
enum wait_resume {
	RESUME_SYSCALL,		/* the call it slept in, again */
	RESUME_USER,		/* user mode at PC: after a finished call */
	RESUME_FAULT,		/* the fault it slept in is retried, then the instruction at PC */
};

struct task_wait {
	enum wait_state state;
	enum wait_resume resume;
	const void *channel;	/* what it waits for (NULL: only its timer) */
	const char *what;	/* for the deadlock report */
	uint64_t bitset;	/* futex wake bitset */
	uint64_t wake_at;	/* simulated ns; 0: no timeout (kept after waking: a retry's deadline) */
	bool killable_only;	/* only SIGKILL ends this sleep (vfork) */
	uint64_t fault_addr;	/* RESUME_FAULT: the faulting access */
	enum fault_access fault_access;
};

/* The call running is a retry after a sleep; the state says why it woke. */
static inline bool wait_retrying(const struct task_wait *w)
{
	return w->state == WAIT_WOKEN || w->state == WAIT_TIMED_OUT || w->state == WAIT_INTERRUPTED;
}

#endif
