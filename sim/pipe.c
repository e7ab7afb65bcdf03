#include "sim/pipe.h"

#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <string.h>

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

void pipe_close_end(struct pipe *pipe, bool writer)
{
	if (writer)
		pipe->writers--;
	else
		pipe->readers--;
	changed(pipe);
	if (!pipe->readers && !pipe->writers)
		g_free(pipe);
}

long pipe_read(struct pipe *pipe, void *buf, size_t len)
{
	size_t n = MIN(len, pipe->len), first;

	if (!pipe->len)
		return pipe->writers ? -EAGAIN : 0;
	first = MIN(n, PIPE_SIZE - pipe->head);
	memcpy(buf, pipe->buf + pipe->head, first);
	memcpy((uint8_t *)buf + first, pipe->buf, n - first);
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
