/*
 * Credentials, timers and the other calls of docs/syscalls.md's "time,
 * scheduling and credentials" part: each guest prints calls and their
 * answers; mmusim must give the known answers (tests/golden/NAME.out,
 * recorded from the real kernel), and, when the tests run as root, the same
 * program built for this host must give them too.  Lines starting with '#'
 * depend on the host (its capability bounding set) and are left out of the
 * comparison with the host (mmusim's are checked: simulated time is
 * deterministic).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

TestSuite(timecalls, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* `text` without its lines that start with '#' (g_free it). */
static gchar *without_host_lines(const char *text)
{
	gchar **lines = g_strsplit(text, "\n", -1);
	GString *kept = g_string_new(NULL);

	for (gchar **l = lines; *l; l++)
		if (**l != '#')
			g_string_append_printf(kept, "%s%s", *l, l[1] ? "\n" : "");
	g_strfreev(lines);
	return g_string_free(kept, FALSE);
}

static gchar *golden(const char *name)
{
	gchar *path = g_strdup_printf("%s/%s.out", GOLDEN_DIR, name), *text = NULL;

	cr_assert(g_file_get_contents(path, &text, NULL, NULL), "no golden file %s", path);
	g_free(path);
	return text;
}

/* The guest `name` under mmusim prints tests/golden/NAME.out; as root, the
 * host build HOST_BIN_DIR/host-NAME prints it too, but for '#' lines.
 * `timed`: its '#' lines show simulated times, which depend on the stack
 * the guest starts with, so it runs as a copy, ./NAME, whatever the build
 * directory (the environment is an input too: the same one always). */
static void expect_known_answers_of(const char *name, bool timed)
{
	gchar *want = golden(name), *path = g_strdup_printf("%s/%s", GUEST_BIN_DIR, name);
	gchar *guest = timed ? tmp_program_copy(path) : g_strdup(path);
	struct result m = run_mmusim("--clear-env", guest, NULL);

	expect_status(&m, 0);
	cr_expect_str_eq(m.out, want);
	cr_expect_str_eq(m.err, "");
	if (geteuid() == 0) {
		gchar *host = g_strdup_printf("%s/host-%s", HOST_BIN_DIR, name);
		struct result h = run_argv((const char *const[]){ host, NULL });
		gchar *h_out = without_host_lines(h.out), *m_out = without_host_lines(m.out);

		cr_expect_str_eq(m_out, h_out, "the host kernel says:\n%s", h.out);
		g_free(h_out);
		g_free(m_out);
		result_free(&h);
		g_free(host);
	}
	result_free(&m);
	g_free(guest);
	g_free(path);
	g_free(want);
}

static void expect_known_answers(const char *name)
{
	expect_known_answers_of(name, false);
}

/* set*uid, set*gid, groups, capget/capset, PR_SET_KEEPCAPS, fork and exec:
 * Linux's permission rules for root and after root is given up. */
Test(timecalls, credentials)
{
	expect_known_answers("creds");
}

/* setitimer/getitimer: SIGALRM in a busy loop and in pause() no earlier
 * than asked on simulated time, SIGVTALRM and SIGPROF on CPU time, a
 * periodic timer, EINVAL and EFAULT; times(2) with a reaped child. */
Test(timecalls, itimers)
{
	expect_known_answers_of("itimers", true);
}

/* EL0 may read CTR_EL0, DCZID_EL0, CNTFRQ_EL0 and CNTVCT_EL0 and clean and
 * invalidate caches (__builtin___clear_cache before running written code),
 * as on Linux (here qemu, whose counter is the host's, is the oracle for
 * what is not time); the counter is simulated time: CLOCK_MONOTONIC / 16
 * ns at 62.5 MHz, and two runs read the same values. */
Test(timecalls, el0_system_registers)
{
	struct result m = run_mmusim("--clear-env", GUEST("el0regs"), NULL);
	struct result again = run_mmusim("--clear-env", GUEST("el0regs"), NULL);
	struct result q = run_qemu(GUEST("el0regs"), NULL);
	gchar *m_out = without_host_lines(m.out), *q_out = without_host_lines(q.out);

	expect_status(&m, 0);
	cr_expect_str_eq(m_out, "jit: 42\njit rewritten: 43\ncntvct_el0 monotonic: yes, advances: yes\n");
	cr_expect_str_eq(m_out, q_out);
	expect_contains("stdout", m.out, "# cntfrq_el0 62500000\n");
	expect_contains("stdout", m.out, "# counter within CLOCK_MONOTONIC reads: yes\n");
	cr_expect_str_eq(m.out, again.out, "two runs read different counters");
	g_free(m_out);
	g_free(q_out);
	result_free(&m);
	result_free(&again);
	result_free(&q);
}

/* Affinity (honoured: getcpu shows the CPU asked for), nice values,
 * scheduling policies, membarrier, prctl's common options and
 * PR_SET_PDEATHSIG, as root and as a user. */
Test(timecalls, scheduling_and_prctl)
{
	expect_known_answers("schedcalls");
}

/* timer_create and its family: signals with SI_TIMER, the id and the
 * value, overruns while blocked, SIGEV_NONE and SIGEV_THREAD_ID, CPU-time
 * and absolute timers, EINVAL, EOPNOTSUPP and EFAULT; not inherited. */
Test(timecalls, posix_timers)
{
	expect_known_answers_of("posixtimers", true);
}

/* timerfd: blocking and non-blocking reads of the expiry count, periodic
 * counts, ppoll woken by the expiry, TFD_TIMER_ABSTIME, EINVAL, EBADF and
 * EFAULT. */
Test(timecalls, timerfd)
{
	expect_known_answers("timerfds");
}

/* The seconds `time` printed on the line starting with `label` (bash:
 * "real\t0m1.000s"; zsh: "... 0.01s user ..."), or -1. */
static double bash_time(const char *text, const char *label)
{
	const char *line = strstr(text, label);
	int min;
	double sec;

	if (!line || sscanf(line + strlen(label), "\t%dm%lfs", &min, &sec) != 2)
		return -1;
	return min * 60 + sec;
}

/* bash's `time` and $SECONDS: simulated time, so a 2 s sleep moves
 * SECONDS by exactly 2, `time` of a 1 s sleep says 1.000 s real, a busy
 * loop shows user time, and two runs print the same. */
Test(timecalls, bash_time_and_seconds)
{
	const char *script = "echo $SECONDS; " BB " sleep 2; echo $SECONDS; time " BB " sleep 1; "
			     "time (i=0; while [ $i -lt 300 ]; do i=$((i+1)); done)";
	struct result r = run_mmusim("--clear-env", BASH_PATH, "-c", script, NULL);
	struct result again = run_mmusim("--clear-env", BASH_PATH, "-c", script, NULL);
	const char *loop;

	expect_status(&r, 0);
	cr_expect(g_str_has_prefix(r.out, "0\n2\n"), "SECONDS before and after a 2 s sleep:\n%s", r.out);
	cr_expect_float_eq(bash_time(r.err, "real"), 1.0, 1e-9, "time of a 1 s sleep:\n%s", r.err);
	loop = strstr(strstr(r.err, "real") + 1, "real");
	cr_assert(loop, "two `time` reports:\n%s", r.err);
	cr_expect_gt(bash_time(loop, "user"), 0, "a busy loop takes user time:\n%s", r.err);
	cr_expect_leq(bash_time(loop, "user") + bash_time(loop, "sys"), bash_time(loop, "real") + 0.0015,
		      "CPU time within real time:\n%s", r.err);
	cr_expect_str_eq(r.out, again.out);
	cr_expect_str_eq(r.err, again.err);
	result_free(&r);
	result_free(&again);
}

/* zsh's `time` (its own format) and a floating-point $SECONDS: simulated
 * time again. */
Test(timecalls, zsh_time_and_seconds)
{
	const char *script = "typeset -F SECONDS; a=$SECONDS; " BB " sleep 2; b=$SECONDS; "
			     "echo $(( b - a >= 2 && b - a < 2.01 )); time " BB " sleep 1";
	struct result r = run_mmusim("--clear-env", ZSH_PATH, "-c", script, NULL);
	struct result again = run_mmusim("--clear-env", ZSH_PATH, "-c", script, NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "1\n", "SECONDS moved by 2 s over a 2 s sleep");
	expect_contains("time's report", r.err, "cpu 1.000 total");
	cr_expect_str_eq(r.err, again.err);
	result_free(&r);
	result_free(&again);
}
