/*
 * --explain (sim/explain.c): the story of each selected fault, checked on
 * guest/explain, whose four faults in the page 0x7f1234567000 are known by
 * hand (see the guest's comment):
 *
 *   address 0x7f12345679ab: level 0 index 0x7f12345679ab >> 39 = 254,
 *   level 1 (>> 30) & 511 = 72, level 2 (>> 21) & 511 = 418, level 3
 *   (>> 12) & 511 = 359, page offset 0x9ab (tests/unit/test_pgtable.c
 *   derives the indices digit by digit).
 *
 *   1. The first write finds no level-0 entry (nothing else of the process
 *      lies in that 512 GiB slot: its code is in slot 0, its stack in 255):
 *      translation fault at level 0, demand-zero, three table pages
 *      allocated (levels 1-3), one page zeroed, one entry installed.
 *   2. The forked child's write finds the entry read-only (fork made the
 *      private page copy-on-write): permission fault at level 3 (FSC 0x0f),
 *      the page copied, the old translation flushed.
 *   3. The parent's write after the child exited: the page is its own
 *      again, made writable in place (reuse), nothing copied.
 *   4. The write after mprotect(PROT_READ): permission fault at level 3;
 *      the VMA forbids it: SIGSEGV with SEGV_ACCERR (2), which the guest
 *      prints.
 *
 * Descriptors, from the Arm ARM bit positions: a table entry is its table's
 * address | 0x3; a read-write EL0 data page is its frame | 0x0060000000000f43
 * (valid, page, AP[1], SH inner, AF, nG, PXN, UXN); read-only adds AP[2],
 * 0x80.
 */
#include <json-glib/json-glib.h>
#include <stdint.h>

#include "harness.h"

TestSuite(explain, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

#define RANGE "range=0x7f1234567000-0x7f1234568000"

static unsigned count_of(const char *haystack, const char *needle)
{
	unsigned n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

Test(explain, the_four_faults_as_text)
{
	struct result r = run_mmusim("--explain", RANGE, GUEST("explain"), NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "SIGSEGV code 2 at 0x7f12345679ab\n");
	cr_expect_eq(count_of(r.err, "\nfault ") + g_str_has_prefix(r.err, "fault "), 4, "%s", r.err);
	cr_expect_eq(count_of(r.err, "[L0 254][L1 72][L2 418][L3 359] + 0x9ab"), 4);
	expect_contains("first fault", r.err, "write at 0x7f12345679ab\n  pc ");
	expect_contains("first fault", r.err, "FSC 0x04: translation fault at level 0");
	expect_contains("first fault", r.err, "[254] = 0x0000000000000000  invalid\n"
			"    -> translation fault at level 0");
	expect_contains("first fault", r.err, "handler: anon-zero, demand-zero");
	expect_contains("first fault", r.err, "3 table pages allocated, 1 pages zeroed, 0 copied, "
			"1 entries installed");
	expect_contains("child", r.err, "FSC 0x0f: permission fault at level 3");
	expect_contains("child", r.err, "handler: cow-copy");
	expect_contains("parent", r.err, "handler: cow-reuse");
	expect_contains("mprotect", r.err, "handler: segv-accerr");
	expect_contains("mprotect", r.err, "the task gets SIGSEGV (SEGV_ACCERR)");
	expect_contains("vma", r.err, "vma: 7f1234567000-7f1234568000 r--p");
	expect_contains("instruction", r.err, ": strb w");
	result_free(&r);
}

static JsonObject *parse_line(JsonParser *p, const char *line)
{
	GError *error = NULL;

	cr_assert(json_parser_load_from_data(p, line, -1, &error), "not JSON: %s", line);
	return json_node_get_object(json_parser_get_root(p));
}

static uint64_t hex_member(JsonObject *o, const char *key)
{
	return g_ascii_strtoull(json_object_get_string_member(o, key), NULL, 16);
}

static JsonObject *walk_level(JsonObject *fault, const char *walk, unsigned level)
{
	JsonArray *levels = json_object_get_array_member(json_object_get_object_member(fault, walk),
							 "levels");

	return json_array_get_object_element(levels, level);
}

/* The first fault's walk, before and after, entry by entry. */
static void expect_first_fault(JsonObject *f)
{
	static const int64_t index[] = { 254, 72, 418, 359 };
	JsonArray *indices = json_object_get_array_member(f, "indices");
	JsonObject *h = json_object_get_object_member(f, "handler");
	uint64_t table;
	gchar *verdict;

	for (unsigned l = 0; l < 4; l++)
		cr_expect_eq(json_array_get_int_element(indices, l), index[l], "index %u", l);
	cr_expect_eq(hex_member(f, "page_offset"), 0x9ab);
	cr_expect_eq(json_array_get_length(json_object_get_array_member(
		json_object_get_object_member(f, "walk"), "levels")), 1, "stops at level 0");
	cr_expect_eq(hex_member(walk_level(f, "walk", 0), "descriptor"), 0);
	cr_expect_eq(json_object_get_int_member(h, "tables_allocated"), 3);
	cr_expect_eq(json_object_get_int_member(h, "pages_zeroed"), 1);
	/* After: each table entry points at the table the next level reads. */
	table = hex_member(walk_level(f, "walk_after", 0), "table");
	for (unsigned l = 0; l < 4; l++) {
		JsonObject *step = walk_level(f, "walk_after", l);
		uint64_t desc = hex_member(step, "descriptor");

		cr_expect_eq(hex_member(step, "table"), table, "level %u's table", l);
		cr_expect_eq(json_object_get_int_member(step, "index"), index[l]);
		if (l < 3) {
			cr_expect_eq(desc & 0xfff, 0x3, "level %u: a table entry", l);
			table = desc & ~UINT64_C(0xfff);
		} else {
			cr_expect_eq(desc & ~UINT64_C(0xfffffffff000), UINT64_C(0x0060000000000f43),
				     "a read-write EL0 data page: %#llx", (unsigned long long)desc);
		}
	}
	verdict = g_strdup_printf("translates to %#llx", (unsigned long long)
				  ((hex_member(walk_level(f, "walk_after", 3), "descriptor") &
				    UINT64_C(0xfffffffff000)) | 0x9ab));
	cr_expect_str_eq(json_object_get_string_member(
		json_object_get_object_member(f, "walk_after"), "verdict"), verdict);
	g_free(verdict);
}

Test(explain, json_lines)
{
	static const char *const kinds[] = { "anon-zero", "cow-copy", "cow-reuse", "segv-accerr" };
	gchar *path = tmp_path("explain.jsonl");
	struct result r = run_mmusim("--explain", RANGE, "--explain-format", "json",
				     "--explain-file", path, GUEST("explain"), NULL);
	gchar *text = NULL, **lines;
	JsonParser *p = json_parser_new();

	expect_status(&r, 0);
	cr_assert(g_file_get_contents(path, &text, NULL, NULL));
	lines = g_strsplit(text, "\n", -1);
	cr_assert_eq(g_strv_length(lines), 5, "4 lines and the empty rest: %s", text);
	for (unsigned i = 0; i < 4; i++) {
		JsonObject *f = parse_line(p, lines[i]);
		JsonObject *h = json_object_get_object_member(f, "handler");

		cr_expect_str_eq(json_object_get_string_member(h, "kind"), kinds[i]);
		cr_expect_eq(hex_member(f, "address"), UINT64_C(0x7f12345679ab));
		cr_expect_str_eq(json_object_get_string_member(f, "access"), "write");
		if (i == 0)
			expect_first_fault(f);
		if (i == 1)
			cr_expect_eq(json_object_get_int_member(h, "pages_copied"), 1);
		if (i == 3)
			cr_expect_str_eq(json_object_get_string_member(h, "signal"),
					 "SIGSEGV (SEGV_ACCERR)");
	}
	cr_expect_not(strstr(r.err, "fault "), "nothing on stderr with --explain-file");
	g_object_unref(p);
	g_strfreev(lines);
	g_free(text);
	g_free(path);
	result_free(&r);
}

Test(explain, first_n_and_one_address)
{
	struct result r = run_mmusim("--explain", "first=5", GUEST("explain"), NULL);
	struct result a = run_mmusim("--explain", "addr=0x7f1234567fff", GUEST("explain"), NULL);

	expect_status(&r, 0);
	cr_expect(g_str_has_prefix(r.err, "fault 1: "));
	cr_expect_eq(count_of(r.err, "\nfault "), 4, "faults 1-5");
	expect_contains("first=5", r.err, "\nfault 5: ");
	expect_status(&a, 0);
	cr_expect_eq(count_of(a.err, "[L0 254][L1 72][L2 418][L3 359]"), 4, "the page of the address");
	result_free(&r);
	result_free(&a);
}

/* A design tells its steps: mshareload 2 2 (two processes, one after the
 * other, write the region's first two pages at 2 TiB).  The first fault
 * finds no table in the host mm (handled there, building them), the retry
 * links the host's table, the second page is handled in the host through
 * the link; the second process only links: both pages are there. */
Test(explain, mshare_tells_its_steps)
{
	static const char *const steps[] = {
		"mshare: the host mm has no table for this slot yet",
		"mshare: this mm's level-0 entry for the slot 0x20000000000 did not reach",
		"mshare: the level-0 entry reaches the region's tables",
		"mshare: this mm's level-0 entry for the slot 0x20000000000 did not reach",
	};
	struct result r = run_mmusim("--explain", "range=0x20000000000-0x20000002000", "--explain-format",
				     "json", GUEST("mshareload"), "2", "2", "mshare", "write", NULL);
	gchar **lines = g_strsplit(r.err, "\n", -1);
	unsigned n = 0;

	expect_status(&r, 0);
	for (gchar **l = lines; *l; l++) {
		if (!g_str_has_prefix(*l, "{"))
			continue;
		cr_assert_lt(n, G_N_ELEMENTS(steps), "more faults than expected: %s", *l);
		expect_contains("design step", *l, steps[n++]);
	}
	cr_expect_eq(n, G_N_ELEMENTS(steps));
	g_strfreev(lines);
	result_free(&r);
}

/* userfaultfd tells its hand-off: guest/uffdbench touches 3 pages once
 * each; with copy every first touch queues a message (the retry after the
 * copy finds the page and takes no fault); with the RFC's SIGBUS path each
 * raises SIGBUS.  No other fault of the run is a design's. */
static unsigned count_in_lines(const char *text, const char *needle)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

Test(explain, userfault_tells_its_hand_off)
{
	struct result copy = run_mmusim("--explain", "all", "--explain-format", "json", GUEST("uffdbench"),
					"copy", "3", NULL);
	struct result sigbus = run_mmusim("--explain", "all", "--explain-format", "json",
					  GUEST("uffdbench"), "sigbus", "3", NULL);

	expect_status(&copy, 0);
	expect_status(&sigbus, 0);
	cr_expect_eq(count_in_lines(copy.err, "userfaultfd: the range is registered (MISSING): a uffd_msg"),
		     3);
	cr_expect_eq(count_in_lines(copy.err, "\"design_steps\":[\""), 3, "only those");
	cr_expect_eq(count_in_lines(sigbus.err, "RFC userfault: MADV_USERFAULT range with no userfaultfd: "
				    "SIGBUS with si_addr"), 3);
	result_free(&copy);
	result_free(&sigbus);
}

/* gmem tells what its logical table said: in guest/bench-devmem's
 * ping-pong (one peer-shared page, 3 rounds of the device then the CPU
 * writing it) each CPU write finds the entry DEVICE and migrates the page
 * back; the device's own first touch is not a CPU fault. */
Test(explain, gmem_tells_its_logical_table)
{
	struct result r = run_mmusim("--devices", "1", "--device-mm", "gmem", "--explain", "all",
				     "--explain-format", "json", GUEST("bench-devmem"), "pingpong", "1", "3",
				     NULL);

	expect_status(&r, 0);
	cr_expect_eq(count_in_lines(r.err, "gmem: the logical table's entry is DEVICE"), 3, "%s", r.err);
	cr_expect_eq(count_in_lines(r.err, "\"design_steps\":[\""), 3, "only those");
	cr_expect_eq(count_in_lines(r.err, "\"device_wait\":1000}"), 3,
		     "each waits for the device's per-page invalidation, a step of its own");
	result_free(&r);
}

/* Explaining reads and changes nothing: the run's figures are the same. */
Test(explain, leaves_the_results_alone)
{
	gchar *with = tmp_path("with.json"), *without = tmp_path("without.json");
	struct result a = run_mmusim("--explain", "all", "--report", with, GUEST("explain"), NULL);
	struct result b = run_mmusim("--report", without, GUEST("explain"), NULL);
	gchar *ra = report_before_host(with), *rb = report_before_host(without);

	expect_status(&a, 0);
	expect_status(&b, 0);
	cr_expect_str_eq(ra, rb);
	g_free(ra);
	g_free(rb);
	g_free(with);
	g_free(without);
	result_free(&a);
	result_free(&b);
}

/* `option value` (after --explain all, unless it is --explain) is refused. */
static void expect_usage_error(const char *option, const char *value, const char *message)
{
	bool alone = !strcmp(option, "--explain");
	struct result r = alone ? run_mmusim(option, value, GUEST("hello"), NULL)
				: run_mmusim("--explain", "all", option, value, GUEST("hello"), NULL);

	expect_status(&r, 2);
	expect_contains(option, r.err, message);
	cr_expect_str_eq(r.out, "", "the guest did not run");
	result_free(&r);
}

Test(explain, bad_selections_and_formats)
{
	expect_usage_error("--explain", "some", "--explain some: expected all, first=N, addr=ADDRESS");
	expect_usage_error("--explain", "first=0", "--explain first=0: expected");
	expect_usage_error("--explain", "range=0x5000-0x4000", "--explain range=0x5000-0x4000: expected");
	expect_usage_error("--explain", "addr=0xffff000000001000",
			   "--explain addr=0xffff000000001000: beyond the 48-bit user address range");
	expect_usage_error("--explain-format", "xml", "--explain-format xml: expected text or json");
	expect_usage_error("--explain-file", "/nonexistent/dir/x", "--explain-file /nonexistent/dir/x: ");
}

Test(explain, format_and_file_need_a_selection)
{
	struct result r = run_mmusim("--explain-format", "json", GUEST("hello"), NULL);

	expect_status(&r, 2);
	expect_contains("format alone", r.err, "--explain-format needs --explain");
	result_free(&r);
}
