/*
 * mmusim lab (lab/): every lab's checker accepts its own --solve answers
 * and rejects a wrong one, and the answers agree with what a student
 * works out by hand from the variant's text:
 *
 *  - translate: the test walks the printed tables itself (valid bit 0,
 *    table bit 1, address bits [47:12], AP[2] bit 7 read-only, UXN bit 54)
 *    for each printed access;
 *  - cow: N pages, A written and B read before fork, the child writing S..
 *    S+C-1, the parent all N after: the child takes a cow-copy for a
 *    written page, a cow-zero for a read one (the zero page), anon-zero for
 *    the rest; the parent anon-zero for its A first writes and for the
 *    untouched pages, zero-page for its B reads, cow-reuse for the pages it
 *    wrote before fork (the child has gone) and cow-zero for those it read;
 *  - tlb-reach: P pages within the L1d's entries miss once each; beyond,
 *    spread evenly so that each set holds more pages than ways, a repeated
 *    sweep in LRU order misses every time (P * R); the L2 holds them all:
 *    P misses;
 *  - asid: two process switches per round; an untagged TLB drops the
 *    address space's entries at each, a tagged one never;
 *  - shootdown: one shootdown per round (the downgrade), one IPI to each
 *    of the T other CPUs with IPIs, none with broadcast TLBI;
 *  - mshare: the design note's formulas: N processes touching K pages take
 *    N * K shared-page faults with private tables, K with mshare, plus one
 *    link fault each (N);
 *  - vas: the figures are those guest/vasswitch prints in the same run
 *    made by the test itself;
 *  - userfault: on C CPUs each move shoots the source page down on the
 *    C - 1 others (one IPI each); a copy sends none, so move is cheaper
 *    only on one CPU (docs/uffd-bench.md: 1435 against 1665 ns);
 *  - gmem: N pages, R rounds of device then CPU writes: gmem's first device
 *    touch installs a zeroed device page, every later one migrates the page
 *    over (N * (R - 1)), every CPU write migrates it back (N * R), and each
 *    device write faults (N * R); HMM mirrors: N device faults (the first
 *    touch of each page), no migration.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

TestSuite(lab, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

static const char *const lab_names[] = { "translate", "cow", "tlb-reach", "asid", "shootdown", "vas",
					  "mshare", "userfault", "gmem" };

static struct result lab(const char *name, const char *seed, const char *extra, const char *file)
{
	const char *argv[] = { MMUSIM_PATH, "lab", name, "--seed", seed, extra, file, NULL };

	return run_argv(argv);
}

/* The value of `key` in a "key = value" answer text; g_free it. */
static gchar *answer_of(const char *text, const char *key)
{
	gchar *needle = g_strdup_printf("\n%s = ", key);
	const char *at = strstr(text, needle);
	gchar *value = at ? g_strndup(at + strlen(needle), strcspn(at + strlen(needle), "\n")) : NULL;

	g_free(needle);
	cr_assert(value, "no answer %s in %s", key, text);
	return value;
}

static uint64_t number_of(const char *text, const char *key)
{
	gchar *v = answer_of(text, key);
	uint64_t n = g_ascii_strtoull(v, NULL, 0);

	g_free(v);
	return n;
}

Test(lab, each_checker_accepts_its_solution_and_rejects_a_wrong_one)
{
	for (size_t i = 0; i < G_N_ELEMENTS(lab_names); i++) {
		struct result s = lab(lab_names[i], "11", "--solve", NULL);
		gchar *right = tmp_path("right"), *wrong = tmp_path("wrong"), *bad;
		const char *eq;
		struct result ok, no;

		expect_status(&s, 0);
		cr_assert(g_file_set_contents(right, s.out, -1, NULL));
		ok = lab(lab_names[i], "11", "--check", right);
		expect_status(&ok, 0);
		expect_contains(lab_names[i], ok.out, " correct\n");
		expect_not_contains(lab_names[i], ok.out, "incorrect");
		/* The first answer changed: "x" never matches a number or a fault. */
		eq = strstr(s.out, "\n");
		eq = strstr(eq, " = ");
		bad = g_strdup_printf("%.*s = x%s", (int)(eq - s.out), s.out, strchr(eq, '\n'));
		cr_assert(g_file_set_contents(wrong, bad, -1, NULL));
		no = lab(lab_names[i], "11", "--check", wrong);
		expect_status(&no, 1);
		expect_contains(lab_names[i], no.out, "incorrect");
		result_free(&s);
		result_free(&ok);
		result_free(&no);
		g_free(right);
		g_free(wrong);
		g_free(bad);
	}
}

/* --- translate: the test's own walk of the printed tables --- */

#define MAX_TABLES 32

struct printed_table {
	uint64_t pa;
	uint64_t entries[512];
};

static int parse_tables(const char *text, struct printed_table *t)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	int n = 0;

	for (gchar **l = lines; *l; l++) {
		unsigned level, index;
		uint64_t pa, desc;

		if (sscanf(*l, "  level-%u table at %" SCNx64 ":", &level, &pa) == 2) {
			cr_assert(n < MAX_TABLES);
			t[n++] = (struct printed_table){ .pa = pa };
		} else if (n && sscanf(*l, "    [%u] = %" SCNx64, &index, &desc) == 2) {
			t[n - 1].entries[index] = desc;
		}
	}
	g_strfreev(lines);
	return n;
}

static struct printed_table *table_at(struct printed_table *t, int n, uint64_t pa)
{
	for (int i = 0; i < n; i++)
		if (t[i].pa == pa)
			return &t[i];
	cr_assert_fail("no printed table at %#" PRIx64, pa);
	return NULL;
}

static gchar *walk_by_hand(struct printed_table *t, int n, uint64_t ttbr, uint64_t va, char access)
{
	uint64_t table = ttbr, desc = 0;

	for (int level = 0; level < 4; level++) {
		desc = table_at(t, n, table)->entries[(va >> (39 - 9 * level)) & 511];
		if (!(desc & 1))
			return g_strdup_printf("translation fault at level %d", level);
		table = desc & UINT64_C(0xfffffffff000);
	}
	if ((access == 'w' && (desc & 0x80)) || (access == 'f' && (desc & (UINT64_C(1) << 54))))
		return g_strdup("permission fault at level 3");
	return g_strdup_printf("%#" PRIx64, table | (va & 0xfff));
}

Test(lab, translate_agrees_with_a_walk_by_hand)
{
	static const char *const seeds[] = { "1", "7", "12345", "18446744073709551615" };

	for (size_t s = 0; s < G_N_ELEMENTS(seeds); s++) {
		struct result show = lab("translate", seeds[s], NULL, NULL);
		struct result solve = lab("translate", seeds[s], "--solve", NULL);
		struct printed_table *tables = g_new0(struct printed_table, MAX_TABLES);
		int n = parse_tables(show.out, tables);
		uint64_t ttbr = g_ascii_strtoull(strstr(show.out, "TTBR0 = ") + 8, NULL, 16);
		unsigned checked = 0;

		expect_status(&show, 0);
		expect_status(&solve, 0);
		for (const char *q = strstr(show.out, "\n# a"); q; q = strstr(q + 1, "\n# a")) {
			char what[16], key[8];
			uint64_t va;
			gchar *mine, *theirs;

			cr_assert_eq(sscanf(q, "\n# %*s %15s %*[a-z ] %" SCNx64 "\n%7s =", what, &va, key), 3,
				     "%.60s", q);
			mine = walk_by_hand(tables, n, ttbr, va,
					    !strcmp(what, "write") ? 'w' : !strcmp(what, "instruction") ? 'f'
									     : 'r');
			theirs = answer_of(solve.out, key);
			cr_expect_str_eq(theirs, mine, "seed %s %s at %#" PRIx64, seeds[s], key, va);
			checked++;
			g_free(mine);
			g_free(theirs);
		}
		cr_expect_eq(checked, 6, "six accesses");
		g_free(tables);
		result_free(&show);
		result_free(&solve);
	}
}

/* --- the guest-based labs: parameters read from the text --- */

static void params_after(const char *text, const char *prefix, int n, long *out)
{
	const char *at = strstr(text, prefix);

	cr_assert(at, "no '%s' in %s", prefix, text);
	at += strlen(prefix);
	for (int i = 0; i < n; i++)
		out[i] = strtol(at, (char **)&at, 10);
}

/* A lab's sheet and solution for one seed, and the numbers after `prefix`
 * in the sheet (the guest's command line). */
struct sheet {
	struct result show, solve;
	long p[6];
};

static void sheet_open(struct sheet *sh, const char *name, int seed, const char *prefix, int n)
{
	gchar *s = g_strdup_printf("%d", seed);

	sh->show = lab(name, s, NULL, NULL);
	sh->solve = lab(name, s, "--solve", NULL);
	expect_status(&sh->solve, 0);
	params_after(sh->show.out, prefix, n, sh->p);
	g_free(s);
}

static void sheet_close(struct sheet *sh)
{
	result_free(&sh->show);
	result_free(&sh->solve);
}

Test(lab, cow_counts_by_hand)
{
	for (int seed = 1; seed <= 4; seed++) {
		struct sheet sh;
		long n, a, b, first, c, child[3] = { 0 };

		sheet_open(&sh, "cow", seed, "guest/bin/lab-cow ", 5);
		n = sh.p[0], a = sh.p[1], b = sh.p[2], first = sh.p[3], c = sh.p[4];
		for (long i = first; i < first + c; i++)	/* copy, zero, anon */
			child[i < a ? 0 : i < a + b ? 1 : 2]++;
		cr_expect_eq(number_of(sh.solve.out, "child_cow_copy"), child[0], "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "child_cow_zero"), child[1], "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "child_anon_zero"), child[2], "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "child_cow_reuse"), 0);
		cr_expect_eq(number_of(sh.solve.out, "parent_anon_zero"), a + (n - a - b), "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "parent_zero_page"), b);
		cr_expect_eq(number_of(sh.solve.out, "parent_cow_reuse"), a, "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "parent_cow_zero"), b);
		cr_expect_eq(number_of(sh.solve.out, "parent_cow_copy"), 0);
		sheet_close(&sh);
	}
}

Test(lab, tlb_reach_by_hand)
{
	for (int seed = 1; seed <= 6; seed++) {
		struct sheet sh;
		long pages, passes, l1[1];

		sheet_open(&sh, "tlb-reach", seed, "guest/bin/lab-stride ", 2);
		pages = sh.p[0], passes = sh.p[1];
		params_after(sh.show.out, "L1 data TLB has ", 1, l1);
		cr_expect_eq(number_of(sh.solve.out, "l1d_misses"), pages <= l1[0] ? pages : pages * passes,
			     "seed %d: %ld pages %ld passes, %ld L1d entries", seed, pages, passes, l1[0]);
		cr_expect_eq(number_of(sh.solve.out, "l2_misses"), pages, "seed %d: fits the L2", seed);
		sheet_close(&sh);
	}
}

Test(lab, asid_by_hand)
{
	struct sheet sh;

	sheet_open(&sh, "asid", 5, "guest/bin/lab-switch ", 1);
	cr_expect_eq(number_of(sh.solve.out, "process_switches"), 2 * sh.p[0]);
	cr_expect_eq(number_of(sh.solve.out, "untagged_mm_flushes"), 2 * sh.p[0]);
	cr_expect_eq(number_of(sh.solve.out, "tagged_mm_flushes"), 0);
	cr_expect_gt(number_of(sh.solve.out, "untagged_l1d_misses"),
		     number_of(sh.solve.out, "tagged_l1d_misses"));
	sheet_close(&sh);
}

Test(lab, shootdown_by_hand)
{
	for (int seed = 1; seed <= 3; seed++) {
		struct sheet sh;

		sheet_open(&sh, "shootdown", seed, "guest/bin/lab-storm ", 2);	/* threads, rounds */
		cr_expect_eq(number_of(sh.solve.out, "shootdowns"), sh.p[1], "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "ipis"), sh.p[0] * sh.p[1], "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "broadcast_ipis"), 0);
		sheet_close(&sh);
	}
}

Test(lab, mshare_by_the_design_note)
{
	for (int seed = 1; seed <= 2; seed++) {
		struct sheet sh;

		sheet_open(&sh, "mshare", seed, "guest/bin/mshareload ", 2);	/* N, K */
		cr_expect_eq(number_of(sh.solve.out, "shmem_faults_private_tables"), sh.p[0] * sh.p[1]);
		cr_expect_eq(number_of(sh.solve.out, "shmem_faults_mshare"), sh.p[1]);
		cr_expect_eq(number_of(sh.solve.out, "link_faults_mshare"), sh.p[0]);
		sheet_close(&sh);
	}
}

Test(lab, userfault_by_hand)
{
	for (int seed = 1; seed <= 8; seed++) {
		struct sheet sh;
		gchar *cheaper;

		sheet_open(&sh, "userfault", seed, "mmusim run --cpus ", 1);
		cr_expect_eq(number_of(sh.solve.out, "move_ipis_per_fault"), sh.p[0] - 1, "seed %d", seed);
		cheaper = answer_of(sh.solve.out, "cheaper");
		cr_expect_str_eq(cheaper, sh.p[0] == 1 ? "move" : "copy", "seed %d, %ld CPUs", seed, sh.p[0]);
		g_free(cheaper);
		sheet_close(&sh);
	}
}

Test(lab, gmem_by_hand)
{
	for (int seed = 1; seed <= 3; seed++) {
		struct sheet sh;
		long n, r;

		sheet_open(&sh, "gmem", seed, "guest/bin/bench-devmem pingpong ", 2);
		n = sh.p[0];
		r = sh.p[1];
		cr_expect_eq(number_of(sh.solve.out, "gmem_to_device"), n * (r - 1), "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "gmem_to_cpu"), n * r, "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "gmem_device_faults"), n * r, "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "hmm_device_faults"), n, "seed %d", seed);
		cr_expect_eq(number_of(sh.solve.out, "hmm_migrations"), 0);
		sheet_close(&sh);
	}
}

Test(lab, vas_figures_are_the_guests)
{
	struct result show = lab("vas", "3", NULL, NULL), solve = lab("vas", "3", "--solve", NULL);
	const char *cmd = strstr(show.out, "mmusim run --cpus 1 --set ");
	gchar set[40] = "", *line, *mine;
	long p[2];
	struct result run;

	cr_assert(cmd);
	cr_assert_eq(sscanf(cmd, "mmusim run --cpus 1 --set %39s", set), 1);
	params_after(show.out, "guest/bin/vasswitch ", 2, p);
	line = g_strdup_printf("%ld", p[0]);
	mine = g_strdup_printf("%ld", p[1]);
	run = run_mmusim("--cpus", "1", "--set", set, GUEST("vasswitch"), line, mine, NULL);
	expect_status(&solve, 0);
	expect_status(&run, 0);
	for (const char *k = "vas\0thread\0process\0"; *k; k += strlen(k) + 1) {
		gchar *key = g_strdup_printf("%s_switch_ns", k), *label = g_strdup_printf("%s switch", k);
		gchar *value = answer_of(solve.out, key);
		const char *at = strstr(run.out, label);
		char printed[32] = "";

		cr_assert(at, "%s in %s", label, run.out);
		cr_assert_eq(sscanf(at + strlen(label), " %31s ns per switch", printed), 1);
		cr_expect_str_eq(value, printed, "%s", key);
		g_free(key);
		g_free(label);
		g_free(value);
	}
	g_free(line);
	g_free(mine);
	result_free(&show);
	result_free(&solve);
	result_free(&run);
}

Test(lab, the_same_seed_the_same_variant)
{
	struct result a = lab("translate", "99", NULL, NULL), b = lab("translate", "99", NULL, NULL);
	struct result c = lab("translate", "100", NULL, NULL);

	cr_expect_str_eq(a.out, b.out);
	cr_expect_str_neq(a.out, c.out);
	result_free(&a);
	result_free(&b);
	result_free(&c);
}

static void expect_refused(const char *name, const char *seed, const char *extra, const char *file,
			   int status, const char *message)
{
	struct result r = lab(name, seed, extra, file);

	expect_status(&r, status);
	expect_contains(name, r.err, message);
	result_free(&r);
}

Test(lab, bad_input)
{
	gchar *garbage = write_tmp_file("garbage", "q1 = 0x1000\nthis line has no equals\n");
	gchar *unknown = write_tmp_file("unknown", "q9 = 1\n");
	gchar *twice = write_tmp_file("twice", "q1 = 1\nq1 = 2\n");
	gchar *binary = write_tmp_file("binary", "q1 = \xff\xfe\n");
	struct result list = run_argv((const char *[]){ MMUSIM_PATH, "lab", NULL });
	struct result empty;
	gchar *blank = write_tmp_file("blank", "# nothing answered\n\n");

	expect_refused("nosuch", "1", NULL, NULL, 2, "unknown lab 'nosuch'");
	expect_refused("translate", "abc", NULL, NULL, 2, "--seed abc: expected a number");
	expect_refused("translate", "-1", NULL, NULL, 2, "--seed -1: expected a number");
	expect_refused("translate", "1", "--check", "/nonexistent/answers", 65, "/nonexistent/answers");
	expect_refused("translate", "1", "--check", garbage, 65, ":2: expected KEY = VALUE");
	expect_refused("translate", "1", "--check", unknown, 65, ":1: no question 'q9' in this lab");
	expect_refused("translate", "1", "--check", twice, 65, ":2: 'q1' answered twice");
	expect_refused("translate", "1", "--check", binary, 65, "not a text file");
	expect_status(&list, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(lab_names); i++)
		expect_contains("the list", list.out, lab_names[i]);
	empty = lab("translate", "1", "--check", blank);
	expect_status(&empty, 1);
	expect_contains("blank", empty.out, "q1                   not answered");
	expect_contains("blank", empty.out, "0 of 6 correct");
	result_free(&list);
	result_free(&empty);
	g_free(garbage);
	g_free(unknown);
	g_free(twice);
	g_free(binary);
	g_free(blank);
}
