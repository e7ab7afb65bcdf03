/*
 * plot: see plot.h.  The data goes to gnuplot as a table, one row per x
 * category, one column per series ('?' where there is no value); the
 * script draws lines with points over the categories, labelled, or for a
 * "stacked" plot (a breakdown by step) or a "bars" one, one bar per
 * category, its series stacked.
 */
#include "compare/plot.h"

#include <stdbool.h>
#include <string.h>
#include <unistd.h>

GPtrArray *plot_categories(JsonArray *series)
{
	GPtrArray *xs = g_ptr_array_new();

	for (guint s = 0; s < json_array_get_length(series); s++) {
		JsonArray *points = json_object_get_array_member(json_array_get_object_element(series, s),
								 "points");

		for (guint i = 0; i < json_array_get_length(points); i++) {
			JsonObject *p = json_array_get_object_element(points, i);
			const char *x = json_object_get_null_member(p, "x") ? "" :
					json_object_get_string_member(p, "x");

			if (!g_ptr_array_find_with_equal_func(xs, x, g_str_equal, NULL))
				g_ptr_array_add(xs, (gpointer)x);
		}
	}
	return xs;
}

bool plot_point_y(JsonObject *series, const char *x, double *y)
{
	JsonArray *points = json_object_get_array_member(series, "points");

	for (guint i = 0; i < json_array_get_length(points); i++) {
		JsonObject *p = json_array_get_object_element(points, i);
		const char *px = json_object_get_null_member(p, "x") ? "" :
				 json_object_get_string_member(p, "x");

		if (!strcmp(px, x) && !json_object_get_null_member(p, "y")) {
			*y = json_object_get_double_member(p, "y");
			return true;
		}
	}
	return false;
}

/* The y of series `s` at category `x`, or '?'. */
static void append_y(GString *out, JsonObject *series, const char *x)
{
	char num[G_ASCII_DTOSTR_BUF_SIZE];
	double y;

	if (plot_point_y(series, x, &y))
		g_string_append_printf(out, " %s", g_ascii_dtostr(num, sizeof(num), y));
	else
		g_string_append(out, " ?");
}

/* gnuplot's quoting: "..." with \ and " escaped. */
static void append_quoted(GString *out, const char *text)
{
	g_string_append_c(out, '"');
	for (; *text; text++) {
		if (*text == '"' || *text == '\\')
			g_string_append_c(out, '\\');
		g_string_append_c(out, *text);
	}
	g_string_append_c(out, '"');
}

static gchar *data_table(JsonArray *series, GPtrArray *xs)
{
	GString *out = g_string_new(NULL);

	for (guint i = 0; i < xs->len; i++) {
		append_quoted(out, xs->pdata[i]);
		for (guint s = 0; s < json_array_get_length(series); s++)
			append_y(out, json_array_get_object_element(series, s), xs->pdata[i]);
		g_string_append_c(out, '\n');
	}
	return g_string_free(out, FALSE);
}

/* The seed's own figures: dashed horizontal lines. */
static void append_seed_lines(GString *s, JsonObject *plot)
{
	JsonArray *seed = json_object_has_member(plot, "seed") ?
			  json_object_get_array_member(plot, "seed") : NULL;

	for (guint i = 0; seed && i < json_array_get_length(seed); i++) {
		JsonObject *f = json_array_get_object_element(seed, i);
		char num[G_ASCII_DTOSTR_BUF_SIZE];
		gchar *label = g_strdup_printf("seed: %s", json_object_get_string_member(f, "label"));

		g_string_append_printf(s, ", %s with lines dashtype 2 linewidth 2 title ",
				       g_ascii_dtostr(num, sizeof(num), json_object_get_double_member(f, "y")));
		append_quoted(s, label);
		g_string_append(s, " noenhanced");
		g_free(label);
	}
}

static gchar *script(JsonObject *plot, JsonArray *series, const char *data, const char *svg)
{
	const char *style = json_object_has_member(plot, "style") ?
			    json_object_get_string_member(plot, "style") : "lines";
	bool stacked = !strcmp(style, "stacked") || !strcmp(style, "bars");
	GString *s = g_string_new("set terminal svg size 720,400 font 'sans,11' background '#ffffff'\n");

	g_string_append(s, "set output ");
	append_quoted(s, svg);
	g_string_append(s, "\nset datafile missing '?'\nset key outside right top\nset grid ytics\n"
			   "set yrange [0:*]\nset xtics rotate by -30\nset title ");
	append_quoted(s, json_object_get_string_member(plot, "title"));
	g_string_append(s, " noenhanced\nset xlabel ");
	append_quoted(s, json_object_get_string_member(plot, "x"));
	g_string_append(s, " noenhanced\nset ylabel ");
	append_quoted(s, json_object_get_null_member(plot, "y") ? "" : json_object_get_string_member(plot, "y"));
	g_string_append(s, " noenhanced\n");
	if (stacked)
		g_string_append(s, "set style data histograms\nset style histogram rowstacked\n"
				   "set style fill solid 0.8 border -1\nset boxwidth 0.6\n");
	g_string_append(s, "plot ");
	for (guint i = 0; i < json_array_get_length(series); i++) {
		g_string_append(s, i ? ", " : "");
		append_quoted(s, data);
		if (stacked)
			g_string_append_printf(s, " using %u:xtic(1) title ", i + 2);
		else
			g_string_append_printf(s, " using 0:%u:xtic(1) with linespoints pointtype 7 title ",
					       i + 2);
		append_quoted(s, json_object_get_string_member(json_array_get_object_element(series, i),
							       "label"));
		g_string_append(s, " noenhanced");
	}
	append_seed_lines(s, plot);
	g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

static gboolean run_gnuplot(const char *script_path, GString *error)
{
	const char *argv[] = { "gnuplot", script_path, NULL };
	gchar *err = NULL;
	GError *gerr = NULL;
	int status;
	gboolean ok = g_spawn_sync(NULL, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH |
				   G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &gerr);

	if (!ok) {
		g_string_printf(error, "gnuplot: %s (install gnuplot-nox)", gerr->message);
		g_error_free(gerr);
	} else if (!(ok = g_spawn_check_wait_status(status, NULL))) {
		g_string_printf(error, "gnuplot failed: %s", err ? err : "");
	}
	g_free(err);
	return ok;
}

/* Draw it in the scratch directory `dir`: the SVG text, or NULL. */
static gchar *draw(JsonObject *plot, JsonArray *series, GPtrArray *xs, const char *dir,
		   GString *error)
{
	gchar *data = g_build_filename(dir, "data", NULL), *svg = g_build_filename(dir, "plot.svg", NULL);
	gchar *gp = g_build_filename(dir, "plot.gp", NULL), *table = data_table(series, xs);
	gchar *text = script(plot, series, data, svg), *out = NULL, *start = NULL;

	if (g_file_set_contents(data, table, -1, NULL) && g_file_set_contents(gp, text, -1, NULL) &&
	    run_gnuplot(gp, error) && g_file_get_contents(svg, &out, NULL, NULL))
		start = strstr(out, "<svg");
	if (start)
		memmove(out, start, strlen(start) + 1);
	else if (!error->len)
		g_string_assign(error, "gnuplot wrote no SVG");
	if (!start)
		g_clear_pointer(&out, g_free);
	unlink(data);
	unlink(svg);
	unlink(gp);
	g_free(data);
	g_free(svg);
	g_free(gp);
	g_free(table);
	g_free(text);
	return out;
}

gchar *plot_svg(JsonObject *plot, GString *error)
{
	JsonArray *series = json_object_get_array_member(plot, "series");
	GPtrArray *xs = plot_categories(series);
	gchar *dir = xs->len ? g_dir_make_tmp("mmusim-plot-XXXXXX", NULL) : NULL, *out = NULL;

	if (!xs->len)
		g_string_assign(error, "no points to plot");
	else if (!dir)
		g_string_assign(error, "no temporary directory for gnuplot");
	else
		out = draw(plot, series, xs, dir, error);
	if (dir)
		rmdir(dir);
	g_free(dir);
	g_ptr_array_free(xs, TRUE);
	return out;
}
