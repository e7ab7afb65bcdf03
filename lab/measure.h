/*
 * measure: a lab's ground truth from a run of a guest program under this
 * mmusim (the executable running now, /proc/self/exe), as a child process
 * with --report; the guest programs are found in $MMUSIM_GUEST_DIR, or in
 * guest/bin beside the executable (the build tree).
 */
#ifndef LAB_MEASURE_H
#define LAB_MEASURE_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdint.h>

/* Where guest program `name` is (g_free it). */
gchar *lab_guest_path(const char *name);

/* Run `mmusim run OPTIONS... GUEST ARGS...` (`argv`: the words after
 * "run", the guest named as lab_guest_path() gives it) with --report to a
 * temporary file, and parse the report.  NULL with `error` when the run
 * fails or its report cannot be read. */
JsonParser *lab_run_report(const char *const *argv, GString *error);

/* Run `mmusim run ARGV...` and return its standard output (g_free it),
 * or NULL with `error`. */
gchar *lab_run_output(const char *const *argv, GString *error);

/* The count at a '/'-separated path of members below `root`
 * ("region/tlb/l1d/misses"); 0 if it is absent. */
uint64_t lab_report_count(JsonParser *report, const char *path);

/* Answer question `key` of `v` with that count. */
struct lab_variant;
void lab_answer_count(struct lab_variant *v, const char *key, JsonParser *report, const char *path);

/* Run it with --explain-format json into a temporary file and call `fn`
 * for each fault's object.  -1 with `error` on failure. */
int lab_run_explained(const char *const *argv, void (*fn)(JsonObject *fault, void *ctx),
		      void *ctx, GString *error);

#endif
