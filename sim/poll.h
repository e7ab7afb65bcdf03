/*
 * poll: readiness of files, for ppoll, pselect6 and epoll.  Every file
 * kind that can become ready (pipes, sockets, eventfd, signalfd...) calls
 * poll_notify() when its state changes: that wakes the tasks blocked on its
 * f_wait channel and every task waiting in a poll-like call, which then
 * looks again.  m->poll_wakeups counts the notifications, so an
 * edge-triggered epoll can tell a new event from an old one.
 */
#ifndef SIM_POLL_H
#define SIM_POLL_H

#include "sim/machine.h"

/* The file whose wait channel is `channel` may have changed readiness. */
void poll_notify(struct machine *m, const void *channel);
/* Sleep in a poll-like call until some file changes or simulated time
 * `deadline` (0: none).  A retry keeps the first sleep's deadline; a retry
 * after the timer fired returns 0 (nothing ready). */
long poll_block(struct machine *m, struct task *t, uint64_t deadline, const char *what);

#endif
