/*
 * poll: pipe2, ppoll and pselect6.  A file is ready as its f_op->poll says;
 * one without (host files, as regular files are) is always ready.  A poll
 * that must wait blocks on one channel that every pipe change wakes, and
 * looks again (sim/poll.h: every kind of file notifies it).
 */
#include "sim/poll.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>

#include "mmu/uaccess.h"
#include "sim/pipe.h"
#include "sim/poll.h"
#include "sim/sched.h"
#include "sim/syscall.h"

static const char poll_channel;	/* its address is the channel */

void poll_notify(struct machine *m, const void *channel)
{
	m->poll_wakeups++;
	sched_wake_channel(m, channel, INT32_MAX, UINT64_MAX);
	sched_wake_channel(m, &poll_channel, INT32_MAX, UINT64_MAX);
}

long poll_block(struct machine *m, struct task *t, uint64_t deadline, const char *what)
{
	if (t->wait.state == WAIT_TIMED_OUT)
		return 0;
	return block_on(m, t, &poll_channel, what, wait_retrying(&t->wait) ? t->wait.wake_at : deadline);
}

static void wake_pipe_waiters(void *ctx, struct pipe *pipe)
{
	poll_notify(ctx, pipe);
}

SYSCALL(pipe2)
{
	int flags = (int)a[1], fds[2], nonblock = flags & G_O_NONBLOCK ? O_NONBLOCK : 0;
	struct pipe *pipe;

	if (flags & ~(G_O_CLOEXEC | G_O_NONBLOCK | G_O_DIRECT))
		return -EINVAL;
	pipe = pipe_new(wake_pipe_waiters, m);
	fds[0] = fd_install(&t->files->fdt, pipe_file_new(pipe, false, nonblock), 0,
			    flags & G_O_CLOEXEC);
	if (fds[0] < 0) {
		file_put(pipe_file_new(pipe, true, 0));
		return fds[0];
	}
	fds[1] = fd_install(&t->files->fdt, pipe_file_new(pipe, true, nonblock), 0,
			    flags & G_O_CLOEXEC);
	if (fds[1] < 0) {
		fd_close(&t->files->fdt, fds[0]);
		return fds[1];
	}
	if (copy_to_user(t->mm, a[0], fds, sizeof(fds))) {
		fd_close(&t->files->fdt, fds[0]);
		fd_close(&t->files->fdt, fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* What `fd` is ready for, among `events`. */
static short ready(struct task *t, int fd, short events)
{
	struct file *f = fd_get(&t->files->fdt, fd);
	short always = POLLERR | POLLHUP | POLLNVAL;

	if (!f)
		return POLLNVAL;
	if (f->f_op->poll)
		return f->f_op->poll(f) & (events | always);
	return events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
}

/* The deadline of a timeout in guest memory (0: none, 1: already passed). */
static long poll_deadline(struct machine *m, struct task *t, uint64_t uts, uint64_t *deadline, bool *zero)
{
	struct guest_timespec ts;

	*deadline = 0;
	*zero = false;
	if (!uts)
		return 0;
	if (copy_from_user(t->mm, &ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	*zero = !ts.tv_sec && !ts.tv_nsec;
	*deadline = machine_now_ns(m) + (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return 0;
}

/* Nothing is ready: time out, be interrupted, or wait. */
static long wait_for_readiness(struct machine *m, struct task *t, uint64_t uts, const char *what)
{
	uint64_t deadline;
	bool zero;
	long err;

	if (t->wait.state == WAIT_TIMED_OUT)
		return 0;
	err = poll_deadline(m, t, uts, &deadline, &zero);
	if (err || zero)
		return err;
	return poll_block(m, t, deadline, what);
}

struct guest_pollfd {
	int32_t fd;
	int16_t events, revents;
};

SYSCALL(ppoll)
{
	uint64_t nfds = a[1];
	struct guest_pollfd *fds;
	long count = 0;

	if (nfds > FD_MAX)
		return -EINVAL;
	fds = g_new0(struct guest_pollfd, MAX(nfds, 1));
	if (copy_from_user(t->mm, fds, a[0], nfds * sizeof(*fds))) {
		g_free(fds);
		return -EFAULT;
	}
	for (uint64_t i = 0; i < nfds; i++) {
		fds[i].revents = fds[i].fd < 0 ? 0 : ready(t, fds[i].fd, fds[i].events);
		count += fds[i].revents != 0;
	}
	if (!count) {
		count = wait_for_readiness(m, t, a[2], "ppoll");
		if (count == SYSCALL_BLOCKED || count < 0) {
			g_free(fds);
			return count;
		}
	}
	if (copy_to_user(t->mm, a[0], fds, nfds * sizeof(*fds)))
		count = -EFAULT;
	g_free(fds);
	return count;
}

#define FDSET_WORDS (FD_MAX / 64)

/* pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask): the three
 * sets are rewritten to what is ready. */
SYSCALL(pselect6)
{
	static const short wants[3] = { POLLIN, POLLOUT, POLLPRI };
	uint64_t in[3][FDSET_WORDS] = { { 0 } }, out[3][FDSET_WORDS] = { { 0 } };
	int nfds = (int)a[0];
	size_t bytes = (size_t)(nfds + 63) / 64 * 8;
	long count = 0;

	if (nfds < 0 || nfds > FD_MAX)
		return -EINVAL;
	for (int s = 0; s < 3; s++)
		if (a[1 + s] && copy_from_user(t->mm, in[s], a[1 + s], bytes))
			return -EFAULT;
	for (int fd = 0; fd < nfds; fd++) {
		for (int s = 0; s < 3; s++) {
			short r;

			if (!(in[s][fd / 64] >> (fd % 64) & 1))
				continue;
			r = ready(t, fd, wants[s]);
			if (r & POLLNVAL)
				return -EBADF;
			if (r & (wants[s] | (s == 0 ? POLLHUP | POLLERR : s == 1 ? POLLERR : 0))) {
				out[s][fd / 64] |= UINT64_C(1) << (fd % 64);
				count++;
			}
		}
	}
	if (!count) {
		count = wait_for_readiness(m, t, a[4], "pselect6");
		if (count == SYSCALL_BLOCKED || count < 0)
			return count;
	}
	for (int s = 0; s < 3; s++)
		if (a[1 + s] && copy_to_user(t->mm, a[1 + s], out[s], bytes))
			return -EFAULT;
	return count;
}

const struct syscall_desc poll_syscalls[] = {
	SYSCALL_DESC(59, pipe2, "px"),
	SYSCALL_DESC(72, pselect6, "dppppp"),
	SYSCALL_DESC(73, ppoll, "pupp"),
	{ 0 }
};
