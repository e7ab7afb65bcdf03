/*
 * UFFDIO_POISON (sim/userfaultfd_poison.c, mmu/userfault/poison.c):
 * guest/uffdpoison under mmusim against the same program built for this
 * host (tests/host-uffdpoison) on its kernel, line by line.  One
 * difference is known and taken from the two kernels' sources: an access
 * to a poisoned page is VM_FAULT_HWPOISON, which arm64 6.12
 * (arch/arm64/mm/fault.c, do_page_fault) always raises as SIGBUS
 * BUS_MCEERR_AR with si_addr_lsb PAGE_SHIFT, and x86-64
 * (arch/x86/mm/fault.c, do_sigbus) only with CONFIG_MEMORY_FAILURE, else
 * BUS_ADRERR with lsb 0.  So on the host's lines marked "poisoned" that
 * say BUS_ADRERR, arm64's answer replaces x86-64's before comparing.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"

TestSuite(uffd_poison, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* The host's output as arm64 6.12 would print it. */
static gchar *as_arm64(const char *host_out)
{
	gchar **lines = g_strsplit(host_out, "\n", -1);
	gchar *out;

	for (gchar **l = lines; *l; l++) {
		gchar *code = strstr(*l, "SIGBUS BUS_ADRERR");
		gchar *lsb = strstr(*l, " lsb 0");

		if (strstr(*l, "poisoned") && code && lsb && !lsb[6]) {
			gchar *fixed = g_strdup_printf("%.*sSIGBUS BUS_MCEERR_AR%.*s lsb 12", (int)(code - *l), *l,
						       (int)(lsb - code - 17), code + 17);

			g_free(*l);
			*l = fixed;
		}
	}
	out = g_strjoinv("\n", lines);
	g_strfreev(lines);
	return out;
}

static bool host_has_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd < 0)
		return false;
	close((int)fd);
	return true;
}

Test(uffd_poison, as_the_kernel)
{
	struct result m = run_mmusim(GUEST_BIN_DIR "/uffdpoison", NULL);

	expect_status(&m, 0);
	cr_expect_str_eq(m.err, "");
	/* arm64's do_page_fault: BUS_MCEERR_AR (4), lsb PAGE_SHIFT */
	expect_contains("mmusim's output", m.out, "read poisoned page 0: SIGBUS BUS_MCEERR_AR page 0 lsb 12\n");
	/* a missing page under UFFD_FEATURE_SIGBUS stays BUS_ADRERR */
	expect_contains("mmusim's output", m.out, "read page 1 (missing): SIGBUS BUS_ADRERR page 1 lsb 0\n");
	expect_contains("mmusim's output", m.out, "poison page 0 again: EEXIST, updated -17\n");
	/* pagemap: PM_SWAP, type SWP_PTE_MARKER 31 | PTE_MARKER_POISONED 2 << 5 */
	expect_contains("mmusim's output", m.out, "page 2 poisoned: uffd-wp 0 swap 1 present 0 frame 0x5f\n");
	if (host_has_userfaultfd()) {
		struct result h = run_argv((const char *const[]){ HOST_BIN_DIR "/host-uffdpoison", NULL });
		gchar *want = as_arm64(h.out);

		cr_expect_eq(h.status, 0, "the host program failed: %s", h.err);
		cr_expect_str_eq(m.out, want);
		g_free(want);
		result_free(&h);
	} else {
		cr_log_warn("this host refuses userfaultfd to this user: uffdpoison not compared");
	}
	result_free(&m);
}
