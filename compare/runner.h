/*
 * runner: the runs of a suite on this machine, N at a time, each one
 * `mmusim run --report DIR/runs/ID.json ...` with its standard output and
 * error in DIR/runs/ID.log.  A run whose report is there is finished and
 * not run again; a report appears only whole (written to ID.json.part,
 * renamed when the run ends), so a stopped compare resumes cleanly.  A
 * run that ends without a report (mmusim failed, or it passed its
 * timeout and was killed) leaves DIR/runs/ID.failed saying why; the next
 * compare tries it again.  Host time only decides timeouts and the
 * progress line, never a figure.
 */
#ifndef COMPARE_RUNNER_H
#define COMPARE_RUNNER_H

#include <glib.h>
#include <stdbool.h>

#include "compare/suite.h"

/* DIR/runs/ID.EXT (g_free it). */
gchar *runner_path(const char *dir, const struct suite_run *r, const char *ext);
/* The absolute path of the mmusim running now (g_free it). */
gchar *runner_mmusim(void);

/* Run what is not finished; `progress`: a line on stderr.  The number of
 * runs that failed now, or -1 with `error` (the directory cannot be made). */
int runner_run(const struct suite *s, const char *dir, int jobs, bool progress, GString *error);

#endif
