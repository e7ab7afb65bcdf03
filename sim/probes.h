/*
 * probes: microbenchmarks of the kernel operations a cost profile prices,
 * in plain POSIX/Linux C with no part of mmusim, so that the same source
 * runs natively (`mmusim calibrate` measures the host with them) and as an
 * AArch64 guest (guest/calibench.c, whose simulated latencies the
 * calibrated profile should reproduce: docs/calibration.md).
 *
 * A probe does `n` operations and gives the wall time (CLOCK_MONOTONIC:
 * simulated time under mmusim) per operation, and the page faults the
 * process took per operation (getrusage's ru_minflt, so no probe needs
 * perf).  It never exits the process: an operation the system refuses
 * (userfaultfd without permission, pinning to a CPU that is not there)
 * makes it return -1 with the reason in `why`, so the caller can skip it.
 */
#ifndef SIM_PROBES_H
#define SIM_PROBES_H

#include <stdbool.h>
#include <stddef.h>

struct probe_result {
	double ns_per_op;
	double faults_per_op;
};

struct probe_args {
	long n;			/* operations */
	bool pin;		/* pin the parties to CPUs 0 (and 1), as a native run must */
	const char *file;	/* file-fault: a regular file of at least n pages */
	char why[160];		/* the reason of a -1 */
};

struct probe {
	const char *name;
	const char *what;	/* one operation, for messages and comments */
	int (*run)(struct probe_args *args, struct probe_result *out);
};

/* Every probe, NULL-terminated: touch, tlb-miss, zero-read, anon-fault, cow-fault,
 * file-fault, syscall, futex-switch, pipe-switch, mprotect, mprotect-ipi,
 * fork-wait, uffd-copy. */
extern const struct probe probes[];
const struct probe *probe_find(const char *name);

#endif
