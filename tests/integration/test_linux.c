/*
 * Where mmusim used to part from Linux (issue 9): faults that are not page
 * faults, the trampoline page, executables without execute permission,
 * overcommit, and empty paths.  The answers come from qemu-aarch64-static,
 * from the same program built for this host (the real kernel), or from the
 * documented Linux behaviour.
 */
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

TestSuite(linux, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* An alignment fault on an exclusive or atomic access: Linux sends SIGBUS
 * BUS_ADRALN (fault_info[0x21]); mmusim used to stop with an internal error.
 * ldxp: each of its two loads is aligned to its own size, but the pair asks
 * for 16: the fast path's direct loads must leave it to the library. */
Test(linux, misaligned_exclusive_access_is_sigbus_adraln)
{
	const char *modes[] = { "ldxr", "ldxp", "atomic" };

	for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
		struct result r = run_mmusim(GUEST("faults"), modes[i], NULL);
		struct result q = run_qemu(GUEST("faults"), modes[i], NULL);

		expect_status(&r, 135);
		cr_expect_eq(q.status, 135, "qemu: status %d", q.status);
		expect_contains("stderr", r.err, "killed by SIGBUS (BUS_ADRALN");
		expect_not_contains("stderr", r.err, "internal error");
		result_free(&r);
		result_free(&q);

		r = expect_same_as_qemu((const char *[]){ GUEST("faults"), modes[i], "catch", NULL });
		expect_contains("stdout", r.out, "SIGBUS BUS_ADRALN, si_addr the address");
		result_free(&r);
	}
}

/* A jump to 0x1234, on the EL1 trampoline page: SIGSEGV SEGV_MAPERR, as
 * the real kernel gives for an address below mmap_min_addr (not SIGILL
 * from running the page's contents at EL0). */
Test(linux, jump_below_mmap_min_addr_is_sigsegv_maperr)
{
	const char *host[] = { HOST_FAULTS_PATH, "low", "catch", NULL };
	struct result r = run_mmusim(GUEST("faults"), "low", NULL);
	struct result h = run_argv(host);

	expect_status(&r, 139);
	expect_contains("stderr", r.err, "killed by SIGSEGV (SEGV_MAPERR");
	expect_contains("stderr", r.err, "fault address 0x1234\n");
	result_free(&r);
	cr_expect_eq(h.status, 0);
	cr_expect_str_eq(h.out, "low: faulting\nlow: SIGSEGV SEGV_MAPERR, si_addr the address\n");
	r = expect_same_as_qemu((const char *[]){ GUEST("faults"), "low", "catch", NULL });
	cr_expect_str_eq(r.out, h.out, "mmusim and the host kernel disagree");
	result_free(&r);
	result_free(&h);
}

/* A copy of guest `name` in tmp_dir() with permission bits `mode`. */
static gchar *copy_with_mode(const char *name, const char *copy, int mode)
{
	gchar *src = g_build_filename(GUEST_BIN_DIR, name, NULL), *contents, *path = tmp_path(copy);
	gsize len;

	cr_assert(g_file_get_contents(src, &contents, &len, NULL));
	cr_assert(g_file_set_contents(path, contents, (gssize)len, NULL));
	cr_assert_eq(chmod(path, (mode_t)mode), 0);
	g_free(contents);
	g_free(src);
	return path;
}

/* execve(2) needs an execute bit (EACCES), even for root; mmusim's own start
 * is an execve too: status 126 with the reason. */
Test(linux, a_file_without_execute_permission_does_not_run)
{
	gchar *path = copy_with_mode("hello-nolibc", "noexec", 0644);
	struct result r = run_mmusim(path, NULL);

	cr_expect_eq(r.status, 126, "status %d; stderr:\n%s", r.status, r.err);
	cr_expect_str_eq(r.out, "");
	expect_contains("stderr", r.err, "noexec: no execute permission (mode 0644)");
	result_free(&r);
	/* From inside: the shell's execve fails with EACCES. */
	r = expect_same_as_qemu((const char *[]){ BB, "sh", "-c", "./noexec", NULL });
	cr_expect_eq(r.status, 126);
	expect_contains("stderr", r.err, "Permission denied");
	result_free(&r);
	g_free(path);
}

/* "" is ENOENT for every path call, unless AT_EMPTY_PATH asks for the
 * directory descriptor itself: the real kernel's answers, and qemu's. */
Test(linux, the_empty_path_names_nothing)
{
	const char *host[] = { HOST_PATHS_PATH, NULL };
	struct result h = run_argv(host);
	struct result r = expect_same_as_qemu((const char *[]){ GUEST("paths"), NULL });

	cr_expect_eq(h.status, 0);
	cr_expect_str_eq(r.out, h.out, "mmusim and the host kernel disagree");
	expect_contains("stdout", r.out, "chdir(\"\")                            ENOENT\n");
	expect_contains("stdout", r.out, "statx(dir, \"\", AT_EMPTY_PATH)        ok\n");
	result_free(&r);
	result_free(&h);
}

/* Heuristic overcommit: 64 TiB mappings and a 1 TiB brk as the real kernel
 * answers them (this host has far less than 64 TiB; qemu is no oracle here:
 * it refuses every 64 TiB mapping itself), and the limit at exactly --mem. */
Test(linux, overcommit_refuses_a_single_request_larger_than_memory)
{
	const char *host[] = { HOST_OVERCOMMIT_PATH, NULL };
	struct result h = run_argv(host);
	struct result r = run_mmusim(GUEST("overcommit"), NULL);

	expect_status(&r, 0);
	cr_expect_eq(h.status, 0);
	cr_expect_str_eq(r.out, h.out, "mmusim and the host kernel disagree");
	expect_contains("stdout", r.out, "brk +1 TiB Cannot allocate memory\n");
	result_free(&r);
	result_free(&h);
	r = run_mmusim("--mem", "64M", GUEST("overcommit"), "64", NULL);
	cr_expect_str_eq(r.out, "mmap private rw                     ok\n");
	result_free(&r);
	r = run_mmusim("--mem", "64M", GUEST("overcommit"), "65", NULL);
	cr_expect_str_eq(r.out, "mmap private rw                     Cannot allocate memory\n");
	result_free(&r);
}

/* MAP_POPULATE takes all of memory; the next page the program needs (code
 * or data) cannot be brought in: SIGKILL, and the report shows the
 * instruction at the pc, read from the program file if its page never made
 * it into memory. */
Test(linux, out_of_memory_after_populate_shows_the_instruction)
{
	struct result r = run_mmusim("--mem", "16M", GUEST("overcommit"), "populate", "16", NULL);

	expect_status(&r, 137);
	expect_contains("stderr", r.err, "out of simulated memory (raise --mem)");
	cr_expect(g_regex_match_simple("^  pc 0x[0-9a-f]+: [a-z]+ ", r.err, G_REGEX_MULTILINE, 0),
		  "no instruction shown at the pc:\n%s", r.err);
	expect_not_contains("stderr", r.err, "(no instruction mapped there)");
	result_free(&r);
}
