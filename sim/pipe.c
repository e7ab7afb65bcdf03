#include "sim/pipe.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <poll.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/task.h"

struct pipe *pipe_new(void (*notify)(void *ctx, struct pipe *pipe), void *ctx)
{
	struct pipe *pipe = g_new0(struct pipe, 1);

	pipe->readers = pipe->writers = 1;
	pipe->notify = notify;
	pipe->ctx = ctx;
	return pipe;
}

static void changed(struct pipe *pipe)
{
	if (pipe->notify)
		pipe->notify(pipe->ctx, pipe);
}

static void pipe_close_end(struct pipe *pipe, bool writer)
{
	if (writer)
		pipe->writers--;
	else
		pipe->readers--;
	changed(pipe);
	if (!pipe->readers && !pipe->writers)
		g_free(pipe);
}

size_t pipe_peek(const struct pipe *pipe, void *buf, size_t len)
{
	size_t n = MIN(len, pipe->len), first = MIN(n, PIPE_SIZE - pipe->head);

	memcpy(buf, pipe->buf + pipe->head, first);
	memcpy((uint8_t *)buf + first, pipe->buf, n - first);
	return n;
}

long pipe_read(struct pipe *pipe, void *buf, size_t len)
{
	size_t n;

	if (!pipe->len)
		return pipe->writers ? -EAGAIN : 0;
	n = pipe_peek(pipe, buf, len);
	pipe->head = (pipe->head + n) % PIPE_SIZE;
	pipe->len -= n;
	changed(pipe);
	return (long)n;
}

long pipe_write(struct pipe *pipe, const void *buf, size_t len)
{
	size_t room = PIPE_SIZE - pipe->len, n, tail, first;

	if (!pipe->readers)
		return -EPIPE;
	if (!room || (len <= PIPE_BUF && room < len))
		return -EAGAIN;
	n = MIN(len, room);
	tail = (pipe->head + pipe->len) % PIPE_SIZE;
	first = MIN(n, PIPE_SIZE - tail);
	memcpy(pipe->buf + tail, buf, first);
	memcpy(pipe->buf, (const uint8_t *)buf + first, n - first);
	pipe->len += n;
	changed(pipe);
	return (long)n;
}

short pipe_poll(const struct pipe *pipe, bool writer)
{
	if (writer)
		return (short)((pipe->readers ? 0 : POLLERR) |
			       (PIPE_SIZE - pipe->len >= PIPE_BUF || !pipe->readers ? POLLOUT : 0));
	return (short)((pipe->len ? POLLIN : 0) | (pipe->writers ? 0 : POLLHUP));
}

/* The pipe ends' file operations. */

static bool is_writer(const struct file *f)
{
	return (f->f_flags & O_ACCMODE) == O_WRONLY;
}

static long pipe_file_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	return offset >= 0 ? -ESPIPE : pipe_read(f->private_data, buf, len);
}

static long pipe_file_write(struct file *f, const void *buf, size_t len, int64_t offset)
{
	return offset >= 0 ? -ESPIPE : pipe_write(f->private_data, buf, len);
}

static short pipe_file_poll(struct file *f)
{
	return pipe_poll(f->private_data, is_writer(f));
}

#define G_FIONREAD 0x541b

static long pipe_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	int32_t avail = (int32_t)((struct pipe *)f->private_data)->len;

	if (cmd != G_FIONREAD)
		return -ENOTTY;
	return copy_to_user(t->mm, arg, &avail, sizeof(avail)) ? -EFAULT : 0;
}

static int pipe_getattr(struct file *f, struct statx *stx)
{
	*stx = (struct statx){
		.stx_mask = STATX_BASIC_STATS, .stx_mode = S_IFIFO | 0600, .stx_nlink = 1,
		.stx_blksize = PIPE_BUF, .stx_ino = (uint64_t)(uintptr_t)f->private_data,
	};
	return 0;
}

static void pipe_release(struct file *f)
{
	pipe_close_end(f->private_data, is_writer(f));
}

static const struct file_ops pipe_ops = {
	.read = pipe_file_read,
	.write = pipe_file_write,
	.poll = pipe_file_poll,
	.ioctl = pipe_ioctl,
	.getattr = pipe_getattr,
	.release = pipe_release,
	.wait_read = "pipe read",
	.wait_write = "pipe write",
};

struct pipe *pipe_of(const struct file *f)
{
	return f->f_op == &pipe_ops ? f->private_data : NULL;
}

struct file *pipe_file_new(struct pipe *pipe, bool writer, int flags)
{
	struct file *f = file_alloc(&pipe_ops, (writer ? O_WRONLY : O_RDONLY) | flags,
				    writer ? "pipe:[w]" : "pipe:[r]", pipe);

	f->f_wait = pipe;
	return f;
}
