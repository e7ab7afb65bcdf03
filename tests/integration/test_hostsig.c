/*
 * Host signals (sim/hostsig): SIGINT, SIGTERM, SIGHUP and SIGPIPE sent to a
 * running mmusim stop the guest; --stats is printed, the report is written
 * and marked interrupted, and mmusim exits with 128+signo instead of dying.
 * A guest writing to a standard output nobody reads any more (`yes | head
 * -1`) gets EPIPE and SIGPIPE as on Linux (compared with qemu-aarch64-static,
 * which passes the host's answer on), and mmusim still reports.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

TestSuite(hostsig, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* A child started with its standard descriptors on the given ones, in
 * tmp_dir(), with the default action for the signals under test (the test
 * runner may ignore some, and ignored signals are inherited). */
static pid_t spawn(const char *const *argv, int in, int out, int err)
{
	pid_t pid = fork();

	cr_assert(pid >= 0, "fork: %s", g_strerror(errno));
	if (pid == 0) {
		sigset_t none;
		int fds[3] = { in, out, err };

		for (int fd = 0; fd < 3; fd++)
			if (fds[fd] != fd && dup2(fds[fd], fd) < 0)
				_exit(125);
		for (int s = 1; s < NSIG; s++)
			signal(s, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (chdir(tmp_dir()))
			_exit(125);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* A pipe whose descriptors the child does not keep past exec. */
static void make_pipe(int fds[2])
{
	cr_assert(pipe2(fds, O_CLOEXEC) == 0, "pipe: %s", g_strerror(errno));
}

/* Read from `fd` up to and including the first newline (at most 20 s). */
static gchar *read_line(int fd)
{
	GString *line = g_string_new(NULL);
	char c;

	while (!strchr(line->str, '\n')) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		cr_assert(poll(&p, 1, 20000) == 1, "no line within 20 s, so far \"%s\"", line->str);
		if (read(fd, &c, 1) != 1)
			break;
		g_string_append_c(line, c);
	}
	return g_string_free(line, FALSE);
}

static gchar *read_all(int fd)
{
	GString *all = g_string_new(NULL);
	char buf[4096];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			g_string_append_len(all, buf, n);
	return g_string_free(all, FALSE);
}

/* Wait for `pid`: its exit status; it must not have died of a signal. */
static int wait_exit(pid_t pid, const char *err)
{
	int ws;

	cr_assert(waitpid(pid, &ws, 0) == pid, "waitpid: %s", g_strerror(errno));
	cr_assert(WIFEXITED(ws), "mmusim was killed by host signal %d; stderr:\n%s",
		  WIFSIGNALED(ws) ? WTERMSIG(ws) : -1, err);
	return WEXITSTATUS(ws);
}

static JsonObject *load_result(const char *path, JsonParser *parser)
{
	GError *error = NULL;

	cr_assert(json_parser_load_from_file(parser, path, &error), "%s does not parse: %s", path,
		  error ? error->message : "?");
	return json_object_get_object_member(json_node_get_object(json_parser_get_root(parser)), "result");
}

/* The report's result: `status`, and interrupted by `signame` (NULL: not). */
static void expect_report_result(const char *path, int status, const char *signame)
{
	JsonParser *parser = json_parser_new();
	JsonObject *result = load_result(path, parser);

	cr_expect_eq(json_object_get_int_member(result, "exit_status"), status);
	cr_assert(json_object_has_member(result, "interrupted"), "no result.interrupted in %s", path);
	if (signame)
		cr_expect_str_eq(json_object_get_string_member(result, "interrupted"), signame);
	else
		cr_expect(json_object_get_null_member(result, "interrupted"), "interrupted is not null");
	g_object_unref(parser);
}

/* Run the endless loop guest, send `signo` once it has printed its line. */
static void expect_stopped_by(int signo, const char *signame)
{
	gchar *report = tmp_path("run.json");
	const char *const argv[] = { MMUSIM_PATH, "run", "--stats", "--report", report, GUEST("loop"), NULL };
	int out[2], err[2], devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	gchar *line, *errtext, *said = g_strdup_printf("mmusim: %s: stopped the guest after ", signame);
	pid_t pid;

	make_pipe(out);
	make_pipe(err);
	pid = spawn(argv, devnull, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	line = read_line(out[0]);
	cr_expect_str_eq(line, "looping forever\n");
	cr_assert(kill(pid, signo) == 0);
	errtext = read_all(err[0]);
	cr_expect_eq(wait_exit(pid, errtext), 128 + signo, "%s: exit status", signame);
	expect_contains("stderr", errtext, said);
	expect_contains("stderr", errtext, "mmusim statistics\n");
	expect_report_result(report, 128 + signo, signame);
	close(out[0]);
	close(err[0]);
	close(devnull);
	g_free(said);
	g_free(line);
	g_free(errtext);
	g_free(report);
}

Test(hostsig, sigint_stops_the_guest_and_reports)
{
	expect_stopped_by(SIGINT, "SIGINT");
}

Test(hostsig, sigterm_stops_the_guest_and_reports)
{
	expect_stopped_by(SIGTERM, "SIGTERM");
}

Test(hostsig, sighup_stops_the_guest_and_reports)
{
	expect_stopped_by(SIGHUP, "SIGHUP");
}

/* A SIGPIPE sent by another process (not the kernel's answer to a write of
 * mmusim's own) is a request to stop like the others. */
Test(hostsig, sigpipe_from_another_process_stops_the_guest)
{
	expect_stopped_by(SIGPIPE, "SIGPIPE");
}

/* A guest blocked in a host read (cat of a pipe nobody writes) stops too. */
Test(hostsig, a_guest_blocked_in_a_host_read_is_stopped)
{
	gchar *report = tmp_path("run.json");
	const char *const argv[] = { MMUSIM_PATH, "run", "--report", report, BB, "cat", NULL };
	int in[2], out[2], err[2];
	gchar *line, *errtext;
	pid_t pid;

	make_pipe(in);
	make_pipe(out);
	make_pipe(err);
	pid = spawn(argv, in[0], out[1], err[1]);
	close(out[1]);
	close(err[1]);
	cr_assert(write(in[1], "ping\n", 5) == 5);
	line = read_line(out[0]);	/* cat echoed it: it reads again now, and blocks */
	cr_expect_str_eq(line, "ping\n");
	cr_assert(kill(pid, SIGINT) == 0);
	errtext = read_all(err[0]);
	cr_expect_eq(wait_exit(pid, errtext), 130);
	expect_report_result(report, 130, "SIGINT");
	for (int i = 0; i < 2; i++) {
		close(in[i]);
		close(out[i]);
		close(err[i]);
	}
	g_free(line);
	g_free(errtext);
	g_free(report);
}

/* `mmusim run --stats --report r.json busybox yes | head -1`: the guest's
 * write after head left fails with EPIPE and raises SIGPIPE in the guest,
 * which dies of it (141); mmusim prints --stats and writes the report. */
Test(hostsig, yes_into_head_ends_with_the_guests_sigpipe)
{
	gchar *report = tmp_path("run.json");
	const char *const argv[] = { MMUSIM_PATH, "run", "--stats", "--report", report, BB, "yes", NULL };
	int out[2], err[2], devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	gchar *line, *errtext;
	pid_t pid;

	make_pipe(out);
	make_pipe(err);
	pid = spawn(argv, devnull, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	line = read_line(out[0]);
	cr_expect_str_eq(line, "y\n");
	close(out[0]);		/* head -1 is done */
	errtext = read_all(err[0]);
	cr_expect_eq(wait_exit(pid, errtext), 128 + SIGPIPE);
	expect_contains("stderr", errtext, "killed by SIGPIPE");
	expect_contains("stderr", errtext, "mmusim statistics\n");
	expect_report_result(report, 128 + SIGPIPE, NULL);
	close(err[0]);
	close(devnull);
	g_free(line);
	g_free(errtext);
	g_free(report);
}

/* `prefix... BB sh -c script` with standard output a pipe whose reader is
 * gone: its exit status (128+signo for a signal, then `*signaled`) and
 * standard error. */
static int run_into_closed_pipe(const char *const *prefix, const char *script, gchar **errtext,
				bool *signaled)
{
	GPtrArray *argv = g_ptr_array_new();
	int out[2], err[2], devnull = open("/dev/null", O_RDONLY | O_CLOEXEC), ws;
	pid_t pid;

	for (; *prefix; prefix++)
		g_ptr_array_add(argv, (gpointer)*prefix);
	g_ptr_array_add(argv, (gpointer)BB);
	g_ptr_array_add(argv, (gpointer)"sh");
	g_ptr_array_add(argv, (gpointer)"-c");
	g_ptr_array_add(argv, (gpointer)script);
	g_ptr_array_add(argv, NULL);
	make_pipe(out);
	make_pipe(err);
	close(out[0]);
	pid = spawn((const char *const *)argv->pdata, devnull, out[1], err[1]);
	close(out[1]);
	close(err[1]);
	*errtext = read_all(err[0]);
	close(err[0]);
	close(devnull);
	cr_assert(waitpid(pid, &ws, 0) == pid);
	g_ptr_array_free(argv, TRUE);
	*signaled = WIFSIGNALED(ws);
	return WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
}

/* Linux's answer: a shell that ignores SIGPIPE sees EPIPE ("Broken pipe",
 * status 1); one that does not dies of SIGPIPE.  mmusim must not die itself. */
Test(hostsig, writes_to_a_closed_stdout_are_epipe_and_sigpipe_as_on_linux)
{
	static const char *const mmusim[] = { MMUSIM_PATH, "run", NULL };
	static const char *const qemu[] = { QEMU_PATH, NULL };
	static const char *const scripts[] = {
		"trap '' PIPE; echo x; echo status $? >&2",
		"echo x; echo not reached >&2",
	};

	for (size_t i = 0; i < G_N_ELEMENTS(scripts); i++) {
		gchar *merr, *qerr;
		bool msignaled, qsignaled;
		int mstatus = run_into_closed_pipe(mmusim, scripts[i], &merr, &msignaled);
		int qstatus = run_into_closed_pipe(qemu, scripts[i], &qerr, &qsignaled);

		cr_expect(!msignaled, "%s: mmusim was killed by host signal %d", scripts[i], mstatus - 128);
		cr_expect_eq(mstatus, qstatus, "%s: status %d under mmusim, %d under qemu; stderr:\n%s",
			     scripts[i], mstatus, qstatus, merr);
		if (qstatus != 128 + SIGPIPE)	/* then mmusim says who killed the guest */
			cr_expect_str_eq(merr, qerr, "%s: stderr", scripts[i]);
		g_free(merr);
		g_free(qerr);
	}
}
