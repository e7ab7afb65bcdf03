/*
 * poll: pipe2, ppoll and pselect6 (sim/poll.c).  A poll that must wait
 * sleeps on one channel; whatever makes a file ready (a pipe changing, a
 * timerfd expiring) wakes it with poll_notify, and it looks again.
 */
#ifndef SIM_POLL_H
#define SIM_POLL_H

#include "sim/machine.h"

/* Some file may have become ready: the tasks in ppoll and pselect6 look
 * again. */
void poll_notify(struct machine *m);

#endif
