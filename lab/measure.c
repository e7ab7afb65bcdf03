/*
 * measure: see measure.h.
 */
#include "lab/measure.h"

#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include "lab/lab.h"
#include "report/query.h"

gchar *lab_guest_path(const char *name)
{
	const char *dir = g_getenv("MMUSIM_GUEST_DIR");
	gchar *exe, *top, *path;

	if (dir)
		return g_build_filename(dir, name, NULL);
	exe = g_file_read_link("/proc/self/exe", NULL);
	top = g_path_get_dirname(exe ? exe : ".");
	path = g_build_filename(top, "guest", "bin", name, NULL);
	g_free(exe);
	g_free(top);
	return path;
}

/* mmusim run EXTRA... ARGV...: 0 when it exits 0; its standard output
 * into `output` unless NULL. */
static int run_mmusim(const char *const *argv, const char *const *extra, gchar **output,
		      GString *error)
{
	GPtrArray *args = g_ptr_array_new();
	gchar *out = NULL, *err = NULL;
	GError *gerr = NULL;
	int status = -1;

	g_ptr_array_add(args, "/proc/self/exe");
	g_ptr_array_add(args, "run");
	for (const char *const *a = extra; *a; a++)
		g_ptr_array_add(args, (gpointer)*a);
	for (const char *const *a = argv; *a; a++)
		g_ptr_array_add(args, (gpointer)*a);
	g_ptr_array_add(args, NULL);
	if (!g_spawn_sync(NULL, (gchar **)args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
			  &status, &gerr)) {
		g_string_printf(error, "cannot run mmusim: %s", gerr->message);
		g_error_free(gerr);
	} else if (!g_spawn_check_wait_status(status, NULL)) {
		g_string_printf(error, "the run of %s failed: %s", argv[g_strv_length((gchar **)argv) - 1],
				err && *err ? err : "no message");
		status = -1;
	} else {
		status = 0;
		if (output)
			*output = g_steal_pointer(&out);
	}
	g_free(out);
	g_free(err);
	g_ptr_array_free(args, TRUE);
	return status;
}

/* A temporary file's name (the file is made empty; unlink it). */
static gchar *temp_file(const char *template, GString *error)
{
	GError *gerr = NULL;
	gchar *path = NULL;
	int fd = g_file_open_tmp(template, &path, &gerr);

	if (fd < 0) {
		g_string_printf(error, "no temporary file: %s", gerr->message);
		g_error_free(gerr);
		return NULL;
	}
	close(fd);
	return path;
}

JsonParser *lab_run_report(const char *const *argv, GString *error)
{
	gchar *path = temp_file("mmusim-lab-XXXXXX.json", error);
	const char *extra[] = { "--report", path, NULL };
	JsonParser *p = NULL;
	GError *gerr = NULL;

	if (!path)
		return NULL;
	if (!run_mmusim(argv, extra, NULL, error)) {
		p = json_parser_new();
		if (!json_parser_load_from_file(p, path, &gerr)) {
			g_string_printf(error, "the report %s: %s", path, gerr->message);
			g_error_free(gerr);
			g_clear_object(&p);
		}
	}
	unlink(path);
	g_free(path);
	return p;
}

gchar *lab_run_output(const char *const *argv, GString *error)
{
	const char *none[] = { NULL };
	gchar *out = NULL;

	return run_mmusim(argv, none, &out, error) ? NULL : out;
}

uint64_t lab_report_count(JsonParser *report, const char *path)
{
	double n = 0;

	report_query_number(json_parser_get_root(report), path, &n);
	return (uint64_t)n;
}

void lab_answer_count(struct lab_variant *v, const char *key, JsonParser *report, const char *path)
{
	lab_answer(v, key, "%" PRIu64, lab_report_count(report, path));
}

static void call_per_line(const char *text, void (*fn)(JsonObject *, void *), void *ctx)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	JsonParser *p = json_parser_new();

	for (gchar **l = lines; *l; l++)
		if (**l && json_parser_load_from_data(p, *l, -1, NULL))
			fn(json_node_get_object(json_parser_get_root(p)), ctx);
	g_object_unref(p);
	g_strfreev(lines);
}

int lab_run_explained(const char *const *argv, void (*fn)(JsonObject *fault, void *ctx),
		      void *ctx, GString *error)
{
	gchar *path = temp_file("mmusim-lab-XXXXXX.jsonl", error), *text = NULL;
	const char *extra[] = { "--explain-format", "json", "--explain-file", path, NULL };
	int ret = -1;

	if (!path)
		return -1;
	if (!run_mmusim(argv, extra, NULL, error) && g_file_get_contents(path, &text, NULL, NULL)) {
		call_per_line(text, fn, ctx);
		ret = 0;
	}
	unlink(path);
	g_free(path);
	g_free(text);
	return ret;
}
