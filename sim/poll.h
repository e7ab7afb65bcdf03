/*
 * poll: readiness of files, for ppoll and pselect6.  Every file kind that
 * can become ready calls poll_notify() when its state changes: that wakes
 * the tasks blocked on its f_wait channel and every task waiting in a
 * poll-like call, which then looks again.
 */
#ifndef SIM_POLL_H
#define SIM_POLL_H

#include "sim/machine.h"

/* The file whose wait channel is `channel` may have changed readiness. */
void poll_notify(struct machine *m, const void *channel);

#endif
