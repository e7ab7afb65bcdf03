/*
 * model: the figures of a run, as one tree, filled once and rendered twice:
 * as the --stats text (report/text) and as the --report JSON document
 * (report/json).  The tree knows nothing of the machine that filled it, so
 * any front end (the emulator, trace replay) can fill it.
 *
 * A node is a value (a count, a real, a string, a boolean) or a container:
 * a section (a JSON object) or a list (a JSON array).  Members keep the
 * order they were added in; that is the JSON order, and the text order but
 * where report_show_after() says otherwise.  Every member of a section has
 * a key (its JSON name); elements of a list have none (key NULL).
 *
 * How a node appears in the text is a property of the node, given when it
 * is added: a label (NULL: the node is not in the text) and a form (enum
 * report_text).  So adding a counter to both outputs is one call:
 *
 *	report_add_count(sched, "forks", "forks", s->forks);
 *
 * Text lines: a value's line is its label, padded so that values start at
 * column 24, and the value in 12 columns; each level of depth indents by
 * two spaces.
 */
#ifndef REPORT_MODEL_H
#define REPORT_MODEL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

enum report_type {
	REPORT_COUNT,		/* uint64_t */
	REPORT_REAL,		/* double */
	REPORT_STRING,		/* text, or NULL (JSON null) */
	REPORT_BOOL,
	REPORT_SECTION,		/* named members */
	REPORT_LIST,		/* elements */
};

/* The text form of a node. */
enum report_text {
	TEXT_NONE,	/* not in the text (nor anything below it) */
	TEXT_LINE,	/* a value: "label  value"; a container: a heading line
			 * "label" (with its TEXT_HEADING member's value, if any)
			 * and its members one level deeper */
	TEXT_INLINE,	/* a container: no line of its own, members at its level */
	TEXT_TOTAL,	/* a section: its heading shows the sum of its counts */
	TEXT_COUNT,	/* a list: its heading shows how many elements it has */
	TEXT_BLOCK,	/* a container: as TEXT_LINE, but at the left margin */
	TEXT_NEXT,	/* a value: after the line before, in 12 columns; a
			 * container: only its suffix, after the line before */
	TEXT_HEADING,	/* a value: on its section's heading line */
	TEXT_TABLE,	/* a list of sections: heading line, then a line of
			 * column titles and one line per element, one level
			 * deeper, then each element's TEXT_NEXT members */
};

struct report_column {
	char *key;		/* the member of each element shown */
	char *title;
	int width;		/* negative: left-aligned */
};

struct report_node {
	enum report_type type;
	char *key;		/* JSON member name; NULL in a list */
	char *label;		/* text name; NULL: none */
	enum report_text text;
	char *suffix;		/* text after the value; NULL: none */
	char *shown_after;	/* key of the sibling it follows in the text, or NULL */
	int decimals;		/* REPORT_REAL in the text */
	union {
		uint64_t count;
		double real;
		char *string;
		bool flag;
	};
	GPtrArray *members;	/* containers: struct report_node * */
	GArray *columns;	/* TEXT_TABLE: struct report_column */
};

/* An empty report: a section whose text starts with the line `title`. */
struct report_node *report_new(const char *title);
void report_free(struct report_node *root);

/* Add a member to `parent` (a section: `key` names it; a list: `key` is
 * NULL).  `label` is its name in the text, NULL for none (then the form is
 * TEXT_NONE).  Values are shown as TEXT_LINE; containers take `text`.
 * Strings are copied. */
struct report_node *report_add_section(struct report_node *parent, const char *key, const char *label,
				       enum report_text text);
struct report_node *report_add_list(struct report_node *parent, const char *key, const char *label,
				    enum report_text text);
struct report_node *report_add_count(struct report_node *parent, const char *key, const char *label,
				     uint64_t n);
/* `decimals`: digits after the point in the text. */
struct report_node *report_add_real(struct report_node *parent, const char *key, const char *label,
				    double x, int decimals);
/* `s` may be NULL.  A string is in the text only as a table column. */
struct report_node *report_add_string(struct report_node *parent, const char *key, const char *s);
struct report_node *report_add_bool(struct report_node *parent, const char *key, bool value);

/* Change the text form of `node` (TEXT_NEXT, TEXT_HEADING for a value added
 * without a label); returns `node`. */
struct report_node *report_set_text(struct report_node *node, enum report_text text);
/* Text printed after the node's value in the text. */
void report_set_suffix(struct report_node *node, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* In the text, show `node` right after its sibling named `sibling_key`
 * rather than where it was added. */
void report_show_after(struct report_node *node, const char *sibling_key);
/* A column of the TEXT_TABLE list `table`: each element's member `key`,
 * under `title`, in `width` columns (negative: left-aligned).  Columns come
 * in the order they are added. */
void report_add_column(struct report_node *table, const char *key, const char *title, int width);

/* The member of `node` named `key`, or NULL. */
const struct report_node *report_find(const struct report_node *node, const char *key);

#endif
