/*
 * strace: one line per system call on the diagnostic stream, in strace(1)'s
 * style: "[tid] name(args) = result", started when the call starts and
 * printed when it ends, without changing the run (sim/strace.c says how).
 * Argument formats: sim/syscall.h.
 */
#ifndef SIM_STRACE_H
#define SIM_STRACE_H

#include "sim/machine.h"

/* `name` NULL: the call is shown by number. */
void strace_start(struct machine *m, struct task *t, unsigned nr, const char *name, const char *fmt);
void strace_finish(struct machine *m, struct task *t, long ret, bool no_result);

#endif
