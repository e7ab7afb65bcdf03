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

/* Faults per operation of the probe `probe` in the file's comments; < 0 when
 * the host refused it. */
static double measured_faults(const char *text, const char *probe)
{
	gchar *head = g_strdup_printf("\n#   %s ", probe);
	const char *line = strstr(text, head);
	double ns, faults = -1;

	cr_assert(line, "no line for %s in:\n%s", probe, text);
	if (sscanf(line + strlen(head), " %lf ns %lf faults", &ns, &faults) != 2)
		faults = -1;
	g_free(head);
	return faults;
}

/* Linux retries a fault that slept in userfaultfd once the handler's
 * UFFDIO_COPY has woken it, and counts that retry as the minor fault: the
 * host's probe and the same probe under mmusim both count one a page. */
Test(calibrate, a_fault_resolved_by_uffdio_copy_counts_once_as_on_the_host)
{
	gchar *text = calibrate("touch,tlb-miss,zero-read,anon-fault,cow-fault,file-fault,syscall,"
				"futex-switch,pipe-switch,mprotect,mprotect-ipi,fork-wait,cpu-cycles");
	double host = measured_faults(text, "uffd-copy"), sim = -1;
	struct result r;

	if (host < 0)
		cr_skip_test("this host refuses the uffd-copy probe:\n%s", text);
	r = run_mmusim("--cpus", "2", GUEST("calibench"), "uffd-copy", "64", NULL);
	expect_status(&r, 0);
	cr_assert(sscanf(r.out, "%*s %*f %lf", &sim) == 1, "calibench said: %s", r.out);
	cr_expect_eq((long)host, 1, "the host counts %.3f faults a page", host);
	cr_expect_eq((long)sim, (long)host, "mmusim counts %.3f faults a page, the host %.3f", sim, host);
	result_free(&r);
	g_free(text);
}

/*
 * Measurements recorded as calibrate records them (docs/calibration.md's
 * table, measured on this project's 2-core EPYC host): deriving a profile
 * from them with --from and running the same probes as the guest
 * calibench under it must give back each measured cost within 20%.
 * Fixed inputs, so the check is deterministic (a live calibration's
 * medians vary with the host's load).
 */
static const char recorded[] =
	"# Measured: medians of 9 runs (after a warm-up run), per operation.\n"
	"#   touch                3.3 ns  0.000 faults  x\n"
	"#   tlb-miss            24.0 ns  0.000 faults  x\n"
	"#   zero-read          732.3 ns  1.000 faults  x\n"
	"#   anon-fault        1557.0 ns  1.000 faults  x\n"
	"#   cow-fault         2207.6 ns  1.002 faults  x\n"
	"#   file-fault          98.4 ns  0.066 faults  x\n"
	"#   syscall            777.0 ns  0.000 faults  x\n"
	"#   futex-switch      9143.1 ns  0.000 faults  x\n"
	"#   pipe-switch      12814.7 ns  0.000 faults  x\n"
	"#   mprotect         13092.6 ns  0.000 faults  x\n"
	"#   mprotect-ipi     30089.9 ns  0.000 faults  x\n"
	"[profile]\nfrequency_ghz=2.596\n";

Test(calibrate, a_profile_derived_from_recorded_measurements_reproduces_them)
{
	gchar *in = tmp_path("recorded.profile"), *out = tmp_path("host.profile");
	static const struct { const char *probe, *cpus, *n; double ns; } rows[] = {
		{ "syscall", "1", "2000", 777.0 }, { "mprotect", "1", "500", 13092.6 },
		{ "anon-fault", "1", "256", 1557.0 }, { "futex-switch", "1", "500", 9143.1 },
		{ "pipe-switch", "1", "500", 12814.7 },
	};
	struct result r;

	cr_assert(g_file_set_contents(in, recorded, -1, NULL));
	r = run_mmusim_raw("calibrate", "--from", in, "--output", out, NULL);
	expect_status(&r, 0);
	cr_expect(strstr(r.err, "skipped") == NULL, "nothing is measured with --from:\n%s", r.err);
	for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
		double sim = simulated(out, rows[i].cpus, rows[i].probe, rows[i].n);

		cr_expect(sim >= 0.8 * rows[i].ns && sim <= 1.2 * rows[i].ns, "%s: recorded %.1f ns, mmusim %.1f ns",
			  rows[i].probe, rows[i].ns, sim);
	}
	result_free(&r);
	g_free(in);
	g_free(out);
}

/* A live calibration's profile is one `run --profile` accepts. */
Test(calibrate, run_accepts_a_live_profile)
{
	gchar *text = calibrate("uffd-copy,fork-wait"), *path = tmp_path("host.profile");
	struct result r = run_mmusim("--profile", path, GUEST("calibench"), "syscall", "100", NULL);

	expect_status(&r, 0);
	result_free(&r);
	g_free(path);
	g_free(text);
}

/* --from a file without measurements is a usage error naming it. */
Test(calibrate, from_a_file_without_measurements_is_a_usage_error)
{
	gchar *in = tmp_path("empty.profile");
	struct result r;

	cr_assert(g_file_set_contents(in, "[profile]\n", -1, NULL));
	r = run_mmusim_raw("calibrate", "--from", in, NULL);
	expect_status(&r, 2);
	cr_expect(strstr(r.err, "--from ") != NULL && strstr(r.err, "no measurements") != NULL, "%s", r.err);
	result_free(&r);
	g_free(in);
}

Test(calibrate, an_unknown_probe_is_a_usage_error)
{
	struct result r = run_mmusim_raw("calibrate", "--skip", "syscal", NULL);

	expect_status(&r, 2);
	cr_expect(strstr(r.err, "--skip syscal: no such probe") != NULL, "%s", r.err);
	result_free(&r);
}
