/*
 * pidfd: process file descriptors (sim/pidfd.c) for the calls that take
 * one.
 */
#ifndef SIM_PIDFD_H
#define SIM_PIDFD_H

#include "sim/machine.h"

/* The process the pidfd `fd` of `t` names, and its address space: -EBADF
 * for a descriptor that is not a pidfd, -ESRCH once the process has exited
 * (a zombie has no address space left) or been reaped. */
long pidfd_process(struct machine *m, struct task *t, int fd, struct process **out, struct mm **mm);

#endif
