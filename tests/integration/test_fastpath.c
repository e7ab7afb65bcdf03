/*
 * The store fast path (sim/fastpath.c) changes how fast the host runs the
 * guest and nothing else: every simulated figure of --stats, the guest's
 * output and its exit status are the same with --no-fastpath, for guests
 * that store a lot (sha256sum, tlbstride), fork and exec (forkexec), rewrite
 * their own code (codefill: stale translations would give wrong sums) and
 * load new code into recycled frames (codefile).  Neither run warns: the
 * self-test passes with Debian's library.
 */
#include <string.h>

#include "harness.h"

TestSuite(fastpath, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* --stats without its last section, "host" (seconds and MIPS of this run). */
static const char *simulated(gchar *stats)
{
	char *host = strstr(stats, "\nhost\n");

	if (host)
		host[1] = '\0';
	return stats;
}

/* `guest` (program and arguments) run with and without the fast path: both
 * exit 0 without a warning, with the same stdout and simulated --stats;
 * stdout is `want_out` unless that is NULL. */
static void expect_same_either_way(const char *const *guest, const char *want_out)
{
	GStrvBuilder *fast = g_strv_builder_new(), *plain = g_strv_builder_new();
	g_auto(GStrv) fast_argv = NULL, plain_argv = NULL;
	struct result a, b;

	g_strv_builder_add_many(fast, MMUSIM_PATH, "run", "--stats", NULL);
	g_strv_builder_add_many(plain, MMUSIM_PATH, "run", "--stats", "--no-fastpath", NULL);
	g_strv_builder_addv(fast, (const char **)guest);
	g_strv_builder_addv(plain, (const char **)guest);
	fast_argv = g_strv_builder_end(fast);
	plain_argv = g_strv_builder_end(plain);
	g_strv_builder_unref(fast);
	g_strv_builder_unref(plain);
	a = run_argv((const char *const *)fast_argv);
	b = run_argv((const char *const *)plain_argv);
	expect_status(&a, 0);
	expect_status(&b, 0);
	if (want_out)
		cr_expect_str_eq(a.out, want_out);
	cr_expect_str_eq(a.out, b.out, "%s: stdout differs with --no-fastpath", guest[0]);
	expect_not_contains("stderr", a.err, "warning");
	expect_contains("stderr", a.err, "\nhost\n");
	cr_expect_str_eq(simulated(a.err), simulated(b.err), "%s: --stats differ with --no-fastpath",
			 guest[0]);
	result_free(&a);
	result_free(&b);
}

Test(fastpath, sha256sum_figures_unchanged)
{
	gchar *data = tmp_path("data");
	GString *text = g_string_new(NULL);

	for (int i = 0; i < 20000; i++)
		g_string_append_printf(text, "line %d of the fast-path input\n", i);
	g_free(write_tmp_file("data", text->str));
	expect_same_either_way((const char *const[]){ BB, "sha256sum", data, NULL }, NULL);
	g_string_free(text, TRUE);
	g_free(data);
}

Test(fastpath, tlbstride_figures_unchanged)
{
	expect_same_either_way((const char *const[]){ GUEST("tlbstride"), NULL }, NULL);
}

Test(fastpath, forkexec_figures_unchanged)
{
	expect_same_either_way((const char *const[]){ GUEST("forkexec"), "20", NULL }, NULL);
}

/* Two rounds: the second must run the rewritten code (exit status 0 both
 * ways; a round is 64 pages of fresh code, slow to translate). */
Test(fastpath, self_modifying_code_figures_unchanged)
{
	expect_same_either_way((const char *const[]){ GUEST("codefill"), "2", NULL }, NULL);
}

/* A file of code that returns `n`: "mov w0, #n; ret" (0x52800000 | n << 5,
 * 0xd65f03c0), little-endian; its path (g_free it). */
static gchar *code_file(const char *name, guint32 n)
{
	const guint32 words[] = { GUINT32_TO_LE(0x52800000u | n << 5), GUINT32_TO_LE(0xd65f03c0u) };
	gchar *path = tmp_path(name);

	cr_assert(g_file_set_contents(path, (const char *)words, sizeof(words), NULL));
	return path;
}

/* codefile maps the first file's code, unmaps it, and maps the second
 * file's into the recycled frame: "first 1 second 2" either way. */
Test(fastpath, recycled_code_frames_figures_unchanged)
{
	gchar *first = code_file("one.bin", 1), *second = code_file("two.bin", 2);

	expect_same_either_way((const char *const[]){ GUEST("codefile"), first, second, NULL },
			       "first 1 second 2\n");
	g_free(first);
	g_free(second);
}

Test(fastpath, option_in_help)
{
	struct result r = run_mmusim_raw("run", "--help", NULL);

	expect_status(&r, 0);
	expect_contains("--help", r.out, "--no-fastpath");
	result_free(&r);
}
