/*
 * answers: see answers.h.
 */
#include "lab/answers.h"

#include <stdint.h>
#include <string.h>

#include "lab/lab.h"
#include "util/parse.h"

static bool known_key(GPtrArray *questions, const char *key)
{
	for (guint i = 0; i < questions->len; i++)
		if (!strcmp(((struct lab_question *)g_ptr_array_index(questions, i))->key, key))
			return true;
	return false;
}

/* One line into `answers`; false with `error` set. */
static bool read_line(GHashTable *answers, GPtrArray *questions, const char *path, unsigned n,
		      char *line, GString *error)
{
	char *eq, *key, *value;

	g_strstrip(line);
	if (!*line || *line == '#')
		return true;
	if (!(eq = strchr(line, '='))) {
		g_string_printf(error, "%s:%u: expected KEY = VALUE", path, n);
		return false;
	}
	*eq = '\0';
	key = g_strstrip(line);
	value = g_strstrip(eq + 1);
	if (!known_key(questions, key)) {
		g_string_printf(error, "%s:%u: no question '%s' in this lab", path, n, key);
		return false;
	}
	if (g_hash_table_contains(answers, key)) {
		g_string_printf(error, "%s:%u: '%s' answered twice", path, n, key);
		return false;
	}
	if (*value)
		g_hash_table_insert(answers, g_strdup(key), g_strdup(value));
	return true;
}

GHashTable *answers_read(const char *path, GPtrArray *questions, GString *error)
{
	GHashTable *answers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	gchar *text = NULL, **lines;
	gsize len = 0;
	GError *gerr = NULL;
	bool ok = true;

	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		g_string_printf(error, "%s", gerr->message);
		g_error_free(gerr);
		g_hash_table_unref(answers);
		return NULL;
	}
	if (memchr(text, '\0', len) || !g_utf8_validate(text, (gssize)len, NULL)) {
		g_string_printf(error, "%s: not a text file", path);
		ok = false;
	}
	lines = g_strsplit(text, "\n", -1);
	for (unsigned i = 0; ok && lines[i]; i++)
		ok = read_line(answers, questions, path, i + 1, lines[i], error);
	g_strfreev(lines);
	g_free(text);
	if (!ok)
		g_clear_pointer(&answers, g_hash_table_unref);
	return answers;
}

/* Lower case, blanks runs made one space. */
static gchar *normalise(const char *s)
{
	GString *out = g_string_new(NULL);

	for (; *s; s++) {
		if (g_ascii_isspace(*s)) {
			if (out->len && out->str[out->len - 1] != ' ')
				g_string_append_c(out, ' ');
			continue;
		}
		g_string_append_c(out, g_ascii_tolower(*s));
	}
	g_strchomp(out->str);
	return g_string_free(out, FALSE);
}

bool answers_match(const char *given, const char *truth)
{
	uint64_t a, b;
	gchar *x, *y;
	bool same;

	if (parse_u64(given, 0, &a) && parse_u64(truth, 0, &b))
		return a == b;
	x = normalise(given);
	y = normalise(truth);
	same = !strcmp(x, y);
	g_free(x);
	g_free(y);
	return same;
}
