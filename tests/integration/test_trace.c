/*
 * --strace and --stats, and determinism: the same run twice gives the same
 * statistics (instructions, system calls, faults, frames); only the host
 * section (wall-clock seconds, speed) may differ.
 */
#include <string.h>

#include "harness.h"

#define TEXT "one line for the tracer\n"

TestSuite(trace, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

Test(trace, strace_shows_the_calls_of_cat)
{
	gchar *path = write_tmp_file("traced.txt", TEXT);
	struct result r = run_mmusim("--strace", BB, "cat", "traced.txt", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, TEXT, "--strace must leave stdout alone");
	expect_contains("--strace output", r.err, "openat(AT_FDCWD, \"traced.txt\", O_RDONLY");
	/* BusyBox's cat copies with sendfile (on Linux and qemu too). */
	expect_contains("--strace output", r.err, "sendfile(1, 3, ");
	expect_contains("--strace output", r.err, "close(3) = 0\n");
	expect_contains("--strace output", r.err, "exit_group(0)");
	result_free(&r);
	g_free(path);
}

Test(trace, strace_shows_write)
{
	struct result r = run_mmusim("--strace", BB, "echo", "traced", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "traced\n");
	expect_contains("--strace output", r.err, "write(1, ");
	expect_contains("--strace output", r.err, ") = 7\n");
	result_free(&r);
}

Test(trace, strace_shows_errors)
{
	struct result r = run_mmusim("--strace", BB, "cat", "missing.txt", NULL);

	expect_status(&r, 1);
	expect_contains("--strace output", r.err, "openat(AT_FDCWD, \"missing.txt\", O_RDONLY");
	expect_contains("--strace output", r.err, "ENOENT");
	result_free(&r);
}

Test(trace, stats)
{
	gchar *path = write_tmp_file("data.txt", TEXT);
	struct result r = run_mmusim("--stats", BB, "sha256sum", "data.txt", NULL);

	expect_status(&r, 0);
	expect_contains("--stats output", r.err, "instructions");
	expect_contains("--stats output", r.err, "page faults");
	expect_contains("--stats output", r.err, "system calls");
	expect_contains("--stats output", r.out, "  data.txt\n");
	result_free(&r);
	g_free(path);
}

/* Watching a run must not change it: --strace reads guest memory without
 * faulting it in.  untouched's first calls fail before they read their
 * buffers, which are on a page never touched or at an address nothing maps
 * (Linux looks the descriptor up first; qemu-aarch64-static answers EFAULT
 * for the unmapped one, so the answers come from the same program built for
 * this host), so --strace shows those as addresses.  The last call reads its
 * path from a page never touched: --strace shows it once the call has read
 * it. */
Test(trace, strace_does_not_change_the_run)
{
	static const char expected[] =
		"write from an untouched page: -1 EBADF\n"
		"pwrite64 from an untouched page: -1 EBADF\n"
		"write from an unmapped address: -1 EBADF\n"
		"futimens: -1 EBADF\n"
		"faccessat of an untouched path: -1 ENOENT\n";
	const char *host[] = { HOST_UNTOUCHED_PATH, NULL };
	struct result h = run_argv(host);
	struct result plain = run_mmusim("--report", "plain.json", GUEST("untouched"), NULL);
	struct result traced = run_mmusim("--strace", "--report", "traced.json", GUEST("untouched"), NULL);
	gchar *paths[2] = { tmp_path("plain.json"), tmp_path("traced.json") }, *texts[2];

	cr_expect_eq(h.status, 0);
	cr_expect_str_eq(h.out, expected, "the host kernel answered:\n%s", h.out);
	expect_status(&plain, 0);
	expect_status(&traced, 0);
	cr_expect_str_eq(plain.out, h.out, "mmusim and the host kernel disagree");
	cr_expect_str_eq(traced.out, h.out, "mmusim --strace and the host kernel disagree");
	for (int i = 0; i < 2; i++)
		texts[i] = report_before_host(paths[i]);
	cr_expect_str_eq(texts[0], texts[1], "--strace changed the report:\n%s\n--- with --strace:\n%s",
			 texts[0], texts[1]);
	expect_contains("--strace output", traced.err, "] write(99, 0x7");
	expect_contains("--strace output", traced.err, "] write(99, 0x10, 16) = -1 EBADF");
	expect_contains("--strace output", traced.err, "] faccessat2(AT_FDCWD, \"\", 0, 0) = -1 ENOENT");
	for (int i = 0; i < 2; i++) {
		g_free(texts[i]);
		g_free(paths[i]);
	}
	result_free(&h);
	result_free(&plain);
	result_free(&traced);
}

/* The --stats lines up to the "host" line. */
static gchar *simulated_stats(const char *err)
{
	const char *host = strstr(err, "\nhost\n");

	cr_assert_not_null(host, "no host section in:\n%s", err);
	return g_strndup(err, (gsize)(host - err));
}

Test(trace, deterministic)
{
	GString *text = g_string_new(NULL);
	gchar *path, *first = NULL;

	for (int i = 0; i < 20000; i++)
		g_string_append_printf(text, "%d\n", i);
	path = write_tmp_file("data.txt", text->str);
	for (int run = 0; run < 2; run++) {
		struct result r = run_mmusim("--stats", BB, "sha256sum", "data.txt", NULL);
		gchar *stats;

		expect_status(&r, 0);
		stats = simulated_stats(r.err);
		expect_contains("--stats output", stats, "instructions");
		if (!first)
			first = stats;
		else
			cr_expect_str_eq(stats, first, "two runs differ:\n--- first:\n%s\n--- second:\n%s",
					 first, stats);
		if (stats != first)
			g_free(stats);
		result_free(&r);
	}
	g_free(first);
	g_free(path);
	g_string_free(text, TRUE);
}
