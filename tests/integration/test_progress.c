/*
 * The progress line (sim/progress): on by default when standard error is a
 * terminal (a pseudo-terminal here), off when it is not, forced on by
 * --progress and off by --no-progress.  Only whether the line appears and
 * the figures of its last version are checked: when it is rewritten
 * depends on host time.
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

TestSuite(progress, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

#define PROGRESS_TEXT " instructions, "

/* `mmusim run OPTION guest/loop` (OPTION may be NULL) on a pseudo-terminal
 * for standard input, output and error. */
static pid_t spawn_on_pty(const char *option, int *master)
{
	const char *argv[] = { MMUSIM_PATH, "run", option ? option : GUEST("loop"), GUEST("loop"), NULL };
	pid_t pid = forkpty(master, NULL, NULL, NULL);

	cr_assert(pid >= 0, "forkpty: %s", g_strerror(errno));
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		if (!option)
			argv[3] = NULL;
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
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
