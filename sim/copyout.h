/*
 * copyout: a read(2) whose copy to user memory must wait for a user fault
 * (a userfaultfd range), as Linux's copy_to_user sleeps in the fault and
 * goes on.  The bytes already read stay with the task (task->copy_out, one
 * allocation) while it sleeps on the fault's channel; when the call runs
 * again for the same file and buffer it copies the rest instead of reading
 * again.  A later call for another file or buffer drops them (the bytes
 * are lost, as when Linux's copy fails).  A signal during the sleep is
 * delivered first (EINTR, or a restart that completes the copy).
 */
#ifndef SIM_COPYOUT_H
#define SIM_COPYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/file.h"
#include "sim/machine.h"

/* Copy the `n` bytes read from `f` to `ubuf`: n, -EFAULT, or the result
 * of sleeping on the fault (SYSCALL_BLOCKED or -ERESTARTSYS) with the
 * bytes kept. */
long copy_out_read(struct machine *m, struct task *t, const struct file *f, uint64_t ubuf,
		   const void *buf, long n);
/* If this call left a copy waiting for `f` and `ubuf`, go on with it:
 * true with *ret the call's result. */
bool copy_out_resume(struct machine *m, struct task *t, const struct file *f, uint64_t ubuf,
		     long *ret);

#endif
