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

/* The report's text (run.json in tmp_dir()); g_free it. */
static gchar *report_text(void)
{
	gchar *path = tmp_path("run.json"), *text = NULL;

	cr_assert(g_file_get_contents(path, &text, NULL, NULL), "no report %s", path);
	g_free(path);
	return text;
}

/* The T suffix the message promises: 16T is 2^44 bytes, the largest size. */
Test(usage, mem_takes_the_t_suffix_up_to_16t)
{
	struct result r = run_mmusim("--mem", "16T", "--report", "run.json", GUEST("hello"), NULL);
	gchar *text;

	expect_status(&r, 0);
	text = report_text();
	expect_contains("the report", text, "\"mem\" : 17592186044416,");
	g_free(text);
	result_free(&r);
	expect_usage_error(run_mmusim("--mem", "17T", GUEST("hello"), NULL), "--mem 17T: expected a size");
}

/* Memory the host refuses to reserve (a 4 GB address-space limit, 64G
 * asked) is a usage error naming --mem, not a crash or status 1.
 * AddressSanitizer's shadow memory cannot live under such a limit. */
Test(usage, mem_the_host_cannot_reserve_is_a_usage_error)
{
	if (g_getenv("ASAN_OPTIONS"))
		cr_skip_test("ulimit -v and AddressSanitizer do not mix");
	expect_usage_error(run_argv((const char *const[]){ "/bin/sh", "-c",
		"ulimit -v 4000000 && exec \"$0\" run --mem 64G \"$1\"", MMUSIM_PATH, GUEST("hello"), NULL }),
			   "mmusim: --mem: cannot reserve 68719476736 bytes of simulated memory");
}

Test(usage, run_help_shows_the_help)
{
	for (const char *const *opt = (const char *const[]){ "--help", "-h", NULL }; *opt; opt++) {
		struct result r = run_mmusim(*opt, NULL);

		expect_status(&r, 0);
		cr_expect(g_str_has_prefix(r.out, "Usage: mmusim"), "run %s printed:\n%s", *opt, r.out);
		cr_expect_str_eq(r.err, "");
		result_free(&r);
	}
}

Test(usage, set_without_a_value_names_set)
{
	expect_usage_error(run_mmusim("--set", NULL), "--set");
}

/* Options the machine cannot be built with are usage errors too. */
Test(usage, root_that_is_not_a_directory)
{
	expect_usage_error(run_mmusim("--root", "/etc/passwd", GUEST("hello"), NULL),
			   "mmusim: --root /etc/passwd: Not a directory");
}

Test(usage, absurd_profile_values_are_usage_errors)
{
	expect_usage_error(run_mmusim("--set", "frequency_ghz=nan", GUEST("hello"), NULL),
			   "--set frequency_ghz=nan: frequency_ghz must be");
	expect_usage_error(run_mmusim("--set", "frequency_ghz=1e308", GUEST("hello"), NULL),
			   "--set frequency_ghz=1e308: frequency_ghz must be");
	expect_usage_error(run_mmusim("--set", "cycles.page_zero=4294967297", GUEST("hello"), NULL),
			   "cycles.page_zero must be a whole number of cycles up to 4294967296");
	expect_usage_error(run_mmusim("--set", "tlb.l1d_ways=0", GUEST("hello"), NULL),
			   "tlb.l1d_ways must be at least 1");
}

Test(usage, profile_file_with_an_unknown_group)
{
	gchar *path = write_tmp_file("typo.ini", "[profile]\ndescription=typo\n[cycle]\ninstruction=2\n");
	gchar *message = g_strdup_printf("mmusim: %s: unknown group [cycle]", path);

	expect_usage_error(run_mmusim("--profile", path, GUEST("hello"), NULL), message);
	g_free(message);
	g_free(path);
}

/* The first block of _start is longer than 10 instructions and does not
 * start: the message, --stats and the report all say what ran, 0. */
Test(usage, max_insns_10_reports_what_it_ran)
{
	struct result r = run_mmusim("--max-insns", "10", "--stats", "--report", "run.json", GUEST("hello"), NULL);
	gchar *text;

	expect_status(&r, 152);
	expect_contains("stderr", r.err, "stopped after 0 instructions (--max-insns 10)");
	expect_contains("stderr", r.err, "\n  instructions                     0\n");
	text = report_text();
	expect_contains("the report", text, "\"instructions\" : 0,");
	expect_contains("the report", text, "\"max_insns\" : 10,");
	g_free(text);
	result_free(&r);
}

Test(usage, env_without_a_name)
{
	expect_usage_error(run_mmusim("--env", "NOEQUALS", BB, "true", NULL), "--env NOEQUALS: expected NAME=VALUE");
	expect_usage_error(run_mmusim("--env", "=value", BB, "true", NULL), "--env =value: expected NAME=VALUE");
}
