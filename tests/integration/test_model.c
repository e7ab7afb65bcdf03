/*
 * The machine model seen from inside a guest: the initial stack the loader
 * builds (also for a static-PIE), the identity and clocks the system calls
 * report, translations that must not outlive munmap/mprotect/madvise, and
 * translated code that must not outlive the frame it came from.  Expected
 * values come from the ELF ABI, from docs/design.md's documented identity,
 * and from the guests' own disassembly.
 */
#include <string.h>

#include "harness.h"

TestSuite(model, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

static const char auxv_expected[] =
	"AT_PAGESZ 4096\n"
	"AT_PHENT 56\n"
	"AT_PHNUM matches PT_PHDR table: yes (%s PT_LOAD)\n"
	"AT_ENTRY is _start: yes\n"
	"AT_EXECFN is argv[0]: yes\n"
	"AT_PLATFORM aarch64\n"
	"AT_HWCAP has FP and ASIMD: yes\n"
	"AT_UID 0 AT_EUID 0 AT_GID 0 AT_EGID 0 AT_SECURE 0\n"
	"AT_RANDOM readable: yes\n"
	"argv 16-byte aligned minus 8: yes\n"
	"argc 3\n";

static void expect_auxv(const char *guest)
{
	struct result r = run_mmusim(guest, "one", "two", NULL);
	const char *loads = strstr(r.out, "yes (");
	gchar *expected = g_strdup_printf(auxv_expected, loads ? (char[]){ loads[5], 0 } : "?");

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, expected);
	g_free(expected);
	result_free(&r);
}

Test(model, auxv_of_a_static_executable)
{
	expect_auxv(GUEST("auxv"));
}

Test(model, auxv_of_a_static_pie)
{
	expect_auxv(GUEST("auxv-pie"));
}

Test(model, identity_time_and_terminal)
{
	struct result r = run_mmusim(GUEST("sysinfo"), NULL);

	expect_status(&r, 0);
	expect_contains("stdout", r.out, "uname Linux 6.1.0-mmusim aarch64\n"
			"pid 100 ppid 1 uid 0 euid 0 gid 0 egid 0\n"
			"cpus 4\n"
			"isatty(1) 0\n"
			"slept at least 1s: yes\n"
			"realtime after 2024-01-01: yes\n");
	result_free(&r);
}

static gchar *random_line(const char *seed)
{
	struct result r = run_mmusim("--seed", seed, GUEST("sysinfo"), NULL);
	const char *line = strstr(r.out, "random ");
	gchar *copy = g_strdup(line ? line : "(none)");

	expect_status(&r, 0);
	result_free(&r);
	return copy;
}

Test(model, getrandom_follows_the_seed)
{
	gchar *a = random_line("7"), *b = random_line("7"), *c = random_line("8");

	cr_expect_str_eq(a, b, "same seed, different bytes");
	cr_expect_str_neq(a, c, "different seeds, same bytes");
	g_free(a);
	g_free(b);
	g_free(c);
}

/* The page address the stale guest printed, as the crash report writes it. */
static gchar *stale_page(const char *out)
{
	const char *p = strstr(out, "page 0x");

	return p ? g_strndup(p + 5, strcspn(p + 5, " ")) : g_strdup("(no page line)");
}

static void expect_stale_fault(const char *mode, const char *code)
{
	struct result r = run_mmusim(GUEST("stale"), mode, NULL);
	gchar *page = stale_page(r.out);
	gchar *line = g_strdup_printf("fault address %s\n", page);

	expect_status(&r, 139);
	expect_contains("stderr", r.err, code);
	expect_contains("stderr", r.err, line);
	g_free(line);
	g_free(page);
	result_free(&r);
}

Test(model, no_translation_survives_munmap)
{
	expect_stale_fault("munmap", "SEGV_MAPERR");
}

Test(model, no_write_survives_mprotect_read_only)
{
	expect_stale_fault("mprotect", "SEGV_ACCERR");
}

Test(model, no_read_survives_mprotect_none)
{
	expect_stale_fault("mprotect-none", "SEGV_ACCERR");
}

Test(model, madv_dontneed_page_reads_zero)
{
	struct result r = run_mmusim(GUEST("stale"), "dontneed", NULL);

	expect_status(&r, 0);
	expect_contains("stdout", r.out, "holds 42\nafter MADV_DONTNEED: 0\n");
	result_free(&r);
}

/* The stale guest under mmusim (with `cpus` CPUs, NULL: the default) and
 * under qemu: both must print `expected` and exit 0. */
static void expect_fork_view(const char *cpus, const char *mode, const char *expected)
{
	struct result r = cpus ? run_mmusim("--cpus", cpus, GUEST("stale"), mode, NULL) :
				 run_mmusim(GUEST("stale"), mode, NULL);
	struct result q = run_qemu(GUEST("stale"), mode, NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, expected);
	cr_expect_str_eq(q.out, expected, "qemu disagrees");
	cr_expect_eq(q.status, 0);
	result_free(&r);
	result_free(&q);
}

/* The child caches a read-only translation of a page it shares with its
 * parent, then read(2) writes the page: the kernel's copy-on-write break
 * gives the child a new frame, and the child's next load must read it. */
Test(model, no_read_survives_a_copy_on_write_break_in_the_kernel)
{
	expect_fork_view(NULL, "cow-read", "child reads B after read(2) into its copy\n"
			 "parent still has A\n");
}

/* The parent's writable translation must not outlive fork: its store right
 * after the svc goes to a copy, never to the frame the child sees.  On one
 * CPU the parent runs on after fork with no context switch in between (with
 * more CPUs the child runs first, and loading it flushes anyway). */
Test(model, no_write_survives_fork_in_the_parent)
{
	expect_fork_view("1", "fork-write", "child sees A\nparent sees P\n");
}

/* Two files of code, "mov w0, #N; ret", mapped one after the other at the
 * same address: the second must run, not the first one's translation. */
Test(model, code_in_a_recycled_frame_is_retranslated)
{
	static const guint8 one[] = { 0x20, 0x00, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6 };
	static const guint8 two[] = { 0x40, 0x00, 0x80, 0x52, 0xc0, 0x03, 0x5f, 0xd6 };
	gchar *p1 = tmp_path("one.bin"), *p2 = tmp_path("two.bin");
	struct result r;

	cr_assert(g_file_set_contents(p1, (const char *)one, sizeof(one), NULL));
	cr_assert(g_file_set_contents(p2, (const char *)two, sizeof(two), NULL));
	r = run_mmusim(GUEST("codefile"), p1, p2, NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "first 1 second 2\n");
	result_free(&r);
	g_free(p1);
	g_free(p2);
}

/* hello-nolibc runs straight through _start to its second svc (exit_group):
 * the instruction count is that many instructions of the disassembly. */
Test(model, instruction_count_matches_the_disassembly)
{
	const char *argv[] = { GUEST_OBJDUMP_PATH, "-d", GUEST("hello-nolibc"), NULL };
	struct result dis = run_argv(argv);
	gchar **lines = g_strsplit(dis.out, "\n", -1);
	unsigned count = 0, svcs = 0;
	bool in_start = false;
	struct result r;
	gchar *expected;

	for (gchar **l = lines; *l && svcs < 2; l++) {
		if (strstr(*l, "<_start>:"))
			in_start = true;
		else if (in_start && g_regex_match_simple("^ +[0-9a-f]+:\t[0-9a-f]{8} ", *l, 0, 0))
			count++, svcs += strstr(*l, "\tsvc\t") != NULL;
	}
	cr_assert_eq(svcs, 2, "no two svc instructions in _start:\n%s", dis.out);
	r = run_mmusim("--stats", GUEST("hello-nolibc"), NULL);
	expected = g_strdup_printf("\n  instructions +%u\n", count);
	expect_status(&r, 0);
	cr_expect(g_regex_match_simple(expected, r.err, 0, 0), "expected %u instructions:\n%s", count, r.err);
	g_free(expected);
	result_free(&r);
	g_strfreev(lines);
	result_free(&dis);
}

/* acct (89) is a Linux call mmusim does not provide; 400 is unassigned;
 * 1900 and 1915 are in mmusim's own range, where nothing is registered (1000-1015 are VAS). */
Test(model, unknown_calls_answer_enosys_and_warn_once)
{
	struct result r = run_mmusim(GUEST("nosys"), NULL);
	static const char warning[] = "unimplemented system call acct (89) answers ENOSYS";
	const char *first = strstr(r.err, warning);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "acct: -1 ENOSYS\nacct: -1 ENOSYS\nunassigned 400: -1 ENOSYS\n"
			 "mmusim 1900: -1 ENOSYS\nmmusim 1915: -1 ENOSYS\n");
	cr_expect(first && !strstr(first + sizeof(warning) - 1, "acct (89)"),
		  "expected one warning for acct:\n%s", r.err);
	expect_contains("stderr", r.err, "unimplemented system call ? (400) answers ENOSYS");
	expect_contains("stderr", r.err, "unimplemented system call ? (1915) answers ENOSYS");
	result_free(&r);
}

/* Cost profiles: listed, chosen, changed; every report states its profile.
 * hello-nolibc makes two calls; with the xeon profile and syscall_entry set
 * to 1000 cycles each costs (1000 + 65) / 2.4 GHz = 443.75 ns, printed 444. */
Test(model, cost_profiles)
{
	struct result list = run_mmusim_raw("profiles", NULL);
	struct result r = run_mmusim("--profile", "xeon-e5620", "--set", "cycles.syscall_entry=1000",
				     "--stats", GUEST("hello-nolibc"), NULL);
	struct result bad = run_mmusim("--set", "cycles.nosuch=3", GUEST("hello-nolibc"), NULL);

	expect_status(&list, 0);
	expect_contains("profiles", list.out, "default ");
	expect_contains("profiles", list.out, "xeon-e5620    2.40 GHz");
	expect_status(&r, 0);
	expect_contains("stats", r.err, "latencies (profile xeon-e5620, 2.40 GHz;");
	cr_expect(g_regex_match_simple("syscall:write +1 +443\\.8 +444 +444 +444 +444", r.err, 0, 0),
		  "write's latency:\n%s", r.err);
	expect_status(&bad, 2);
	expect_contains("stderr", bad.err, "--set cycles.nosuch=3: unknown step \"nosuch\"");
	result_free(&list);
	result_free(&r);
	result_free(&bad);
}
