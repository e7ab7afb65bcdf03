/*
 * json: a report as a JSON document (the format of docs/report-format.md):
 * sections are objects, lists arrays, members in the order they were added;
 * pretty-printed by json-glib with a 2-space indent, no final newline.
 *
 * Counts are integers, or, where json-glib's signed 64 bits cannot hold
 * them (2^63 or more), strings of their decimal digits.  Reals that have no
 * JSON form in json-glib's "%.17g" and ".0" writing (infinities, NaN, and
 * 1e17 or more in magnitude, which would come out as "1e+17.0") are null.
 * Strings are made valid UTF-8 (invalid bytes become U+FFFD); a NULL
 * string is null.
 */
#ifndef REPORT_JSON_H
#define REPORT_JSON_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "report/model.h"

/* For other writers of JSON: member `key`, a string, or null for NULL. */
void report_json_add_string(JsonBuilder *b, const char *key, const char *value);

/* The document (g_free it). */
gchar *report_to_json(const struct report_node *root);

#endif
