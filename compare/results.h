/*
 * results: what a compare directory holds, as one JSON document
 * (DIR/results.json; docs/compare.md "results.json"): every run of the
 * suite with its parameters, the command that reproduces it, whether it
 * finished (and else why not, with the end of its output), and every
 * plot's series with the figure each finished run gives.  The same
 * document shape holds a side-by-side of existing reports (`mmusim
 * report`), so one renderer draws both (compare/html).
 *
 * Reports are read only if they are this mmusim's format and version
 * ("mmusim-report" 1); another is refused, naming the file.
 */
#ifndef COMPARE_RESULTS_H
#define COMPARE_RESULTS_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "compare/suite.h"

#define RESULTS_FORMAT "mmusim-compare-results"
#define RESULTS_VERSION 1

/* The document for suite `s` from directory `dir`; NULL with `error` for a
 * report of another format or version. */
JsonNode *results_build(const struct suite *s, const char *dir, GString *error);
/* The side-by-side of report files `paths`. */
JsonNode *results_of_reports(char **paths, GString *error);

/* Write `doc` pretty-printed to `path`; false with `error`. */
gboolean results_write(JsonNode *doc, const char *path, GString *error);

#endif
