/*
 * suite: a set of named runs and the plots that compare them
 * (docs/compare.md "Suite files"), read from a GLib key file or taken from
 * the built-in suites (compare/builtin.c).
 *
 *   [suite]              name, title
 *   [run NAME]           command (guest program and arguments), options,
 *                        set (profile changes, ';'-separated), timeout
 *                        (host seconds), sweep.PARAM = V1,V2,... or
 *                        sweep.P+Q = V1 W1,V2 W2,... (swept together)
 *   [plot NAME]          title, x (a swept PARAM), y (the axis label),
 *                        style (lines or bars),
 *                        series = RUN[P=V,...] | FIGURE [| LABEL] ; ...,
 *                        seed = LABEL | VALUE ; ... (a design seed's own
 *                        figures, drawn beside the simulated ones);
 *                        or, instead of series, breakdown = RUN[...] |
 *                        LATENCY (a latency of the report, e.g.
 *                        "latencies/switch:vas"): its mean cycles by step,
 *                        stacked
 *
 * "${PARAM}" in command, options and set is replaced by the run's value of
 * PARAM.  A run with sweeps stands for every combination of their values,
 * each a run of its own with the id "NAME@P1=V1,P2=V2" (parameters in the
 * order the file gives them).  FIGURE is a report path (report/query.h),
 * or several joined by " + " (their sum).
 */
#ifndef COMPARE_SUITE_H
#define COMPARE_SUITE_H

#include <glib.h>
#include <stdbool.h>

struct suite_param {
	char *name;
	char *value;
};

struct suite_run {
	char *id;		/* NAME, or NAME@P=V,... */
	char *name;		/* the [run NAME] it comes from */
	GArray *params;		/* struct suite_param */
	GPtrArray *argv;	/* what follows `mmusim run`, NULL-terminated; the
				 * guest named as given (a bare name: guest/bin/NAME) */
	unsigned timeout;	/* host seconds */
};

struct suite_series {
	char *run;		/* a [run NAME] */
	GArray *filter;		/* struct suite_param: RUN[P=V,...] takes only those */
	char *figure;
	char *label;
};

struct suite_seed_figure {
	char *label;
	double value;
};

struct suite_plot {
	char *name, *title, *x, *y;
	char *style;		/* "lines" (default) or "bars" */
	GPtrArray *series;	/* struct suite_series * */
	GArray *seeds;		/* struct suite_seed_figure */
	struct suite_series *breakdown;	/* or NULL */
};

struct suite {
	char *name;		/* the built-in's name or the file's */
	char *title;
	GPtrArray *runs;	/* struct suite_run *, in file order, sweeps expanded */
	GPtrArray *plots;	/* struct suite_plot * */
};

/* A built-in suite by name, or a suite file.  NULL with `error` naming the
 * file, the line or group, and the cause. */
struct suite *suite_load(const char *name_or_path, GString *error);
void suite_free(struct suite *s);

/* The run's parameter `name`, or NULL. */
const char *suite_run_param(const struct suite_run *r, const char *name);
/* Whether run `r` is one of the series' points. */
bool suite_series_takes(const struct suite_series *s, const struct suite_run *r);
/* "mmusim run ARGS..." with its words quoted for a shell. */
char *suite_run_command(const struct suite_run *r, const char *mmusim, const char *report);

#endif
