/*
 * The fault-count conformance suite (issue 19): guest/conform under mmusim
 * must take the page faults the real kernel takes (tests/conform/expected,
 * written by scripts/conformance from the same program built for this
 * host), except where tests/conform/differences lists mmusim's count and
 * why.  The counts come from getrusage's ru_minflt inside the guest, so
 * this also checks that mmusim reports its simulated faults there.  With a
 * vm tunable switched off, the cases it governs take the faults worked out
 * by hand.
 */
#include "harness.h"

TestSuite(conform, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* "CASE COUNT ..." lines of a file (# comments skipped) as CASE -> COUNT. */
static GHashTable *read_counts(const char *name)
{
	gchar *path = g_build_filename(CONFORM_DIR, name, NULL), *text = NULL;
	GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	gchar **lines;

	cr_assert(g_file_get_contents(path, &text, NULL, NULL), "cannot read %s", path);
	lines = g_strsplit(text, "\n", -1);
	for (gchar **l = lines; *l; l++) {
		gchar **f = g_strsplit(*l, " ", 3);

		if (f[0] && f[1] && **l != '#')
			g_hash_table_insert(counts, g_strdup(f[0]), GINT_TO_POINTER(atoi(f[1])));
		g_strfreev(f);
	}
	g_strfreev(lines);
	g_free(text);
	g_free(path);
	return counts;
}

/* mmusim's counts for the whole suite, with `set` (or NULL) as --set. */
static GHashTable *mmusim_counts(const char *set)
{
	struct result r = set ? run_mmusim("--set", set, GUEST("conform"), NULL)
			      : run_mmusim(GUEST("conform"), NULL);
	GHashTable *counts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	gchar **lines = g_strsplit(r.out, "\n", -1);

	expect_status(&r, 0);
	for (gchar **l = lines; *l && **l; l++) {
		gchar **f = g_strsplit(*l, " ", 2);

		g_hash_table_insert(counts, g_strdup(f[0]), GINT_TO_POINTER(atoi(f[1])));
		g_strfreev(f);
	}
	g_strfreev(lines);
	result_free(&r);
	return counts;
}

static int count_of(GHashTable *counts, const char *name)
{
	cr_assert(g_hash_table_contains(counts, name), "no count for %s", name);
	return GPOINTER_TO_INT(g_hash_table_lookup(counts, name));
}

Test(conform, every_count_is_the_kernels_or_a_listed_difference)
{
	GHashTable *host = read_counts("expected"), *known = read_counts("differences");
	GHashTable *sim = mmusim_counts(NULL);
	GHashTableIter it;
	gpointer name, count;

	cr_expect_eq(g_hash_table_size(sim), g_hash_table_size(host), "the same cases");
	g_hash_table_iter_init(&it, host);
	while (g_hash_table_iter_next(&it, &name, &count)) {
		int got = count_of(sim, name), want = GPOINTER_TO_INT(count);

		if (g_hash_table_contains(known, name))
			want = GPOINTER_TO_INT(g_hash_table_lookup(known, name));
		cr_expect_eq(got, want, "%s: mmusim %d faults, expected %d (kernel: %d)", (char *)name,
			     got, want, GPOINTER_TO_INT(count));
	}
	g_hash_table_destroy(host);
	g_hash_table_destroy(known);
	g_hash_table_destroy(sim);
}

/* Each switch undoes its behaviour: one fault per page of 64. */
Test(conform, each_vm_switch_undoes_its_behaviour)
{
	GHashTable *sim = mmusim_counts("vm.fault_around_bytes=0");

	cr_expect_eq(count_of(sim, "file-read"), 64);
	cr_expect_eq(count_of(sim, "fork-read-shared"), 64);
	g_hash_table_destroy(sim);

	sim = mmusim_counts("vm.zero_page=0");
	cr_expect_eq(count_of(sim, "anon-read-write"), 64, "the read allocates, the write does not fault");
	g_hash_table_destroy(sim);

	sim = mmusim_counts("vm.fork_skip_refillable=0");
	cr_expect_eq(count_of(sim, "fork-read-shared"), 0, "fork copied the entries");
	cr_expect_eq(count_of(sim, "fork-write-shared"), 0);
	g_hash_table_destroy(sim);

	sim = mmusim_counts("vm.stack_growth=0");
	cr_expect_eq(count_of(sim, "stack-growth"), 63, "the same faults in a fixed 8 MiB stack");
	g_hash_table_destroy(sim);
}

Test(conform, a_bad_vm_value_is_a_usage_error)
{
	struct result r = run_mmusim("--set", "vm.fault_around_bytes=5000", GUEST("hello"), NULL);

	expect_status(&r, 2);
	expect_contains("stderr", r.err, "vm.fault_around_bytes must be 0 or a power of two");
	result_free(&r);
	r = run_mmusim("--set", "vm.zero_pages=1", GUEST("hello"), NULL);
	expect_status(&r, 2);
	expect_contains("stderr", r.err, "unknown key \"zero_pages\" in [vm]");
	result_free(&r);
}
