/*
 * The 2014 userfault RFC (sim/userfaultfd_rfc.c, mmu/userfault/rfc.c) on
 * mmusim's numbers: guest/uffdrfc against the answers the design note
 * (../shared/notes/designs.md, section 3) gives; no kernel has these
 * calls to compare with.  Each line's reason:
 *  - MADV_USERFAULT: shared memory EINVAL; a missing page SIGBUS with
 *    si_addr (+0x1005), the handler's remap serves it ('R'), the source is
 *    a hole after (0); a fork child inherits VM_USERFAULT without the
 *    registration: its read of missing page 3 is SIGBUS (exit 50 + 3);
 *    MADV_NOUSERFAULT: a zero page, no SIGBUS; advice 18 is still
 *    MADV_WIPEONFORK (the child sees 0).
 *  - remap_anon_pages: EINVAL for unaligned, empty, unknown flag, no VMA,
 *    past the VMA, shared, different protection; EEXIST before the
 *    source's ENOENT; RAP_ALLOW_SRC_HOLES counts the hole (4096); a short
 *    count (4096 of 8192) at a present destination; EBUSY after fork.
 *  - the handshake: EINVAL before the write, for short buffers and for a
 *    write while acknowledging; -1ULL for protocol 0xab, then asking
 *    again (EINVAL); 0xaa; POLLIN (0x1) while the answer waits.
 *  - range writes: EINVAL stray bits / both bits / unaligned end, ERANGE,
 *    ENOMEM past 2^47 and without a VMA, 16 for a register (again, by the
 *    same fd), EBUSY for another fd, ENOENT for a wake of nobody.
 *  - a handler: the fault's address (+0), POLLOUT (0x4) once read, remap
 *    and wake; two threads on one page are two messages and one wake; a
 *    wake without a page and a close with a blocked fault: the retry is
 *    SIGBUS (its handler remaps, at +0x2001 and +0x3001).
 *  - the RFC's test: 1024 pages odd first, each by one SIGBUS.
 */
#include <stdio.h>
#include <string.h>

#include "harness.h"

TestSuite(uffd_rfc, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

static const char expected[] =
	"madv_userfault shared: EINVAL\n"
	"madv_userfault: 0\n"
	"read through SIGBUS: R\n"
	"sigbus: 1 at +0x1005\n"
	"source a hole after the remap: 0\n"
	"fork child reads a missing page: exit 53\n"
	"madv_nouserfault: 0\n"
	"then a missing page is zero: 0, sigbus 1\n"
	"madvise 18 (wipeonfork): 0\n"
	"child sees: 0, parent 9\n"
	"unaligned: EINVAL\n"
	"empty: EINVAL\n"
	"unknown flag: EINVAL\n"
	"no vma: EINVAL\n"
	"past the vma: EINVAL\n"
	"shared: EINVAL\n"
	"different protection: EINVAL\n"
	"dst present, src hole: EEXIST\n"
	"src hole: ENOENT\n"
	"src hole allowed: 4096\n"
	"two pages: 8192\n"
	"short: a present dst after a page: 4096\n"
	"moved: S S T\n"
	"fork before remap: EBUSY\n"
	"bad flags: EINVAL\n"
	"read before the write: EINVAL\n"
	"short write: EINVAL\n"
	"unknown protocol: 8\n"
	"write while acknowledging: EINVAL\n"
	"poll acking: 0x1\n"
	"short read: EINVAL\n"
	"answer: 0xffffffffffffffff\n"
	"read after -1: EINVAL\n"
	"protocol: 8\n"
	"answer: 0xaa\n"
	"poll running: 0\n"
	"range short: EINVAL\n"
	"stray low bits: EINVAL\n"
	"both bits: EINVAL\n"
	"end unaligned: EINVAL\n"
	"start >= end: Numerical result out of range\n"
	"past user space: Cannot allocate memory\n"
	"no vma: Cannot allocate memory\n"
	"register: 16\n"
	"register again: 16\n"
	"other fd: EBUSY\n"
	"other fd elsewhere: 16\n"
	"wake nobody: ENOENT\n"
	"read nothing: EAGAIN\n"
	"unregister: 16\n"
	"other fd now: 16\n"
	"fault at +0\n"
	"poll after the read: 0x4\n"
	"remap: 4096\n"
	"wake: 16\n"
	"thread read: P, sigbus 0\n"
	"two faults: +0x1000 +0x1000\n"
	"remap: 4096\n"
	"wake both: 16\n"
	"threads read: P, sigbus 0\n"
	"wake without a page: 16\n"
	"thread read: P, sigbus 1 at +0x2001\n"
	"after close: P, sigbus 2 at +0x3001\n"
	"rfc test: 1024 pages, sigbus 1024, wrong bytes 0\n";

Test(uffd_rfc, protocol_errors_and_retries_as_the_design_note)
{
	struct result r = run_mmusim(GUEST("uffdrfc"), NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, expected);
	cr_expect_str_eq(r.err, "");
	result_free(&r);
}

/* Five faults served through the descriptor (one, two on one page, the
 * wake without a page, the close): five round trips. */
Test(uffd_rfc, round_trips_in_the_stats)
{
	struct result r = run_mmusim("--stats", GUEST("uffdrfc"), NULL);

	expect_status(&r, 0);
	expect_contains("--stats", r.err, "    fault:userfault-rfc               5 ");
	result_free(&r);
}

/* The mean of latency `kind` in --stats text, or -1. */
static double stats_mean(const char *text, const char *kind)
{
	gchar *needle = g_strdup_printf("\n    %s ", kind);
	const char *at = strstr(text, needle);
	unsigned long count;
	double mean = -1;

	if (!at || sscanf(at + strlen(needle), "%lu %lf", &count, &mean) != 2)
		mean = -1;
	g_free(needle);
	return mean;
}

/* guest/uffdbench (make bench): every path brings the right page in. */
Test(uffd_rfc, bench_paths_resolve_every_page)
{
	static const char *const modes[] = { "zero", "copy", "move", "rfc", "sigbus" };

	for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
		struct result r = run_mmusim("--cpus", "2", GUEST("uffdbench"), modes[i], "20", NULL);
		gchar *want = g_strdup_printf("%s: 20 faults, 0 spinners: ", modes[i]);

		expect_status(&r, 0);
		expect_contains("uffdbench", r.out, want);
		expect_contains("uffdbench", r.out, ", wrong 0\n");
		result_free(&r);
		g_free(want);
	}
}

/*
 * Copy vs move on 4 CPUs (the handler, the faulting thread, 2 spinners),
 * default profile, by hand: a COPY round trip is the trap 100 + 400 + 80,
 * the handler's wake-up and read 800 + 70 + 60, the copy 500 + 40, the
 * wake 800 + 300, the retry 100 + 80 = 3330 cycles, 1665 ns.  A MOVE
 * has no copy but the source's shootdown: 3 IPIs sent (3 x 600), the
 * initiator's own page flush 40, then the wait for the slowest target
 * (its interrupt 1500 and page flush 40, the acknowledgement 1000):
 * 3330 - 500 + 4380 = 7210 cycles, 3605 ns.
 */
Test(uffd_rfc, move_pays_a_shootdown_to_every_cpu_of_the_process)
{
	struct result c = run_mmusim("--stats", "--cpus", "4", GUEST("uffdbench"), "copy", "20", "2", NULL);
	struct result m = run_mmusim("--stats", "--cpus", "4", GUEST("uffdbench"), "move", "20", "2", NULL);

	expect_status(&c, 0);
	expect_status(&m, 0);
	cr_expect_float_eq(stats_mean(c.err, "fault:userfault"), 1665.0, 0.01, "%s", c.err);
	cr_expect_float_eq(stats_mean(m.err, "fault:userfault"), 3605.0, 0.01, "%s", m.err);
	result_free(&c);
	result_free(&m);
}

/* p50 and p99 of each line of guest/postcopy's output, in order. */
static int postcopy_figures(const char *out, unsigned long long p50[], unsigned long long p99[], int max)
{
	int n = 0;

	for (const char *at = strstr(out, "p50 "); at && n < max; at = strstr(at + 1, "p50 "), n++)
		if (sscanf(at, "p50 %llu ns, p99 %llu ns", &p50[n], &p99[n]) != 2)
			return -1;
	return n;
}

/* The post-copy example: the VM's fault latency follows the simulated
 * network's (a page request costs at least its round trip, and more as
 * it grows); with three VM threads faulting at once, the one handler
 * serves them in turn, so a fault waits for about three round trips. */
Test(uffd_rfc, postcopy_latency_grows_with_the_network)
{
	static const long net_us[] = { 0, 10, 100, 1000 };
	struct result one = run_mmusim(GUEST("postcopy"), "64", "1", "0", "10", "100", "1000", NULL);
	struct result three = run_mmusim(GUEST("postcopy"), "63", "3", "1000", NULL);
	unsigned long long p50[4], p99[4], q50[1], q99[1];

	expect_status(&one, 0);
	expect_status(&three, 0);
	cr_assert_eq(postcopy_figures(one.out, p50, p99, 4), 4, "%s", one.out);
	cr_expect_eq(strstr(one.out, "wrong 0\n") != NULL, true, "%s", one.out);
	for (int i = 0; i < 4; i++) {
		cr_expect_geq(p50[i], (unsigned long long)net_us[i] * 1000, "%s", one.out);
		cr_expect_geq(p99[i], p50[i]);
		if (i)
			cr_expect_gt(p50[i], p50[i - 1], "%s", one.out);
	}
	cr_assert_eq(postcopy_figures(three.out, q50, q99, 1), 1, "%s", three.out);
	cr_expect_geq(q50[0], 3000000ull, "three requests queue at the handler: %s", three.out);
	cr_expect_lt(q50[0], 4000000ull, "%s", three.out);
	result_free(&one);
	result_free(&three);
}
