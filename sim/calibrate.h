/*
 * calibrate: `mmusim calibrate`, a cost profile measured on this machine.
 *
 *   mmusim calibrate [--output FILE] [--runs N] [--skip PROBE,...]
 *
 * Runs the native probes (sim/probes.h) RUNS times each (after one warm-up
 * run), takes the medians, and derives the [cycles] steps that reproduce
 * them; the clock frequency comes from perf's cpu-cycles counter, or from
 * /proc/cpuinfo when perf cannot count.  The profile file (stdout without
 * --output) says in comments what was measured, which step absorbed which
 * measured cost, and which probes were skipped and why; a skipped probe
 * leaves the steps it would have priced at the default profile's values
 * and everything else is still written.  `mmusim run --profile FILE` loads
 * it.  docs/calibration.md gives the derivation and a measured table.
 */
#ifndef SIM_CALIBRATE_H
#define SIM_CALIBRATE_H

/* argv[0] is "calibrate"; returns the exit status (2: usage error). */
int cmd_calibrate(int argc, char **argv);

#endif
