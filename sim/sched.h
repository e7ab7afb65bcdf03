/*
 * sched: deterministic scheduling of tasks on simulated CPUs.
 *
 * Each simulated CPU has its own clock (simulated ns) and runs one task at a
 * time.  The CPU whose clock is furthest behind runs next (ties: the lowest
 * id), for at most a quantum of instructions; runnable tasks without a CPU
 * wait in one FIFO run queue, and an idle CPU takes the first its affinity
 * mask allows there, its clock moved up to when that task became runnable.
 * A task that blocks leaves its CPU; blocked tasks wait on a channel (any
 * pointer: a pipe, a futex key, a process) and/or a wake-up time.  When nothing can run and timers are set,
 * time jumps to the earliest; when nothing can ever run, that is a deadlock.
 *
 * The same program and options give the same interleaving on any host.
 */
#ifndef SIM_SCHED_H
#define SIM_SCHED_H

#include "sim/machine.h"

/* A new task, runnable from now on. */
void sched_add_new(struct machine *m, struct task *t);
/* Take the task running on this CPU off it, asleep as `how` says (its
 * channel, timeout, how it resumes; the state becomes WAIT_BLOCKED). */
void sched_block(struct machine *m, struct task *t, const struct task_wait *how);
/* Make a blocked task runnable again: WAIT_WOKEN. */
void sched_wake(struct machine *m, struct task *t);
/* A signal ends the task's sleep (WAIT_INTERRUPTED), unless the sleep is
 * killable only and the signal is not fatal. */
void sched_interrupt(struct machine *m, struct task *t, bool fatal);
/* Wake up to `max` tasks blocked on `channel` whose bitset meets `bitset`,
 * in the order they blocked; returns how many. */
int sched_wake_channel(struct machine *m, const void *channel, int max, uint64_t bitset);
/* Requeue up to `max` waiters from one channel to another; returns how many. */
int sched_requeue(struct machine *m, const void *from, const void *to, int max);
/* A task that is gone: off its CPU, the run queue and the blocked list. */
void sched_remove(struct machine *m, struct task *t);
/* End of a quantum: the CPU's task goes to the back of the run queue if
 * another task is waiting. */
void sched_preempt(struct machine *m, struct sim_cpu *c);
/* The task's affinity changed: if the CPU it runs on is no longer allowed,
 * it leaves it for the run queue (an allowed CPU takes it from there). */
void sched_migrate(struct machine *m, struct task *t);
/* The CPU to run next, or NULL when no task can ever run again (the run is
 * over, or deadlocked: then it says so and ends the simulation). */
struct sim_cpu *sched_pick(struct machine *m);
/* Put `t`'s registers and address space into the engine. */
void sched_load(struct machine *m, struct task *t);

#endif
