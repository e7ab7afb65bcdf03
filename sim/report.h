/*
 * report: the JSON report of a run, `mmusim run --report FILE`
 * (docs/report-format.md gives every field).
 *
 * The file is created before the guest runs, so that a path that cannot be
 * written is a usage error rather than a report lost at the end; it is
 * filled when the run ends, whatever the exit status.  Everything in it but
 * the last member, "host", follows from the inputs it records (program,
 * arguments, environment, working directory, kinds of standard descriptors,
 * options) and the files it reads: the same run gives the same bytes.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <stdbool.h>

#include "sim/machine.h"

struct report;

/* Create (or truncate) `path`; NULL with `error` ("--report PATH: reason")
 * if it cannot be written. */
struct report *report_open(const char *path, GError **error);
/* Write the report of the run of `argv` with environment `envp` that ended
 * with `exit_status`, close the file and free `r`; false with `error` if the
 * file could not be written. */
bool report_finish(struct report *r, struct machine *m, char *const *argv, char *const *envp,
		   int exit_status, GError **error);

#endif
