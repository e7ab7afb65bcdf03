/*
 * timerfd: timerfd_create, timerfd_settime and timerfd_gettime, after
 * Linux's fs/timerfd.c.  A timerfd is a file (file_ops below) holding a
 * sim/timer on simulated time; each expiry adds to its tick count and wakes
 * its readers (f_wait) and pollers.  read() returns the count (8 bytes) and
 * resets it, or waits for one (EAGAIN when O_NONBLOCK); poll says POLLIN
 * while the count is not zero.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/file.h"
#include "sim/poll.h"
#include "sim/sched.h"
#include "sim/syscall.h"

#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_BOOTTIME		7
#define CLOCK_REALTIME_ALARM	8
#define CLOCK_BOOTTIME_ALARM	9
#define CAP_WAKE_ALARM		35
#define TFD_TIMER_ABSTIME	1
#define TFD_TIMER_CANCEL_ON_SET	2
#define NSEC_PER_SEC		UINT64_C(1000000000)

struct timerfd {
	struct sim_timer timer;
	struct machine *m;
	int clock;
	uint64_t expires, interval;	/* simulated ns since boot; expires 0: disarmed */
	uint64_t ticks;			/* expiries not read yet */
};

static void timerfd_fire(struct machine *m, struct sim_timer *tm, uint64_t now)
{
	struct timerfd *ctx = tm->owner;
	uint64_t periods = ctx->interval ? timer_forward(ctx->expires, ctx->interval, now) : 1;

	ctx->ticks += periods;
	ctx->expires = ctx->interval ? ctx->expires + periods * ctx->interval : 0;
	if (ctx->expires)
		timer_arm(&m->timers, tm, ctx->expires);
	poll_notify(m, ctx);
}

static long timerfd_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	struct timerfd *ctx = f->private_data;

	(void)offset;
	if (len < sizeof(uint64_t))
		return -EINVAL;
	if (!ctx->ticks)
		return -EAGAIN;
	memcpy(buf, &ctx->ticks, sizeof(uint64_t));
	ctx->ticks = 0;
	return sizeof(uint64_t);
}

static short timerfd_poll(struct file *f)
{
	return ((struct timerfd *)f->private_data)->ticks ? POLLIN | POLLRDNORM : 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *ctx = f->private_data;

	timer_cancel(&ctx->m->timers, &ctx->timer);
	g_free(ctx);
}

static const struct file_ops timerfd_ops = {
	.read = timerfd_read,
	.poll = timerfd_poll,
	.getattr = anon_inode_getattr,	/* Linux's timerfds share the anonymous inode */
	.release = timerfd_release,
	.wait_read = "timerfd read",
};

SYSCALL(timerfd_create)
{
	int clock = (int)a[0], flags = (int)a[1];
	struct timerfd *ctx;
	struct file *f;
	int fd;

	if ((flags & ~(G_O_CLOEXEC | G_O_NONBLOCK)) ||
	    (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC && clock != CLOCK_BOOTTIME &&
	     clock != CLOCK_REALTIME_ALARM && clock != CLOCK_BOOTTIME_ALARM))
		return -EINVAL;
	if ((clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM) &&
	    !cred_capable(&t->cred, CAP_WAKE_ALARM))
		return -EPERM;
	ctx = g_new0(struct timerfd, 1);
	*ctx = (struct timerfd){ .timer = { .fn = timerfd_fire, .owner = ctx }, .m = m, .clock = clock };
	f = file_alloc(&timerfd_ops, O_RDWR | (flags & G_O_NONBLOCK ? O_NONBLOCK : 0),
		       "anon_inode:[timerfd]", ctx);
	f->f_wait = ctx;
	fd = fd_install(&t->files->fdt, f, 0, flags & G_O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

/* The timerfd `fd` names: EBADF for no file, EINVAL for another kind. */
static long timerfd_of(struct task *t, uint64_t fd, struct timerfd **ctx)
{
	struct file *f = fd_get(&t->files->fdt, (int)fd);

	if (!f)
		return -EBADF;
	if (f->f_op != &timerfd_ops)
		return -EINVAL;
	*ctx = f->private_data;
	return 0;
}

static struct guest_itimerspec timerfd_value(struct machine *m, const struct timerfd *ctx)
{
	struct guest_itimerspec v = { 0 };
	uint64_t now = machine_now_ns(m);

	v.interval = guest_timespec_of_ns(ctx->interval);
	if (ctx->expires > now)
		v.value = guest_timespec_of_ns(ctx->expires - now);
	return v;
}

SYSCALL(timerfd_settime)
{
	struct guest_itimerspec new, old;
	struct timerfd *ctx;
	uint64_t value, interval, base;
	int flags = (int)a[1];
	long err;

	if (copy_from_user(t->mm, &new, a[2], sizeof(new)))
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    !guest_timespec_to_ns(&new.value, &value) || !guest_timespec_to_ns(&new.interval, &interval))
		return -EINVAL;
	err = timerfd_of(t, a[0], &ctx);
	if (err)
		return err;
	old = timerfd_value(m, ctx);
	timer_cancel(&m->timers, &ctx->timer);
	ctx->ticks = 0;
	ctx->interval = value ? interval : 0;
	ctx->expires = 0;
	if (value) {
		/* An absolute time on a realtime clock counts from the epoch. */
		base = ctx->clock == CLOCK_REALTIME || ctx->clock == CLOCK_REALTIME_ALARM ?
		       (uint64_t)SIM_EPOCH * NSEC_PER_SEC : 0;
		ctx->expires = flags & TFD_TIMER_ABSTIME ? (value > base ? value - base : 1) :
			       machine_now_ns(m) + value;
		timer_arm(&m->timers, &ctx->timer, ctx->expires);
	}
	return a[3] && copy_to_user(t->mm, a[3], &old, sizeof(old)) ? -EFAULT : 0;
}

SYSCALL(timerfd_gettime)
{
	struct guest_itimerspec v;
	struct timerfd *ctx;
	long err = timerfd_of(t, a[0], &ctx);

	if (err)
		return err;
	v = timerfd_value(m, ctx);
	return copy_to_user(t->mm, a[1], &v, sizeof(v)) ? -EFAULT : 0;
}

const struct syscall_desc timerfd_syscalls[] = {
	SYSCALL_DESC(85, timerfd_create, "dx"),
	SYSCALL_DESC(86, timerfd_settime, "dxpp"),
	SYSCALL_DESC(87, timerfd_gettime, "dp"),
	{ 0 }
};
