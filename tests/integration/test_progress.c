/*
 * The progress line (sim/progress): on by default when standard error is a
 * terminal (a pseudo-terminal here), off when it is not, forced on by
 * --progress and off by --no-progress.  Only whether the line appears and
 * the figures of its last version are checked: when it is rewritten
 * depends on host time.  mmusim replay's line (sim/replay_cmd.c): on a
 * terminal only, ending with the final count, and the figures the same
 * with it as without.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "traces/trace.h"

TestSuite(progress, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

#define PROGRESS_TEXT " instructions, "

/* `argv` on a pseudo-terminal for standard input, output and error. */
static pid_t spawn_argv_on_pty(const char *const *argv, int *master)
{
	pid_t pid = forkpty(master, NULL, NULL, NULL);

	cr_assert(pid >= 0, "forkpty: %s", g_strerror(errno));
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* `mmusim run OPTION guest/loop` (OPTION may be NULL) on a pseudo-terminal. */
static pid_t spawn_on_pty(const char *option, int *master)
{
	const char *argv[] = { MMUSIM_PATH, "run", option ? option : GUEST("loop"), GUEST("loop"), NULL };

	if (!option)
		argv[3] = NULL;
	return spawn_argv_on_pty(argv, master);
}

/* What arrives on `fd` within `ms` host milliseconds, or until `needle`
 * arrives (NULL: the whole time). */
static gchar *read_for(int fd, int ms, const char *needle)
{
	gint64 end = g_get_monotonic_time() + ms * 1000;
	GString *got = g_string_new(NULL);
	char buf[512];

	while (!(needle && strstr(got->str, needle))) {
		gint64 left = (end - g_get_monotonic_time()) / 1000;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) != 1)
			break;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		g_string_append_len(got, buf, n);
	}
	return g_string_free(got, FALSE);
}

/* Stop the endless guest with SIGINT and reap mmusim: it exits 130. */
static void stop(pid_t pid, int master)
{
	int ws;

	cr_assert_eq(kill(pid, SIGINT), 0);
	g_free(read_for(master, 20000, NULL));	/* drain until mmusim closes the terminal */
	cr_assert_eq(waitpid(pid, &ws, 0), pid);
	cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == 130, "mmusim wait status %#x", ws);
	close(master);
}

Test(progress, on_by_default_on_a_terminal)
{
	int master;
	pid_t pid = spawn_on_pty(NULL, &master);
	gchar *out = read_for(master, 30000, PROGRESS_TEXT);

	cr_expect(strstr(out, "\rmmusim: ") && strstr(out, PROGRESS_TEXT),
		  "no progress line on the terminal within 30 s:\n%s", out);
	g_free(out);
	stop(pid, master);
}

Test(progress, no_progress_keeps_a_terminal_quiet)
{
	int master;
	pid_t pid = spawn_on_pty("--no-progress", &master);
	gchar *start = read_for(master, 30000, "looping forever");
	gchar *more = read_for(master, 2500, NULL);	/* more than two periods of a running guest */
	gchar *out = g_strconcat(start, more, NULL);

	cr_expect(strstr(out, "looping forever"), "the guest did not start within 30 s:\n%s", out);
	cr_expect_null(strstr(out, PROGRESS_TEXT), "a progress line with --no-progress:\n%s", out);
	g_free(start);
	g_free(more);
	g_free(out);
	stop(pid, master);
}

/* A run of several host seconds with standard error a pipe (the harness's):
 * no line. */
Test(progress, off_when_stderr_is_not_a_terminal)
{
	struct result r = run_mmusim("--max-insns", "40000000", GUEST("loop"), NULL);

	expect_status(&r, 152);
	expect_not_contains("stderr", r.err, PROGRESS_TEXT);
	result_free(&r);
}

/* --progress on a pipe: the final line at least, with the run's figures:
 * as many instructions as --max-insns let run, and simulated time. */
Test(progress, forced_on_a_pipe_ends_with_the_final_figures)
{
	struct result r = run_mmusim("--progress", "--max-insns", "1000000", GUEST("loop"), NULL);
	const char *stopped = strstr(r.err, "stopped after "), *last = g_strrstr(r.err, "\rmmusim: ");
	uint64_t ran = 0, shown = 0;
	double seconds = -1;

	expect_status(&r, 152);
	cr_assert(stopped && sscanf(stopped, "stopped after %" SCNu64, &ran) == 1, "stderr:\n%s", r.err);
	cr_assert(last && sscanf(last, "\rmmusim: %" SCNu64 " instructions, %lf s simulated", &shown,
				 &seconds) == 2, "no progress line:\n%s", r.err);
	cr_expect_eq(shown, ran);
	cr_expect_gt(seconds, 0.0);
	cr_expect(g_str_has_suffix(r.err, " MIPS\033[K\n"), "the line does not end the output:\n%s", r.err);
	result_free(&r);
}

/* ---- mmusim replay: accesses, rate, share of the file, time left ---- */

/* A recorded trace of 1000 reads of 8 bytes from 0x601000, in mm 1. */
static gchar *write_reads(void)
{
	gchar *path = tmp_path("reads.trace");
	GString *error = g_string_new(NULL);
	struct trace_header h = { "reads", "--cpus 1", "default" };
	struct trace_writer *w = trace_writer_open(path, &h, error);
	uint64_t one = 1;

	cr_assert_not_null(w, "%s", error->str);
	trace_write_event(w, 0, TRACE_MM_NEW, &one);
	trace_write_event(w, 0, TRACE_SWITCH, &one);
	for (uint64_t i = 0; i < 1000; i++)
		trace_write_access(w, 0, TRACE_READ, 0x601000 + 8 * i, 8);
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	g_string_free(error, TRUE);
	return path;
}

/* `mmusim replay --synthetic --report REPORT TRACE` on a pseudo-terminal:
 * all it wrote there, once it exited 0. */
static gchar *replay_on_pty(const char *trace, const char *report)
{
	const char *argv[] = { MMUSIM_PATH, "replay", "--synthetic", "--report", report, trace, NULL };
	int master, ws;
	pid_t pid = spawn_argv_on_pty(argv, &master);
	gchar *out = read_for(master, 30000, NULL);	/* until mmusim closes the terminal */

	cr_assert_eq(waitpid(pid, &ws, 0), pid);
	cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "mmusim wait status %#x:\n%s", ws, out);
	close(master);
	return out;
}

Test(progress, replay_line_on_a_terminal)
{
	gchar *trace = write_reads(), *report = tmp_path("pty.json");
	gchar *out = replay_on_pty(trace, report);
	const char *last = g_strrstr(out, "\rreplay: ");
	uint64_t accesses = 0;
	double rate = -1, share = -1, left = -1;

	cr_assert(last && sscanf(last, "\rreplay: %" SCNu64 " accesses, %lf M/s, %lf%% of the file, "
				       "%lf s left", &accesses, &rate, &share, &left) == 4,
		  "no progress line:\n%s", out);
	cr_expect_eq(accesses, 1000);
	cr_expect_gt(rate, 0.0);
	cr_expect_eq(share, 100.0, "the whole file read at the end");
	cr_expect_eq(left, 0.0);
	cr_expect(g_str_has_suffix(out, " s left\033[K\r\n"), "the line does not end the output:\n%s",
		  out);
	g_free(out);
	g_free(report);
	g_free(trace);
}

Test(progress, replay_quiet_when_stderr_is_not_a_terminal)
{
	gchar *trace = write_reads();
	struct result r = run_mmusim_raw("replay", "--synthetic", trace, NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.err, "", "progress text on a pipe");
	result_free(&r);
	g_free(trace);
}

/* The line reads host time; the figures must not: the same report on a
 * terminal as on a pipe. */
Test(progress, replay_figures_the_same_on_a_terminal)
{
	gchar *trace = write_reads(), *on_pty = tmp_path("pty.json"), *on_pipe = tmp_path("pipe.json");
	gchar *out = replay_on_pty(trace, on_pty), *a = NULL, *b = NULL;
	struct result r = run_mmusim_raw("replay", "--synthetic", "--report", on_pipe, trace, NULL);

	expect_status(&r, 0);
	cr_assert(g_file_get_contents(on_pty, &a, NULL, NULL) &&
		  g_file_get_contents(on_pipe, &b, NULL, NULL));
	cr_expect(strstr(out, "\rreplay: "), "no line on the terminal:\n%s", out);
	cr_expect_str_eq(a, b);
	result_free(&r);
	g_free(a);
	g_free(b);
	g_free(out);
	g_free(on_pty);
	g_free(on_pipe);
	g_free(trace);
}
