/*
 * text: the --stats layout of a report (see text.h, model.h).
 *
 * Lines are written as the tree is walked: a node that starts a line ends
 * the one before, and TEXT_NEXT members add to the line still open, so a
 * line can gather values that are separate members in the JSON ("walks /
 * reads  N M").
 */
#include "report/text.h"

#include <inttypes.h>
#include <string.h>

#define VALUE_COLUMN	24	/* where a line's value starts */
#define VALUE_WIDTH	12

struct text_out {
	FILE *f;
	bool open;		/* a line is started and not ended */
};

static void end_line(struct text_out *t)
{
	if (t->open)
		fputc('\n', t->f);
	t->open = false;
}

static void begin_line(struct text_out *t, int depth)
{
	end_line(t);
	fprintf(t->f, "%*s", 2 * depth, "");
	t->open = true;
}

/* The label at `depth`, padded so that a value starts at VALUE_COLUMN. */
static void print_label(struct text_out *t, const char *label, int depth)
{
	begin_line(t, depth);
	fprintf(t->f, "%-*s ", VALUE_COLUMN - 1 - 2 * depth, label);
}

/* `node`'s value in `width` columns (negative: left-aligned), then its
 * suffix. */
static void print_value(struct text_out *t, const struct report_node *node, int width)
{
	switch (node->type) {
	case REPORT_COUNT:
		fprintf(t->f, "%*" PRIu64, width, node->count);
		break;
	case REPORT_REAL:
		fprintf(t->f, "%*.*f", width, node->decimals, node->real);
		break;
	case REPORT_STRING:
		fprintf(t->f, "%*s", width, node->string ? node->string : "");
		break;
	case REPORT_BOOL:
		fprintf(t->f, "%*s", width, node->flag ? "true" : "false");
		break;
	case REPORT_SECTION:
	case REPORT_LIST:
		break;
	}
	if (node->suffix)
		fputs(node->suffix, t->f);
}

static uint64_t sum_counts(const struct report_node *section)
{
	uint64_t sum = 0;

	for (guint i = 0; i < section->members->len; i++) {
		const struct report_node *member = g_ptr_array_index(section->members, i);

		if (member->type == REPORT_COUNT)
			sum += member->count;
	}
	return sum;
}

static const struct report_node *heading_member(const struct report_node *container)
{
	for (guint i = 0; i < container->members->len; i++) {
		const struct report_node *member = g_ptr_array_index(container->members, i);

		if (member->text == TEXT_HEADING)
			return member;
	}
	return NULL;
}

/* A container's heading line: its label, and the value its form asks for. */
static void print_heading(struct text_out *t, const struct report_node *node, int depth)
{
	const struct report_node *heading = heading_member(node);

	if (node->text == TEXT_TOTAL) {
		print_label(t, node->label, depth);
		fprintf(t->f, "%*" PRIu64, VALUE_WIDTH, sum_counts(node));
	} else if (node->text == TEXT_COUNT) {
		print_label(t, node->label, depth);
		fprintf(t->f, "%*u", VALUE_WIDTH, node->members->len);
	} else if (heading) {
		print_label(t, node->label, depth);
		print_value(t, heading, VALUE_WIDTH);
	} else {
		begin_line(t, depth);
		fputs(node->label, t->f);
	}
}

/* A TEXT_NEXT member: onto the line still open. */
static void print_next(struct text_out *t, const struct report_node *node)
{
	if (node->members) {
		if (node->suffix)
			fputs(node->suffix, t->f);
		return;
	}
	fputc(' ', t->f);
	print_value(t, node, VALUE_WIDTH);
}

static void print_node(struct text_out *t, const struct report_node *node, int depth);

static bool shown_after(const struct report_node *node, const struct report_node *sibling)
{
	return node->shown_after && sibling->key && !strcmp(node->shown_after, sibling->key);
}

/* The members of `container` at `depth`, each one moved by
 * report_show_after() right after its sibling. */
static void print_members(struct text_out *t, const struct report_node *container, int depth)
{
	GPtrArray *members = container->members;

	for (guint i = 0; i < members->len; i++) {
		const struct report_node *member = g_ptr_array_index(members, i);

		if (member->shown_after)
			continue;
		print_node(t, member, depth);
		for (guint j = 0; j < members->len; j++)
			if (shown_after(g_ptr_array_index(members, j), member))
				print_node(t, g_ptr_array_index(members, j), depth);
	}
}

static void print_table(struct text_out *t, const struct report_node *table, int depth)
{
	GArray *columns = table->columns;

	print_heading(t, table, depth);
	begin_line(t, depth + 1);
	for (guint i = 0; i < columns->len; i++) {
		const struct report_column *c = &g_array_index(columns, struct report_column, i);

		fprintf(t->f, "%s%*s", i ? " " : "", c->width, c->title);
	}
	for (guint e = 0; e < table->members->len; e++) {
		const struct report_node *row = g_ptr_array_index(table->members, e);

		begin_line(t, depth + 1);
		for (guint i = 0; i < columns->len; i++) {
			const struct report_column *c = &g_array_index(columns, struct report_column, i);
			const struct report_node *cell = report_find(row, c->key);

			if (i)
				fputc(' ', t->f);
			if (cell)
				print_value(t, cell, c->width);
			else
				fprintf(t->f, "%*s", c->width, "");
		}
		print_members(t, row, depth + 1);	/* its TEXT_NEXT members */
	}
}

static void print_node(struct text_out *t, const struct report_node *node, int depth)
{
	switch (node->text) {
	case TEXT_NONE:
	case TEXT_HEADING:		/* printed with its section's heading */
		return;
	case TEXT_NEXT:
		print_next(t, node);
		return;
	case TEXT_INLINE:
		print_members(t, node, depth);
		return;
	case TEXT_TABLE:
		print_table(t, node, depth);
		return;
	case TEXT_BLOCK:
		depth = 0;
		/* fall through */
	case TEXT_LINE:
	case TEXT_TOTAL:
	case TEXT_COUNT:
		if (!node->members) {
			print_label(t, node->label, depth);
			print_value(t, node, VALUE_WIDTH);
			return;
		}
		print_heading(t, node, depth);
		print_members(t, node, depth + 1);
		return;
	}
}

void report_write_text(const struct report_node *root, FILE *out)
{
	struct text_out t = { .f = out };

	print_node(&t, root, 0);
	end_line(&t);
}
