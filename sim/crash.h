/*
 * crash: what mmusim says when a guest dies or the simulation cannot go on.
 * A fatal signal report names the signal and its code, the fault address,
 * the PC with the instruction there disassembled, and the VMA map.
 */
#ifndef SIM_CRASH_H
#define SIM_CRASH_H

#include "sim/machine.h"

void report_fatal_signal(struct machine *m, struct task *t, int signo, int code, uint64_t addr,
			 const char *why);
void report_budget_exhausted(struct machine *m, struct task *t);
/* A simulator failure (not the guest's): report it and stop with status 70. */
void report_internal_error(struct machine *m, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

#endif
