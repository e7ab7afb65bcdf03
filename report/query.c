/*
 * query: see query.h.
 */
#include "report/query.h"

#include <string.h>

/* The string member `key` of an object node, or NULL. */
static const char *label_of(JsonNode *e, const char *key)
{
	JsonObject *o = JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
	JsonNode *m = o ? json_object_get_member(o, key) : NULL;

	return m && JSON_NODE_HOLDS_VALUE(m) && json_node_get_value_type(m) == G_TYPE_STRING ?
	       json_node_get_string(m) : NULL;
}

static JsonNode *element_named(JsonArray *array, const char *name)
{
	for (guint i = 0; i < json_array_get_length(array); i++) {
		JsonNode *e = json_array_get_element(array, i);
		static const char *const keys[] = { "kind", "name", "device" };

		for (size_t k = 0; k < G_N_ELEMENTS(keys); k++) {
			const char *label = label_of(e, keys[k]);

			if (label && !strcmp(label, name))
				return e;
		}
	}
	return NULL;
}

static JsonNode *step(JsonNode *node, const char *name)
{
	if (JSON_NODE_HOLDS_OBJECT(node))
		return json_object_get_member(json_node_get_object(node), name);
	if (JSON_NODE_HOLDS_ARRAY(node))
		return element_named(json_node_get_array(node), name);
	return NULL;
}

JsonNode *report_query(JsonNode *root, const char *path)
{
	gchar **names = g_strsplit(path, "/", -1);
	JsonNode *node = root;

	for (gchar **n = names; *n && node; n++)
		node = step(node, *n);
	g_strfreev(names);
	return node;
}

bool report_query_number(JsonNode *root, const char *path, double *out)
{
	JsonNode *node = report_query(root, path);
	GType type;

	if (!node || !JSON_NODE_HOLDS_VALUE(node))
		return false;
	type = json_node_get_value_type(node);
	if (type == G_TYPE_INT64)
		*out = (double)json_node_get_int(node);
	else if (type == G_TYPE_DOUBLE)
		*out = json_node_get_double(node);
	else
		return false;
	return true;
}
