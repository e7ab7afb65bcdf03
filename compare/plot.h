/*
 * plot: one plot of a results document (compare/results.h) drawn as SVG
 * by gnuplot (Debian's gnuplot-nox; docs/design.md says why), for the HTML
 * report.  The x values are categories in the order the series first give
 * them; a missing y (a run that did not finish, a figure the report lacks)
 * leaves a gap.
 */
#ifndef COMPARE_PLOT_H
#define COMPARE_PLOT_H

#include <glib.h>
#include <json-glib/json-glib.h>

/* The <svg> element (g_free it); NULL with `error` when gnuplot fails. */
gchar *plot_svg(JsonObject *plot, GString *error);

#endif
