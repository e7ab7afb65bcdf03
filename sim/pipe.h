/*
 * pipe: a pipe's buffer (64 KiB, as Linux's default) and its ends, which
 * are files (pipe_file_new).  Nothing here blocks: an operation that would
 * wait says -EAGAIN and the system-call layer decides to block (on the pipe
 * itself, the ends' f_wait) or not.  Every change that may let a waiter go
 * on is reported through `notify`.
 */
#ifndef SIM_PIPE_H
#define SIM_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/vfs.h"

#define PIPE_SIZE 65536
#define PIPE_BUF 4096	/* writes up to this size are atomic */

struct pipe {
	uint8_t buf[PIPE_SIZE];
	size_t head, len;
	int readers, writers;
	void (*notify)(void *ctx, struct pipe *pipe);
	void *ctx;
};

/* A pipe with one reader and one writer, whose ends are yet to be made. */
struct pipe *pipe_new(void (*notify)(void *ctx, struct pipe *pipe), void *ctx);
/* An end of `pipe` (reader or writer, as counted by pipe_new) as a file;
 * `flags` may hold O_NONBLOCK and O_DIRECT (host values). */
struct file *pipe_file_new(struct pipe *pipe, bool writer, int flags);
/* Bytes read, 0 at end of file, -EAGAIN while empty with writers left. */
long pipe_read(struct pipe *pipe, void *buf, size_t len);
/* Bytes written, -EAGAIN when it must wait for room, -EPIPE with no reader. */
long pipe_write(struct pipe *pipe, const void *buf, size_t len);
/* Copy up to `len` bytes from the front without taking them (tee). */
size_t pipe_peek(const struct pipe *pipe, void *buf, size_t len);
/* The pipe `f` is an end of, or NULL. */
struct pipe *pipe_of(const struct file *f);
/* POLLIN/POLLOUT/POLLHUP/POLLERR as seen from one end. */
short pipe_poll(const struct pipe *pipe, bool writer);

#endif
