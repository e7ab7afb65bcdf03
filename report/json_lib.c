/*
 * json_lib: mmusim loads json-glib itself, with dlopen, the first time it
 * calls one of its functions, instead of linking it (util/lazylib.h).
 *
 * WHY: json-glib brings GObject and GIO with it, and with them libffi,
 * PCRE2, libmount, libselinux and libblkid: linked, they were mapped and
 * relocated at every start, and GObject's type system was set up, about
 * 0.9 ms of the 1.5 ms `mmusim --version` cost.  Only commands that read or
 * write JSON need them (a --report, `mmusim report`, compare, lab,
 * --explain's JSON); a replay's --stats or --summary, --version and a run
 * without a report do not.
 *
 * The functions below are the json-glib and GObject functions mmusim
 * calls; dlsym finds g_object_unref in GObject, which json-glib's handle
 * brought in.  GLib itself stays linked (mmusim uses it everywhere), so
 * json-glib's own calls of GLib bind to the same copy as mmusim's.  A
 * json-glib that is missing or lacks a function stops mmusim with status
 * 70 and a message naming the library, the function and dlerror().
 */
#include "report/json_lib.h"

#include <json-glib/json-glib.h>

#include "util/lazylib.h"

#define JSON_FORWARDED(X)									\
	X(JsonNode *, json_array_get_element, (JsonArray *array, guint index_), (array, index_))	\
	X(guint, json_array_get_length, (JsonArray *array), (array))				\
	X(JsonObject *, json_array_get_object_element, (JsonArray *array, guint index_),	\
	  (array, index_))									\
	X(JsonBuilder *, json_builder_new, (void), ())						\
	X(JsonBuilder *, json_builder_begin_array, (JsonBuilder *builder), (builder))		\
	X(JsonBuilder *, json_builder_end_array, (JsonBuilder *builder), (builder))		\
	X(JsonBuilder *, json_builder_begin_object, (JsonBuilder *builder), (builder))		\
	X(JsonBuilder *, json_builder_end_object, (JsonBuilder *builder), (builder))		\
	X(JsonBuilder *, json_builder_set_member_name, (JsonBuilder *builder,			\
							 const gchar *member_name),		\
	  (builder, member_name))								\
	X(JsonBuilder *, json_builder_add_boolean_value, (JsonBuilder *builder, gboolean value),	\
	  (builder, value))									\
	X(JsonBuilder *, json_builder_add_double_value, (JsonBuilder *builder, gdouble value),	\
	  (builder, value))									\
	X(JsonBuilder *, json_builder_add_int_value, (JsonBuilder *builder, gint64 value),	\
	  (builder, value))									\
	X(JsonBuilder *, json_builder_add_null_value, (JsonBuilder *builder), (builder))	\
	X(JsonBuilder *, json_builder_add_string_value, (JsonBuilder *builder,			\
							  const gchar *value), (builder, value))	\
	X(JsonNode *, json_builder_get_root, (JsonBuilder *builder), (builder))		\
	X(JsonGenerator *, json_generator_new, (void), ())					\
	X(gchar *, json_generator_to_data, (JsonGenerator *generator, gsize *length),		\
	  (generator, length))									\
	X(gboolean, json_generator_to_file, (JsonGenerator *generator, const gchar *filename,	\
					     GError **error), (generator, filename, error))	\
	X(JsonArray *, json_node_get_array, (JsonNode *node), (node))				\
	X(gdouble, json_node_get_double, (JsonNode *node), (node))				\
	X(gint64, json_node_get_int, (JsonNode *node), (node))					\
	X(JsonNodeType, json_node_get_node_type, (JsonNode *node), (node))			\
	X(JsonObject *, json_node_get_object, (JsonNode *node), (node))			\
	X(const gchar *, json_node_get_string, (JsonNode *node), (node))			\
	X(GType, json_node_get_value_type, (JsonNode *node), (node))				\
	X(JsonArray *, json_object_get_array_member, (JsonObject *object,			\
						      const gchar *member_name),		\
	  (object, member_name))								\
	X(gdouble, json_object_get_double_member, (JsonObject *object, const gchar *member_name),	\
	  (object, member_name))								\
	X(gint64, json_object_get_int_member, (JsonObject *object, const gchar *member_name),	\
	  (object, member_name))								\
	X(JsonNode *, json_object_get_member, (JsonObject *object, const gchar *member_name),	\
	  (object, member_name))								\
	X(GList *, json_object_get_members, (JsonObject *object), (object))			\
	X(gboolean, json_object_get_null_member, (JsonObject *object, const gchar *member_name),	\
	  (object, member_name))								\
	X(JsonObject *, json_object_get_object_member, (JsonObject *object,			\
							const gchar *member_name),		\
	  (object, member_name))								\
	X(const gchar *, json_object_get_string_member, (JsonObject *object,			\
							 const gchar *member_name),		\
	  (object, member_name))								\
	X(gboolean, json_object_has_member, (JsonObject *object, const gchar *member_name),	\
	  (object, member_name))								\
	X(JsonParser *, json_parser_new, (void), ())						\
	X(JsonNode *, json_parser_get_root, (JsonParser *parser), (parser))			\
	X(gboolean, json_parser_load_from_data, (JsonParser *parser, const gchar *data,		\
						 gssize length, GError **error),		\
	  (parser, data, length, error))							\
	X(gboolean, json_parser_load_from_file, (JsonParser *parser, const gchar *filename,	\
						 GError **error), (parser, filename, error))
#define JSON_VOIDS(X)										\
	X(void, json_generator_set_indent, (JsonGenerator *generator, guint indent_level),	\
	  (generator, indent_level))								\
	X(void, json_generator_set_pretty, (JsonGenerator *generator, gboolean is_pretty),	\
	  (generator, is_pretty))								\
	X(void, json_generator_set_root, (JsonGenerator *generator, JsonNode *node),		\
	  (generator, node))									\
	X(void, json_node_unref, (JsonNode *node), (node))					\
	X(void, g_object_unref, (gpointer object), (object))

#define JSON_SYMBOL(ret, name, params, args)	LAZYLIB_SYMBOL(json_glib, name)

static struct {
	struct lazylib lib;
	JSON_FORWARDED(LAZYLIB_POINTER)
	JSON_VOIDS(LAZYLIB_POINTER)
} json_glib = { .lib = { JSON_GLIB_SONAME, "JSON" } };

static const struct lazylib_symbol json_symbols[] = {
	JSON_FORWARDED(JSON_SYMBOL)
	JSON_VOIDS(JSON_SYMBOL)
};

bool json_glib_load(GString *why)
{
	return lazylib_load(&json_glib.lib, json_symbols, G_N_ELEMENTS(json_symbols), why);
}

#define JSON_FORWARD(ret, name, params, args)	LAZYLIB_FORWARD(json_glib, ret, name, params, args)
#define JSON_FORWARD_VOID(ret, name, params, args)					\
	LAZYLIB_FORWARD_VOID(json_glib, ret, name, params, args)

JSON_FORWARDED(JSON_FORWARD)
JSON_VOIDS(JSON_FORWARD_VOID)
