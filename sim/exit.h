/*
 * exit: how tasks and processes end, after Linux's kernel/exit.c.  A thread
 * that exits clears and wakes its clear_child_tid futex; the last thread
 * makes its process a zombie, which its parent is told of (exit signal,
 * usually SIGCHLD) and reaps with wait4/waitid.  Orphans are reaped at once
 * (their parent would be init, outside the simulation).  When the process
 * mmusim started ends, the simulation ends.
 */
#ifndef SIM_EXIT_H
#define SIM_EXIT_H

#include "sim/machine.h"

/* One thread ends. */
void do_exit(struct machine *m, struct task *t);
/* Every thread of `p` ends; `wait_status` is what wait4 will report. */
void do_group_exit(struct machine *m, struct process *p, int wait_status);

#endif
