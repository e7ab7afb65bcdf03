/*
 * results: see results.h.
 */
#include "compare/results.h"

#include <stdbool.h>
#include <string.h>

#include "compare/runner.h"
#include "report/json.h"
#include "report/query.h"

#define REPORT_FORMAT "mmusim-report"
#define REPORT_VERSION 1

/* The report at `path` if it is this mmusim's kind; NULL with `error`
 * otherwise (unreadable, not JSON, another format or version). */
static JsonParser *load_report(const char *path, GString *error)
{
	JsonParser *p = json_parser_new();
	GError *gerr = NULL;
	JsonNode *root;
	double version = 0;
	JsonNode *format;

	if (!json_parser_load_from_file(p, path, &gerr)) {
		g_string_printf(error, "%s: %s", path, gerr->message);
		g_error_free(gerr);
		g_object_unref(p);
		return NULL;
	}
	root = json_parser_get_root(p);
	format = report_query(root, "format");
	report_query_number(root, "version", &version);
	if (!format || !JSON_NODE_HOLDS_VALUE(format) ||
	    json_node_get_value_type(format) != G_TYPE_STRING ||
	    strcmp(json_node_get_string(format), REPORT_FORMAT) || version != REPORT_VERSION) {
		g_string_printf(error, "%s: not a report of this mmusim (expected format \"%s\" version %d)",
				path, REPORT_FORMAT, REPORT_VERSION);
		g_object_unref(p);
		return NULL;
	}
	return p;
}


/* FIGURE, or the sum of FIGURE + FIGURE ...: false when one is absent. */
static bool figure_value(JsonParser *report, const char *figure, double *out)
{
	gchar **terms = g_strsplit(figure, " + ", -1);
	bool ok = true;
	double term;

	*out = 0;
	for (gchar **t = terms; ok && *t; t++)
		if ((ok = report_query_number(json_parser_get_root(report), g_strstrip(*t), &term)))
			*out += term;
	g_strfreev(terms);
	return ok;
}

/* A point: the figure of `report` at `x`; null without a report, and
 * without the figure unless `absent_is_zero` (a step a breakdown lacks). */
static void add_point(JsonBuilder *b, const char *x, JsonParser *report, const char *figure,
		      const char *id, bool absent_is_zero)
{
	double y = 0;

	json_builder_begin_object(b);
	report_json_add_string(b, "x", x);
	json_builder_set_member_name(b, "y");
	if (report && (figure_value(report, figure, &y) || absent_is_zero))
		json_builder_add_double_value(b, y);
	else
		json_builder_add_null_value(b);
	report_json_add_string(b, "run", id);
	json_builder_end_object(b);
}

static void begin_document(JsonBuilder *b, const char *suite, const char *title)
{
	json_builder_begin_object(b);
	report_json_add_string(b, "format", RESULTS_FORMAT);
	json_builder_set_member_name(b, "version");
	json_builder_add_int_value(b, RESULTS_VERSION);
	report_json_add_string(b, "suite", suite);
	report_json_add_string(b, "title", title);
}

static JsonNode *end_document(JsonBuilder *b)
{
	JsonNode *doc;

	json_builder_end_object(b);
	doc = json_builder_get_root(b);
	g_object_unref(b);
	return doc;
}

/* --- a suite's directory --- */

static void add_run(JsonBuilder *b, const struct suite_run *r, const char *dir, JsonParser *report,
		    const char *mmusim)
{
	gchar *path = runner_path(dir, r, "json"), *failed = runner_path(dir, r, "failed");
	gchar *command = suite_run_command(r, mmusim, path), *why = NULL;

	json_builder_begin_object(b);
	report_json_add_string(b, "id", r->id);
	report_json_add_string(b, "name", r->name);
	json_builder_set_member_name(b, "params");
	json_builder_begin_object(b);
	for (guint i = 0; i < r->params->len; i++)
		report_json_add_string(b, g_array_index(r->params, struct suite_param, i).name,
			   g_array_index(r->params, struct suite_param, i).value);
	json_builder_end_object(b);
	report_json_add_string(b, "command", command);
	g_file_get_contents(failed, &why, NULL, NULL);
	report_json_add_string(b, "status", report ? "finished" : why ? "failed" : "not run");
	report_json_add_string(b, "error", report ? NULL : why);
	report_json_add_string(b, "report", report ? path : NULL);
	json_builder_end_object(b);
	g_free(why);
	g_free(command);
	g_free(path);
	g_free(failed);
}

static void add_series(JsonBuilder *b, const struct suite *s, const struct suite_plot *p,
		       const struct suite_series *series, GHashTable *reports, bool absent_is_zero)
{
	json_builder_begin_object(b);
	report_json_add_string(b, "label", series->label);
	report_json_add_string(b, "figure", series->figure);
	json_builder_set_member_name(b, "points");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->runs->len; i++) {
		const struct suite_run *r = g_ptr_array_index(s->runs, i);

		if (suite_series_takes(series, r))
			add_point(b, suite_run_param(r, p->x), g_hash_table_lookup(reports, r->id),
				  series->figure, r->id, absent_is_zero);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

/* The steps of the latency `figure` in the reports of the runs `series`
 * takes, in first-seen order. */
static GPtrArray *steps_of(const struct suite *s, const struct suite_series *series,
			   GHashTable *reports)
{
	GPtrArray *steps = g_ptr_array_new_with_free_func(g_free);
	gchar *path = g_strdup_printf("%s/breakdown_cycles", series->figure);

	for (guint i = 0; i < s->runs->len; i++) {
		const struct suite_run *r = g_ptr_array_index(s->runs, i);
		JsonParser *report = g_hash_table_lookup(reports, r->id);
		JsonNode *node = report && suite_series_takes(series, r) ?
				 report_query(json_parser_get_root(report), path) : NULL;
		GList *names = node && JSON_NODE_HOLDS_OBJECT(node) ?
			       json_object_get_members(json_node_get_object(node)) : NULL;

		for (GList *l = names; l; l = l->next)
			if (!g_ptr_array_find_with_equal_func(steps, l->data, g_str_equal, NULL))
				g_ptr_array_add(steps, g_strdup(l->data));
		g_list_free(names);
	}
	g_free(path);
	return steps;
}

/* One series per step of the breakdown: its mean cycles in each run. */
static void add_breakdown(JsonBuilder *b, const struct suite *s, const struct suite_plot *p,
			  GHashTable *reports)
{
	GPtrArray *steps = steps_of(s, p->breakdown, reports);

	for (guint k = 0; k < steps->len; k++) {
		struct suite_series step = *p->breakdown;

		step.label = steps->pdata[k];
		step.figure = g_strdup_printf("%s/breakdown_cycles/%s", p->breakdown->figure,
					      (char *)steps->pdata[k]);
		add_series(b, s, p, &step, reports, true);
		g_free(step.figure);
	}
	g_ptr_array_free(steps, TRUE);
}

static void add_plot_head(JsonBuilder *b, const char *name, const char *title, const char *x,
			  const char *y)
{
	report_json_add_string(b, "name", name);
	report_json_add_string(b, "title", title);
	report_json_add_string(b, "x", x);
	report_json_add_string(b, "y", y);
}

static void add_seed_figures(JsonBuilder *b, GArray *seeds)
{
	json_builder_set_member_name(b, "seed");
	json_builder_begin_array(b);
	for (guint i = 0; i < seeds->len; i++) {
		const struct suite_seed_figure *f = &g_array_index(seeds, struct suite_seed_figure, i);

		json_builder_begin_object(b);
		report_json_add_string(b, "label", f->label);
		json_builder_set_member_name(b, "y");
		json_builder_add_double_value(b, f->value);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void add_plots(JsonBuilder *b, const struct suite *s, GHashTable *reports)
{
	json_builder_set_member_name(b, "plots");
	json_builder_begin_array(b);
	for (guint i = 0; i < s->plots->len; i++) {
		const struct suite_plot *p = g_ptr_array_index(s->plots, i);

		json_builder_begin_object(b);
		add_plot_head(b, p->name, p->title, p->x, p->y);
		json_builder_set_member_name(b, "series");
		json_builder_begin_array(b);
		for (guint k = 0; k < p->series->len; k++)
			add_series(b, s, p, g_ptr_array_index(p->series, k), reports, false);
		if (p->breakdown)
			add_breakdown(b, s, p, reports);
		json_builder_end_array(b);
		report_json_add_string(b, "style", p->breakdown ? "stacked" : p->style ? p->style : "lines");
		add_seed_figures(b, p->seeds);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

JsonNode *results_build(const struct suite *s, const char *dir, GString *error)
{
	GHashTable *reports = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_object_unref);
	JsonBuilder *b = json_builder_new();
	gchar *mmusim = runner_mmusim();
	bool ok = true;

	begin_document(b, s->name, s->title);
	json_builder_set_member_name(b, "runs");
	json_builder_begin_array(b);
	for (guint i = 0; ok && i < s->runs->len; i++) {
		const struct suite_run *r = g_ptr_array_index(s->runs, i);
		gchar *path = runner_path(dir, r, "json");
		JsonParser *report = NULL;

		if (g_file_test(path, G_FILE_TEST_EXISTS) && !(report = load_report(path, error)))
			ok = false;
		else if (report)
			g_hash_table_insert(reports, r->id, report);
		if (ok)
			add_run(b, r, dir, report, mmusim);
		g_free(path);
	}
	json_builder_end_array(b);
	if (ok)
		add_plots(b, s, reports);
	g_hash_table_unref(reports);
	g_free(mmusim);
	if (!ok) {
		json_node_unref(end_document(b));
		return NULL;
	}
	return end_document(b);
}

/* --- existing reports side by side --- */

/* The member names of `section` in the first report, in order, then those
 * only later reports have. */
static GPtrArray *keys_of(JsonParser **reports, int n, const char *section, const char *member)
{
	GPtrArray *keys = g_ptr_array_new_with_free_func(g_free);

	for (int i = 0; i < n; i++) {
		JsonNode *node = report_query(json_parser_get_root(reports[i]), section);

		if (node && JSON_NODE_HOLDS_OBJECT(node)) {
			GList *names = json_object_get_members(json_node_get_object(node));

			for (GList *l = names; l; l = l->next)
				if (!g_ptr_array_find_with_equal_func(keys, l->data, g_str_equal, NULL))
					g_ptr_array_add(keys, g_strdup(l->data));
			g_list_free(names);
		} else if (node && JSON_NODE_HOLDS_ARRAY(node)) {
			JsonArray *a = json_node_get_array(node);

			for (guint k = 0; k < json_array_get_length(a); k++) {
				const char *name = json_object_get_string_member(
					json_array_get_object_element(a, k), member);

				if (!g_ptr_array_find_with_equal_func(keys, name, g_str_equal, NULL))
					g_ptr_array_add(keys, g_strdup(name));
			}
		}
	}
	return keys;
}

/* One plot whose x runs over `keys` and whose figure is PREFIX/KEY/SUFFIX. */
static void add_key_plot(JsonBuilder *b, char **paths, JsonParser **reports, int n,
			 const char *name, const char *title, const char *y, const char *prefix,
			 GPtrArray *keys, const char *suffix)
{
	json_builder_begin_object(b);
	add_plot_head(b, name, title, "kind", y);
	json_builder_set_member_name(b, "series");
	json_builder_begin_array(b);
	for (int i = 0; i < n; i++) {
		gchar *label = g_path_get_basename(paths[i]);

		json_builder_begin_object(b);
		report_json_add_string(b, "label", label);
		report_json_add_string(b, "figure", prefix);
		json_builder_set_member_name(b, "points");
		json_builder_begin_array(b);
		for (guint k = 0; k < keys->len; k++) {
			gchar *figure = g_strdup_printf("%s%s%s%s", prefix, *prefix ? "/" : "",
							(char *)keys->pdata[k], suffix);

			add_point(b, keys->pdata[k], reports[i], figure, label, false);
			g_free(figure);
		}
		json_builder_end_array(b);
		json_builder_end_object(b);
		g_free(label);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

static void add_report_runs(JsonBuilder *b, char **paths, int n)
{
	json_builder_set_member_name(b, "runs");
	json_builder_begin_array(b);
	for (int i = 0; i < n; i++) {
		gchar *id = g_path_get_basename(paths[i]);

		json_builder_begin_object(b);
		report_json_add_string(b, "id", id);
		report_json_add_string(b, "status", "finished");
		report_json_add_string(b, "report", paths[i]);
		json_builder_end_object(b);
		g_free(id);
	}
	json_builder_end_array(b);
}

static const char *const counters[] = {
	"result/instructions", "result/simulated_ns", "tlb/total/l1d/misses", "tlb/total/l2/misses", "shootdowns/count",
	"shootdowns/ipis", "scheduling/process_switches", "scheduling/thread_switches",
};

JsonNode *results_of_reports(char **paths, GString *error)
{
	int n = (int)g_strv_length(paths);
	JsonParser **reports = g_new0(JsonParser *, n);
	JsonBuilder *b;
	GPtrArray *kinds, *faults, *fixed;
	bool ok = true;

	for (int i = 0; ok && i < n; i++)
		ok = (reports[i] = load_report(paths[i], error)) != NULL;
	if (!ok) {
		for (int i = 0; i < n; i++)
			g_clear_object(&reports[i]);
		g_free(reports);
		return NULL;
	}
	b = json_builder_new();
	begin_document(b, "reports", "Run reports side by side");
	add_report_runs(b, paths, n);
	kinds = keys_of(reports, n, "latencies", "kind");
	faults = keys_of(reports, n, "faults", NULL);
	fixed = g_ptr_array_new();
	for (size_t i = 0; i < G_N_ELEMENTS(counters); i++)
		g_ptr_array_add(fixed, (gpointer)counters[i]);
	json_builder_set_member_name(b, "plots");
	json_builder_begin_array(b);
	add_key_plot(b, paths, reports, n, "latency-p50", "Median latency by kind", "median ns",
		     "latencies", kinds, "/median_ns");
	add_key_plot(b, paths, reports, n, "latency-p99", "99th percentile latency by kind", "p99 ns",
		     "latencies", kinds, "/p99_ns");
	add_key_plot(b, paths, reports, n, "faults", "Faults by kind", "faults", "faults", faults, "");
	add_key_plot(b, paths, reports, n, "counters", "Counters", "count", "", fixed, "");
	json_builder_end_array(b);
	g_ptr_array_free(fixed, TRUE);
	g_ptr_array_free(kinds, TRUE);
	g_ptr_array_free(faults, TRUE);
	for (int i = 0; i < n; i++)
		g_object_unref(reports[i]);
	g_free(reports);
	return end_document(b);
}

gboolean results_write(JsonNode *doc, const char *path, GString *error)
{
	JsonGenerator *gen = json_generator_new();
	GError *gerr = NULL;
	gboolean ok;

	json_generator_set_root(gen, doc);
	json_generator_set_pretty(gen, TRUE);
	ok = json_generator_to_file(gen, path, &gerr);
	if (!ok) {
		g_string_printf(error, "%s: %s", path, gerr->message);
		g_error_free(gerr);
	}
	g_object_unref(gen);
	return ok;
}
