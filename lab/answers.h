/*
 * answers: a student's answer file, "KEY = VALUE" lines; blank lines and
 * lines starting with '#' are skipped.  docs/labs/README.md.
 */
#ifndef LAB_ANSWERS_H
#define LAB_ANSWERS_H

#include <glib.h>
#include <stdbool.h>

/* KEY -> VALUE (both trimmed) for the keys of `questions` (struct
 * lab_question *).  NULL with `error` naming the file and line for a file
 * that cannot be read, a line without '=', an unknown key or a key given
 * twice. */
GHashTable *answers_read(const char *path, GPtrArray *questions, GString *error);

/* Whether a given answer matches the truth: numerically when both are
 * numbers (any base strtoull reads), else ignoring case and runs of blanks. */
bool answers_match(const char *given, const char *truth);

#endif
