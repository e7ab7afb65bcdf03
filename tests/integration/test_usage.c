/*
 * The mmusim command line: --help and --version succeed; bad options and a
 * missing program exit 2 with a message that names the problem and points
 * at --help.
 */
#include "harness.h"

TestSuite(usage, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* A usage error: status 2, `message` on stderr, then the --help hint. */
static void expect_usage_error(struct result r, const char *message)
{
	expect_status(&r, 2);
	expect_contains("stderr", r.err, message);
	expect_contains("stderr", r.err, "Try 'mmusim --help'.");
	cr_expect_str_eq(r.out, "");
	result_free(&r);
}

Test(usage, help)
{
	struct result r = run_mmusim_raw("--help", NULL);

	expect_status(&r, 0);
	cr_expect(g_str_has_prefix(r.out, "Usage: mmusim"), "--help printed:\n%s", r.out);
	for (const char *const *opt = (const char *const[]){ "run", "--mem", "--root", "--writable",
							      "--max-insns", "--strace", "--stats",
							      "--seed", NULL };
	     *opt; opt++)
		expect_contains("--help", r.out, *opt);
	cr_expect_str_eq(r.err, "");
	result_free(&r);
}

Test(usage, version)
{
	struct result r = run_mmusim_raw("--version", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "mmusim " PACKAGE_VERSION "\n");
	cr_expect_str_eq(r.err, "");
	result_free(&r);
}

Test(usage, mem_banana)
{
	expect_usage_error(run_mmusim("--mem", "banana", GUEST("hello"), NULL),
			   "mmusim: --mem banana: expected a size");
}

Test(usage, mem_too_small_or_missing)
{
	expect_usage_error(run_mmusim("--mem", "4K", GUEST("hello"), NULL), "--mem 4K: expected a size");
	expect_usage_error(run_mmusim("--mem", NULL), "--mem");
}

Test(usage, max_insns_negative)
{
	expect_usage_error(run_mmusim("--max-insns", "-5", GUEST("hello"), NULL),
			   "mmusim: --max-insns -5: expected a non-negative integer");
}

Test(usage, max_insns_zero)
{
	expect_usage_error(run_mmusim("--max-insns", "0", GUEST("hello"), NULL), "--max-insns 0");
}

Test(usage, unknown_option)
{
	expect_usage_error(run_mmusim("--frobnicate", GUEST("hello"), NULL), "--frobnicate");
}

Test(usage, missing_program)
{
	expect_usage_error(run_argv((const char *const[]){ MMUSIM_PATH, "run", NULL }), "missing PROGRAM");
	expect_usage_error(run_mmusim("--stats", NULL), "missing PROGRAM");
}

Test(usage, missing_or_unknown_command)
{
	expect_usage_error(run_argv((const char *const[]){ MMUSIM_PATH, NULL }), "missing command");
	expect_usage_error(run_mmusim_raw("fly", NULL), "unknown command 'fly'");
}

/* Options end at the program: the guest's own options are its own. */
Test(usage, options_after_the_program_belong_to_the_guest)
{
	struct result r = run_mmusim(GUEST("hello"), "--mem", "banana", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "Hello from an AArch64 guest with glibc\n"
				"argument 1: --mem\nargument 2: banana\n");
	result_free(&r);
}
