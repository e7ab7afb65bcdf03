/*
 * fork: how tasks are made (clone, clone3, and the first task of a run).
 */
#ifndef SIM_FORK_H
#define SIM_FORK_H

#include "sim/machine.h"

/* A new task, numbered and in the machine's tables, runnable only once the
 * caller hands it to the scheduler: a thread of `group`, or (group NULL)
 * the first thread of a new process, child of `parent` (NULL: of nobody
 * in the simulation), running `exe`.  It holds nothing yet: address
 * spaces, fs, files and signal handlers are the caller's to give. */
struct task *task_create(struct machine *m, struct process *group, struct process *parent,
			 const char *exe);

#endif
