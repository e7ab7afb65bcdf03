/*
 * report: the figures of a run, read once from the machine into a report
 * tree (report/model.h), which main prints as the --stats text
 * (report/text.h) and writes as the --report JSON file (report/json.h,
 * docs/report-format.md gives every field).
 *
 * The file is created before the guest runs, so that a path that cannot be
 * written is a usage error rather than a report lost at the end; it is
 * filled when the run ends, whatever the exit status.  Everything in the
 * report but its last member, "host", follows from the inputs it records
 * (program, arguments, environment, working directory, kinds of standard
 * descriptors, options) and the files it reads: the same run gives the same
 * bytes.
 */
#ifndef SIM_REPORT_H
#define SIM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "report/model.h"
#include "sim/machine.h"
#include "sim/region.h"

struct report_file;

/* The report of the run of `argv` in environment `envp` that ended with
 * `exit_status` (free it with report_free). */
struct report_node *report_build(struct machine *m, char *const *argv, char *const *envp,
				 int exit_status);

/* Write one snapshot the guest took (sim/roi.h) to `out` as --stats text:
 * MMUSIM_DUMP_STATS. */
void report_dump_snapshot(const struct machine *m, const struct stats_snapshot *snap, FILE *out);

/* Create (or truncate) `path`; NULL with `error` ("--report PATH: reason")
 * if it cannot be written. */
struct report_file *report_open(const char *path, GError **error);
/* Write `report` as JSON, close the file and free `f`; false with `error`
 * if the file could not be written. */
bool report_finish(struct report_file *f, const struct report_node *report, GError **error);

#endif
