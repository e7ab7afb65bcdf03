/*
 * timer: functions that run at a moment of simulated time, after Linux's
 * hrtimers.  An armed timer sits in the machine's list, earliest first (ties:
 * the order they were armed).  The scheduler runs a timer once every
 * simulated CPU with a task has reached its expiry (or no CPU has a task),
 * before it picks the next CPU: so a timer fires between two slices, at
 * most a quantum after its expiry on the clock of the task it signals, and
 * never before.  While a timer's function runs, machine_now_ns() is its
 * expiry: a task it wakes is runnable from then on.
 */
#ifndef SIM_TIMER_H
#define SIM_TIMER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct machine;
struct sim_timer;

/* Runs at the timer's expiry; `now` is how far simulated time has got (at
 * or after the expiry: a periodic timer forwards past it). */
typedef void (*sim_timer_fn)(struct machine *m, struct sim_timer *tm, uint64_t now);

/* The armed timers of a machine, earliest first. */
struct timer_queue {
	GList *timers;
	uint64_t now;		/* while a timer's function runs: its expiry, else 0 */
};

struct sim_timer {
	uint64_t expires;	/* simulated ns */
	sim_timer_fn fn;	/* runs at expiry, disarmed (it may arm the timer again) */
	void *owner;		/* the function's own */
	bool armed;
};

/* Arm `tm` (disarming it first if it was) to run at `expires`. */
void timer_arm(struct timer_queue *q, struct sim_timer *tm, uint64_t expires);
void timer_cancel(struct timer_queue *q, struct sim_timer *tm);
/* The earliest expiry of an armed timer, or 0 when none is armed. */
uint64_t timer_next_expiry(const struct timer_queue *q);
/* Run every timer whose expiry is at or before `now`, in order, with `m`. */
void timer_run_expired(struct timer_queue *q, struct machine *m, uint64_t now);
/* How many whole `interval`s past `expires` reach beyond `now` (at least
 * 1): a periodic timer's next expiry is expires + n * interval, and n - 1
 * periods were missed (overruns), as hrtimer_forward() counts them. */
uint64_t timer_forward(uint64_t expires, uint64_t interval, uint64_t now);

#endif
