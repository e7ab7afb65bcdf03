/*
 * Shared fixture for the unit tests of sim/ that need a whole machine (one
 * simulated CPU, 64 MiB, the host's / as root): Criterion .init/.fini.
 */
#ifndef TESTS_UNIT_SIM_TEST_H
#define TESTS_UNIT_SIM_TEST_H

#include "sim/machine.h"

extern struct machine *m;

void sim_setup(void);
void sim_teardown(void);

#endif
