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
#include <stdbool.h>

/* The x categories of every series of a plot, in first-seen order
 * (g_ptr_array_free it; the strings are the document's). */
GPtrArray *plot_categories(JsonArray *series);
/* The y of `series` at category `x`; false when it has none there. */
bool plot_point_y(JsonObject *series, const char *x, double *y);

/* The <svg> element (g_free it); NULL with `error` when gnuplot fails. */
gchar *plot_svg(JsonObject *plot, GString *error);

#endif
