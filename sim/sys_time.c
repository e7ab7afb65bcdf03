/*
 * sys_time: clocks and sleeps in simulated time (machine_now_ns()).  Sleeping
 * advances simulated time at once; no host time passes.
 */
#include <errno.h>

#include "mmu/uaccess.h"
#include "sim/sched.h"
#include "sim/sigqueue.h"
#include "sim/syscall.h"

#define NSEC_PER_SEC INT64_C(1000000000)
#define CLOCK_MAX 11	/* CLOCK_REALTIME .. CLOCK_TAI */
#define TIMER_ABSTIME 1

static bool clock_is_realtime(uint64_t clock)
{
	return clock == 0 /* REALTIME */ || clock == 5 /* REALTIME_COARSE */ ||
	       clock == 8 /* REALTIME_ALARM */ || clock == 11 /* TAI */;
}

static bool clock_valid(uint64_t clock)
{
	return clock <= CLOCK_MAX && clock != 10;
}

/* CLOCK_PROCESS_CPUTIME_ID and CLOCK_THREAD_CPUTIME_ID count CPU time
 * (sim/itimer); the others simulated time since boot, or since the epoch. */
static int64_t clock_ns(struct machine *m, struct task *t, uint64_t clock)
{
	if (clock == 2)
		return (int64_t)(t->proc->utime + t->proc->stime);
	if (clock == 3)
		return (int64_t)(t->utime + t->stime);
	return (clock_is_realtime(clock) ? SIM_EPOCH * NSEC_PER_SEC : 0) + (int64_t)machine_now_ns(m);
}

static long put_timespec(struct task *t, uint64_t uts, int64_t ns)
{
	struct guest_timespec ts = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };

	return copy_to_user(t->mm, uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

static long get_timespec_ns(struct task *t, uint64_t uts, int64_t *ns)
{
	struct guest_timespec ts;

	if (copy_from_user(t->mm, &ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	*ns = ts.tv_sec > INT64_MAX / NSEC_PER_SEC - 1 ? INT64_MAX : ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	return 0;
}

SYSCALL(clock_gettime)
{
	return clock_valid(a[0]) ? put_timespec(t, a[1], clock_ns(m, t, a[0])) : -EINVAL;
}

SYSCALL(clock_getres)
{
	if (!clock_valid(a[0]))
		return -EINVAL;
	return a[1] ? put_timespec(t, a[1], 1) : 0;
}

SYSCALL(gettimeofday)
{
	int64_t ns = clock_ns(m, t, 0);
	int64_t tv[2] = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC / 1000 };

	if (a[0] && copy_to_user(t->mm, a[0], tv, sizeof(tv)))
		return -EFAULT;
	if (a[1] && copy_to_user(t->mm, a[1], (int32_t[2]){ 0, 0 }, 8))	/* struct timezone */
		return -EFAULT;
	return 0;
}

/* Sleep until simulated time `deadline` on `clock`'s scale.  An interrupted
 * sleep says EINTR. */
static long sleep_until(struct machine *m, struct task *t, uint64_t deadline, const char *what)
{
	long ret;

	if (wait_retrying(&t->wait))
		return t->wait.state == WAIT_TIMED_OUT ? 0 : -EINTR;
	if (deadline <= machine_now_ns(m))
		return 0;
	ret = block_on(m, t, NULL, what, deadline);
	return ret == -ERESTARTSYS ? -EINTR : ret;
}

static uint64_t add_ns(uint64_t now, int64_t ns)
{
	return ns > 0 && (uint64_t)ns > UINT64_MAX - now ? UINT64_MAX : now + (uint64_t)MAX(ns, 0);
}

SYSCALL(nanosleep)
{
	int64_t ns;
	long err = wait_retrying(&t->wait) ? 0 : get_timespec_ns(t, a[0], &ns);

	if (err)
		return err;
	err = sleep_until(m, t, wait_retrying(&t->wait) ? t->wait.wake_at : add_ns(machine_now_ns(m), ns),
			  "nanosleep");
	if (err == -EINTR && a[1])
		put_timespec(t, a[1], (int64_t)(t->wait.wake_at - MIN(t->wait.wake_at, machine_now_ns(m))));
	return err;
}

SYSCALL(clock_nanosleep)
{
	int64_t ns, now;
	long err;

	if (!clock_valid(a[0]) || a[0] == 2 || a[0] == 3)	/* CPU-time clocks */
		return -EINVAL;
	if (wait_retrying(&t->wait))
		return sleep_until(m, t, t->wait.wake_at, "clock_nanosleep");
	err = get_timespec_ns(t, a[2], &ns);
	if (err)
		return err;
	now = clock_ns(m, t, a[0]);
	if (a[1] & TIMER_ABSTIME)
		ns = ns > now ? ns - now : 0;
	return sleep_until(m, t, add_ns(machine_now_ns(m), ns), "clock_nanosleep");
}

const struct syscall_desc time_syscalls[] = {
	SYSCALL_DESC(101, nanosleep, "pp"),
	SYSCALL_DESC(113, clock_gettime, "dp"),
	SYSCALL_DESC(114, clock_getres, "dp"),
	SYSCALL_DESC(115, clock_nanosleep, "dxpp"),
	SYSCALL_DESC(169, gettimeofday, "pp"),
	{ 0 }
};
