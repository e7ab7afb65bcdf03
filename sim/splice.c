/*
 * splice: splice(2) and tee(2) between pipes and other files, after
 * Linux's fs/splice.c but by copying.  splice moves up to `len` bytes from
 * a pipe to any writable file, or from any readable file into a pipe (at
 * least one side is a pipe: else EINVAL; an offset given for a pipe is
 * ESPIPE); tee copies from one pipe to another without taking the bytes.
 * Bytes leave a source pipe only once the destination took them.  A call
 * that would wait (empty source pipe, full destination) sleeps on that
 * pipe unless SPLICE_F_NONBLOCK or the file is O_NONBLOCK.  vmsplice is
 * not provided (ENOSYS).
 */
#include <errno.h>
#include <fcntl.h>

#include "mmu/uaccess.h"
#include "sim/pipe.h"
#include "sim/sigqueue.h"
#include "sim/syscall.h"

#define SPLICE_F_MOVE		1
#define SPLICE_F_NONBLOCK	2
#define SPLICE_F_MORE		4
#define SPLICE_F_GIFT		8
#define SPLICE_FLAGS (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)
#define SPLICE_MAX (UINT64_C(1) << 20)

static struct file *readable(struct task *t, uint64_t fd)
{
	struct file *f = fd_get(&t->files->fdt, (int)fd);

	return f && !(f->f_flags & O_PATH) && (f->f_flags & O_ACCMODE) != O_WRONLY ? f : NULL;
}

static struct file *writable(struct task *t, uint64_t fd)
{
	struct file *f = fd_get(&t->files->fdt, (int)fd);

	return f && !(f->f_flags & O_PATH) && (f->f_flags & O_ACCMODE) != O_RDONLY ? f : NULL;
}

/* -EAGAIN from `f`: sleep on its channel, unless non-blocking. */
static long wait_on(struct machine *m, struct task *t, struct file *f, uint64_t flags, const char *what)
{
	if ((flags & SPLICE_F_NONBLOCK) || (f->f_flags & O_NONBLOCK) || !f->f_wait)
		return -EAGAIN;
	return block_on(m, t, f->f_wait, what, 0);
}

/* How much a destination pipe takes now: -EPIPE (with SIGPIPE) without
 * readers, 0 when full. */
static long pipe_room(struct machine *m, struct task *t, const struct pipe *p)
{
	struct sig_info sigpipe = { .signo = G_SIGPIPE, .code = G_SI_USER, .pid = t->proc->pid };

	if (!p->readers) {
		send_signal_to_task(m, t, &sigpipe);
		return -EPIPE;
	}
	return (long)(PIPE_SIZE - p->len);
}

/* An offset argument: NULL (the file position, -1), or a value >= 0. */
static long get_offset(struct task *t, uint64_t uoff, const struct pipe *p, int64_t *off)
{
	*off = -1;
	if (!uoff)
		return 0;
	if (p)
		return -ESPIPE;
	if (copy_from_user(t->mm, off, uoff, sizeof(*off)))
		return -EFAULT;
	return *off < 0 ? -EINVAL : 0;
}

/* Advance an offset argument by `n` bytes. */
static long put_offset(struct task *t, uint64_t uoff, int64_t off, long n)
{
	off += n;
	return uoff && copy_to_user(t->mm, uoff, &off, sizeof(off)) ? -EFAULT : n;
}

static long read_some(struct file *f, struct pipe *p, void *buf, size_t n, int64_t off)
{
	if (p)
		return (long)pipe_peek(p, buf, n);
	return f->f_op->read ? f->f_op->read(f, buf, n, off) : -EINVAL;
}

static long write_some(struct file *f, struct pipe *p, const void *buf, size_t n, int64_t off)
{
	if (p)
		return pipe_write(p, buf, n);
	return f->f_op->write ? f->f_op->write(f, buf, n, off) : -EINVAL;
}

/* splice(fd_in, off_in, fd_out, off_out, len, flags) */
SYSCALL(splice)
{
	struct file *in = readable(t, a[0]), *out = writable(t, a[2]);
	struct pipe *pin, *pout;
	int64_t off_in, off_out;
	size_t n = (size_t)MIN(a[4], SPLICE_MAX);
	uint8_t *buf;
	long ret, room;

	if (!in || !out)
		return -EBADF;
	pin = pipe_of(in);
	pout = pipe_of(out);
	if ((!pin && !pout) || (pin && pin == pout) || (a[5] & ~(uint64_t)SPLICE_FLAGS))
		return -EINVAL;
	ret = get_offset(t, a[1], pin, &off_in);
	if (!ret)
		ret = get_offset(t, a[3], pout, &off_out);
	if (ret || !n)
		return ret;
	if (pin && !pin->len)
		return pin->writers ? wait_on(m, t, in, a[5], "splice read") : 0;
	if (pout) {
		room = pipe_room(m, t, pout);
		if (room <= 0)
			return room ? room : wait_on(m, t, out, a[5], "splice write");
		n = MIN(n, (size_t)room);
	}
	buf = g_malloc(n);
	ret = read_some(in, pin, buf, n, off_in);
	if (ret > 0)
		ret = write_some(out, pout, buf, (size_t)ret, off_out);
	if (ret > 0 && pin)
		pipe_read(pin, buf, (size_t)ret);	/* now the bytes leave the source */
	g_free(buf);
	if (ret == -EAGAIN)
		return wait_on(m, t, pin ? out : in, a[5], "splice");
	if (ret > 0)
		ret = put_offset(t, a[1], off_in, ret);
	if (ret > 0)
		ret = put_offset(t, a[3], off_out, ret);
	return ret;
}

/* tee(fd_in, fd_out, len, flags) */
SYSCALL(tee)
{
	struct file *in = readable(t, a[0]), *out = writable(t, a[1]);
	struct pipe *pin, *pout;
	size_t n = (size_t)MIN(a[2], SPLICE_MAX);
	uint8_t *buf;
	long room;

	if (!in || !out)
		return -EBADF;
	pin = pipe_of(in);
	pout = pipe_of(out);
	if (!pin || !pout || pin == pout || (a[3] & ~(uint64_t)SPLICE_FLAGS))
		return -EINVAL;
	if (!n)
		return 0;
	if (!pin->len)
		return pin->writers ? wait_on(m, t, in, a[3], "tee read") : 0;
	room = pipe_room(m, t, pout);
	if (room <= 0)
		return room ? room : wait_on(m, t, out, a[3], "tee write");
	n = MIN(n, (size_t)room);
	buf = g_malloc(n);
	n = pipe_peek(pin, buf, n);
	room = pipe_write(pout, buf, n);
	g_free(buf);
	return room;
}

const struct syscall_desc splice_syscalls[] = {
	SYSCALL_DESC(76, splice, "dpdpux"),
	SYSCALL_DESC(77, tee, "ddux"),
	{ 0 }
};
