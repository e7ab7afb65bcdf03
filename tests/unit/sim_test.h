/*
 * Shared fixture for the unit tests of sim/ that need a whole machine (one
 * simulated CPU, 64 MiB, the host's / as root): Criterion .init/.fini; and
 * a system-call table with a test's own calls added.
 */
#ifndef TESTS_UNIT_SIM_TEST_H
#define TESTS_UNIT_SIM_TEST_H

#include "sim/machine.h"
#include "sim/dispatch.h"

extern struct machine *m;

void sim_setup(void);
void sim_teardown(void);
/* Every call mmusim registers, and `extra` (its own list, { 0 }-ended). */
struct syscall_table *syscall_table_with(const struct syscall_desc *extra);

#endif
