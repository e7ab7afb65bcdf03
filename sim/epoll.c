/*
 * epoll: an interest list as a file (epoll_create1, epoll_ctl, epoll_pwait,
 * epoll_pwait2).  An item is a (descriptor, open file) pair with the
 * events it wants; readiness is asked of the file's f_op->poll each time
 * (a file without one, a console, is always ready; regular files and
 * directories cannot be added: EPERM).  A wait that finds nothing sleeps
 * on the poll channel (sim/poll.h) and looks again.  An item lives until
 * EPOLL_CTL_DEL or until its file's last reference goes (a file_watch), as
 * in Linux: closing one of several descriptors of the file keeps it.
 *
 * Level-triggered items are reported while ready.  An edge-triggered item
 * is reported when it is ready and something was notified since it was
 * last reported (m->poll_wakeups): a new event on the file, or on another
 * file (then the report is spurious, which edge-triggered callers tolerate:
 * they read until EAGAIN).  EPOLLONESHOT disables an item after one report
 * until EPOLL_CTL_MOD.  EPOLLEXCLUSIVE is accepted (every waiter is woken).
 * The signal mask argument of epoll_pwait is not applied.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>

#include "mmu/uaccess.h"
#include "sim/poll.h"
#include "sim/syscall.h"

#define G_EPOLL_CTL_ADD 1
#define G_EPOLL_CTL_DEL 2
#define G_EPOLL_CTL_MOD 3
#define G_EPOLLEXCLUSIVE (1u << 28)
#define G_EPOLLWAKEUP (1u << 29)
#define G_EPOLLONESHOT (1u << 30)
#define G_EPOLLET (1u << 31)
#define EPOLL_FLAGS (G_EPOLLEXCLUSIVE | G_EPOLLWAKEUP | G_EPOLLONESHOT | G_EPOLLET)
/* What EPOLLEXCLUSIVE may come with (Linux's EPOLLEXCLUSIVE_OK_BITS). */
#define EXCLUSIVE_OK (POLLIN | POLLOUT | POLLERR | POLLHUP | G_EPOLLWAKEUP | G_EPOLLET | G_EPOLLEXCLUSIVE)

/* struct epoll_event on arm64 (not packed, unlike x86-64's). */
struct guest_epoll_event {
	uint32_t events;
	uint64_t data;
};

#define EPOLL_MAXEVENTS (INT32_MAX / (int)sizeof(struct guest_epoll_event))

struct eventpoll;

struct epitem {
	struct file_watch watch;	/* first: the file's watch is the item */
	struct eventpoll *ep;
	int fd;
	struct file *file;
	uint32_t events;		/* wanted, with the EPOLL* flags */
	uint64_t data;
	uint64_t seen;			/* poll_wakeups when last reported (EPOLLET) */
	bool disabled;			/* EPOLLONESHOT, reported */
};

struct eventpoll {
	struct machine *m;
	GList *items;			/* struct epitem *, in the order they were added */
};

static const struct file_ops epoll_ops;

static struct eventpoll *eventpoll_of(struct file *f)
{
	return f && f->f_op == &epoll_ops ? f->private_data : NULL;
}

static void remove_item(struct epitem *it)
{
	it->ep->items = g_list_remove(it->ep->items, it);
	g_free(it);
}

static void item_file_gone(struct file_watch *w)
{
	remove_item((struct epitem *)w);
}

/* What an item's file is ready for, among what it wants. */
static uint32_t item_ready(const struct epitem *it)
{
	struct file *f = it->file;
	uint32_t r;

	if (it->disabled)
		return 0;
	r = f->f_op->poll ? (uint16_t)f->f_op->poll(f) : POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	return r & (it->events | POLLERR | POLLHUP) & ~EPOLL_FLAGS;
}

/* Collect up to `max` events into `out` (NULL: only count); each reported
 * item is updated (EPOLLET, EPOLLONESHOT) unless `out` is NULL. */
static int collect(struct eventpoll *ep, struct guest_epoll_event *out, int max)
{
	uint64_t now = ep->m->poll_wakeups;
	int n = 0;

	for (GList *l = ep->items; l && n < max; l = l->next) {
		struct epitem *it = l->data;
		uint32_t r = item_ready(it);

		if (!r || ((it->events & G_EPOLLET) && it->seen == now))
			continue;
		n++;
		if (!out)
			continue;
		out[n - 1] = (struct guest_epoll_event){ .events = r, .data = it->data };
		it->seen = now;
		it->disabled = it->events & G_EPOLLONESHOT;
	}
	return n;
}

static short epoll_poll(struct file *f)
{
	return collect(f->private_data, NULL, 1) ? POLLIN : 0;
}

static void epoll_release(struct file *f)
{
	struct eventpoll *ep = f->private_data;

	while (ep->items) {
		struct epitem *it = ep->items->data;

		it->file->watches = g_slist_remove(it->file->watches, &it->watch);
		remove_item(it);
	}
	g_free(ep);
}

static const struct file_ops epoll_ops = {
	.poll = epoll_poll,
	.getattr = anon_inode_getattr,
	.release = epoll_release,
};

/* epoll_create1(flags) */
SYSCALL(epoll_create1)
{
	struct eventpoll *ep;

	if (a[0] & ~(uint64_t)G_O_CLOEXEC)
		return -EINVAL;
	ep = g_new0(struct eventpoll, 1);
	ep->m = m;
	return fd_install(&t->files->fdt, file_alloc(&epoll_ops, O_RDWR, "anon_inode:[eventpoll]", ep), 0,
			  a[0] & G_O_CLOEXEC);
}

static struct epitem *find_item(struct eventpoll *ep, const struct file *f, int fd)
{
	for (GList *l = ep->items; l; l = l->next) {
		struct epitem *it = l->data;

		if (it->file == f && it->fd == fd)
			return it;
	}
	return NULL;
}

/* Whether `inner` is `ep` or watches it through epoll files (ELOOP). */
static bool reaches(struct eventpoll *inner, struct eventpoll *ep)
{
	if (inner == ep)
		return true;
	for (GList *l = inner->items; l; l = l->next) {
		struct eventpoll *next = eventpoll_of(((struct epitem *)l->data)->file);

		if (next && reaches(next, ep))
			return true;
	}
	return false;
}

/* Whether epoll can watch `f`: not regular files and directories. */
static long check_pollable(struct file *f)
{
	struct statx stx;
	int err = f->f_op->getattr(f, &stx);

	if (err)
		return err;
	return S_ISREG(stx.stx_mode) || S_ISDIR(stx.stx_mode) ? -EPERM : 0;
}

static long add_item(struct eventpoll *ep, struct file *f, int fd, const struct guest_epoll_event *ev)
{
	struct eventpoll *target = eventpoll_of(f);
	struct epitem *it;
	long err = check_pollable(f);

	if (err)
		return err;
	if (find_item(ep, f, fd))
		return -EEXIST;
	if (target && ((ev->events & G_EPOLLEXCLUSIVE) || reaches(target, ep)))
		return target == ep ? -EINVAL : (ev->events & G_EPOLLEXCLUSIVE) ? -EINVAL : -ELOOP;
	it = g_new0(struct epitem, 1);
	*it = (struct epitem){ .watch.gone = item_file_gone, .ep = ep, .fd = fd, .file = f,
			       .events = ev->events, .data = ev->data, .seen = UINT64_MAX };
	ep->items = g_list_append(ep->items, it);
	f->watches = g_slist_prepend(f->watches, &it->watch);
	return 0;
}

/* epoll_ctl(epfd, op, fd, event) */
SYSCALL(epoll_ctl)
{
	struct file *epf = fd_get(&t->files->fdt, (int)a[0]), *f = fd_get(&t->files->fdt, (int)a[2]);
	struct eventpoll *ep = eventpoll_of(epf);
	struct guest_epoll_event ev = { 0 };
	int op = (int)a[1];
	struct epitem *it;

	if (op != G_EPOLL_CTL_DEL && copy_from_user(t->mm, &ev, a[3], sizeof(ev)))
		return -EFAULT;
	if (!epf || !f || (epf->f_flags & O_PATH) || (f->f_flags & O_PATH))
		return -EBADF;
	if (!ep || f == epf)
		return -EINVAL;
	if (op != G_EPOLL_CTL_DEL && (ev.events & G_EPOLLEXCLUSIVE) &&
	    (op == G_EPOLL_CTL_MOD || (ev.events & ~EXCLUSIVE_OK)))
		return -EINVAL;
	it = find_item(ep, f, (int)a[2]);
	switch (op) {
	case G_EPOLL_CTL_ADD:
		return add_item(ep, f, (int)a[2], &ev);
	case G_EPOLL_CTL_DEL:
	case G_EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (op == G_EPOLL_CTL_DEL) {
			f->watches = g_slist_remove(f->watches, &it->watch);
			remove_item(it);
			return 0;
		}
		if (it->events & G_EPOLLEXCLUSIVE)
			return -EINVAL;
		it->events = ev.events;
		it->data = ev.data;
		it->disabled = false;
		it->seen = UINT64_MAX;
		return 0;
	default:
		return -EINVAL;
	}
}

/* The events ready now, copied out; or a sleep until `deadline` (0: none;
 * `immediate`: do not sleep). */
static long do_epoll_wait(struct machine *m, struct task *t, const uint64_t *a, uint64_t deadline,
			  bool immediate)
{
	struct file *f = fd_get(&t->files->fdt, (int)a[0]);
	uint64_t uevents = a[1], maxevents = a[2];
	struct guest_epoll_event *out;
	struct eventpoll *ep;
	long n;

	if ((int)maxevents <= 0 || (int)maxevents > EPOLL_MAXEVENTS)
		return -EINVAL;
	/* The whole area must be user addresses (Linux's access_ok()). */
	if (uevents > TASK_SIZE || maxevents * sizeof(*out) > TASK_SIZE - uevents)
		return -EFAULT;
	if (!f || (f->f_flags & O_PATH))
		return -EBADF;
	ep = eventpoll_of(f);
	if (!ep)
		return -EINVAL;
	/* No more events than items, whatever maxevents says. */
	maxevents = MIN(maxevents, g_list_length(ep->items));
	out = g_new(struct guest_epoll_event, MAX(maxevents, 1));
	n = collect(ep, out, (int)maxevents);
	if (n && copy_to_user(t->mm, uevents, out, (size_t)n * sizeof(*out)))
		n = -EFAULT;
	g_free(out);
	if (n || immediate)
		return n;
	return poll_block(m, t, deadline, "epoll_wait");
}

/* epoll_pwait(epfd, events, maxevents, timeout_ms, sigmask, sigsetsize) */
SYSCALL(epoll_pwait)
{
	int timeout = (int)a[3];
	uint64_t deadline = timeout > 0 ? machine_now_ns(m) + (uint64_t)timeout * 1000000u : 0;

	return do_epoll_wait(m, t, a, deadline, timeout == 0);
}

/* epoll_pwait2(epfd, events, maxevents, timeout timespec or NULL, sigmask, sigsetsize) */
SYSCALL(epoll_pwait2)
{
	struct guest_timespec ts;

	if (!a[3])
		return do_epoll_wait(m, t, a, 0, false);
	if (copy_from_user(t->mm, &ts, a[3], sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	return do_epoll_wait(m, t, a, machine_now_ns(m) + (uint64_t)ts.tv_sec * 1000000000u +
			     (uint64_t)ts.tv_nsec, !ts.tv_sec && !ts.tv_nsec);
}

const struct syscall_desc epoll_syscalls[] = {
	SYSCALL_DESC(20, epoll_create1, "x"),
	SYSCALL_DESC(21, epoll_ctl, "dddp"),
	SYSCALL_DESC(22, epoll_pwait, "dpddpu"),
	SYSCALL_DESC(441, epoll_pwait2, "dpdppu"),
	{ 0 }
};
