/*
 * The calls the Linux mm selftests need that mmusim implements for them
 * (mseal, prctl PR_SET_MDWE, pidfd_open, process_mrelease): guest programs
 * under mmusim against the same programs built for this host (the real
 * kernel's answers), then the selftests themselves (scripts/mm-selftests
 * check: pass/skip/fail counts against those recorded on a real kernel,
 * tests/mm-selftests/host-counts, less the listed differences).
 */
#include <stdlib.h>

#include "harness.h"

TestSuite(selftests, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* The guest `name` under mmusim (with `option`, or none) and its host build
 * must print the same lines. */
static void expect_same_as_host(const char *name, const char *host_path, const char *option)
{
	const char *host[] = { host_path, NULL };
	struct result h = run_argv(host);
	gchar *guest = g_strdup_printf("%s/%s", GUEST_BIN_DIR, name);
	struct result r = option ? run_mmusim(option, "1", guest, NULL) : run_mmusim(guest, NULL);

	expect_status(&r, 0);
	cr_expect_eq(h.status, 0, "host %s: status %d", name, h.status);
	cr_expect_str_eq(r.out, h.out, "mmusim and the host kernel disagree on %s", name);
	result_free(&r);
	result_free(&h);
	g_free(guest);
}

/* Sealed VMAs refuse munmap, mremap, mprotect, mmap over them and discards
 * of read-only anonymous memory; mprotect and madvise stop at them. */
Test(selftests, mseal_rules_are_the_kernels)
{
	expect_same_as_host("mseal", HOST_MSEAL_PATH, NULL);
}

/* PR_SET_MDWE's rules, the mmap/mprotect refusals, fork and exec. */
Test(selftests, mdwe_rules_are_the_kernels)
{
	expect_same_as_host("mdwe", HOST_MDWE_PATH, NULL);
}

/* On one CPU the killed child cannot run (and die) before the parent's
 * process_mrelease, so the reap succeeds at the first try. */
Test(selftests, pidfd_and_process_mrelease_rules_are_the_kernels)
{
	expect_same_as_host("pidfd", HOST_PIDFD_PATH, "--cpus");
}

/* The selftests' counts (skipped when they are not built: scripts/bootstrap
 * builds them when linux-source-6.12 is installed). */
Test(selftests, linux_mm_selftests_count_as_on_a_real_kernel, .timeout = 900)
{
	const char *argv[] = { "/usr/bin/env", "MMUSIM=" MMUSIM_PATH, MM_SELFTESTS_SCRIPT, "check", NULL };
	struct result r = run_argv(argv);

	if (r.status == 77)
		cr_skip_test("%s", r.out);
	cr_expect_eq(r.status, 0, "scripts/mm-selftests check:\n%s%s", r.out, r.err);
	result_free(&r);
}
