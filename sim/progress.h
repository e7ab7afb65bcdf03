/*
 * progress: a line on standard error that shows how far a long run is
 * (instructions, simulated time, guest MIPS), rewritten in place about once
 * a host second, for a person watching a terminal.  On by default when
 * standard error is a terminal (--progress and --no-progress force it);
 * the run loop ticks it between slices.  Host time decides only when the
 * line is rewritten and the MIPS it shows: nothing it reads or prints goes
 * into the run, the guest or the reports.  At the end, a line with the
 * final figures and a newline: always when forced on, else only if a line
 * was shown (a run shorter than a second stays quiet on a terminal).
 */
#ifndef SIM_PROGRESS_H
#define SIM_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_PERIOD_US 1000000

struct progress {
	bool on;
	bool forced;		/* --progress: the final line even for a short run */
	bool shown;		/* a line is on the screen */
	int64_t start_us, next_us;	/* host monotonic time */
	FILE *out;
};

/* Start counting host time from now.  `mode`: PROGRESS_AUTO (on when
 * `out` is a terminal), PROGRESS_ON, PROGRESS_OFF. */
enum progress_mode { PROGRESS_AUTO, PROGRESS_ON, PROGRESS_OFF };
void progress_init(struct progress *p, enum progress_mode mode, FILE *out);
/* The run's figures now: rewrite the line if its period is over. */
void progress_tick(struct progress *p, uint64_t instructions, uint64_t simulated_ns);
/* The run is over: the final figures and a newline, if a line was shown. */
void progress_finish(struct progress *p, uint64_t instructions, uint64_t simulated_ns);

#endif
