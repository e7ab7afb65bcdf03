/*
 * model: building the report tree (see model.h).  Every node owns copies of
 * its strings and its members; report_free() takes the whole tree.
 */
#include "report/model.h"

#include <stdarg.h>
#include <string.h>

static void free_node(gpointer data)
{
	struct report_node *node = data;

	g_free(node->key);
	g_free(node->label);
	g_free(node->suffix);
	g_free(node->shown_after);
	if (node->type == REPORT_STRING)
		g_free(node->string);
	if (node->members)
		g_ptr_array_free(node->members, TRUE);
	if (node->columns)
		g_array_free(node->columns, TRUE);
	g_free(node);
}

static void clear_column(gpointer data)
{
	struct report_column *c = data;

	g_free(c->key);
	g_free(c->title);
}

static struct report_node *new_node(enum report_type type, const char *key, const char *label)
{
	struct report_node *node = g_new0(struct report_node, 1);

	node->type = type;
	node->key = g_strdup(key);
	node->label = g_strdup(label);
	node->text = label ? TEXT_LINE : TEXT_NONE;
	if (type == REPORT_SECTION || type == REPORT_LIST)
		node->members = g_ptr_array_new_with_free_func(free_node);
	return node;
}

/* Append `node` to `parent`; a section's members need keys, a list's none. */
static struct report_node *add(struct report_node *parent, struct report_node *node)
{
	g_assert(parent->members);
	g_assert((parent->type == REPORT_SECTION) == (node->key != NULL));
	g_ptr_array_add(parent->members, node);
	return node;
}

struct report_node *report_new(const char *title)
{
	struct report_node *root = new_node(REPORT_SECTION, NULL, title);

	root->text = TEXT_BLOCK;
	return root;
}

void report_free(struct report_node *root)
{
	if (root)
		free_node(root);
}

static struct report_node *add_container(struct report_node *parent, enum report_type type,
					 const char *key, const char *label, enum report_text text)
{
	struct report_node *node = new_node(type, key, label);

	node->text = text;
	if (text == TEXT_TABLE) {
		node->columns = g_array_new(FALSE, FALSE, sizeof(struct report_column));
		g_array_set_clear_func(node->columns, clear_column);
	}
	return add(parent, node);
}

struct report_node *report_add_section(struct report_node *parent, const char *key, const char *label,
				       enum report_text text)
{
	return add_container(parent, REPORT_SECTION, key, label, text);
}

struct report_node *report_add_list(struct report_node *parent, const char *key, const char *label,
				    enum report_text text)
{
	return add_container(parent, REPORT_LIST, key, label, text);
}

struct report_node *report_add_count(struct report_node *parent, const char *key, const char *label,
				     uint64_t n)
{
	struct report_node *node = new_node(REPORT_COUNT, key, label);

	node->count = n;
	return add(parent, node);
}

struct report_node *report_add_real(struct report_node *parent, const char *key, const char *label,
				    double x, int decimals)
{
	struct report_node *node = new_node(REPORT_REAL, key, label);

	node->real = x;
	node->decimals = decimals;
	return add(parent, node);
}

struct report_node *report_add_string(struct report_node *parent, const char *key, const char *s)
{
	struct report_node *node = new_node(REPORT_STRING, key, NULL);

	node->string = g_strdup(s);
	return add(parent, node);
}

struct report_node *report_add_bool(struct report_node *parent, const char *key, bool value)
{
	struct report_node *node = new_node(REPORT_BOOL, key, NULL);

	node->flag = value;
	return add(parent, node);
}

struct report_node *report_set_text(struct report_node *node, enum report_text text)
{
	node->text = text;
	return node;
}

void report_set_suffix(struct report_node *node, const char *fmt, ...)
{
	va_list ap;

	g_free(node->suffix);
	va_start(ap, fmt);
	node->suffix = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

void report_show_after(struct report_node *node, const char *sibling_key)
{
	g_free(node->shown_after);
	node->shown_after = g_strdup(sibling_key);
}

void report_add_column(struct report_node *table, const char *key, const char *title, int width)
{
	struct report_column c = { .key = g_strdup(key), .title = g_strdup(title), .width = width };

	g_assert(table->columns);
	g_array_append_val(table->columns, c);
}

const struct report_node *report_find(const struct report_node *node, const char *key)
{
	for (guint i = 0; node->members && i < node->members->len; i++) {
		const struct report_node *member = g_ptr_array_index(node->members, i);

		if (member->key && !strcmp(member->key, key))
			return member;
	}
	return NULL;
}
