/*
 * userfaultfd(2) (sim/userfaultfd.c, mmu/userfault): guests that resolve
 * their own page faults from a handler thread, and the errors of every
 * ioctl, compared line by line with the same programs built for this host
 * and run on its kernel (tests/host-NAME; root may use userfaultfd whatever
 * vm.unprivileged_userfaultfd says); and the round trip's cost as
 * --stats reports it.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness.h"

/* Whether this host lets the tests use userfaultfd as the guests do: the
 * call without UFFD_USER_MODE_ONLY (root, CAP_SYS_PTRACE or
 * vm.unprivileged_userfaultfd=1) and /dev/userfaultfd (root by default). */
static bool host_has_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd < 0)
		return false;
	close((int)fd);
	return access("/dev/userfaultfd", R_OK | W_OK) == 0;
}

TestSuite(userfaultfd, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* Run guest `name` under mmusim and tests/host-`name` on this kernel:
 * both exit 0 and print the same; the output holds `known` (an answer the
 * uapi header or fs/userfaultfd.c gives, so the oracle itself is checked).
 * A host that refuses userfaultfd to this user leaves only mmusim's side. */
static void expect_same_as_host(const char *name, const char *known)
{
	gchar *guest = g_strdup_printf("%s/%s", GUEST_BIN_DIR, name);
	gchar *host = g_strdup_printf("%s/host-%s", HOST_BIN_DIR, name);
	struct result m = run_mmusim(guest, NULL);

	expect_status(&m, 0);
	expect_contains("mmusim's output", m.out, known);
	cr_expect_str_eq(m.err, "");
	if (host_has_userfaultfd()) {
		struct result h = run_argv((const char *const[]){ host, NULL });

		cr_expect_eq(h.status, 0, "the host program failed: %s", h.err);
		expect_contains("the host's output", h.out, known);
		cr_expect_str_eq(m.out, h.out);
		result_free(&h);
	} else {
		cr_log_warn("this host refuses userfaultfd to this user: %s not compared", name);
	}
	result_free(&m);
	g_free(guest);
	g_free(host);
}

/* A handler thread polls, reads struct uffd_msg and answers with COPY and
 * ZEROPAGE; a blocking handler closes the descriptor on a blocked fault,
 * which then completes as a normal fault; the SIGBUS feature; read(2)'s
 * copy into a registered page waits for the handler (EFAULT with
 * UFFD_USER_MODE_ONLY). */
Test(userfaultfd, handler_thread_as_the_kernel)
{
	expect_same_as_host("uffd", "event: 18\n");	/* UFFD_EVENT_PAGEFAULT 0x12 */
}

/* The errors of fs/userfaultfd.c and mm/userfaultfd.c. */
Test(userfaultfd, errors_as_the_kernel)
{
	expect_same_as_host("uffderr", "copy onto a present page: EEXIST\n");
}

/* UFFDIO_MOVE: a handler moving pages in, and move_pages' errors. */
Test(userfaultfd, move_as_the_kernel)
{
	expect_same_as_host("uffdmove", "page shared with a child: EBUSY\n");
}

/* The events FORK (the child's copy served through the new descriptor),
 * REMAP, REMOVE and UNMAP (munmap, and mmap MAP_FIXED over the range):
 * each call waits until its event is read, and
 * ZEROPAGE answers EAGAIN meanwhile. */
Test(userfaultfd, events_as_the_kernel)
{
	expect_same_as_host("uffdev", "event: 19\nnew descriptor: 1\n");	/* UFFD_EVENT_FORK 0x13 */
}

/* Write-protection as on x86-64 (arm64 6.12 has none): a write to a
 * protected page waits for the handler's WRITEPROTECT; mprotect keeps the
 * protection, a fork child without EVENT_FORK and UNREGISTER drop it. */
Test(userfaultfd, write_protect_as_x86_64)
{
	expect_same_as_host("uffdwp", "flags (WRITE 1, WP 2): 3\n");	/* UFFD_PAGEFAULT_FLAG_WP 1<<1 */
}

/* UFFD_FEATURE_WP_UNPOPULATED: pages never touched are protected by
 * markers (a first write is a WP fault, flags WRITE|WP); mprotect keeps
 * them, MADV_DONTNEED, munmap, resolving and UNREGISTER drop them; COPY
 * replaces one, POISON and MOVE onto one are EEXIST (-17 in the struct's
 * count), MOVE from one EFAULT (-14); mremap without EVENT_REMAP drops bits,
 * markers and the registration (WRITEPROTECT of the new range: ENOENT),
 * with it keeps all three.  WP on shmem (WP_HUGETLBFS_SHMEM):
 * markers always, MADV_DONTNEED and fallocate(PUNCH_HOLE) keep the
 * protection, a fork child without EVENT_FORK loses it. */
Test(userfaultfd, wp_unpopulated_as_x86_64)
{
	expect_same_as_host("uffdwpun", "flags (WRITE 1, WP 2): 3\npage: 1\n");	/* page 1 never touched */
}

/* UFFD_FEATURE_WP_ASYNC: writes to protected pages (present, markers,
 * shmem, a private file mapping, a kernel copy) go through with no
 * message and clear pagemap's uffd-wp bit (57), as
 * Documentation/admin-guide/mm/userfaultfd.rst describes. */
Test(userfaultfd, wp_async_as_x86_64)
{
	expect_same_as_host("uffdwpasync", "page 1 written: uffd-wp 0 swap 0 present 1\nmessages waiting: 0\n");
}

/* shmem (a memfd mapped shared and private): only pages the object lacks
 * are user faults, COPY puts the page in the object for every mapping;
 * fallocate's PUNCH_HOLE. */
Test(userfaultfd, shmem_as_the_kernel)
{
	expect_same_as_host("uffdshm", "alias page 0: the object's page: 115\n");	/* 's' */
}

/* guest/uffdminor: MINOR mode on a memfd and shared anonymous memory,
 * UFFDIO_CONTINUE's answers, no fault-around in a registered range; the
 * known answer: a write's minor fault has flags MINOR|WRITE (4|1, the uapi
 * header's UFFD_PAGEFAULT_FLAG_*). */
Test(userfaultfd, minor_as_the_kernel)
{
	expect_same_as_host("uffdminor", "fault in m, page: 3\nflags: 5\n");
}

/* guest/uffd blocks five faults (three resolved by the poll handler, one
 * woken by the close, one of read(2)'s copy): five round trips in
 * fault:userfault, and the five blocked faults counted as retries. */
Test(userfaultfd, round_trips_in_the_stats)
{
	struct result r = run_mmusim("--stats", GUEST("uffd"), NULL);

	expect_status(&r, 0);
	expect_contains("--stats", r.err, "    retry                          5\n");
	expect_contains("--stats", r.err, "    fault:userfault                   5 ");
	expect_contains("--stats", r.err, "uffd_enqueue");
	result_free(&r);
}
