/*
 * Kinds of open file mmusim serves itself (eventfd, epoll, AF_UNIX
 * sockets, signalfd, memfd) and the calls on descriptors: each guest
 * program prints what every call answered, and the same program built for
 * this host (tests/host-NAME) gives the real kernel's answers, which
 * mmusim's must equal line by line.
 */
#include <string.h>

#include "harness.h"

TestSuite(fdkinds, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* Run guest `name` under mmusim and tests/host-`name` on this kernel:
 * both exit 0 and print the same; the host's output holds `known` (a
 * line the man pages give, so the oracle itself is checked). */
static void expect_same_as_host(const char *name, const char *known)
{
	gchar *guest = g_strdup_printf("%s/%s", GUEST_BIN_DIR, name);
	gchar *host = g_strdup_printf("%s/host-%s", HOST_BIN_DIR, name);
	struct result m = run_mmusim(guest, NULL);
	struct result h = run_argv((const char *const[]){ host, NULL });

	cr_expect_eq(h.status, 0, "the host program failed: %s", h.err);
	expect_contains("the host's output", h.out, known);
	expect_status(&m, 0);
	cr_expect_str_eq(m.out, h.out);
	cr_expect_str_eq(m.err, "");
	result_free(&m);
	result_free(&h);
	g_free(guest);
	g_free(host);
}

/* eventfd(2): a semaphore gives 1 per read, EAGAIN at 0; epoll(7):
 * level-triggered reports while ready, edge-triggered once per event,
 * EPOLLONESHOT until EPOLL_CTL_MOD; errno rules of epoll_ctl(2). */
Test(fdkinds, eventfd_and_epoll_as_the_kernel)
{
	expect_same_as_host("evpoll", "semaphore read: EAGAIN\n");
}

/* unix(7), socket(2), socketpair(2), bind(2), accept4(2), sendmsg(2):
 * socketpair streams and datagrams, a pipe end passed with SCM_RIGHTS and
 * written through by a child, abstract and path names in mmusim's own
 * namespace, shutdown, options; ENOTSOCK on a pipe. */
Test(fdkinds, unix_sockets_as_the_kernel)
{
	expect_same_as_host("unixsock", "through the pipe: written by the child through fd passed as a new descriptor, cloexec 1\n");
}

/* Families other than AF_UNIX are not simulated: EAFNOSUPPORT (which
 * Linux gives for a family it was built without). */
Test(fdkinds, other_families_are_eafnosupport)
{
	struct result r = run_mmusim(GUEST("unixsock"), "inet", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "AF_INET: EAFNOSUPPORT\nAF_INET6: EAFNOSUPPORT\nAF_NETLINK: EAFNOSUPPORT\n"
				"socketpair AF_INET: EAFNOSUPPORT\n");
	result_free(&r);
}

/* memfd_create(2) and fcntl(2)'s file seals: EPERM for what a seal
 * forbids, EBUSY for F_SEAL_WRITE while a shared mapping exists; a shared
 * mapping, read/write and a child all see the same bytes; preadv2(2)'s
 * unknown RWF_ flags are EOPNOTSUPP; ftruncate of a pipe is EINVAL;
 * madvise(2)'s MADV_REMOVE is EACCES through a private mapping of a memfd,
 * EINVAL on anonymous private memory; ftruncate(2) to a smaller size
 * takes the pages past the end from shared and private mappings, whose
 * accesses there are SIGBUS. */
Test(fdkinds, memfd_seals_as_the_kernel)
{
	expect_same_as_host("memfd", "seal write with a shared mapping: EBUSY\n");
}

/* close_range(2): plain, CLOSE_RANGE_CLOEXEC, CLOSE_RANGE_UNSHARE (a
 * thread's own table); flock(2): LOCK_NB's EWOULDBLOCK between open file
 * descriptions, conversion within one, a child sleeping until the lock
 * goes. */
Test(fdkinds, close_range_and_flock_as_the_kernel)
{
	expect_same_as_host("fdcalls", "b: EX NB: EAGAIN\n");	/* EWOULDBLOCK is EAGAIN */
}

/* signalfd(2): reading takes the pending signals of the mask, lowest
 * first, and leaves the others; a blocked signal whose default is to be
 * ignored (SIGCHLD) is still queued, and a second instance of a pending
 * signal is dropped (the record is the first child's). */
Test(fdkinds, signalfd_as_the_kernel)
{
	expect_same_as_host("sigfd", "SIGUSR2 still pending: 1\n");
}

/* splice(2), tee(2): bytes and offsets moved between a file, a memfd and
 * pipes; tee leaves its source; EINVAL without a pipe, ESPIPE for an
 * offset on one. */
Test(fdkinds, splice_and_tee_as_the_kernel)
{
	expect_same_as_host("splicetee", "source keeps it: 6 \"tee me\"\n");
}
