/*
 * mmusim calibrate (sim/calibrate.c): it writes a profile that `run
 * --profile` loads, reports every probe it skipped with the reason and still
 * writes the rest, and its steps reproduce what it measured: the same probe
 * built as a guest (guest/calibench, the same source) takes, in simulated
 * time under the written profile, what the host took, within 20%.
 *
 * The host is measured with --runs 1 here (a check of the command, not a
 * calibration): the comparisons are with the numbers the file itself lists.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

TestSuite(calibrate, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* The profile written by a quick calibration skipping `skip`. */
static gchar *calibrate(const char *skip)
{
	gchar *path = tmp_path("host.profile"), *text = NULL;
	struct result r = run_mmusim_raw("calibrate", "--runs", "1", "--skip", skip, "--output", path, NULL);

	expect_status(&r, 0);
	cr_assert(g_file_get_contents(path, &text, NULL, NULL), "no %s:\n%s", path, r.err);
	result_free(&r);
	g_free(path);
	return text;
}

/* The host's median ns per operation of `probe`, from the file's comments. */
static double measured(const char *text, const char *probe)
{
	gchar *head = g_strdup_printf("\n#   %s ", probe);
	const char *line = strstr(text, head);
	double ns = -1;

	cr_assert(line && sscanf(line + strlen(head), " %lf ns", &ns) == 1, "no measured %s in:\n%s", probe, text);
	g_free(head);
	return ns;
}

/* mmusim's simulated ns per operation of calibench `probe` under `profile`. */
static double simulated(const char *profile, const char *cpus, const char *probe, const char *n)
{
	struct result r = run_mmusim("--cpus", cpus, "--profile", profile, GUEST("calibench"), probe, n, NULL);
	double ns = -1;

	expect_status(&r, 0);
	cr_assert(sscanf(r.out, "%*s %lf", &ns) == 1, "calibench %s said: %s", probe, r.out);
	result_free(&r);
	return ns;
}

Test(calibrate, a_skipped_probe_is_named_with_its_reason_and_the_rest_is_written)
{
	gchar *text = calibrate("uffd-copy,fork-wait,cpu-cycles");

	cr_expect(strstr(text, "#   uffd-copy     skipped: skipped by --skip\n") != NULL, "%s", text);
	cr_expect(strstr(text, "#   fork-wait     skipped: skipped by --skip\n") != NULL, "%s", text);
	cr_expect(strstr(text, "# default profile's (not measured)\nfork_mm=0\n") != NULL,
		  "fork_mm keeps the default:\n%s", text);
	cr_expect(strstr(text, "(cpu-cycles skipped: skipped by --skip)") != NULL, "%s", text);
	cr_expect(strstr(text, "# syscall (getppid), split in the default profile's proportions\nsyscall_entry=")
		  != NULL, "%s", text);
	measured(text, "syscall");
	g_free(text);
}

Test(calibrate, run_accepts_the_profile_and_it_reproduces_the_measurements)
{
	gchar *text = calibrate("uffd-copy,fork-wait"), *path = tmp_path("host.profile");
	static const struct { const char *probe, *cpus, *n; } rows[] = {
		{ "syscall", "1", "2000" }, { "mprotect", "1", "500" }, { "anon-fault", "1", "256" },
		{ "futex-switch", "1", "500" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		double host = measured(text, rows[i].probe);
		double sim = simulated(path, rows[i].cpus, rows[i].probe, rows[i].n);

		cr_expect(sim >= 0.8 * host && sim <= 1.2 * host, "%s: host %.1f ns, mmusim %.1f ns",
			  rows[i].probe, host, sim);
	}
	g_free(path);
	g_free(text);
}

Test(calibrate, an_unknown_probe_is_a_usage_error)
{
	struct result r = run_mmusim_raw("calibrate", "--skip", "syscal", NULL);

	expect_status(&r, 2);
	cr_expect(strstr(r.err, "--skip syscal: no such probe") != NULL, "%s", r.err);
	result_free(&r);
}
