/*
 * Processes, threads and signals: the task guests (forkcow, forkbomb,
 * threads, pingpong, signals, vfork, execer, pipeproc, deadlock) and
 * BusyBox shell pipelines, compared with qemu-aarch64-static where both
 * must agree, and checked against figures worked out by hand: copy-on-write
 * fault counts, the task limit, counter totals, checksums, frames given
 * back, the same statistics from two runs, the deadlock report, and what
 * --strace shows of interrupted and successful calls.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "harness.h"

TestSuite(tasks, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_OPTIONS ((const char *const[]){ NULL })

/* Run `prefix...` then `first...` then `second...` (NULL-terminated arrays). */
static struct result run_joined(const char *const *prefix, const char *const *first,
				const char *const *second)
{
	const char *const *parts[] = { prefix, first, second };
	GPtrArray *argv = g_ptr_array_new();
	struct result r;

	for (size_t i = 0; i < G_N_ELEMENTS(parts); i++)
		for (const char *const *p = parts[i]; *p; p++)
			g_ptr_array_add(argv, (gpointer)*p);
	g_ptr_array_add(argv, NULL);
	r = run_argv((const char *const *)argv->pdata);
	g_ptr_array_free(argv, TRUE);
	return r;
}

/* `mmusim run OPTIONS... ARGS...` */
static struct result run_mmusim_with(const char *const *options, const char *const *args)
{
	return run_joined(ARGS(MMUSIM_PATH, "run"), options, args);
}

/* The guest command line `args` under `mmusim run OPTIONS...` and under
 * qemu: stdout and exit status must be equal (stderr may differ: mmusim's
 * warnings, its statistics).  Returns mmusim's result (result_free it). */
static struct result expect_stdout_as_qemu(const char *const *options, const char *const *args)
{
	struct result m = run_mmusim_with(options, args), q = run_joined(ARGS(QEMU_PATH), args, NO_OPTIONS);
	gchar *cmd = g_strjoinv(" ", (gchar **)args);

	cr_expect(!m.host_signal, "%s: mmusim was killed by host signal %d", cmd, m.status - 128);
	cr_expect_str_eq(m.out, q.out, "%s: stdout differs\n--- mmusim:\n%s--- qemu:\n%s", cmd, m.out, q.out);
	cr_expect_eq(m.status, q.status, "%s: exit status %d under mmusim, %d under qemu; mmusim's stderr:\n%s",
		     cmd, m.status, q.status, m.err);
	result_free(&q);
	g_free(cmd);
	return m;
}

/* The guest under mmusim and qemu, stdout, stderr and status all equal;
 * then mmusim's stdout must be `out` and its status `status`. */
static void expect_same_and(const char *const *args, int status, const char *out)
{
	struct result r = expect_same_as_qemu(args);

	expect_status(&r, status);
	cr_expect_str_eq(r.out, out, "%s: stdout:\n%s--- expected:\n%s", args[0], r.out, out);
	result_free(&r);
}

/* The number on the --stats line "NAME   N" (any indentation), or -1 when
 * there is no such line (fault kinds that did not happen are not listed). */
static gint64 stat_value(const char *err, const char *name)
{
	gchar *escaped = g_regex_escape_string(name, -1);
	gchar *pattern = g_strdup_printf("^ +%s +([0-9]+)$", escaped);
	GRegex *re = g_regex_new(pattern, G_REGEX_MULTILINE, 0, NULL);
	GMatchInfo *match;
	gint64 value = -1;

	if (g_regex_match(re, err, 0, &match)) {
		gchar *digits = g_match_info_fetch(match, 1);

		value = g_ascii_strtoll(digits, NULL, 10);
		g_free(digits);
	}
	g_match_info_free(match);
	g_regex_unref(re);
	g_free(pattern);
	g_free(escaped);
	return value;
}

/* A fault kind's count: 0 when --stats does not list it. */
static gint64 fault_count(const struct result *r, const char *kind)
{
	return MAX(stat_value(r->err, kind), 0);
}

/* A --stats line that must be there. */
static gint64 required_stat(const struct result *r, const char *name)
{
	gint64 value = stat_value(r->err, name);

	cr_expect_geq(value, 0, "no --stats line \"%s\":\n%s", name, r->err);
	return value;
}

/* Once every process has exited, every data frame and page-table frame
 * has been given back. */
static void expect_frames_freed(const struct result *r)
{
	cr_expect_eq(required_stat(r, "data"), 0, "data frames in use at exit:\n%s", r->err);
	cr_expect_eq(required_stat(r, "page tables"), 0, "page-table frames in use at exit:\n%s", r->err);
}

/* The statistics before the host section (which depends on the host). */
static gchar *simulated_stats(const struct result *r)
{
	const char *start = strstr(r->err, "mmusim statistics\n"), *host = start ? strstr(start, "\nhost\n") : NULL;

	cr_assert(start && host, "no --stats output:\n%s", r->err);
	return g_strndup(start, (gsize)(host - start));
}

/* How many times `needle` occurs in `haystack`. */
static unsigned occurrences(const char *haystack, const char *needle)
{
	unsigned n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* ---- forkcow ---- */

Test(tasks, forkcow_views_match_qemu)
{
	expect_same_and(ARGS(GUEST("forkcow"), "16", "32", "read"), 0,
			"parent: own 32 pages and the pattern, no child writes: yes\n"
			"child: pattern intact after fork: yes\n"
			"child: own 16 pages and the pattern, no parent writes: yes\n"
			"child exit status 0\n");
}

/*
 * Copy-on-write fault counts in forkcow's 64-page region, CHILD and PARENT
 * pages written (see guest/forkcow.c).  After fork every region page is
 * mapped read-only by both processes, its frame counted twice.
 *
 *   - The child writes pages [0, C): each frame is shared, so each write
 *     copies: C cow-copy faults.
 *   - Then (the pipe orders it) the parent writes pages [0, P):
 *       pages [0, min(C, P)) the child has copied: the parent's frame is
 *       its own now, the write upgrades it in place: min(C, P) cow-reuse;
 *       pages [C, P), if P > C, nobody copied yet: P - C more cow-copy.
 *   - Reading shared pages maps nothing new: no fault at all.
 *
 *   C  P   cow-copy        cow-reuse
 *   0  0   0               0          (baseline; "skip": the child does not even read)
 *  16  0   16              0
 *   0 16   16              0
 *  16  8   16              8
 *  16 32   16 + 16 = 32    16
 *
 * The rest of the program (stack, libc data) faults the same way in every
 * run: its counts are the baseline's, and only the region adds to them.
 */
static const struct cow_run {
	const char *child, *parent, *look;
	gint64 copies, reuses;
} cow_runs[] = {
	{ "00", "00", "skip", 0, 0 },
	{ "00", "00", "read", 0, 0 },
	{ "16", "00", "read", 16, 0 },
	{ "00", "16", "read", 16, 0 },
	{ "16", "08", "read", 16, 8 },
	{ "16", "32", "read", 32, 16 },
};

static struct result run_forkcow(const struct cow_run *run)
{
	struct result r = run_mmusim_with(ARGS("--stats"), ARGS(GUEST("forkcow"), run->child, run->parent, run->look));

	expect_status(&r, 0);
	expect_not_contains("stdout", r.out, ": no\n");
	return r;
}

Test(tasks, forkcow_shares_frames_until_the_first_write)
{
	struct result base = run_forkcow(&cow_runs[0]);
	gint64 base_copy = fault_count(&base, "cow-copy"), base_reuse = fault_count(&base, "cow-reuse");
	gint64 base_anon = fault_count(&base, "anon-zero"), base_total = required_stat(&base, "page faults");

	expect_frames_freed(&base);
	for (size_t i = 1; i < G_N_ELEMENTS(cow_runs); i++) {
		const struct cow_run *run = &cow_runs[i];
		struct result r = run_forkcow(run);
		gint64 copies = fault_count(&r, "cow-copy") - base_copy;
		gint64 reuses = fault_count(&r, "cow-reuse") - base_reuse;

		cr_expect_eq(copies, run->copies, "forkcow %s %s %s: %" G_GINT64_FORMAT " cow-copy faults beyond "
			     "the baseline, expected %" G_GINT64_FORMAT ":\n%s", run->child, run->parent, run->look,
			     copies, run->copies, r.err);
		cr_expect_eq(reuses, run->reuses, "forkcow %s %s %s: %" G_GINT64_FORMAT " cow-reuse faults beyond "
			     "the baseline, expected %" G_GINT64_FORMAT ":\n%s", run->child, run->parent, run->look,
			     reuses, run->reuses, r.err);
		/* nothing else changes: no other fault kind, no extra anonymous page */
		cr_expect_eq(required_stat(&r, "page faults") - base_total, run->copies + run->reuses,
			     "forkcow %s %s %s: other faults changed too:\n%s", run->child, run->parent, run->look,
			     r.err);
		cr_expect_eq(fault_count(&r, "anon-zero"), base_anon);
		expect_frames_freed(&r);
		result_free(&r);
	}
	result_free(&base);
}

/* ---- forkbomb ---- */

/* A limit of 20 tasks: the parent and 19 children; the 20th fork fails. */
Test(tasks, forkbomb_stops_at_the_task_limit)
{
	static const char warning[] = "mmusim: warning: task limit reached (--max-tasks 20): clone fails with EAGAIN\n";
	struct result r = run_mmusim_with(ARGS("--max-tasks", "20", "--stats"), ARGS(GUEST("forkbomb")));

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "fork failed: EAGAIN after 19\nreaped 19 children, 19 killed by SIGTERM\n");
	cr_expect_eq(occurrences(r.err, warning), 1, "expected the warning once:\n%s", r.err);
	cr_expect_eq(required_stat(&r, "forks"), 19);
	expect_frames_freed(&r);
	result_free(&r);
}

Test(tasks, forkbomb_with_one_task_cannot_fork)
{
	struct result r = run_mmusim_with(ARGS("--max-tasks", "1"), ARGS(GUEST("forkbomb")));

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "fork failed: EAGAIN after 0\nreaped 0 children, 0 killed by SIGTERM\n");
	expect_contains("stderr", r.err, "task limit reached (--max-tasks 1)");
	result_free(&r);
}

Test(tasks, forkbomb_below_the_limit_matches_qemu)
{
	expect_same_and(ARGS(GUEST("forkbomb"), "10"), 0,
			"forked 10 children\nreaped 10 children, 10 killed by SIGTERM\n");
}

/* ---- threads and futexes ---- */

static const char threads_out[] =
	"thread 0: 10000 additions\nthread 1: 10000 additions\nthread 2: 10000 additions\n"
	"thread 3: 10000 additions\nthread 4: 10000 additions\nthread 5: 10000 additions\n"
	"thread 6: 10000 additions\nthread 7: 10000 additions\n"
	"total 80000\n";	/* 8 threads x 10000 */

Test(tasks, threads_count_under_a_mutex)
{
	expect_same_and(ARGS(GUEST("threads")), 0, threads_out);
}

Test(tasks, threads_on_one_cpu_and_a_short_quantum)
{
	struct result r = run_mmusim_with(ARGS("--cpus", "1", "--quantum", "1000", "--stats"), ARGS(GUEST("threads")));

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, threads_out);
	cr_expect_eq(required_stat(&r, "threads created"), 8);
	expect_frames_freed(&r);
	result_free(&r);
}

/* A thread spinning on system calls still gives the only CPU up after a
 * quantum (20,000 instructions by default) to the thread that ends its
 * spin: far within a budget of 10 million. */
Test(tasks, a_quantum_spans_system_calls)
{
	struct result r = run_mmusim_with(ARGS("--cpus", "1", "--max-insns", "10000000"),
					  ARGS(GUEST("syscallspin")));

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "the other thread ran: after some turns\n");
	result_free(&r);
}

Test(tasks, pingpong_through_a_futex)
{
	expect_same_and(ARGS(GUEST("pingpong")), 0, "pings 1000 pongs 1000 handovers 2000\n");
}

/* ---- signals ---- */

Test(tasks, signals_match_qemu)
{
	struct result r = expect_same_as_qemu(ARGS(GUEST("signals")));

	expect_status(&r, 0);
	expect_not_contains("stdout", r.out, "FAILED");
	expect_contains("stdout", r.out, "\n0 failed\n");
	cr_expect_eq(occurrences(r.out, ": ok\n"), 16, "expected 16 checks:\n%s", r.out);
	result_free(&r);
}

/*
 * Each group of checks alone on one simulated CPU: a task woken, then
 * signalled before it runs again, must not go back to sleep with the
 * signal pending.  (On one CPU the waker keeps running after the wake-up:
 * "kill" wakes a child in pause() through an unrelated pipe's change, then
 * sends SIGTERM; "killwriter" wakes a child blocked writing PIPE_BUF bytes
 * to a full pipe by reading one byte, then sends SIGTERM.)
 */
Test(tasks, signals_one_group_at_a_time_on_one_cpu)
{
	static const char *const groups[] = { "segv", "sigchld", "kill", "killwriter", "altstack",
					      "sigwait", "sigsuspend", "restart" };

	for (size_t i = 0; i < G_N_ELEMENTS(groups); i++) {
		struct result r = expect_stdout_as_qemu(ARGS("--cpus", "1"), ARGS(GUEST("signals"), groups[i]));

		expect_status(&r, 0);
		expect_contains("stdout", r.out, "\n0 failed\n");
		result_free(&r);
	}
}

/* An interrupted call is restarted or fails with EINTR: its strace line
 * must not show the kernel-internal ERESTARTSYS (512) as an errno. */
Test(tasks, strace_of_an_interrupted_read)
{
	struct result r = run_mmusim_with(ARGS("--strace"), ARGS(GUEST("signals"), "restart"));
	gchar **lines = g_strsplit(r.err, "\n", -1);

	expect_status(&r, 0);
	for (gchar **l = lines; *l; l++)
		cr_expect(!**l || g_regex_match_simple("^\\[[0-9]+\\] ", *l, 0, 0),
			  "a --strace line without \"[TID] \": %s", *l);
	expect_contains("strace", r.err, "] kill(100, SIGUSR1) = 0\n");
	expect_not_contains("strace", r.err, "Unknown error 512");
	g_strfreev(lines);
	result_free(&r);
}

/* vfork (not compared with qemu: qemu-user runs vfork as fork). */
Test(tasks, vfork_suspends_the_parent)
{
	struct result r = run_mmusim(GUEST("vfork"), NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "memory  the parent sees the child's store: ok\n"
			 "exit    vfork returns after the child has exited: ok\n"
			 "signal  a signal does not end the wait before the child exits: ok\n"
			 "signal  the handler ran once, as vfork returned: ok\n"
			 "exec    the parent resumes when the child execs: ok\n"
			 "0 failed\n");
	result_free(&r);
}

/* ---- execve ---- */

/* An executable text file for execer's ENOEXEC case. */
static gchar *text_program(void)
{
	gchar *path = write_tmp_file("notes.txt", "just some text\nnot a program\n");

	cr_assert_eq(g_chmod(path, 0755), 0);
	return path;
}

#define EXECER_FAILURES "execve /nonexistent/program: ENOENT\n" \
			"execve notes.txt: ENOEXEC\n"

/* The execer command line `args` must print the two failures, then
 * `expected_tail` (from the program it runs).  qemu-aarch64-static hands execve
 * to the host kernel, which cannot start an AArch64 program: the successful
 * execve is checked against the expectation only (the failures are
 * compared with qemu in execve_failures_match_qemu). */
static void expect_execer(const char *const *args, const char *expected_tail)
{
	gchar *text = text_program(), *expected = g_strconcat(EXECER_FAILURES, expected_tail, NULL);
	struct result r = run_mmusim_with(ARGS("--stats"), args);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, expected, "stdout:\n%s--- expected:\n%s", r.out, expected);
	expect_contains("stderr", r.err, "not an ELF file");
	cr_expect_eq(required_stat(&r, "execs"), 1);
	g_free(expected);
	result_free(&r);
	g_free(text);
}

Test(tasks, execve_failures_then_a_guest)
{
	expect_execer(ARGS(GUEST("execer"), "notes.txt", GUEST("hello"), "a", "b c"),
		      "running 4 arguments\n"
		      "Hello from an AArch64 guest with glibc\n"
		      "argument 1: a\n"
		      "argument 2: b c\n"
		      "argument 3: built-by-execer\n");
}

Test(tasks, execve_builds_argv_and_envp_for_busybox)
{
	gchar *tail = g_strdup_printf("running 6 arguments\n"
				      "argv: zero built-by-execer\n"
				      "EXECER=yes\n"
				      "PATH=/nonexistent\n"
				      "PWD=%s\n"
				      "SHLVL=1\n", tmp_dir());

	expect_execer(ARGS(GUEST("execer"), "notes.txt", BB, "sh", "-c", "echo \"argv: $0 $1\"; env | sort", "zero"),
		      tail);
	g_free(tail);
}

Test(tasks, execve_failures_match_qemu)
{
	gchar *text = text_program();
	struct result r = expect_stdout_as_qemu(NO_OPTIONS, ARGS(GUEST("execer"), "notes.txt", "/nonexistent/target"));

	expect_status(&r, 127);
	cr_expect_str_eq(r.out, EXECER_FAILURES "running 2 arguments\n"
			 "execve /nonexistent/target: ENOENT\n");
	result_free(&r);
	g_free(text);
}

/* A successful execve's strace line names the program it ran (strace
 * reads the arguments as the call enters, before the old image goes). */
Test(tasks, strace_of_a_successful_execve)
{
	gchar *text = text_program();
	struct result r = run_mmusim_with(ARGS("--strace"), ARGS(GUEST("execer"), "notes.txt", GUEST("hello")));

	/* strace shows at most 32 characters of a string, then "..." */
	const char *hello = GUEST("hello");
	gchar *shown = strlen(hello) > 32 ? g_strdup_printf("] execve(\"%.32s\"..., ", hello)
					  : g_strdup_printf("] execve(\"%s\", ", hello);

	expect_status(&r, 0);
	expect_contains("strace", r.err, "] execve(\"/nonexistent/program\", ");
	expect_contains("strace", r.err, shown);
	g_free(shown);
	result_free(&r);
	g_free(text);
}

/* ---- pipes between processes ---- */

/* What pipeproc prints for BYTES bytes: byte i is (i * 7 + i / 4096) &
 * 0xff, hashed with 64-bit FNV-1a, both computed here. */
static gchar *pipeproc_expected(guint64 bytes)
{
	GByteArray *data = g_byte_array_sized_new((guint)bytes);
	guint64 hash = G_GUINT64_CONSTANT(0xcbf29ce484222325);
	gchar *out;

	for (guint64 i = 0; i < bytes; i++) {
		guint8 b = (guint8)((i * 7 + i / 4096) & 0xff);

		g_byte_array_append(data, &b, 1);
	}
	for (guint i = 0; i < data->len; i++)
		hash = (hash ^ data->data[i]) * G_GUINT64_CONSTANT(0x100000001b3);
	out = g_strdup_printf("empty pipe: poll says readable: no\n"
			      "one byte in: poll says readable: yes\n"
			      "write end: poll says writable: yes\n"
			      "child: read %" G_GUINT64_FORMAT " bytes, fnv1a64 %016" G_GINT64_MODIFIER "x\n"
			      "child: last poll saw POLLHUP: yes\n"
			      "parent: wrote %" G_GUINT64_FORMAT " bytes, child exit status 0\n"
			      "no reader: poll says POLLERR: yes\n"
			      "no reader: write fails with EPIPE: yes\n",
			      bytes, hash, bytes);
	g_byte_array_unref(data);
	return out;
}

static void expect_pipeproc(const char *bytes)
{
	gchar *expected = pipeproc_expected(g_ascii_strtoull(bytes, NULL, 10));

	expect_same_and(ARGS(GUEST("pipeproc"), bytes), 0, expected);
	g_free(expected);
}

Test(tasks, pipe_between_processes_one_mebibyte)
{
	expect_pipeproc("1048576");
}

Test(tasks, pipe_between_processes_odd_size)
{
	expect_pipeproc("65537");
}

/* ---- BusyBox shell ---- */

static void expect_shell(int status, const char *script, const char *out)
{
	expect_same_and(ARGS(BB, "sh", "-c", script), status, out);
}

Test(tasks, busybox_pipeline_of_three)
{
	expect_shell(0, "seq 1000 | sort -r | head -n 3", "999\n998\n997\n");
}

Test(tasks, busybox_subshell_status)
{
	expect_shell(0, "(echo a; exit 3); echo $?", "a\n3\n");
	expect_shell(4, "(exit 4)", "");
}

Test(tasks, busybox_command_substitution)
{
	expect_shell(0, "x=$(echo hi | tr h H); y=`seq 3 | wc -l`; echo \"got $x and $y\"", "got Hi and 3\n");
}

Test(tasks, busybox_for_loop_with_pipes)
{
	expect_shell(0, "for i in 1 2 3; do echo $i | tr 123 abc; done | sort -r", "c\nb\na\n");
}

Test(tasks, busybox_wc_of_a_pipe)
{
	expect_shell(0, "echo hi | wc -c", "3\n");
}

Test(tasks, busybox_background_job_and_wait)
{
	expect_shell(0, "(echo background; exit 6) & wait $!; echo \"status $?\"", "background\nstatus 6\n");
}

/* Writes into the test's directory need --writable under mmusim. */
Test(tasks, busybox_redirections_into_a_file)
{
	gchar *path = tmp_path("g.txt"), *contents = NULL;
	struct result r = expect_stdout_as_qemu(
		ARGS("--writable"),
		ARGS(BB, "sh", "-c", "echo one > f.txt; echo two >> f.txt; cat f.txt; wc -l < f.txt; "
		     "sort -r f.txt > g.txt && cat g.txt 2>&1"));

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "one\ntwo\n2\ntwo\none\n");
	cr_expect(g_file_get_contents(path, &contents, NULL, NULL));
	cr_expect_str_eq(contents, "two\none\n");
	g_free(contents);
	g_free(path);
	result_free(&r);
}

/* /dev/null is a device: a read-only root does not stop writes to it (in
 * Linux, EROFS is only for regular files, directories and symlinks). */
Test(tasks, busybox_redirection_to_dev_null_without_writable)
{
	expect_shell(0, "echo hidden > /dev/null; ls /nonexistent 2>/dev/null || echo 'ls failed quietly'",
		     "ls failed quietly\n");
}

static const char script[] =
	"# busybox sh: functions, loops, pipes, subshells, a background job\n"
	"square() { echo $(( $1 * $1 )); }\n"
	"total=0\n"
	"for i in 1 2 3 4 5; do\n"
	"\ttotal=$(( total + $(square $i) ))\n"
	"done\n"
	"echo \"sum of squares: $total\"\n"
	"seq 1 20 | while read n; do\n"
	"\tcase $((n % 15)) in\n"
	"\t0) echo FizzBuzz ;;\n"
	"\t3|6|9|12) echo Fizz ;;\n"
	"\t5|10) echo Buzz ;;\n"
	"\t*) echo $n ;;\n"
	"\tesac\n"
	"done | tail -n 6 | tr '\\n' ' '\n"
	"echo\n"
	"( exit 7 ); echo \"subshell status $?\"\n"
	"false || echo \"false failed\"\n"
	"words=$(echo \"c b a\" | tr ' ' '\\n' | sort | tr '\\n' ,)\n"
	"echo \"sorted: $words\"\n"
	"(echo background) &\n"
	"wait $!\n"
	"echo \"background status $?\"\n"
	"i=0\n"
	"while [ $i -lt 3 ]; do i=$((i + 1)); done\n"
	"echo \"counted to $i\"\n"
	"ls /nonexistent-dir 2>&1 | wc -l\n"
	"exit 5\n";

Test(tasks, busybox_script_file)
{
	gchar *path = write_tmp_file("script.sh", script);

	expect_same_and(ARGS(BB, "sh", "script.sh"), 5,
			"sum of squares: 55\n"
			"FizzBuzz 16 17 Fizz 19 Buzz \n"
			"subshell status 7\n"
			"false failed\n"
			"sorted: a,b,c,\n"
			"background\n"
			"background status 0\n"
			"counted to 3\n"
			"1\n");
	g_free(path);
}

/* ---- determinism, frames ---- */

/* Two runs give the same statistics (all but the host's section). */
static void expect_deterministic(const char *const *args)
{
	struct result a = run_mmusim_with(ARGS("--stats"), args), b = run_mmusim_with(ARGS("--stats"), args);
	gchar *sa = simulated_stats(&a), *sb = simulated_stats(&b);

	expect_status(&a, 0);
	expect_status(&b, 0);
	cr_expect_str_eq(a.out, b.out);
	cr_expect_str_eq(sa, sb, "%s: two runs differ\n--- first:\n%s--- second:\n%s", args[0], sa, sb);
	g_free(sa);
	g_free(sb);
	result_free(&a);
	result_free(&b);
}

Test(tasks, threads_run_the_same_twice)
{
	expect_deterministic(ARGS(GUEST("threads")));
}

Test(tasks, busybox_pipeline_runs_the_same_twice)
{
	expect_deterministic(ARGS(BB, "sh", "-c", "seq 1000 | sort -r | head -n 3"));
}

Test(tasks, frames_return_to_zero_after_processes_exit)
{
	const char *const *const runs[] = {
		ARGS(GUEST("pipeproc")),
		ARGS(GUEST("signals")),
		ARGS(GUEST("pingpong")),
		ARGS(BB, "sh", "-c", "seq 1000 | sort -r | head -n 3; (echo a; exit 3); echo $?"),
	};

	for (size_t i = 0; i < G_N_ELEMENTS(runs); i++) {
		struct result r = run_mmusim_with(ARGS("--stats"), runs[i]);

		expect_status(&r, 0);
		expect_frames_freed(&r);
		result_free(&r);
	}
}

/* ---- deadlock ---- */

static const char deadlock_line[] = "mmusim: deadlock: every task is blocked and no timer is set\n";

static struct result run_deadlock(const char *mode, const char *out)
{
	struct result r = run_mmusim(GUEST("deadlock"), mode, NULL);

	expect_status(&r, 124);
	cr_expect_str_eq(r.out, out);
	expect_contains("stderr", r.err, deadlock_line);
	return r;
}

Test(tasks, deadlock_two_threads_on_futexes)
{
	struct result r = run_deadlock("futex", "two threads waiting on each other's futex\n");

	expect_contains("stderr", r.err, "  task 100 (process 100, deadlock) waits in futex_wait\n");
	expect_contains("stderr", r.err, "  task 101 (process 100, deadlock) waits in futex_wait\n");
	cr_expect_eq(occurrences(r.err, "  task "), 2, "expected two tasks:\n%s", r.err);
	result_free(&r);
}

Test(tasks, deadlock_reading_its_own_pipe)
{
	struct result r = run_deadlock("pipe", "reading from a pipe nobody else can write\n");

	cr_expect(g_str_has_suffix(r.err, "\n  task 100 (process 100, deadlock) waits in pipe read\n") &&
		  occurrences(r.err, "  task ") == 1, "stderr:\n%s", r.err);
	result_free(&r);
}

Test(tasks, deadlock_parent_waits_for_a_blocked_child)
{
	struct result r = run_deadlock("wait", "waiting for a child that reads from a pipe nobody writes\n");

	expect_contains("stderr", r.err, "  task 100 (process 100, deadlock) waits in wait4\n");
	expect_contains("stderr", r.err, "  task 101 (process 101, deadlock) waits in pipe read\n");
	cr_expect_eq(occurrences(r.err, "  task "), 2, "expected two tasks:\n%s", r.err);
	result_free(&r);
}
