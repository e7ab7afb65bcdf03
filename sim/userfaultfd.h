/*
 * userfaultfd: userfaultfd(2) and /dev/userfaultfd (sim/userfaultfd.c says
 * what the descriptors do).
 */
#ifndef SIM_USERFAULTFD_H
#define SIM_USERFAULTFD_H

#include "sim/machine.h"

/* Serve /dev/userfaultfd in the guest's file system. */
void userfaultfd_mount(struct machine *m);

#endif
