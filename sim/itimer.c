/*
 * itimer: interval timers and CPU time (see itimer.h), times(2) and
 * getrusage(2).
 */
#include "sim/itimer.h"

#include <errno.h>

#include "mmu/uaccess.h"
#include "sim/posix_timer.h"
#include "sim/sigqueue.h"
#include "sim/syscall.h"

#define ITIMER_REAL	0
#define ITIMER_VIRTUAL	1
#define ITIMER_PROF	2
#define NSEC_PER_USEC	1000
#define USEC_PER_SEC	1000000
#define NSEC_PER_TICK	10000000	/* USER_HZ 100: times(2) counts in 1/100 s */

static const int itimer_signal[3] = { G_SIGALRM, G_SIGVTALRM, G_SIGPROF };

struct guest_itimerval {
	struct { int64_t sec, usec; } interval, value;
};

/* The process's CPU time that an itimer of kind `which` counts. */
static uint64_t itimer_clock(const struct process *p, int which)
{
	return which == ITIMER_VIRTUAL ? p->utime : p->utime + p->stime;
}

static void send_itimer_signal(struct machine *m, struct process *p, int which)
{
	send_signal_to_process(m, p, &(struct sig_info){ .signo = itimer_signal[which],
							  .code = G_SI_KERNEL });
}

/* ITIMER_REAL expired: SIGALRM, and again after the interval. */
static void real_timer_fire(struct machine *m, struct sim_timer *tm, uint64_t now)
{
	struct process *p = tm->owner;
	struct itimer *it = &p->itimers[ITIMER_REAL];

	send_itimer_signal(m, p, ITIMER_REAL);
	it->expires = 0;
	if (it->interval) {
		it->expires = tm->expires + timer_forward(tm->expires, it->interval, now) * it->interval;
		timer_arm(&m->timers, tm, it->expires);
	}
}

/* A CPU-time itimer whose time has come: its signal, and the next period. */
static void check_cpu_itimer(struct machine *m, struct process *p, int which)
{
	struct itimer *it = &p->itimers[which];
	uint64_t now = itimer_clock(p, which);

	if (!it->expires || now < it->expires)
		return;
	send_itimer_signal(m, p, which);
	it->expires = it->interval ? it->expires + timer_forward(it->expires, it->interval, now) * it->interval : 0;
}

void account_cputime(struct machine *m, struct task *t, uint64_t user, uint64_t sys)
{
	struct process *p = t->proc;

	t->utime += user;
	t->stime += sys;
	p->utime += user;
	p->stime += sys;
	check_cpu_itimer(m, p, ITIMER_VIRTUAL);
	check_cpu_itimer(m, p, ITIMER_PROF);
	posix_cpu_timers_check(m, t);
}

void exit_itimers(struct machine *m, struct process *p)
{
	timer_cancel(&m->timers, &p->itimers[ITIMER_REAL].timer);
	for (int which = 0; which < 3; which++)
		p->itimers[which].expires = 0;
	exit_posix_timers(m, p);
}

/* What is left of the timer and its interval, as getitimer shows them: an
 * armed timer never shows 0 left. */
static struct guest_itimerval itimer_value(struct machine *m, struct process *p, int which)
{
	const struct itimer *it = &p->itimers[which];
	uint64_t now = which == ITIMER_REAL ? machine_now_ns(m) : itimer_clock(p, which);
	uint64_t left = !it->expires ? 0 : it->expires > now ? it->expires - now : NSEC_PER_USEC;
	struct guest_itimerval v;

	v.interval.sec = (int64_t)(it->interval / (NSEC_PER_USEC * USEC_PER_SEC));
	v.interval.usec = (int64_t)(it->interval / NSEC_PER_USEC % USEC_PER_SEC);
	v.value.sec = (int64_t)(left / (NSEC_PER_USEC * USEC_PER_SEC));
	v.value.usec = (int64_t)(left / NSEC_PER_USEC % USEC_PER_SEC);
	return v;
}

SYSCALL(getitimer)
{
	struct guest_itimerval v;

	if (a[0] > ITIMER_PROF)
		return -EINVAL;
	v = itimer_value(m, t->proc, (int)a[0]);
	return copy_to_user(t->mm, a[1], &v, sizeof(v)) ? -EFAULT : 0;
}

static bool timeval_valid(int64_t sec, int64_t usec)
{
	return sec >= 0 && usec >= 0 && usec < USEC_PER_SEC;
}

/* A valid timeval in ns (a huge one saturates). */
static uint64_t timeval_ns(int64_t sec, int64_t usec)
{
	uint64_t limit = UINT64_MAX / 2 / (NSEC_PER_USEC * USEC_PER_SEC);

	if ((uint64_t)sec >= limit)
		return UINT64_MAX / 2;
	return (uint64_t)sec * NSEC_PER_USEC * USEC_PER_SEC + (uint64_t)usec * NSEC_PER_USEC;
}

static void itimer_set(struct machine *m, struct process *p, int which, uint64_t value,
		       uint64_t interval)
{
	struct itimer *it = &p->itimers[which];
	uint64_t now = which == ITIMER_REAL ? machine_now_ns(m) : itimer_clock(p, which);

	it->interval = value ? interval : 0;
	it->expires = value ? now + value : 0;
	if (which != ITIMER_REAL)
		return;
	it->timer.fn = real_timer_fire;
	it->timer.owner = p;
	if (value)
		timer_arm(&m->timers, &it->timer, it->expires);
	else
		timer_cancel(&m->timers, &it->timer);
}

/* setitimer(which, new, old): a NULL new disarms, as Linux still allows. */
SYSCALL(setitimer)
{
	struct guest_itimerval new = { 0 }, old;
	int which = (int)a[0];

	if (a[1] && copy_from_user(t->mm, &new, a[1], sizeof(new)))
		return -EFAULT;
	if (!timeval_valid(new.value.sec, new.value.usec) ||
	    !timeval_valid(new.interval.sec, new.interval.usec))
		return -EINVAL;
	if (a[0] > ITIMER_PROF)
		return -EINVAL;
	old = itimer_value(m, t->proc, which);
	itimer_set(m, t->proc, which, timeval_ns(new.value.sec, new.value.usec),
		   timeval_ns(new.interval.sec, new.interval.usec));
	return a[2] && copy_to_user(t->mm, a[2], &old, sizeof(old)) ? -EFAULT : 0;
}

/* times(buf): the process's CPU times and its reaped children's, in
 * clock ticks (1/100 s); returns the ticks since the simulated boot. */
SYSCALL(times)
{
	const struct process *p = t->proc;
	int64_t tms[4] = { (int64_t)(p->utime / NSEC_PER_TICK), (int64_t)(p->stime / NSEC_PER_TICK),
			   (int64_t)(p->cutime / NSEC_PER_TICK), (int64_t)(p->cstime / NSEC_PER_TICK) };

	if (a[0] && copy_to_user(t->mm, a[0], tms, sizeof(tms)))
		return -EFAULT;
	return (long)(machine_now_ns(m) / NSEC_PER_TICK);
}

struct guest_rusage rusage_of_times(uint64_t utime, uint64_t stime)
{
	const uint64_t ns_per_sec = NSEC_PER_USEC * USEC_PER_SEC;

	return (struct guest_rusage){
		.utime = { (int64_t)(utime / ns_per_sec), (int64_t)(utime % ns_per_sec / NSEC_PER_USEC) },
		.stime = { (int64_t)(stime / ns_per_sec), (int64_t)(stime % ns_per_sec / NSEC_PER_USEC) },
	};
}

#define RUSAGE_SELF	0
#define RUSAGE_CHILDREN	(-1)
#define RUSAGE_THREAD	1

#define RUSAGE_MINFLT	4	/* ru_minflt among the counters */

/* getrusage(who, usage): the CPU times of the process, of its reaped
 * children, or of the thread; ru_minflt for SELF and THREAD is the faults
 * resolved in the caller's address space since it was created (fork or
 * exec; Linux counts per thread and keeps the count across exec); the
 * other fields are 0. */
SYSCALL(getrusage)
{
	const struct process *p = t->proc;
	struct guest_rusage ru;

	switch ((int)a[0]) {
	case RUSAGE_SELF:
		ru = rusage_of_times(p->utime, p->stime);
		break;
	case RUSAGE_CHILDREN:
		ru = rusage_of_times(p->cutime, p->cstime);
		break;
	case RUSAGE_THREAD:
		ru = rusage_of_times(t->utime, t->stime);
		break;
	default:
		return -EINVAL;
	}
	if ((int)a[0] != RUSAGE_CHILDREN)
		ru.counters[RUSAGE_MINFLT] = (int64_t)t->mm->min_flt;
	return copy_to_user(t->mm, a[1], &ru, sizeof(ru)) ? -EFAULT : 0;
}

const struct syscall_desc itimer_syscalls[] = {
	SYSCALL_DESC(102, getitimer, "dp"),
	SYSCALL_DESC(103, setitimer, "dpp"),
	SYSCALL_DESC(153, times, "p"),
	SYSCALL_DESC(165, getrusage, "dp"),
	{ 0 }
};
