/*
 * uffdrfc: the 2014 userfault RFC (v2) on mmusim's numbers
 * (guest/mmusim.h): MADV_USERFAULT's SIGBUS with si_addr, remap_anon_pages
 * and its error matrix, the userfaultfd protocol's handshake states and
 * range writes, a handler serving faults (poll, read, remap, wake), the
 * retry rule (a wake without a page, a close with blocked faults: SIGBUS),
 * two threads on one page, and the RFC's own test (pages written odd
 * first, then even, by remap_anon_pages in a SIGBUS handler; the RFC
 * used 1 GiB, here RFC_PAGES pages).  No kernel has these calls: the
 * expected lines are tests/integration/test_uffd_rfc.c's, from the design
 * note's semantics.
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdtest.h"
#include "mmusim.h"

#define PAGE 4096
#define RFC_PAGES 1024

static long remap(void *dst, void *src, unsigned long len, unsigned long flags)
{
	return syscall(__NR_remap_anon_pages, dst, src, len, flags);
}

static char *map(int pages, int prot, int flags)
{
	return mmap(NULL, (size_t)pages * PAGE, prot, flags | MAP_ANONYMOUS, -1, 0);
}

static char *map_anon(int pages)
{
	return map(pages, PROT_READ | PROT_WRITE, MAP_PRIVATE);
}

/* -------------------------------------------------- SIGBUS and its handler */

static char *bus_base, *bus_src;	/* remap from bus_src at the same offset */
static volatile long bus_count;
static volatile uintptr_t bus_offset;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t off = ((uintptr_t)si->si_addr & ~(uintptr_t)(PAGE - 1)) - (uintptr_t)bus_base;

	(void)sig, (void)uc;
	bus_count++;
	bus_offset = (uintptr_t)si->si_addr - (uintptr_t)bus_base;
	if (remap(bus_base + off, bus_src + off, PAGE, 0) != PAGE)
		_exit(3);
}

static void catch_sigbus(char *base, char *src)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

	bus_base = base;
	bus_src = src;
	bus_count = 0;
	sigaction(SIGBUS, &sa, NULL);
}

static char *child_base;

static void child_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	_exit(50 + (int)(((char *)si->si_addr - child_base) / PAGE));
}

/* A fork child inherits VM_USERFAULT (a vm_flags bit) but no registration:
 * its read of a missing page is SIGBUS (exit 50 + the page), not a zero
 * page (exit 0). */
static void child_reads_missing(char *at, char *base)
{
	struct sigaction sa = { .sa_sigaction = child_sigbus, .sa_flags = SA_SIGINFO };

	child_base = base;
	sigaction(SIGBUS, &sa, NULL);
	_exit(*(volatile char *)at);
}

static void madv_userfault(void)
{
	char *p = map_anon(4), *src = map_anon(4), *shared = map(1, PROT_READ | PROT_WRITE, MAP_SHARED);
	char *wipe = map_anon(1);
	pid_t child;
	int status;

	memset(src, 'R', 4 * PAGE);
	show("madv_userfault shared", madvise(shared, PAGE, MMUSIM_MADV_USERFAULT));
	show("madv_userfault", madvise(p, 4 * PAGE, MMUSIM_MADV_USERFAULT));
	catch_sigbus(p, src);
	printf("read through SIGBUS: %c\n", p[PAGE + 5]);
	printf("sigbus: %ld at +%#lx\n", bus_count, (unsigned long)bus_offset);
	printf("source a hole after the remap: %d\n", src[PAGE + 5]);
	child = fork();
	if (child == 0)
		child_reads_missing(p + 3 * PAGE, p);
	waitpid(child, &status, 0);
	printf("fork child reads a missing page: exit %d\n", WEXITSTATUS(status));
	show("madv_nouserfault", madvise(p, 4 * PAGE, MMUSIM_MADV_NOUSERFAULT));
	printf("then a missing page is zero: %d, sigbus %ld\n", p[2 * PAGE], bus_count);
	/* 18 is still MADV_WIPEONFORK. */
	wipe[0] = 9;
	show("madvise 18 (wipeonfork)", madvise(wipe, PAGE, 18));
	child = fork();
	if (child == 0)
		_exit(wipe[0]);
	waitpid(child, &status, 0);
	printf("child sees: %d, parent %d\n", WEXITSTATUS(status), wipe[0]);
}

/* ------------------------------------------------------- remap_anon_pages */

static void remap_errors(void)
{
	char *dst = map_anon(4), *src = map_anon(4), *ro = map(1, PROT_READ, MAP_PRIVATE);
	char *shared = map(1, PROT_READ | PROT_WRITE, MAP_SHARED), *gap = map_anon(1);
	int pipefd[2];
	pid_t child;

	munmap(gap, PAGE);
	memset(src, 'S', 2 * PAGE);
	dst[3 * PAGE] = 'D';
	show("unaligned", remap(dst + 1, src, PAGE, 0));
	show("empty", remap(dst, src, 0, 0));
	show("unknown flag", remap(dst, src, PAGE, 2));
	show("no vma", remap(gap, src, PAGE, 0));
	show("past the vma", remap(dst + 3 * PAGE, src, 2 * PAGE, 0));
	show("shared", remap(dst, shared, PAGE, 0));
	show("different protection", remap(dst, ro, PAGE, 0));
	show("dst present, src hole", remap(dst + 3 * PAGE, src + 3 * PAGE, PAGE, 0));
	show("src hole", remap(dst, src + 3 * PAGE, PAGE, 0));
	show("src hole allowed", remap(dst, src + 3 * PAGE, PAGE, RAP_ALLOW_SRC_HOLES));
	show("two pages", remap(dst, src, 2 * PAGE, 0));
	src[2 * PAGE] = 'T';
	show("short: a present dst after a page", remap(dst + 2 * PAGE, src + 2 * PAGE, 2 * PAGE, 0));
	printf("moved: %c %c %c\n", dst[0], dst[PAGE], dst[2 * PAGE]);
	src[0] = 'F';
	pipe(pipefd);
	child = fork();
	if (child == 0) {
		char c;

		close(pipefd[1]);
		read(pipefd[0], &c, 1);
		_exit(0);
	}
	close(pipefd[0]);
	show("fork before remap", remap(map_anon(1), src, PAGE, 0));
	close(pipefd[1]);
	waitpid(child, NULL, 0);
}

/* ------------------------------------------------------------- protocol */

static int new_ufd(int flags)
{
	return (int)syscall(__NR_userfaultfd_rfc, flags);
}

static long put(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v));
}

static long get(int fd, const char *what)
{
	uint64_t v = 0;
	long ret = read(fd, &v, sizeof(v));

	if (ret == sizeof(v))
		printf("%s: %#llx\n", what, (unsigned long long)v);
	return ret;
}

static long range(int fd, uint64_t start, uint64_t end)
{
	uint64_t r[2] = { start, end };

	return write(fd, r, sizeof(r));
}

static short revents(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };

	poll(&p, 1, 0);
	return p.revents;
}

static int running(int flags)
{
	int fd = new_ufd(flags);

	put(fd, UFFD_RFC_PROTOCOL);
	read(fd, &(uint64_t){ 0 }, 8);
	return fd;
}

static void handshake(void)
{
	int fd = new_ufd(O_CLOEXEC), other;
	char *p = map_anon(4), *gap = map_anon(1);
	uint64_t at = (uintptr_t)p;

	munmap(gap, PAGE);
	show("bad flags", new_ufd(0x10));
	show("read before the write", get(fd, "read"));
	show("short write", write(fd, &at, 4));
	show("unknown protocol", put(fd, 0xab));
	show("write while acknowledging", put(fd, UFFD_RFC_PROTOCOL));
	printf("poll acking: %#x\n", revents(fd));
	show("short read", read(fd, &at, 4));
	get(fd, "answer");
	show("read after -1", get(fd, "read"));
	show("protocol", put(fd, UFFD_RFC_PROTOCOL));
	get(fd, "answer");
	printf("poll running: %#x\n", revents(fd));
	show("range short", put(fd, at));
	show("stray low bits", range(fd, at | 4, at + PAGE));
	show("both bits", range(fd, at | 3, at + PAGE));
	show("end unaligned", range(fd, at | 1, at + 100));
	show("start >= end", range(fd, at | 1, at));
	show("past user space", range(fd, at | 1, 1ULL << 48));
	show("no vma", range(fd, (uintptr_t)gap | 1, (uintptr_t)gap + PAGE));
	show("register", range(fd, at | UFFD_RFC_REGISTER, at + 2 * PAGE));
	show("register again", range(fd, at | UFFD_RFC_REGISTER, at + 2 * PAGE));
	other = running(O_NONBLOCK);
	show("other fd", range(other, at | UFFD_RFC_REGISTER, at + PAGE));
	show("other fd elsewhere", range(other, (at + 2 * PAGE) | UFFD_RFC_REGISTER, at + 4 * PAGE));
	show("wake nobody", range(fd, at, at + PAGE));
	show("read nothing", get(other, "read"));
	show("unregister", range(fd, at | UFFD_RFC_UNREGISTER, at + 2 * PAGE));
	show("other fd now", range(other, at | UFFD_RFC_REGISTER, at + PAGE));
	close(fd);
	close(other);
}

/* ----------------------------------------------------------- a handler */

static char *target;
static volatile char seen[4];

/* The next fault address, as an offset in target. */
static long next_fault(int fd)
{
	uint64_t a;

	return read(fd, &a, sizeof(a)) == sizeof(a) ? (long)(a - (uintptr_t)target) : -1;
}

static void *toucher(void *arg)
{
	int i = (int)(intptr_t)arg;

	seen[i] = target[i * PAGE + 1];
	return NULL;
}

static void serving(void)
{
	int fd = running(O_CLOEXEC);
	char *src = map_anon(4);
	pthread_t th, th2;
	long n;

	target = map_anon(4);
	memset(src, 'P', 4 * PAGE);
	madvise(target, 4 * PAGE, MMUSIM_MADV_USERFAULT);
	range(fd, (uintptr_t)target | UFFD_RFC_REGISTER, (uintptr_t)target + 4 * PAGE);
	catch_sigbus(target, src);

	/* poll, read, remap, wake */
	pthread_create(&th, NULL, toucher, (void *)0);
	while (!(revents(fd) & POLLIN))
		sched_yield();
	printf("fault at +%#lx\n", next_fault(fd));
	printf("poll after the read: %#x\n", revents(fd));
	show("remap", remap(target, src, PAGE, 0));
	show("wake", range(fd, (uintptr_t)target, (uintptr_t)target + PAGE));
	pthread_join(th, NULL);
	printf("thread read: %c, sigbus %ld\n", seen[0], bus_count);

	/* two threads on one page: two messages, one wake */
	pthread_create(&th, NULL, toucher, (void *)1);
	pthread_create(&th2, NULL, toucher, (void *)1);
	n = next_fault(fd);
	printf("two faults: +%#lx +%#lx\n", n, next_fault(fd));
	show("remap", remap(target + PAGE, src + PAGE, PAGE, 0));
	show("wake both", range(fd, (uintptr_t)target + PAGE, (uintptr_t)target + 2 * PAGE));
	pthread_join(th, NULL);
	pthread_join(th2, NULL);
	printf("threads read: %c, sigbus %ld\n", seen[1], bus_count);

	/* a wake without a page: the retry is SIGBUS (whose handler remaps) */
	pthread_create(&th, NULL, toucher, (void *)2);
	next_fault(fd);
	show("wake without a page", range(fd, (uintptr_t)target + 2 * PAGE, (uintptr_t)target + 3 * PAGE));
	pthread_join(th, NULL);
	printf("thread read: %c, sigbus %ld at +%#lx\n", seen[2], bus_count, (unsigned long)bus_offset);

	/* close with a blocked fault: woken, its retry SIGBUS */
	pthread_create(&th, NULL, toucher, (void *)3);
	next_fault(fd);
	close(fd);
	pthread_join(th, NULL);
	printf("after close: %c, sigbus %ld at +%#lx\n", seen[3], bus_count, (unsigned long)bus_offset);
}

/* The RFC's own test: every page of a MADV_USERFAULT region is brought in
 * by remap_anon_pages from the SIGBUS handler, odd pages first. */
static void rfc_test(void)
{
	char *c = map_anon(RFC_PAGES), *tmp = map_anon(RFC_PAGES);
	long bad = 0;

	memset(tmp, 0xaa, (size_t)RFC_PAGES * PAGE);
	madvise(c, (size_t)RFC_PAGES * PAGE, MMUSIM_MADV_USERFAULT);
	catch_sigbus(c, tmp);
	for (int pass = 1; pass >= 0; pass--)
		for (int i = pass; i < RFC_PAGES; i += 2)
			bad += c[(size_t)i * PAGE + 7] != (char)0xaa;
	for (size_t i = 0; i < (size_t)RFC_PAGES * PAGE; i++)
		bad += c[i] != (char)0xaa;
	printf("rfc test: %d pages, sigbus %ld, wrong bytes %ld\n", RFC_PAGES, bus_count, bad);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	madv_userfault();
	remap_errors();
	handshake();
	serving();
	rfc_test();
	return 0;
}
