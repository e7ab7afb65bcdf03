/*
 * conform: the fault-count conformance suite (issue 19).  Each case does
 * one thing to memory and prints how many page faults it took, counted
 * with getrusage(RUSAGE_SELF).ru_minflt around the measured part only,
 * minus what an empty measurement takes, so start-up differences (AArch64
 * vs x86-64 libc, the loader) cancel.  Regions are 64 pages, aligned to 64
 * pages (fault-around windows line up) and too small for transparent huge
 * pages.  Also built for this host (tests/host-conform): the real kernel's
 * counts; tests/integration/conform.expected keeps them, and
 * scripts/conformance regenerates them.
 *
 *   conform [CASE]   (no CASE: every case, each in a fresh process)
 *
 * Output: one line per case, "CASE FAULTS".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#define NPAGES 64
#define LEN (NPAGES * PG)

/* Faults so far.  The kernel fills `ru` after taking the count, so a
 * fault in writing it (its stack page still shared copy-on-write after a
 * fork: where that page lies depends on the size of the environment) would
 * be counted only by the next call: the first call takes that fault, the
 * second gives a count that includes it. */
static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* A fresh region of LEN bytes aligned to LEN. */
static volatile char *region(int prot, int flags)
{
	char *p = mmap(NULL, 2 * LEN, prot, flags | MAP_ANONYMOUS, -1, 0);
	uintptr_t at;

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	at = ((uintptr_t)p + LEN - 1) & ~(uintptr_t)(LEN - 1);
	if (at > (uintptr_t)p)
		munmap(p, at - (uintptr_t)p);
	munmap((char *)at + LEN, (uintptr_t)p + LEN - at);
	return (volatile char *)at;
}

static void write_all(volatile char *p)
{
	for (int i = 0; i < NPAGES; i++)
		p[i * PG] = 1;
}

static long read_all(volatile char *p)
{
	long sum = 0;

	for (int i = 0; i < NPAGES; i++)
		sum += p[i * PG];
	return sum;
}

/* Each case returns its measured fault count. */
static long empty(void)
{
	long before = minflt();

	return minflt() - before;
}

static long anon_write(void)
{
	volatile char *p = region(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	long before = minflt();

	write_all(p);
	return minflt() - before;
}

static long anon_read(void)
{
	volatile char *p = region(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	long before = minflt();

	read_all(p);
	return minflt() - before;
}

static long anon_read_write(void)
{
	volatile char *p = region(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	long before = minflt();

	read_all(p);
	write_all(p);
	return minflt() - before;
}

/* The program's own file, made at least NPAGES pages long by `padding`:
 * a file in the page cache on any machine that just ran it. */
static const char *self_path;
const char padding[LEN] = { 1 };

static long file_read(void)
{
	int fd = open(self_path, O_RDONLY);
	volatile char *p;
	long before;

	if (fd < 0 || lseek(fd, 0, SEEK_END) < LEN + padding[0] - 1) {
		perror(self_path);
		exit(1);
	}
	p = region(PROT_READ, MAP_PRIVATE);	/* a place for it, aligned */
	p = mmap((void *)p, LEN, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
	close(fd);
	before = minflt();
	read_all(p);
	return minflt() - before;
}

static long shared_write(void)
{
	volatile char *p = region(PROT_READ | PROT_WRITE, MAP_SHARED);
	long before = minflt();

	write_all(p);
	return minflt() - before;
}

static long shared_read(void)
{
	volatile char *p = region(PROT_READ | PROT_WRITE, MAP_SHARED);
	long before = minflt();

	read_all(p);
	return minflt() - before;
}

/* Fork after touching a region; the child measures and exits with it. */
static long in_child(int flags, int child_writes)
{
	volatile char *p = region(PROT_READ | PROT_WRITE, flags);
	int status;
	pid_t pid;

	write_all(p);
	pid = fork();
	if (pid == 0) {
		long before = minflt();

		if (child_writes)
			write_all(p);
		else
			read_all(p);
		_exit((int)(minflt() - before));
	}
	waitpid(pid, &status, 0);
	return WEXITSTATUS(status);
}

static long fork_read_private(void) { return in_child(MAP_PRIVATE, 0); }
static long fork_write_private(void) { return in_child(MAP_PRIVATE, 1); }
static long fork_read_shared(void) { return in_child(MAP_SHARED, 0); }
static long fork_write_shared(void) { return in_child(MAP_SHARED, 1); }

/* Grow a written region to twice its size (it may move), touch it all. */
static long mremap_grow(void)
{
	volatile char *p = region(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	long before;

	write_all(p);
	before = minflt();
	p = mremap((void *)p, LEN, 2 * LEN, MREMAP_MAYMOVE);
	write_all(p);
	write_all(p + LEN);
	return minflt() - before;
}

static long dontneed_retouch(void)
{
	volatile char *p = region(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	long before;

	write_all(p);
	before = minflt();
	madvise((void *)p, LEN, MADV_DONTNEED);
	write_all(p);
	return minflt() - before;
}

static long mprotect_retouch(void)
{
	volatile char *p = region(PROT_READ | PROT_WRITE, MAP_PRIVATE);
	long before;

	write_all(p);
	before = minflt();
	mprotect((void *)p, LEN, PROT_READ);
	read_all(p);
	mprotect((void *)p, LEN, PROT_READ | PROT_WRITE);
	write_all(p);
	return minflt() - before;
}

/* 64 pages of stack below anything touched so far. */
static __attribute__((noinline)) long stack_below(long before)
{
	volatile char deep[LEN];

	for (int i = NPAGES - 1; i >= 0; i--)
		deep[i * PG] = 1;
	return minflt() - before + deep[0] - 1;
}

static long stack_growth(void)
{
	return stack_below(minflt());
}

static long brk_grow(void)
{
	volatile char *p = sbrk(0);
	long before;

	p = (volatile char *)(((uintptr_t)p + LEN - 1) & ~(uintptr_t)(LEN - 1));
	if (brk((void *)(p + LEN)))
		return -1;
	before = minflt();
	write_all(p);
	return minflt() - before;
}

static const struct { const char *name; long (*run)(void); } cases[] = {
	{ "anon-write", anon_write },
	{ "anon-read", anon_read },
	{ "anon-read-write", anon_read_write },
	{ "file-read", file_read },
	{ "shared-write", shared_write },
	{ "shared-read", shared_read },
	{ "fork-read-private", fork_read_private },
	{ "fork-write-private", fork_write_private },
	{ "fork-read-shared", fork_read_shared },
	{ "fork-write-shared", fork_write_shared },
	{ "mremap-grow", mremap_grow },
	{ "dontneed-retouch", dontneed_retouch },
	{ "mprotect-retouch", mprotect_retouch },
	{ "stack-growth", stack_growth },
	{ "brk", brk_grow },
};

/* Each case in a process of its own, started by exec: no copy-on-write
 * left over from an earlier case's fork, no pages an earlier one touched. */
static void spawn(const char *self, const char *name)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(self, self, name, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
}

int main(int argc, char **argv)
{
	long base = empty();

	self_path = argv[0];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (argc < 2)
			spawn(argv[0], cases[i].name);
		else if (!strcmp(argv[1], cases[i].name))
			printf("%s %ld\n", cases[i].name, cases[i].run() - base);
	}
	return 0;
}
