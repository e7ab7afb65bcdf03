/*
 * html: see html.h.
 */
#include "compare/html.h"

#include "compare/plot.h"

static void escape(GString *out, const char *text)
{
	gchar *e = g_markup_escape_text(text ? text : "", -1);

	g_string_append(out, e);
	g_free(e);
}

static const char *string_or(JsonObject *o, const char *key, const char *otherwise)
{
	JsonNode *n = json_object_get_member(o, key);

	return n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_string(n) : otherwise;
}

/* One row per x category (of any series), one column per series. */
static void table_of(GString *out, JsonObject *plot)
{
	JsonArray *series = json_object_get_array_member(plot, "series");
	GPtrArray *xs = plot_categories(series);
	double y;

	g_string_append(out, "<table><tr><th>");
	escape(out, string_or(plot, "x", ""));
	for (guint s = 0; s < json_array_get_length(series); s++) {
		g_string_append(out, "</th><th>");
		escape(out, string_or(json_array_get_object_element(series, s), "label", ""));
	}
	g_string_append(out, "</th></tr>\n");
	for (guint i = 0; i < xs->len; i++) {
		g_string_append(out, "<tr><td>");
		escape(out, xs->pdata[i]);
		for (guint s = 0; s < json_array_get_length(series); s++) {
			if (plot_point_y(json_array_get_object_element(series, s), xs->pdata[i], &y))
				g_string_append_printf(out, "</td><td class=n>%.6g", y);
			else
				g_string_append(out, "</td><td class=n>&ndash;");
		}
		g_string_append(out, "</td></tr>\n");
	}
	g_string_append(out, "</table>\n");
	g_ptr_array_free(xs, TRUE);
}

static void seed_figures_of(GString *out, JsonObject *plot)
{
	JsonArray *seed = json_object_has_member(plot, "seed") ?
			  json_object_get_array_member(plot, "seed") : NULL;

	if (!seed || !json_array_get_length(seed))
		return;
	g_string_append(out, "<p class=seed>The seed's own figures: ");
	for (guint i = 0; i < json_array_get_length(seed); i++) {
		JsonObject *f = json_array_get_object_element(seed, i);

		g_string_append(out, i ? "; " : "");
		escape(out, json_object_get_string_member(f, "label"));
		g_string_append_printf(out, " %.6g", json_object_get_double_member(f, "y"));
	}
	g_string_append(out, "</p>\n");
}

static void section_of(GString *out, JsonObject *plot)
{
	GString *error = g_string_new(NULL);
	gchar *svg = plot_svg(plot, error);

	g_string_append(out, "<section class=plot><h2>");
	escape(out, string_or(plot, "title", ""));
	g_string_append(out, "</h2>\n");
	if (svg)
		g_string_append_printf(out, "<div class=figure>%s</div>\n", svg);
	else
		g_string_append_printf(out, "<p class=missing>no plot: %s</p>\n", error->str);
	if (json_array_get_length(json_object_get_array_member(plot, "series")))
		table_of(out, plot);
	seed_figures_of(out, plot);
	g_string_append(out, "</section>\n");
	g_free(svg);
	g_string_free(error, TRUE);
}

static void runs_of(GString *out, JsonArray *runs)
{
	g_string_append(out, "<section><h2>Runs</h2>\n<table><tr><th>run</th><th>status</th>"
			     "<th>command</th></tr>\n");
	for (guint i = 0; i < json_array_get_length(runs); i++) {
		JsonObject *r = json_array_get_object_element(runs, i);

		g_string_append(out, "<tr><td>");
		escape(out, string_or(r, "id", ""));
		g_string_append_printf(out, "</td><td class=%s>", string_or(r, "status", "?"));
		escape(out, string_or(r, "status", ""));
		g_string_append(out, "</td><td><code>");
		escape(out, string_or(r, "command", string_or(r, "report", "")));
		g_string_append(out, "</code>");
		if (string_or(r, "error", NULL)) {
			g_string_append(out, "<pre>");
			escape(out, string_or(r, "error", ""));
			g_string_append(out, "</pre>");
		}
		g_string_append(out, "</td></tr>\n");
	}
	g_string_append(out, "</table></section>\n");
}

static const char style[] =
	"body{font-family:sans-serif;margin:2em;max-width:70em}"
	"table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .6em}"
	"td.n{text-align:right}td.failed{color:#b00}code{font-size:90%}"
	"pre{background:#f6f6f6;max-height:12em;overflow:auto}";

gboolean html_write(JsonNode *results, const char *path, GString *error)
{
	JsonObject *doc = json_node_get_object(results);
	JsonArray *plots = json_object_get_array_member(doc, "plots");
	GString *out = g_string_new("<!DOCTYPE html>\n<html><head><meta charset=utf-8><title>");
	GError *gerr = NULL;
	gboolean ok;

	escape(out, string_or(doc, "title", "mmusim"));
	g_string_append_printf(out, "</title><style>%s</style></head><body>\n<h1>", style);
	escape(out, string_or(doc, "title", "mmusim"));
	g_string_append(out, "</h1>\n");
	for (guint i = 0; i < json_array_get_length(plots); i++)
		section_of(out, json_array_get_object_element(plots, i));
	runs_of(out, json_object_get_array_member(doc, "runs"));
	g_string_append(out, "</body></html>\n");
	ok = g_file_set_contents(path, out->str, (gssize)out->len, &gerr);
	if (!ok) {
		g_string_printf(error, "%s: %s", path, gerr->message);
		g_error_free(gerr);
	}
	g_string_free(out, TRUE);
	return ok;
}
