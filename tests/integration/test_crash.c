/*
 * Guests that end badly: a fatal SIGSEGV (status 139) with its report (the
 * kind of fault, the fault address, the pc and its instruction, the memory
 * map), the instruction budget (--max-insns, status 152) and running out of
 * simulated memory (--mem).  mmusim itself must never crash or report an
 * internal error while its guest does.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"

TestSuite(crash, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* The value of "fault address 0x..." in a crash report (must be present). */
static uint64_t fault_address(const char *report)
{
	const char *p = strstr(report, "fault address 0x");

	cr_assert_not_null(p, "no fault address in:\n%s", report);
	return g_ascii_strtoull(p + strlen("fault address "), NULL, 16);
}

/* The permissions ("rw-p") of the memory-map line containing `addr`, from
 * the "memory map:" part of a crash report; NULL if none (g_free it). */
static gchar *map_perms_at(const char *report, uint64_t addr)
{
	const char *map = strstr(report, "memory map:\n");
	gchar **lines, *perms = NULL;

	cr_assert_not_null(map, "no memory map in:\n%s", report);
	lines = g_strsplit(map, "\n", -1);
	for (gchar **l = lines + 1; *l && !perms; l++) {
		uint64_t start, end;
		char p[5];

		if (sscanf(g_strstrip(*l), "%" SCNx64 "-%" SCNx64 " %4s", &start, &end, p) == 3 &&
		    start <= addr && addr < end)
			perms = g_strdup(p);
	}
	g_strfreev(lines);
	return perms;
}

/* The pc line, "pc 0x...: <instruction>", must match `pattern`. */
static void expect_pc_line(const char *report, const char *pattern)
{
	cr_expect(g_regex_match_simple(pattern, report, G_REGEX_MULTILINE, 0),
		  "no line matching /%s/ in:\n%s", pattern, report);
}

/* The same guest under qemu must die of the same signal. */
static void expect_qemu_status(const char *guest, const char *arg, int status)
{
	struct result q = run_qemu(guest, arg, NULL);

	cr_expect_eq(q.status, status, "qemu: status %d, expected %d", q.status, status);
	result_free(&q);
}

Test(crash, segv_maperr_at_0x10)
{
	struct result r = run_mmusim(GUEST("segv"), NULL);

	expect_status(&r, 139);
	cr_expect_str_eq(r.out, "writing to address 0x10\n");
	expect_contains("stderr", r.err, "killed by SIGSEGV (SEGV_MAPERR");
	expect_contains("stderr", r.err, "\n  fault address 0x10\n");
	expect_pc_line(r.err, "^  pc 0x[0-9a-f]+: str[bh]? [wx][0-9]+, \\[");
	expect_contains("stderr", r.err, "memory map:\n");
	expect_contains("the memory map", r.err, GUEST("segv"));
	expect_contains("the memory map", r.err, "[stack]");
	cr_expect_null(map_perms_at(r.err, 0x10), "address 0x10 is in the memory map");
	expect_qemu_status(GUEST("segv"), NULL, 139);
	result_free(&r);
}

Test(crash, segv_accerr_on_a_read_only_page)
{
	struct result r = run_mmusim(GUEST("segv"), "readonly", NULL);
	gchar *perms;

	expect_status(&r, 139);
	cr_expect_str_eq(r.out, "writing to a read-only page\n");
	expect_contains("stderr", r.err, "killed by SIGSEGV (SEGV_ACCERR");
	expect_pc_line(r.err, "^  pc 0x[0-9a-f]+: str[bh]? [wx][0-9]+, \\[");
	perms = map_perms_at(r.err, fault_address(r.err));
	cr_expect_str_eq(perms ? perms : "(none)", "r--p",
			 "the faulting address should lie in a read-only mapping:\n%s", r.err);
	expect_qemu_status(GUEST("segv"), "readonly", 139);
	g_free(perms);
	result_free(&r);
}

Test(crash, jump_to_an_unmapped_address)
{
	struct result r = run_mmusim(GUEST("jump"), NULL);

	expect_status(&r, 139);
	cr_expect_str_eq(r.out, "calling 0x200000000\n");
	expect_contains("stderr", r.err, "killed by SIGSEGV (SEGV_MAPERR");
	expect_contains("stderr", r.err, "fault address 0x200000000\n");
	expect_contains("stderr", r.err, "pc 0x200000000: ");
	expect_contains("stderr", r.err, "memory map:\n");
	expect_qemu_status(GUEST("jump"), NULL, 139);
	result_free(&r);
}

/* The count in "stopped after N instructions (--max-insns LIMIT)", or 0. */
static uint64_t insns_reported(const char *err, const char *limit)
{
	gchar *pattern = g_strdup_printf("stopped after ([0-9]+) instructions \\(--max-insns %s\\)", limit);
	GRegex *re = g_regex_new(pattern, 0, 0, NULL);
	GMatchInfo *match = NULL;
	uint64_t n = 0;

	if (g_regex_match(re, err, 0, &match)) {
		gchar *digits = g_match_info_fetch(match, 1);

		n = g_ascii_strtoull(digits, NULL, 10);
		g_free(digits);
	}
	cr_expect_neq(n, 0, "no \"stopped after N instructions (--max-insns %s)\" in:\n%s", limit, err);
	g_match_info_free(match);
	g_regex_unref(re);
	g_free(pattern);
	return n;
}

Test(crash, max_insns_stops_a_loop)
{
	struct result r = run_mmusim("--max-insns", "1000000", GUEST("loop"), NULL);
	uint64_t n;

	expect_status(&r, 152);
	cr_expect_str_eq(r.out, "looping forever\n");
	n = insns_reported(r.err, "1000000");
	/* Never past the limit, and short of it by less than one block. */
	cr_expect(n <= 1000000 && n > 1000000 - 64, "stopped after %" PRIu64 " instructions", n);
	result_free(&r);
}

/* A block that would pass the limit does not start: the count reported is
 * what ran, never more than the limit.  With a limit smaller than the first
 * block of _start nothing runs at all. */
Test(crash, max_insns_never_exceeds_the_limit)
{
	const char *limits[] = { "1000000", "1000", "1002" };

	for (size_t i = 0; i < G_N_ELEMENTS(limits); i++) {
		struct result r = run_mmusim("--max-insns", limits[i], GUEST("loop"), NULL);
		uint64_t limit = g_ascii_strtoull(limits[i], NULL, 10);
		uint64_t n = insns_reported(r.err, limits[i]);

		expect_status(&r, 152);
		cr_expect(n <= limit && n + 64 > limit, "--max-insns %s: stopped after %" PRIu64, limits[i], n);
		result_free(&r);
	}
	struct result r = run_mmusim("--max-insns", "5", GUEST("loop"), NULL);

	expect_status(&r, 152);
	expect_contains("stderr", r.err, "stopped after 0 instructions (--max-insns 5)");
	result_free(&r);
}

Test(crash, max_insns_leaves_short_programs_alone)
{
	struct result r = run_mmusim("--max-insns", "100000000", BB, "echo", "done", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "done\n");
	result_free(&r);
}

/* Either malloc fails and the guest says so, or the guest is killed for
 * want of frames; never a crash of mmusim. */
Test(crash, eatmem_runs_out_of_memory)
{
	struct result r = run_mmusim("--mem", "64M", GUEST("eatmem"), NULL);

	cr_expect(!r.host_signal, "mmusim was killed by host signal %d", r.status - 128);
	cr_expect_neq(r.status, 70, "mmusim reported an internal error:\n%s", r.err);
	expect_not_contains("stderr", r.err, "internal error");
	if (r.status == 0) {
		expect_contains("stdout", r.out, "malloc failed after ");
	} else {
		cr_expect_eq(r.status, 137, "exit status %d, expected 0 or 137; stderr:\n%s", r.status, r.err);
		expect_contains("stderr", r.err, "killed by SIGKILL");
		expect_contains("stderr", r.err, "out of simulated memory (raise --mem)");
	}
	result_free(&r);
}

Test(crash, eatmem_within_the_limit)
{
	struct result r = run_mmusim("--mem", "64M", GUEST("eatmem"), "32", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "eating memory in 1 MiB chunks\nlimit reached: 32 MiB\n");
	result_free(&r);
}

/*
 * Unicorn's translated-code buffer is 1 GiB.  Each codefill round has 256 KiB
 * of fresh code translated (32,767 `ld4`, each 64 loads checked by the
 * access hook: over 100 MB of host code a round), so 9 rounds fill the
 * buffer.  Unicorn 2.0.1 reuses a full buffer the first time without
 * flushing it, and mmusim died with SIGSEGV (docs/design.md, "The emulated
 * CPU"); now it flushes first, and the results are qemu's.  About 12 s of
 * CPU under mmusim and 6 s under qemu: on a loaded machine more than the
 * usual two minutes (a CI run timed out there), so it has fifteen.
 */
Test(crash, filling_the_translated_code_buffer, .timeout = 900)
{
	const char *const args[] = { GUEST("codefill"), "9", NULL };
	struct result r = expect_same_as_qemu(args);

	expect_status(&r, 0);
	cr_expect(!r.host_signal, "mmusim was killed by host signal %d", r.status - 128);
	result_free(&r);
}

/* Fork, exec and wait in a loop: every child exits with its own status; the
 * sum of (7i + 3) mod 256 for i < 100 is 11910 (and so says Linux on the
 * host, for an x86-64 build of forkexec).  qemu-aarch64-static cannot be the
 * oracle here: its children cannot exec an AArch64 program. */
Test(crash, fork_exec_wait_loop)
{
	struct result r = run_mmusim(GUEST("forkexec"), "100", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "100 children, status sum 11910\n");
	result_free(&r);
}
