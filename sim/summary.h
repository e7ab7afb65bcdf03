/*
 * summary: the --stats report printed when a run ends.  Simulated figures
 * (deterministic) come first; host figures (how fast mmusim ran) last.
 * The figures computed here, not read off the machine, are shared with
 * sim/report (--report).
 */
#ifndef SIM_SUMMARY_H
#define SIM_SUMMARY_H

#include "sim/machine.h"

/* How fast the host ran the guest, since the machine was made. */
struct host_speed {
	double seconds;
	double guest_mips;		/* guest instructions per host microsecond */
};

void print_summary(struct machine *m, FILE *out);
/* The simulation's time: the clock furthest ahead (simulated ns). */
uint64_t simulated_time_ns(const struct machine *m);
struct host_speed measure_host_speed(const struct machine *m);

#endif
