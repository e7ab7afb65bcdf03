/*
 * run: load a program into a fresh machine and run it, and everything it
 * starts, until it exits.
 */
#ifndef SIM_RUN_H
#define SIM_RUN_H

#include "sim/machine.h"

/* Load `argv[0]` (a host path) and run it; returns the exit status mmusim
 * should report (128+signo for a fatal signal; 126 or 127 when it cannot be
 * loaded, with a message). */
int run_program(struct machine *m, char *const *argv, char *const *envp);

#endif
