/*
 * syscall: how calls and faults go to sleep (the wait API of syscall.h).
 * The scheduler takes the task off its CPU; the state machine is in wait.h.
 */
#include "sim/syscall.h"

#include <errno.h>

#include "sim/sched.h"

long block_on(struct machine *m, struct task *t, const void *channel, const char *what,
	      uint64_t wake_at)
{
	/* A signal that came before the sleep (while the task ran, or while it
	 * was woken but not yet back) must not be slept through. */
	if (signal_pending(t) || t->wait.state == WAIT_INTERRUPTED)
		return -ERESTARTSYS;
	sched_block(m, t, &(struct task_wait){ .channel = channel, .what = what, .wake_at = wake_at,
					       .resume = RESUME_SYSCALL });
	return SYSCALL_BLOCKED;
}

void block_killable(struct machine *m, struct task *t, const void *channel, const char *what)
{
	sched_block(m, t, &(struct task_wait){ .channel = channel, .what = what,
					       .resume = RESUME_USER, .killable_only = true });
}

void block_in_fault(struct machine *m, struct task *t, const struct vm_fault *vmf)
{
	if (signal_pending(t))
		return;
	sched_block(m, t, &(struct task_wait){ .channel = vmf->wait_channel, .what = vmf->wait_what,
					       .resume = RESUME_FAULT, .fault_addr = vmf->address,
					       .fault_access = vmf->access });
}
