/*
 * futex: fast user-space locking's kernel half.  A futex is keyed by
 * (mm, address) when private, or by the physical address of the word when
 * shared, so two processes mapping the same page meet on it.  Waiters block
 * on the key's channel in the order they arrived; timeouts run on simulated
 * time.
 */
#ifndef SIM_FUTEX_H
#define SIM_FUTEX_H

#include "sim/machine.h"

/* Wake up to `n` waiters on the private futex at `uaddr` of t's mm. */
int futex_wake_address(struct machine *m, struct task *t, uint64_t uaddr, int n);

#endif
