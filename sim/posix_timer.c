/*
 * posix_timer: timer_create, timer_settime, timer_gettime,
 * timer_getoverrun and timer_delete (see posix_timer.h).
 */
#include "sim/posix_timer.h"

#include <errno.h>

#include "mmu/uaccess.h"
#include "sim/sigqueue.h"
#include "sim/syscall.h"

#define CLOCK_REALTIME			0
#define CLOCK_MONOTONIC			1
#define CLOCK_PROCESS_CPUTIME_ID	2
#define CLOCK_THREAD_CPUTIME_ID		3
#define CLOCK_MONOTONIC_RAW		4
#define CLOCK_REALTIME_COARSE		5
#define CLOCK_MONOTONIC_COARSE		6
#define CLOCK_BOOTTIME			7
#define CLOCK_TAI			11
#define G_SIGEV_SIGNAL			0
#define G_SIGEV_NONE			1
#define G_SIGEV_THREAD			2
#define G_SIGEV_THREAD_ID			4
#define TIMER_ABSTIME			1
#define NSEC_PER_SEC			UINT64_C(1000000000)
#define G_DELAYTIMER_MAX			INT32_MAX

struct posix_timer {
	struct sim_timer timer;		/* armed when it runs on simulated time */
	struct process *proc;
	int id;
	int clock;
	int notify;			/* SIGEV_* */
	int signo;
	int target_tid;			/* G_SIGEV_THREAD_ID's thread */
	int cpu_tid;			/* CLOCK_THREAD_CPUTIME_ID: the thread it measures (its creator) */
	uint64_t value;			/* sigev_value */
	uint64_t expires, interval;	/* on its clock's scale, ns; expires 0: disarmed */
	int overrun, overrun_last;
	bool queued;			/* its signal is pending */
};

/* struct sigevent (64-bit): sigev_value, sigev_signo, sigev_notify, then
 * the union whose first int is the thread id; 64 bytes. */
struct guest_sigevent {
	uint64_t value;
	int32_t signo, notify;
	int32_t tid;
	uint8_t pad[44];
};
_Static_assert(sizeof(struct guest_sigevent) == 64, "struct sigevent is 64 bytes");

static bool cpu_clock(int clock)
{
	return clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID;
}

/* Now on the timer's clock (the realtime offset is left out: expiries of
 * CLOCK_REALTIME and CLOCK_TAI timers are kept on the monotonic scale). */
static uint64_t timer_clock_now(struct machine *m, const struct posix_timer *pt)
{
	struct task *owner;

	if (pt->clock == CLOCK_PROCESS_CPUTIME_ID)
		return pt->proc->utime + pt->proc->stime;
	if (pt->clock == CLOCK_THREAD_CPUTIME_ID) {
		owner = g_hash_table_lookup(m->tasks, GINT_TO_POINTER(pt->cpu_tid));
		return owner ? owner->utime + owner->stime : 0;
	}
	return machine_now_ns(m);
}

static void queue_signal(struct machine *m, struct posix_timer *pt)
{
	struct sig_info info = { .signo = pt->signo, .code = G_SI_TIMER, .timerid = pt->id,
				 .value = pt->value };
	struct task *target;

	if (pt->notify == G_SIGEV_NONE)
		return;
	if (pt->queued) {
		pt->overrun = pt->overrun < G_DELAYTIMER_MAX ? pt->overrun + 1 : G_DELAYTIMER_MAX;
		return;
	}
	pt->queued = true;
	if (pt->notify != G_SIGEV_THREAD_ID) {
		send_signal_to_process(m, pt->proc, &info);
		pt->queued = (pt->proc->shared_pending.set & sigmask_of(pt->signo)) != 0;
		return;
	}
	target = g_hash_table_lookup(m->tasks, GINT_TO_POINTER(pt->target_tid));
	if (target && target->proc == pt->proc)
		send_signal_to_task(m, target, &info);
	pt->queued = target && (target->pending.set & sigmask_of(pt->signo));
}

/* The timer reached its expiry at `now` on its clock: its signal, and the
 * next period (missed periods are overruns). */
static void expire(struct machine *m, struct posix_timer *pt, uint64_t now)
{
	uint64_t periods;

	queue_signal(m, pt);
	if (!pt->interval) {
		pt->expires = 0;
		return;
	}
	periods = timer_forward(pt->expires, pt->interval, now);
	if (pt->notify != G_SIGEV_NONE && pt->queued)
		pt->overrun = (int)MIN((uint64_t)pt->overrun + periods - 1, G_DELAYTIMER_MAX);
	pt->expires += periods * pt->interval;
}

static void timer_fire(struct machine *m, struct sim_timer *tm, uint64_t now)
{
	struct posix_timer *pt = tm->owner;

	expire(m, pt, now);
	if (pt->expires)
		timer_arm(&m->timers, tm, pt->expires);
}

void posix_cpu_timers_check(struct machine *m, struct task *t)
{
	GPtrArray *timers = t->proc->posix_timers;

	for (guint i = 0; timers && i < timers->len; i++) {
		struct posix_timer *pt = g_ptr_array_index(timers, i);
		uint64_t now;

		if (!cpu_clock(pt->clock) || !pt->expires || pt->notify == G_SIGEV_NONE)
			continue;
		now = timer_clock_now(m, pt);
		if (now >= pt->expires)
			expire(m, pt, now);
	}
}

static struct posix_timer *find_timer(struct process *p, int id)
{
	GPtrArray *timers = p->posix_timers;

	for (guint i = 0; timers && i < timers->len; i++) {
		struct posix_timer *pt = g_ptr_array_index(timers, i);

		if (pt->id == id)
			return pt;
	}
	return NULL;
}

void posix_timer_delivered(struct process *p, struct sig_info *info)
{
	struct posix_timer *pt = find_timer(p, info->timerid);

	if (!pt)
		return;
	info->overrun = pt->overrun;
	pt->overrun_last = pt->overrun;
	pt->overrun = 0;
	pt->queued = false;
}

static void delete_timer(struct machine *m, struct process *p, struct posix_timer *pt)
{
	timer_cancel(&m->timers, &pt->timer);
	g_ptr_array_remove(p->posix_timers, pt);	/* frees it */
}

void exit_posix_timers(struct machine *m, struct process *p)
{
	while (p->posix_timers && p->posix_timers->len)
		delete_timer(m, p, g_ptr_array_index(p->posix_timers, 0));
}

/* Linux's good_sigevent(): EINVAL for anything else. */
static long check_sigevent(struct machine *m, struct task *t, const struct guest_sigevent *ev)
{
	struct task *target;

	switch (ev->notify) {
	case G_SIGEV_SIGNAL | G_SIGEV_THREAD_ID:
		target = g_hash_table_lookup(m->tasks, GINT_TO_POINTER(ev->tid));
		if (!target || target->proc != t->proc)
			return -EINVAL;
		/* fall through */
	case G_SIGEV_SIGNAL:
	case G_SIGEV_THREAD:
		return ev->signo <= 0 || ev->signo > G_NSIG ? -EINVAL : 0;
	case G_SIGEV_NONE:
		return 0;
	default:
		return -EINVAL;
	}
}

/* Clocks timer_create accepts: EINVAL for unknown ones, EOPNOTSUPP for
 * clocks without timers (MONOTONIC_RAW, the COARSE ones). */
static long check_timer_clock(uint64_t clock)
{
	switch (clock) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID: case CLOCK_BOOTTIME: case CLOCK_TAI:
		return 0;
	case CLOCK_MONOTONIC_RAW: case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

SYSCALL(timer_create)
{
	struct guest_sigevent ev = { .signo = G_SIGALRM, .notify = G_SIGEV_SIGNAL };
	struct process *p = t->proc;
	struct posix_timer *pt;
	long err;
	int id;

	if (a[1] && copy_from_user(t->mm, &ev, a[1], sizeof(ev)))
		return -EFAULT;
	err = check_timer_clock(a[0]);
	if (err)
		return err;
	id = p->next_timer_id;		/* taken even if the call fails from here on */
	p->next_timer_id = id == INT32_MAX ? 0 : id + 1;
	err = check_sigevent(m, t, &ev);
	if (err)
		return err;
	if (copy_to_user(t->mm, a[2], &id, sizeof(id)))
		return -EFAULT;
	pt = g_new0(struct posix_timer, 1);
	*pt = (struct posix_timer){
		.timer = { .fn = timer_fire, .owner = pt }, .proc = p, .id = id, .clock = (int)a[0],
		.notify = ev.notify, .signo = ev.signo, .target_tid = ev.tid, .cpu_tid = t->tid,
		.value = a[1] ? ev.value : (uint64_t)id,
	};
	if (!p->posix_timers)
		p->posix_timers = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(p->posix_timers, pt);
	return 0;
}

/* What timer_gettime shows: the interval, and the time left (an armed
 * timer whose time has come but whose signal is not out yet shows 1 ns; a
 * G_SIGEV_NONE timer, never queued, is forwarded here). */
static struct guest_itimerspec timer_value(struct machine *m, struct posix_timer *pt)
{
	struct guest_itimerspec v = { 0 };
	uint64_t now = timer_clock_now(m, pt), expires = pt->expires;

	v.interval = guest_timespec_of_ns(pt->interval);
	if (!expires)
		return v;
	if (pt->notify == G_SIGEV_NONE && pt->interval && expires <= now)
		expires += timer_forward(expires, pt->interval, now) * pt->interval;
	if (expires > now)
		v.value = guest_timespec_of_ns(expires - now);
	else if (pt->notify != G_SIGEV_NONE)
		v.value.tv_nsec = 1;
	return v;
}

static long get_itimerspec_ns(struct task *t, uint64_t uspec, uint64_t *value, uint64_t *interval)
{
	struct guest_itimerspec spec;

	if (copy_from_user(t->mm, &spec, uspec, sizeof(spec)))
		return -EFAULT;
	return guest_timespec_to_ns(&spec.value, value) && guest_timespec_to_ns(&spec.interval, interval) ?
	       0 : -EINVAL;
}

/* An absolute expiry on the timer's clock, on its internal scale. */
static uint64_t absolute_expiry(const struct posix_timer *pt, uint64_t when)
{
	int64_t offset = pt->clock == CLOCK_REALTIME || pt->clock == CLOCK_TAI ?
			 SIM_EPOCH * (int64_t)NSEC_PER_SEC : 0;

	return when > (uint64_t)offset ? when - (uint64_t)offset : 1;
}

static void arm_timer(struct machine *m, struct posix_timer *pt, uint64_t expires)
{
	pt->expires = expires;
	if (!cpu_clock(pt->clock) && pt->notify != G_SIGEV_NONE)
		timer_arm(&m->timers, &pt->timer, expires);
}

SYSCALL(timer_settime)
{
	struct posix_timer *pt;
	struct guest_itimerspec old;
	uint64_t value, interval, now;
	long err;

	if (!a[2])
		return -EINVAL;
	err = get_itimerspec_ns(t, a[2], &value, &interval);
	if (err)
		return err;
	pt = find_timer(t->proc, (int)a[0]);
	if (!pt)
		return -EINVAL;
	old = timer_value(m, pt);
	timer_cancel(&m->timers, &pt->timer);
	pt->expires = 0;
	pt->interval = value ? interval : 0;
	pt->overrun = pt->overrun_last = 0;
	now = timer_clock_now(m, pt);
	if (value)
		arm_timer(m, pt, a[1] & TIMER_ABSTIME ? MAX(absolute_expiry(pt, value), 1) :
			  now + value);
	if (cpu_clock(pt->clock) && pt->expires && pt->expires <= now)
		posix_cpu_timers_check(m, t);
	return a[3] && copy_to_user(t->mm, a[3], &old, sizeof(old)) ? -EFAULT : 0;
}

SYSCALL(timer_gettime)
{
	struct posix_timer *pt = find_timer(t->proc, (int)a[0]);
	struct guest_itimerspec v;

	if (!pt)
		return -EINVAL;
	v = timer_value(m, pt);
	return copy_to_user(t->mm, a[1], &v, sizeof(v)) ? -EFAULT : 0;
}

SYSCALL(timer_getoverrun)
{
	struct posix_timer *pt = find_timer(t->proc, (int)a[0]);

	return pt ? pt->overrun_last : -EINVAL;
}

SYSCALL(timer_delete)
{
	struct posix_timer *pt = find_timer(t->proc, (int)a[0]);

	if (!pt)
		return -EINVAL;
	delete_timer(m, t->proc, pt);
	return 0;
}

const struct syscall_desc posix_timer_syscalls[] = {
	SYSCALL_DESC(107, timer_create, "dpp"),
	SYSCALL_DESC(108, timer_gettime, "dp"),
	SYSCALL_DESC(109, timer_getoverrun, "d"),
	SYSCALL_DESC(110, timer_settime, "dxpp"),
	SYSCALL_DESC(111, timer_delete, "d"),
	{ 0 }
};
