/*
 * suite: see suite.h.  A file is first checked line by line (so that a
 * malformed line is reported with its number, which GKeyFile does not
 * give), then read with GKeyFile; runs are expanded over the product of
 * their sweeps in order, the last sweep varying fastest.
 */
#include "compare/suite.h"

#include <stdarg.h>
#include <string.h>

#include "compare/builtin.h"
#include "lab/measure.h"

static gboolean fail(GString *error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean fail(GString *error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_string_vprintf(error, fmt, ap);
	va_end(ap);
	return FALSE;
}

/* Every line blank, a comment, a [group] or KEY = VALUE. */
static gboolean check_lines(const char *name, const char *text, GString *error)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	gboolean ok = TRUE;

	for (unsigned i = 0; ok && lines[i]; i++) {
		const char *l = g_strstrip(lines[i]);

		if (!*l || *l == '#')
			continue;
		if (*l == '[')
			ok = l[strlen(l) - 1] == ']' && (g_str_has_prefix(l, "[run ") ||
							 g_str_has_prefix(l, "[plot ") || !strcmp(l, "[suite]")) ?
			     TRUE : fail(error, "%s:%u: expected [suite], [run NAME] or [plot NAME]", name, i + 1);
		else if (!strchr(l, '=') || *l == '=')
			ok = fail(error, "%s:%u: expected KEY = VALUE", name, i + 1);
	}
	g_strfreev(lines);
	return ok;
}

static void free_params(GArray *params)
{
	for (guint i = 0; i < params->len; i++) {
		g_free(g_array_index(params, struct suite_param, i).name);
		g_free(g_array_index(params, struct suite_param, i).value);
	}
	g_array_free(params, TRUE);
}

static void free_run(gpointer data)
{
	struct suite_run *r = data;

	free_params(r->params);
	g_ptr_array_free(r->argv, TRUE);
	g_free(r->id);
	g_free(r->name);
	g_free(r);
}

static void free_series(gpointer data)
{
	struct suite_series *s = data;

	free_params(s->filter);
	g_free(s->run);
	g_free(s->figure);
	g_free(s->label);
	g_free(s);
}

static void free_plot(gpointer data)
{
	struct suite_plot *p = data;

	g_free(p->name);
	g_free(p->title);
	g_free(p->x);
	g_free(p->y);
	g_free(p->style);
	g_ptr_array_free(p->series, TRUE);
	if (p->breakdown)
		free_series(p->breakdown);
	for (guint i = 0; i < p->seeds->len; i++)
		g_free(g_array_index(p->seeds, struct suite_seed_figure, i).label);
	g_array_free(p->seeds, TRUE);
	g_free(p);
}

void suite_free(struct suite *s)
{
	if (!s)
		return;
	g_ptr_array_free(s->runs, TRUE);
	g_ptr_array_free(s->plots, TRUE);
	g_free(s->name);
	g_free(s->title);
	g_free(s);
}

const char *suite_run_param(const struct suite_run *r, const char *name)
{
	for (guint i = 0; i < r->params->len; i++)
		if (!strcmp(g_array_index(r->params, struct suite_param, i).name, name))
			return g_array_index(r->params, struct suite_param, i).value;
	return NULL;
}

/* `text` with each ${P} replaced by the run's value. */
static gchar *substitute(const struct suite_run *r, const char *text)
{
	GString *out = g_string_new(text);

	for (guint i = 0; i < r->params->len; i++) {
		const struct suite_param *p = &g_array_index(r->params, struct suite_param, i);
		gchar *pattern = g_strdup_printf("${%s}", p->name);

		g_string_replace(out, pattern, p->value, 0);
		g_free(pattern);
	}
	return g_string_free(out, FALSE);
}

static void add_words(GPtrArray *argv, const struct suite_run *r, const char *text, bool guest)
{
	gchar *expanded = substitute(r, text);
	gchar **words = g_strsplit_set(g_strstrip(expanded), " \t", -1);

	for (gchar **w = words; *w; w++) {
		if (!**w)
			continue;
		if (guest && !strchr(*w, '/'))
			g_ptr_array_add(argv, lab_guest_path(*w));
		else
			g_ptr_array_add(argv, g_strdup(*w));
		guest = false;
	}
	g_strfreev(words);
	g_free(expanded);
}

/* The run of group `group` for the parameter values in `params`. */
static struct suite_run *make_run(GKeyFile *kf, const char *group, GArray *params)
{
	struct suite_run *r = g_new0(struct suite_run, 1);
	gchar *options = g_key_file_get_string(kf, group, "options", NULL);
	gchar *command = g_key_file_get_string(kf, group, "command", NULL);
	gchar **sets = g_key_file_get_string_list(kf, group, "set", NULL, NULL);
	GString *id = g_string_new(group + 4);

	r->name = g_strdup(group + 4);
	r->params = params;
	r->timeout = g_key_file_has_key(kf, group, "timeout", NULL) ?
		     (unsigned)g_key_file_get_integer(kf, group, "timeout", NULL) : 600;
	r->argv = g_ptr_array_new_with_free_func(g_free);
	for (guint i = 0; i < params->len; i++)
		g_string_append_printf(id, "%c%s=%s", i ? ',' : '@',
				       g_array_index(params, struct suite_param, i).name,
				       g_array_index(params, struct suite_param, i).value);
	r->id = g_string_free(id, FALSE);
	if (options)
		add_words(r->argv, r, options, false);
	for (gchar **s = sets; s && *s; s++) {
		g_ptr_array_add(r->argv, g_strdup("--set"));
		add_words(r->argv, r, *s, false);
	}
	add_words(r->argv, r, command, true);
	g_ptr_array_add(r->argv, NULL);
	g_free(options);
	g_free(command);
	g_strfreev(sets);
	return r;
}

/* sweep.P = V1,V2,...: one name, one word per value; sweep.P+Q = V1 W1,
 * V2 W2, ...: the parameters go together, a word each per value. */
struct sweep {
	gchar **names;
	GPtrArray *values;	/* gchar **: a word per name */
};

/* Add the runs of `group` for every combination of sweeps[k..], with the
 * values picked so far in `chosen`. */
static void expand(struct suite *s, GKeyFile *kf, const char *group, struct sweep *sweeps, int n,
		   int k, GArray *chosen)
{
	if (k == n) {
		GArray *params = g_array_new(FALSE, FALSE, sizeof(struct suite_param));

		for (guint i = 0; i < chosen->len; i++) {
			struct suite_param p = g_array_index(chosen, struct suite_param, i);

			p.name = g_strdup(p.name);
			p.value = g_strdup(p.value);
			g_array_append_val(params, p);
		}
		g_ptr_array_add(s->runs, make_run(kf, group, params));
		return;
	}
	for (guint v = 0; v < sweeps[k].values->len; v++) {
		gchar **words = g_ptr_array_index(sweeps[k].values, v);
		guint names = g_strv_length(sweeps[k].names);

		for (guint i = 0; i < names; i++) {
			struct suite_param p = { sweeps[k].names[i], words[i] };

			g_array_append_val(chosen, p);
		}
		expand(s, kf, group, sweeps, n, k + 1, chosen);
		g_array_set_size(chosen, chosen->len - names);
	}
}

/* The values of sweep key `key`: false with `error` when one has not a
 * word for each name. */
static gboolean read_sweep(GKeyFile *kf, const char *name, const char *group, const char *key,
			   struct sweep *sw, GString *error)
{
	gchar *list = g_key_file_get_string(kf, group, key, NULL);
	gchar **items = g_strsplit(list, ",", -1);
	gboolean ok = TRUE;

	sw->names = g_strsplit(key + 6, "+", -1);
	sw->values = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	for (gchar **i = items; ok && *i; i++) {
		gchar **words = g_strsplit_set(g_strstrip(*i), " \t", -1);
		gchar **kept = g_new0(gchar *, g_strv_length(words) + 1);
		guint n = 0;

		for (gchar **w = words; *w; w++)
			if (**w)
				kept[n++] = g_strdup(*w);
		g_strfreev(words);
		g_ptr_array_add(sw->values, kept);
		if (n != g_strv_length(sw->names))
			ok = fail(error, "%s: [%s]: %s: '%s' needs %u words", name, group, key,
				  g_strstrip(*i), g_strv_length(sw->names));
	}
	g_strfreev(items);
	g_free(list);
	return ok;
}

static gboolean read_run(struct suite *s, GKeyFile *kf, const char *name, const char *group,
			 GString *error)
{
	gchar **keys = g_key_file_get_keys(kf, group, NULL, NULL);
	struct sweep sweeps[8];
	int n = 0;
	GArray *chosen = g_array_new(FALSE, FALSE, sizeof(struct suite_param));
	gboolean ok = g_key_file_has_key(kf, group, "command", NULL) ? TRUE :
		      fail(error, "%s: [%s]: no command", name, group);

	for (gchar **k = keys; ok && *k; k++) {
		if (g_str_has_prefix(*k, "sweep.") && n == (int)G_N_ELEMENTS(sweeps)) {
			ok = fail(error, "%s: [%s]: more than %d sweeps", name, group, n);
		} else if (g_str_has_prefix(*k, "sweep.")) {
			ok = read_sweep(kf, name, group, *k, &sweeps[n++], error);
		} else if (strcmp(*k, "command") && strcmp(*k, "options") && strcmp(*k, "set") &&
			   strcmp(*k, "timeout")) {
			ok = fail(error, "%s: [%s]: unknown key '%s'", name, group, *k);
		}
	}
	if (ok && g_key_file_has_key(kf, group, "timeout", NULL) &&
	    g_key_file_get_integer(kf, group, "timeout", NULL) <= 0)
		ok = fail(error, "%s: [%s]: timeout must be a positive number of seconds", name, group);
	if (ok)
		expand(s, kf, group, sweeps, n, 0, chosen);
	for (int i = 0; i < n; i++) {
		g_strfreev(sweeps[i].names);
		g_ptr_array_free(sweeps[i].values, TRUE);
	}
	g_array_free(chosen, TRUE);
	g_strfreev(keys);
	return ok;
}

static bool run_exists(const struct suite *s, const char *name)
{
	for (guint i = 0; i < s->runs->len; i++)
		if (!strcmp(((struct suite_run *)g_ptr_array_index(s->runs, i))->name, name))
			return true;
	return false;
}

bool suite_series_takes(const struct suite_series *s, const struct suite_run *r)
{
	if (strcmp(s->run, r->name))
		return false;
	for (guint i = 0; i < s->filter->len; i++) {
		const struct suite_param *f = &g_array_index(s->filter, struct suite_param, i);
		const char *v = suite_run_param(r, f->name);

		if (!v || strcmp(v, f->value))
			return false;
	}
	return true;
}

/* "NAME[P=V,...]": the name, and the filter in `filter`; false if malformed. */
static bool parse_run_ref(const char *ref, char **name, GArray *filter)
{
	const char *open = strchr(ref, '[');
	gchar **pairs;
	bool ok = true;

	if (!open) {
		*name = g_strdup(ref);
		return true;
	}
	*name = g_strndup(ref, (gsize)(open - ref));
	if (ref[strlen(ref) - 1] != ']')
		return false;
	pairs = g_strsplit(open + 1, ",", -1);
	for (gchar **p = pairs; ok && *p; p++) {
		char *eq = strchr(*p, '=');
		struct suite_param f;

		if (!eq || eq == *p) {
			ok = false;
			break;
		}
		f.name = g_strndup(*p, (gsize)(eq - *p));
		f.value = g_strdup(eq + 1);
		if (f.value[0] && f.value[strlen(f.value) - 1] == ']')
			f.value[strlen(f.value) - 1] = '\0';
		g_array_append_val(filter, f);
	}
	g_strfreev(pairs);
	return ok;
}

static gboolean read_series(struct suite *s, struct suite_plot *p, const char *item, const char *name,
			    GString *error)
{
	gchar **parts = g_strsplit(item, "|", 3);
	struct suite_series *series;
	gboolean ok = g_strv_length(parts) >= 2;

	if (!ok) {
		g_strfreev(parts);
		return fail(error, "%s: [plot %s]: series '%s': expected RUN | FIGURE [| LABEL]", name,
			    p->name, item);
	}
	series = g_new0(struct suite_series, 1);
	series->filter = g_array_new(FALSE, FALSE, sizeof(struct suite_param));
	if (!parse_run_ref(g_strstrip(parts[0]), &series->run, series->filter))
		ok = fail(error, "%s: [plot %s]: '%s': expected RUN or RUN[P=V,...]", name, p->name,
			  parts[0]);
	series->figure = g_strdup(g_strstrip(parts[1]));
	series->label = g_strdup(parts[2] ? g_strstrip(parts[2]) : g_strstrip(parts[0]));
	g_ptr_array_add(p->series, series);
	if (ok && !run_exists(s, series->run))
		ok = fail(error, "%s: [plot %s]: no run '%s'", name, p->name, series->run);
	g_strfreev(parts);
	return ok;
}

/* "LABEL | VALUE". */
static gboolean read_seed_figure(struct suite_plot *p, const char *item, const char *name,
				 GString *error)
{
	gchar **parts = g_strsplit(item, "|", 2);
	struct suite_seed_figure f = { NULL, 0 };
	char *end = NULL;
	gboolean ok = g_strv_length(parts) == 2;

	if (ok) {
		f.value = g_ascii_strtod(g_strstrip(parts[1]), &end);
		ok = end != parts[1] && !*end;
	}
	if (ok) {
		f.label = g_strdup(g_strstrip(parts[0]));
		g_array_append_val(p->seeds, f);
	} else {
		fail(error, "%s: [plot %s]: seed '%s': expected LABEL | NUMBER", name, p->name, item);
	}
	g_strfreev(parts);
	return ok;
}

static gboolean read_plot(struct suite *s, GKeyFile *kf, const char *name, const char *group,
			  GString *error)
{
	struct suite_plot *p = g_new0(struct suite_plot, 1);
	gchar **series = g_key_file_get_string_list(kf, group, "series", NULL, NULL);
	gchar **seeds = g_key_file_get_string_list(kf, group, "seed", NULL, NULL);
	gchar *breakdown = g_key_file_get_string(kf, group, "breakdown", NULL);
	gboolean ok = TRUE;

	p->name = g_strdup(group + 5);
	p->title = g_key_file_get_string(kf, group, "title", NULL);
	p->x = g_key_file_get_string(kf, group, "x", NULL);
	p->y = g_key_file_get_string(kf, group, "y", NULL);
	p->style = g_key_file_get_string(kf, group, "style", NULL);
	p->series = g_ptr_array_new_with_free_func(free_series);
	p->seeds = g_array_new(FALSE, FALSE, sizeof(struct suite_seed_figure));
	g_ptr_array_add(s->plots, p);
	if (!p->title)
		p->title = g_strdup(p->name);
	if (!p->x || !series == !breakdown)
		ok = fail(error, "%s: [%s]: needs x, and series or breakdown", name, group);
	else if (p->style && strcmp(p->style, "lines") && strcmp(p->style, "bars"))
		ok = fail(error, "%s: [%s]: style '%s': expected lines or bars", name, group, p->style);
	for (gchar **i = series; ok && i && *i; i++)
		ok = read_series(s, p, *i, name, error);
	if (ok && breakdown && (ok = read_series(s, p, breakdown, name, error)))
		p->breakdown = g_ptr_array_steal_index(p->series, 0);
	for (gchar **i = seeds; ok && i && *i; i++)
		ok = read_seed_figure(p, *i, name, error);
	g_strfreev(series);
	g_strfreev(seeds);
	g_free(breakdown);
	return ok;
}

static struct suite *parse(const char *name, const char *text, GString *error)
{
	GKeyFile *kf = g_key_file_new();
	GError *gerr = NULL;
	struct suite *s = NULL;
	gchar **groups;
	gboolean ok;

	if (!check_lines(name, text, error))
		goto out;
	if (!g_key_file_load_from_data(kf, text, (gsize)-1, G_KEY_FILE_NONE, &gerr)) {
		fail(error, "%s: %s", name, gerr->message);
		g_error_free(gerr);
		goto out;
	}
	s = g_new0(struct suite, 1);
	s->name = g_key_file_get_string(kf, "suite", "name", NULL);
	if (!s->name)
		s->name = g_path_get_basename(name);
	s->title = g_key_file_get_string(kf, "suite", "title", NULL);
	s->runs = g_ptr_array_new_with_free_func(free_run);
	s->plots = g_ptr_array_new_with_free_func(free_plot);
	groups = g_key_file_get_groups(kf, NULL);
	ok = TRUE;
	for (gchar **g = groups; ok && *g; g++)	/* runs first: plots name them */
		if (g_str_has_prefix(*g, "run "))
			ok = read_run(s, kf, name, *g, error);
	for (gchar **g = groups; ok && *g; g++)
		if (g_str_has_prefix(*g, "plot "))
			ok = read_plot(s, kf, name, *g, error);
	if (ok && !s->runs->len)
		ok = fail(error, "%s: no [run NAME] group", name);
	g_strfreev(groups);
	if (!ok)
		g_clear_pointer(&s, suite_free);
	if (s && !s->title)
		s->title = g_strdup(s->name);
out:
	g_key_file_free(kf);
	return s;
}

struct suite *suite_load(const char *name_or_path, GString *error)
{
	const char *builtin = builtin_suite(name_or_path);
	gchar *text = NULL;
	GError *gerr = NULL;
	struct suite *s;

	if (builtin)
		return parse(name_or_path, builtin, error);
	if (!g_file_get_contents(name_or_path, &text, NULL, &gerr)) {
		fail(error, "%s", gerr->message);
		g_error_free(gerr);
		return NULL;
	}
	s = parse(name_or_path, text, error);
	g_free(text);
	return s;
}

char *suite_run_command(const struct suite_run *r, const char *mmusim, const char *report)
{
	GString *cmd = g_string_new(NULL);
	gchar *q = g_shell_quote(mmusim);

	g_string_printf(cmd, "%s run", q);
	g_free(q);
	if (report) {
		q = g_shell_quote(report);
		g_string_append_printf(cmd, " --report %s", q);
		g_free(q);
	}
	for (guint i = 0; i + 1 < r->argv->len; i++) {
		q = g_shell_quote(g_ptr_array_index(r->argv, i));
		g_string_append_printf(cmd, " %s", q);
		g_free(q);
	}
	return g_string_free(cmd, FALSE);
}
