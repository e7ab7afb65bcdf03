/*
 * timer: the machine's list of armed timers (see timer.h).
 */
#include "sim/timer.h"


static gint earlier(gconstpointer a, gconstpointer b)
{
	const struct sim_timer *x = a, *y = b;

	return x->expires < y->expires ? -1 : 1;	/* a tie goes after the timers already there */
}

void timer_arm(struct timer_queue *q, struct sim_timer *tm, uint64_t expires)
{
	timer_cancel(q, tm);
	tm->expires = MAX(expires, 1);	/* 0 means "none" to timer_next_expiry */
	tm->armed = true;
	q->timers = g_list_insert_sorted(q->timers, tm, earlier);
}

void timer_cancel(struct timer_queue *q, struct sim_timer *tm)
{
	if (tm->armed)
		q->timers = g_list_remove(q->timers, tm);
	tm->armed = false;
}

uint64_t timer_next_expiry(const struct timer_queue *q)
{
	return q->timers ? ((const struct sim_timer *)q->timers->data)->expires : 0;
}

void timer_run_expired(struct timer_queue *q, struct machine *m, uint64_t now)
{
	while (q->timers && ((struct sim_timer *)q->timers->data)->expires <= now) {
		struct sim_timer *tm = q->timers->data;

		q->timers = g_list_delete_link(q->timers, q->timers);
		tm->armed = false;
		q->now = tm->expires;
		tm->fn(m, tm, now);
		q->now = 0;
	}
}

uint64_t timer_forward(uint64_t expires, uint64_t interval, uint64_t now)
{
	return now < expires ? 1 : (now - expires) / interval + 1;
}
