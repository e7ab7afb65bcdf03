/*
 * jobs: a suite's runs for a scheduler that is not mmusim's: a GNU
 * parallel job list (DIR/jobs.parallel, one shell command per line) or a
 * Slurm job array script (DIR/jobs.slurm, task i runs line i).  Each job
 * writes its report and log where `mmusim compare` would (compare/runner.h),
 * the report renamed into place only when whole, so `mmusim compare SUITE
 * --merge DIR` builds the results from whatever finished.
 */
#ifndef COMPARE_JOBS_H
#define COMPARE_JOBS_H

#include <glib.h>

#include "compare/suite.h"

/* Write DIR/jobs.KIND (KIND "parallel" or "slurm"); its path, or NULL
 * with `error`. */
gchar *jobs_emit(const struct suite *s, const char *dir, const char *kind, GString *error);

#endif
