/*
 * summary: the --stats report printed when a run ends.  Simulated figures
 * (deterministic) come first; host figures (how fast mmusim ran) last.
 */
#ifndef SIM_SUMMARY_H
#define SIM_SUMMARY_H

#include "sim/machine.h"

void print_summary(struct machine *m, FILE *out);

#endif
