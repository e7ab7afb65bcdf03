/*
 * calibench: one run of one of `mmusim calibrate`'s probes (sim/probes.c,
 * the same source), for comparing mmusim's simulated latencies under a
 * calibrated profile with the host's (docs/calibration.md).
 *
 *	calibench PROBE N [FILE]
 *
 * Prints "PROBE NS_PER_OP FAULTS_PER_OP" and exits 0; a probe the system
 * refuses prints "PROBE skipped: REASON" and exits 1; bad usage exits 2.
 * Nothing is pinned: under mmusim, --cpus decides where tasks run.
 */
#include <stdio.h>
#include <stdlib.h>

#include "sim/probes.h"

int main(int argc, char **argv)
{
	const struct probe *p = argc >= 3 ? probe_find(argv[1]) : NULL;
	struct probe_args args = { .n = argc >= 3 ? atol(argv[2]) : 0, .file = argc >= 4 ? argv[3] : NULL };
	struct probe_result out;

	if (!p || args.n < 1) {
		fprintf(stderr, "usage: calibench PROBE N [FILE]\n");
		return 2;
	}
	if (p->run(&args, &out)) {
		printf("%s skipped: %s\n", p->name, args.why);
		return 1;
	}
	printf("%s %.1f %.3f\n", p->name, out.ns_per_op, out.faults_per_op);
	return 0;
}
