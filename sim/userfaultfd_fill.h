/*
 * userfaultfd_fill: what the ioctls that fill pages (COPY, ZEROPAGE, MOVE
 * in sim/userfaultfd.c, CONTINUE in sim/userfaultfd_minor.c, POISON in
 * sim/userfaultfd_poison.c) share: charging the work to the agent running
 * the call, and writing the count back to the guest's struct.
 */
#ifndef SIM_USERFAULTFD_FILL_H
#define SIM_USERFAULTFD_FILL_H

#include <stdint.h>

#include "mmu/userfault/userfault.h"
#include "sim/machine.h"

/* Charge a fill's work to the agent running the call. */
void uffd_charge_work(struct machine *m, const struct userfault_work *w);
/* Write a fill's count (ret) to the guest's `field`; 0 when all of `len`
 * was filled, -EAGAIN when part was, else the error. */
long uffd_fill_result(struct mm *mm, uint64_t field, long ret, uint64_t len);

#endif
