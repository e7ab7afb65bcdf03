/*
 * eventfd: a 64-bit counter as a file (eventfd2(2)).  A write of 8 bytes
 * adds to it (EAGAIN while the sum would pass 0xfffffffffffffffe); a read
 * of 8 bytes takes the whole count, or 1 with EFD_SEMAPHORE (EAGAIN while
 * it is 0).  Readable while the count is not 0, writable while one more
 * can be added.  Changes are announced with poll_notify().
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "sim/poll.h"
#include "sim/syscall.h"

#define EFD_SEMAPHORE 1
#define EVENTFD_MAX UINT64_C(0xfffffffffffffffe)

struct eventfd {
	struct machine *m;
	uint64_t count;
	bool semaphore;
};

static long eventfd_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	struct eventfd *ev = f->private_data;
	uint64_t taken;

	if (offset >= 0)
		return -ESPIPE;
	if (len < sizeof(taken))
		return -EINVAL;
	if (!ev->count)
		return -EAGAIN;
	taken = ev->semaphore ? 1 : ev->count;
	ev->count -= taken;
	memcpy(buf, &taken, sizeof(taken));
	poll_notify(ev->m, ev);
	return sizeof(taken);
}

static long eventfd_write(struct file *f, const void *buf, size_t len, int64_t offset)
{
	struct eventfd *ev = f->private_data;
	uint64_t add;

	if (offset >= 0)
		return -ESPIPE;
	if (len < sizeof(add))
		return -EINVAL;
	memcpy(&add, buf, sizeof(add));
	if (add == UINT64_MAX)
		return -EINVAL;
	if (add > EVENTFD_MAX - ev->count)
		return -EAGAIN;
	ev->count += add;
	poll_notify(ev->m, ev);
	return sizeof(add);
}

static short eventfd_poll(struct file *f)
{
	const struct eventfd *ev = f->private_data;

	return (short)((ev->count ? POLLIN : 0) | (ev->count < EVENTFD_MAX ? POLLOUT : 0));
}

static void eventfd_release(struct file *f)
{
	g_free(f->private_data);
}

static const struct file_ops eventfd_ops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.poll = eventfd_poll,
	.getattr = anon_inode_getattr,
	.release = eventfd_release,
	.wait_read = "eventfd read",
	.wait_write = "eventfd write",
};

/* eventfd2(initval, flags) */
SYSCALL(eventfd2)
{
	struct eventfd *ev;
	struct file *f;

	if (a[1] & ~(uint64_t)(EFD_SEMAPHORE | G_O_NONBLOCK | G_O_CLOEXEC))
		return -EINVAL;
	ev = g_new0(struct eventfd, 1);
	ev->m = m;
	ev->count = (uint32_t)a[0];
	ev->semaphore = a[1] & EFD_SEMAPHORE;
	f = file_alloc(&eventfd_ops, O_RDWR | (a[1] & G_O_NONBLOCK ? O_NONBLOCK : 0),
		       "anon_inode:[eventfd]", ev);
	f->f_wait = ev;
	return fd_install(&t->files->fdt, f, 0, a[1] & G_O_CLOEXEC);
}

const struct syscall_desc eventfd_syscalls[] = {
	SYSCALL_DESC(19, eventfd2, "ux"),
	{ 0 }
};
