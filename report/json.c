/*
 * json: a report as a JSON document (see json.h), built with json-glib.
 */
#include "report/json.h"

#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

static void add_node(JsonBuilder *b, const struct report_node *node);

void report_json_add_string(JsonBuilder *b, const char *key, const char *value)
{
	json_builder_set_member_name(b, key);
	if (value)
		json_builder_add_string_value(b, value);
	else
		json_builder_add_null_value(b);
}

static void add_count(JsonBuilder *b, uint64_t n)
{
	char digits[24];

	if (n <= INT64_MAX) {
		json_builder_add_int_value(b, (gint64)n);
		return;
	}
	snprintf(digits, sizeof(digits), "%" PRIu64, n);
	json_builder_add_string_value(b, digits);
}

static void add_real(JsonBuilder *b, double x)
{
	if (isfinite(x) && fabs(x) < 1e17)
		json_builder_add_double_value(b, x);
	else
		json_builder_add_null_value(b);
}

static void add_string(JsonBuilder *b, const char *s)
{
	gchar *valid;

	if (!s) {
		json_builder_add_null_value(b);
		return;
	}
	valid = g_utf8_make_valid(s, -1);
	json_builder_add_string_value(b, valid);
	g_free(valid);
}

static void add_members(JsonBuilder *b, const struct report_node *container)
{
	for (guint i = 0; i < container->members->len; i++) {
		const struct report_node *member = g_ptr_array_index(container->members, i);

		if (member->key)
			json_builder_set_member_name(b, member->key);
		add_node(b, member);
	}
}

static void add_node(JsonBuilder *b, const struct report_node *node)
{
	switch (node->type) {
	case REPORT_COUNT:
		add_count(b, node->count);
		break;
	case REPORT_REAL:
		add_real(b, node->real);
		break;
	case REPORT_STRING:
		add_string(b, node->string);
		break;
	case REPORT_BOOL:
		json_builder_add_boolean_value(b, node->flag);
		break;
	case REPORT_SECTION:
		json_builder_begin_object(b);
		add_members(b, node);
		json_builder_end_object(b);
		break;
	case REPORT_LIST:
		json_builder_begin_array(b);
		add_members(b, node);
		json_builder_end_array(b);
		break;
	}
}

gchar *report_to_json(const struct report_node *root)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *gen = json_generator_new();
	JsonNode *doc;
	gchar *text;

	add_node(b, root);
	doc = json_builder_get_root(b);
	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, doc);
	text = json_generator_to_data(gen, NULL);
	json_node_unref(doc);
	g_object_unref(gen);
	g_object_unref(b);
	return text;
}
