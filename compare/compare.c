/*
 * compare: see compare.h.
 */
#include "compare/compare.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "compare/builtin.h"
#include "compare/html.h"
#include "compare/jobs.h"
#include "compare/results.h"
#include "compare/runner.h"
#include "compare/suite.h"

#define EX_USAGE 2
#define EX_DATAERR 65

static int usage(const char *command, const char *message)
{
	fprintf(stderr, "mmusim %s: %s\nTry 'mmusim --help'.\n", command, message);
	return EX_USAGE;
}

/* Keep the suite's text in DIR for --merge. */
static gboolean save_suite(const char *suite, const char *dir, GString *error)
{
	const char *builtin = builtin_suite(suite);
	gchar *text = NULL, *path = g_build_filename(dir, "suite.ini", NULL);
	GError *gerr = NULL;
	gboolean ok = g_mkdir_with_parents(dir, 0755) == 0 &&
		      (builtin || g_file_get_contents(suite, &text, NULL, &gerr)) &&
		      g_file_set_contents(path, builtin ? builtin : text, -1, &gerr);

	if (!ok)
		g_string_printf(error, "%s: %s", dir, gerr ? gerr->message : g_strerror(errno));
	g_clear_error(&gerr);
	g_free(text);
	g_free(path);
	return ok;
}

/* results.json and report.html of DIR; false with `error`. */
static gboolean write_results(const struct suite *s, const char *dir, GString *error)
{
	JsonNode *doc = results_build(s, dir, error);
	gchar *json = g_build_filename(dir, "results.json", NULL);
	gchar *html = g_build_filename(dir, "report.html", NULL);
	gboolean ok = doc && results_write(doc, json, error) && html_write(doc, html, error);

	if (ok)
		printf("compare: %s and %s\n", json, html);
	if (doc)
		json_node_unref(doc);
	g_free(json);
	g_free(html);
	return ok;
}

static int merge(const char *dir)
{
	gchar *path = g_build_filename(dir, "suite.ini", NULL);
	GString *error = g_string_new(NULL);
	struct suite *s = suite_load(path, error);
	int status = s && write_results(s, dir, error) ? 0 : EX_DATAERR;

	if (status)
		fprintf(stderr, "mmusim compare: %s\n", error->str);
	suite_free(s);
	g_string_free(error, TRUE);
	g_free(path);
	return status;
}

static int run_suite(const char *name, const char *dir, int jobs, const char *emit)
{
	GString *error = g_string_new(NULL);
	struct suite *s = suite_load(name, error);
	gchar *path = NULL;
	int status = 0, failed = 0;

	if (!s || !save_suite(name, dir, error)) {
		status = EX_DATAERR;
	} else if (emit) {
		if ((path = jobs_emit(s, dir, emit, error)))
			printf("compare: %u runs in %s\n", s->runs->len, path);
		else
			status = EX_DATAERR;
	} else if ((failed = runner_run(s, dir, jobs, isatty(2), error)) < 0 ||
		   !write_results(s, dir, error)) {
		status = EX_DATAERR;
	} else if (failed) {
		fprintf(stderr, "mmusim compare: %d of %u runs failed (see the report)\n", failed,
			s->runs->len);
		status = 1;
	}
	if (status == EX_DATAERR)
		fprintf(stderr, "mmusim compare: %s\n", error->str);
	suite_free(s);
	g_free(path);
	g_string_free(error, TRUE);
	return status;
}

int compare_main(int argc, char **argv)
{
	gchar *dir = NULL, *emit = NULL, *merge_dir = NULL;
	gint jobs = 1;
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &dir, "results directory", "DIR" },
		{ "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs, "runs at once", "N" },
		{ "emit-jobs", 0, 0, G_OPTION_ARG_STRING, &emit, "write jobs", "slurm|parallel" },
		{ "merge", 0, 0, G_OPTION_ARG_FILENAME, &merge_dir, "results of DIR", "DIR" },
		{ NULL },
	};
	GOptionContext *ctx = g_option_context_new("[SUITE]");
	GError *error = NULL;
	int status;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_help_enabled(ctx, FALSE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error))
		status = usage("compare", error->message);
	else if (merge_dir)
		status = argc > 1 || dir ? usage("compare", "--merge DIR takes no SUITE or -o")
					 : merge(merge_dir);
	else if (!dir)
		status = usage("compare", "-o DIR is needed");
	else if (jobs < 1 || jobs > 256)
		status = usage("compare", "-j N: from 1 to 256");
	else if (emit && strcmp(emit, "slurm") && strcmp(emit, "parallel"))
		status = usage("compare", "--emit-jobs: expected slurm or parallel");
	else if (argc > 2)
		status = usage("compare", "one SUITE at most");
	else
		status = run_suite(argc == 2 ? argv[1] : "designs", dir, jobs, emit);
	g_clear_error(&error);
	g_option_context_free(ctx);
	g_free(dir);
	g_free(emit);
	g_free(merge_dir);
	return status;
}

int report_main(int argc, char **argv)
{
	gchar *out = NULL;
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "the HTML page", "FILE" },
		{ NULL },
	};
	GOptionContext *ctx = g_option_context_new("REPORT.json...");
	GError *gerr = NULL;
	GString *error = g_string_new(NULL);
	JsonNode *doc = NULL;
	int status = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_help_enabled(ctx, FALSE);
	if (!g_option_context_parse(ctx, &argc, &argv, &gerr))
		status = usage("report", gerr->message);
	else if (argc < 2)
		status = usage("report", "expected one or more REPORT.json");
	else if (!(doc = results_of_reports(argv + 1, error)) ||
		 !html_write(doc, out ? out : "report.html", error))
		status = EX_DATAERR;
	else
		printf("report: %s\n", out ? out : "report.html");
	if (status == EX_DATAERR)
		fprintf(stderr, "mmusim report: %s\n", error->str);
	if (doc)
		json_node_unref(doc);
	g_clear_error(&gerr);
	g_option_context_free(ctx);
	g_string_free(error, TRUE);
	g_free(out);
	return status;
}
