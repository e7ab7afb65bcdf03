/*
 * html: a results document (compare/results.h) as one self-contained HTML
 * page (no script, no file beside it: the plots are inline SVG from
 * compare/plot), for a browser opened offline: per plot the drawing and a
 * table of its numbers; then every run with its status and the exact
 * command that reproduces it, and the end of the output of those that
 * failed.
 */
#ifndef COMPARE_HTML_H
#define COMPARE_HTML_H

#include <glib.h>
#include <json-glib/json-glib.h>

/* Write the page to `path`; false with `error`. */
gboolean html_write(JsonNode *results, const char *path, GString *error);

#endif
