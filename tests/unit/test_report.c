/*
 * report/: one tree, two renderings.  Small trees built by hand, their text
 * and JSON written out by hand from the layout rules of report/model.h
 * (values at column 24 in 12 columns, two spaces per level) and
 * docs/report-format.md (json-glib's pretty printing, counts of 2^63 or
 * more as strings, reals without a JSON form as null).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

#include "report/json.h"
#include "report/text.h"

/* The text of `root` (g_free it). */
static gchar *text_of(const struct report_node *root)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	gchar *text;

	cr_assert_not_null(f);
	report_write_text(root, f);
	fclose(f);
	text = g_strdup(buf);
	free(buf);
	return text;
}

static void expect_text(const struct report_node *root, const char *want)
{
	gchar *got = text_of(root);

	cr_expect_str_eq(got, want, "text:\n%s\nwanted:\n%s", got, want);
	g_free(got);
}

static void expect_json(const struct report_node *root, const char *want)
{
	gchar *got = report_to_json(root);

	cr_expect_str_eq(got, want, "JSON:\n%s\nwanted:\n%s", got, want);
	g_free(got);
}

Test(report, values_line_up_at_column_24)
{
	struct report_node *root = report_new("stats");
	struct report_node *s = report_add_section(root, "sched", NULL, TEXT_INLINE);
	struct report_node *h;

	report_add_count(s, "forks", "forks", 3);
	report_add_count(s, "secret", NULL, 99);
	h = report_add_section(root, "host", "host", TEXT_BLOCK);
	report_add_real(h, "seconds", "seconds", 1.5, 3);
	expect_text(root, "stats\n"
			  "  forks                            3\n"
			  "host\n"
			  "  seconds                      1.500\n");
	expect_json(root, "{\n"
			  "  \"sched\" : {\n"
			  "    \"forks\" : 3,\n"
			  "    \"secret\" : 99\n"
			  "  },\n"
			  "  \"host\" : {\n"
			  "    \"seconds\" : 1.5\n"
			  "  }\n"
			  "}");
	report_free(root);
}

Test(report, totals_counts_headings_and_next_values)
{
	struct report_node *root = report_new("t");
	struct report_node *faults = report_add_section(root, "faults", "page faults", TEXT_TOTAL);
	struct report_node *cpus = report_add_list(root, "cpus", "CPUs", TEXT_COUNT);
	struct report_node *sd = report_add_section(root, "sd", "shootdowns", TEXT_LINE);
	struct report_node *walks = report_add_section(root, "walks", NULL, TEXT_INLINE);

	report_add_count(faults, "anon", "anon", 5);
	report_add_count(faults, "file", "file", 7);
	for (int i = 0; i < 2; i++)
		report_add_count(report_add_section(cpus, NULL, NULL, TEXT_INLINE), "clock", i ? "cpu1" : "cpu0",
				 10 * (uint64_t)i);
	report_add_string(sd, "how", "ipi");
	report_set_suffix(report_set_text(report_add_count(sd, "count", NULL, 4), TEXT_HEADING), " (ipi)");
	report_add_count(sd, "ipis", "IPIs", 8);
	report_add_count(walks, "walks", "walks / reads", 2);
	report_set_suffix(report_set_text(report_add_count(walks, "reads", NULL, 6), TEXT_NEXT), " done");
	expect_text(root, "t\n"
			  "  page faults                     12\n"
			  "    anon                           5\n"
			  "    file                           7\n"
			  "  CPUs                             2\n"
			  "    cpu0                           0\n"
			  "    cpu1                          10\n"
			  "  shootdowns                       4 (ipi)\n"
			  "    IPIs                           8\n"
			  "  walks / reads                    2            6 done\n");
	report_free(root);
}

Test(report, show_after_moves_a_member_in_the_text_only)
{
	struct report_node *root = report_new("t");

	report_show_after(report_add_count(root, "a", "a", 1), "c");
	report_add_count(root, "b", "b", 2);
	report_add_count(root, "c", "c", 3);
	report_add_count(root, "d", "d", 4);
	expect_text(root, "t\n"
			  "  b                                2\n"
			  "  c                                3\n"
			  "  a                                1\n"
			  "  d                                4\n");
	expect_json(root, "{\n  \"a\" : 1,\n  \"b\" : 2,\n  \"c\" : 3,\n  \"d\" : 4\n}");
	report_free(root);
}

Test(report, table_has_titles_even_without_rows)
{
	struct report_node *root = report_new("t");
	struct report_node *table = report_add_list(root, "lat", "latencies", TEXT_TABLE);
	struct report_node *row, *tail;

	report_add_column(table, "kind", "kind", -6);
	report_add_column(table, "n", "count", 5);
	report_add_column(table, "mean", "mean", 6);
	expect_text(root, "t\n"
			  "  latencies\n"
			  "    kind   count   mean\n");
	row = report_add_section(table, NULL, NULL, TEXT_INLINE);
	report_add_string(row, "kind", "fault");
	report_add_count(row, "n", NULL, 12);
	report_add_real(row, "mean", NULL, 2.25, 1);
	tail = report_add_section(row, "tail", NULL, TEXT_NEXT);
	report_add_count(tail, "x", NULL, 1);
	report_set_suffix(tail, "; more");
	expect_text(root, "t\n"
			  "  latencies\n"
			  "    kind   count   mean\n"
			  "    fault     12    2.2; more\n");
	expect_json(root, "{\n"
			  "  \"lat\" : [\n"
			  "    {\n"
			  "      \"kind\" : \"fault\",\n"
			  "      \"n\" : 12,\n"
			  "      \"mean\" : 2.25,\n"
			  "      \"tail\" : {\n"
			  "        \"x\" : 1\n"
			  "      }\n"
			  "    }\n"
			  "  ]\n"
			  "}");
	report_free(root);
}

Test(report, json_values_out_of_json_range)
{
	struct report_node *root = report_new("t");
	struct report_node *args;

	report_add_count(root, "max", NULL, INT64_MAX);
	report_add_count(root, "huge", NULL, UINT64_MAX);
	report_add_real(root, "inf", NULL, INFINITY, 0);
	report_add_real(root, "big", NULL, 1e17, 0);
	report_add_real(root, "round", NULL, 130, 0);
	report_add_string(root, "none", NULL);
	report_add_bool(root, "yes", true);
	args = report_add_list(root, "argv", NULL, TEXT_NONE);
	report_add_string(args, NULL, "a\xff");
	expect_json(root, "{\n"
			  "  \"max\" : 9223372036854775807,\n"
			  "  \"huge\" : \"18446744073709551615\",\n"
			  "  \"inf\" : null,\n"
			  "  \"big\" : null,\n"
			  "  \"round\" : 130.0,\n"
			  "  \"none\" : null,\n"
			  "  \"yes\" : true,\n"
			  "  \"argv\" : [\n"
			  "    \"a\xef\xbf\xbd\"\n"
			  "  ]\n"
			  "}");
	expect_text(root, "t\n");
	report_free(root);
}
