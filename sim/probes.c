#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* CPU_SET, sched_setaffinity: the guest build does not define it */
#endif
#include "sim/probes.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/param.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096L

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static long minflt(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_minflt;
}

static int fail(struct probe_args *args, const char *what)
{
	snprintf(args->why, sizeof(args->why), "%s: %s", what, strerror(errno));
	return -1;
}

/* The interval being measured: start, then finish with `ops` operations. */
struct span {
	double t0;
	long f0;
};

static struct span span_start(void)
{
	struct span s = { .f0 = minflt() };

	s.t0 = now_ns();
	return s;
}

static int span_finish(struct span s, long ops, struct probe_result *out)
{
	double t1 = now_ns();

	out->ns_per_op = (t1 - s.t0) / (double)ops;
	out->faults_per_op = (double)(minflt() - s.f0) / (double)ops;
	return 0;
}

static int pin_to(struct probe_args *args, int cpu)
{
	cpu_set_t set;

	if (!args->pin)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) == 0)
		return 0;
	snprintf(args->why, sizeof(args->why), "cannot pin to CPU %d: sched_setaffinity: %s", cpu,
		 strerror(errno));
	return -1;
}

/* n private anonymous pages, without transparent huge pages. */
static char *map_pages(struct probe_args *args, long n)
{
	char *p = mmap(NULL, (size_t)(n * PAGE), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		fail(args, "mmap");
		return NULL;
	}
	madvise(p, (size_t)(n * PAGE), MADV_NOHUGEPAGE);	/* best effort */
	return p;
}

static void touch(char *p, long n, bool write)
{
	for (long i = 0; i < n; i++) {
		if (write)
			((volatile char *)p)[i * PAGE] = 1;
		else
			(void)((volatile char *)p)[i * PAGE];
	}
}

/* ------------------------------------------------------------ faults */

static int touch_fresh(struct probe_args *args, struct probe_result *out, bool write)
{
	char *p = map_pages(args, args->n);
	struct span s;

	if (!p)
		return -1;
	s = span_start();
	touch(p, args->n, write);
	span_finish(s, args->n, out);
	munmap(p, (size_t)(args->n * PAGE));
	return 0;
}

/* n reads of pages mapped already, cycling over `pages` of them: the loop,
 * and with more pages than the TLB holds, a TLB miss each (as every page a
 * fault probe touches). */
static int read_mapped(struct probe_args *args, struct probe_result *out, long pages)
{
	char *p = map_pages(args, pages);
	struct span s;

	if (!p)
		return -1;
	touch(p, pages, true);
	s = span_start();
	for (long done = 0; done < args->n; done += pages)
		touch(p, MIN(pages, args->n - done), false);
	span_finish(s, args->n, out);
	munmap(p, (size_t)(pages * PAGE));
	return 0;
}

static int touch_hit(struct probe_args *args, struct probe_result *out)
{
	return read_mapped(args, out, MIN(args->n, 512));
}

static int touch_miss(struct probe_args *args, struct probe_result *out)
{
	return read_mapped(args, out, args->n);
}

static int zero_read(struct probe_args *args, struct probe_result *out)
{
	return touch_fresh(args, out, false);
}

static int anon_fault(struct probe_args *args, struct probe_result *out)
{
	return touch_fresh(args, out, true);
}

/* Writes to pages a forked child still shares: a copy each. */
static int cow_fault(struct probe_args *args, struct probe_result *out)
{
	char *p = map_pages(args, args->n), byte = 0;
	int go[2];
	pid_t child;
	struct span s;

	if (!p)
		return -1;
	touch(p, args->n, true);
	if (pipe(go))
		return fail(args, "pipe");
	child = fork();
	if (child < 0)
		return fail(args, "fork");
	if (child == 0) {
		(void)!read(go[0], &byte, 1);
		_exit(0);
	}
	s = span_start();
	touch(p, args->n, true);
	span_finish(s, args->n, out);
	(void)!write(go[1], &byte, 1);
	waitpid(child, NULL, 0);
	close(go[0]);
	close(go[1]);
	munmap(p, (size_t)(args->n * PAGE));
	return 0;
}

/* n pages of `fd` mapped privately one page past a 2 MiB boundary, so
 * that no huge page of the page cache can map them at once (the host's
 * faults then map what fault-around maps); `*whole` is what to unmap. */
static char *map_file_unaligned(int fd, long n, char **whole, size_t *len)
{
	const long huge = 512 * PAGE;
	char *at;

	*len = (size_t)(n * PAGE + 2 * huge);
	*whole = mmap(NULL, *len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (*whole == MAP_FAILED)
		return MAP_FAILED;
	at = (char *)(((uintptr_t)*whole + (uintptr_t)huge - 1) & ~(uintptr_t)(huge - 1)) + PAGE;
	return mmap(at, (size_t)(n * PAGE), PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0);
}

/* Reads of a private mapping of a file read beforehand (in the page cache). */
static int file_fault(struct probe_args *args, struct probe_result *out)
{
	static char buf[65536];
	int fd = args->file ? open(args->file, O_RDONLY | O_CLOEXEC) : -1;
	char *p, *whole;
	struct stat st;
	struct span s;
	size_t len;

	if (fd < 0)
		return fail(args, args->file ? args->file : "no file given");
	if (fstat(fd, &st) || st.st_size < args->n * PAGE) {
		close(fd);
		snprintf(args->why, sizeof(args->why), "%s: shorter than %ld pages", args->file, args->n);
		return -1;
	}
	for (off_t off = 0; off < args->n * PAGE; off += (off_t)sizeof(buf))
		(void)!pread(fd, buf, sizeof(buf), off);
	p = map_file_unaligned(fd, args->n, &whole, &len);
	close(fd);
	if (p == MAP_FAILED)
		return fail(args, "mmap");
	s = span_start();
	touch(p, args->n, false);
	span_finish(s, args->n, out);
	munmap(whole, len);
	return 0;
}

/* ------------------------------------------------ calls and switches */

static int null_syscall(struct probe_args *args, struct probe_result *out)
{
	struct span s = span_start();

	for (long i = 0; i < args->n; i++)
		syscall(SYS_getppid);
	return span_finish(s, args->n, out);
}

struct pingpong {
	long n;
	atomic_int turn;
};

static void futex_wait_for(atomic_int *turn, int value)
{
	int seen;

	while ((seen = atomic_load(turn)) != value)
		syscall(SYS_futex, turn, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static void futex_hand_to(atomic_int *turn, int value)
{
	atomic_store(turn, value);
	syscall(SYS_futex, turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *futex_pong(void *opaque)
{
	struct pingpong *pp = opaque;

	for (long i = 0; i < pp->n; i++) {
		futex_wait_for(&pp->turn, 1);
		futex_hand_to(&pp->turn, 0);
	}
	return NULL;
}

/* Two threads on one CPU hand a futex word back and forth: 2n switches.
 * (A thread, like a forked child, inherits its creator's CPU mask.) */
static int futex_switch(struct probe_args *args, struct probe_result *out)
{
	struct pingpong pp = { .n = args->n };
	pthread_t thread;
	struct span s;
	int err;

	if (pin_to(args, 0))
		return -1;
	atomic_store(&pp.turn, 0);
	if ((err = pthread_create(&thread, NULL, futex_pong, &pp))) {
		errno = err;
		return fail(args, "pthread_create");
	}
	s = span_start();
	for (long i = 0; i < args->n; i++) {
		futex_hand_to(&pp.turn, 1);
		futex_wait_for(&pp.turn, 0);
	}
	span_finish(s, 2 * args->n, out);
	pthread_join(thread, NULL);
	return 0;
}

/* Two processes on one CPU send a byte back and forth over two pipes. */
static int pipe_switch(struct probe_args *args, struct probe_result *out)
{
	int there[2], back[2];
	char byte = 0;
	pid_t child;
	struct span s;

	if (pin_to(args, 0))
		return -1;
	if (pipe(there) || pipe(back))
		return fail(args, "pipe");
	child = fork();
	if (child < 0)
		return fail(args, "fork");
	if (child == 0) {
		close(there[1]);	/* so that the parent's close ends the loop */
		while (read(there[0], &byte, 1) == 1 && write(back[1], &byte, 1) == 1)
			;
		_exit(0);
	}
	close(there[0]);
	close(back[1]);
	s = span_start();
	for (long i = 0; i < args->n; i++)
		if (write(there[1], &byte, 1) != 1 || read(back[0], &byte, 1) != 1)
			break;
	span_finish(s, 2 * args->n, out);
	close(there[1]);
	waitpid(child, NULL, 0);
	close(back[0]);
	return 0;
}

/* ------------------------------------------------------------ mprotect */

/* n rounds of a downgrade, an upgrade and a store to one page. */
static void mprotect_rounds(char *page, long n)
{
	for (long i = 0; i < n; i++) {
		mprotect(page, PAGE, PROT_READ);
		mprotect(page, PAGE, PROT_READ | PROT_WRITE);
		*(volatile char *)page = (char)i;
	}
}

static int mprotect_alone(struct probe_args *args, struct probe_result *out)
{
	char *page = map_pages(args, 1);
	struct span s;

	if (!page)
		return -1;
	touch(page, 1, true);
	s = span_start();
	mprotect_rounds(page, args->n);
	span_finish(s, args->n, out);
	munmap(page, PAGE);
	return 0;
}

struct spinner {
	struct probe_args *args;
	atomic_int state;	/* 0 starting, 1 spinning, 2 stop, -1 could not pin */
};

static void *spin(void *opaque)
{
	struct spinner *sp = opaque;

	if (pin_to(sp->args, 1)) {
		atomic_store(&sp->state, -1);
		return NULL;
	}
	atomic_store(&sp->state, 1);
	while (atomic_load(&sp->state) != 2)
		;
	return NULL;
}

/* The same while a thread of the process spins on another CPU: every
 * downgrade must shoot down that CPU's TLB. */
static int mprotect_ipi(struct probe_args *args, struct probe_result *out)
{
	struct spinner sp = { .args = args };
	char *page = map_pages(args, 1);
	pthread_t thread;
	struct span s;
	int err;

	if (!page || pin_to(args, 0))
		return -1;
	touch(page, 1, true);
	atomic_store(&sp.state, 0);
	if ((err = pthread_create(&thread, NULL, spin, &sp))) {
		errno = err;
		return fail(args, "pthread_create");
	}
	while (atomic_load(&sp.state) == 0)
		sched_yield();
	if (atomic_load(&sp.state) > 0) {
		s = span_start();
		mprotect_rounds(page, args->n);
		span_finish(s, args->n, out);
		atomic_store(&sp.state, 2);
	}
	pthread_join(thread, NULL);
	munmap(page, PAGE);
	return atomic_load(&sp.state) < 0 ? -1 : 0;
}

/* ------------------------------------------------- fork, userfaultfd */

static int fork_wait(struct probe_args *args, struct probe_result *out)
{
	struct span s = span_start();

	for (long i = 0; i < args->n; i++) {
		pid_t child = fork();

		if (child < 0)
			return fail(args, "fork");
		if (child == 0)
			_exit(0);
		waitpid(child, NULL, 0);
	}
	return span_finish(s, args->n, out);
}

struct uffd_toucher {
	char *area;
	long n;
};

static void *touch_area(void *opaque)
{
	struct uffd_toucher *t = opaque;

	touch(t->area, t->n, false);
	return NULL;
}

/* userfaultfd for this process: unprivileged callers may need user-mode-only. */
static int open_uffd(struct probe_args *args)
{
	struct uffdio_api api = { .api = UFFD_API };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);

	if (fd < 0 && errno == EPERM)
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
	if (fd < 0)
		return fail(args, "userfaultfd");
	if (ioctl(fd, UFFDIO_API, &api)) {
		fail(args, "UFFDIO_API");
		close(fd);
		return -1;
	}
	return fd;
}

/* A thread reads n missing pages; this one resolves each with UFFDIO_COPY. */
static int uffd_copy(struct probe_args *args, struct probe_result *out)
{
	static char source[PAGE];
	struct uffd_toucher t = { .n = args->n };
	struct uffdio_register reg;
	pthread_t thread;
	struct span s;
	int fd = open_uffd(args), err = 0;

	if (fd < 0)
		return -1;
	t.area = map_pages(args, args->n);
	reg = (struct uffdio_register){ .range = { (uintptr_t)t.area, (uint64_t)(args->n * PAGE) },
					.mode = UFFDIO_REGISTER_MODE_MISSING };
	if (!t.area || ioctl(fd, UFFDIO_REGISTER, &reg)) {
		err = t.area ? fail(args, "UFFDIO_REGISTER") : -1;
		goto out;
	}
	s = span_start();
	if ((err = pthread_create(&thread, NULL, touch_area, &t))) {
		errno = err;
		err = fail(args, "pthread_create");
		goto out;
	}
	for (long i = 0; i < args->n; i++) {
		struct uffd_msg msg;
		struct uffdio_copy copy = { .src = (uintptr_t)source, .len = PAGE };

		if (read(fd, &msg, sizeof(msg)) != sizeof(msg) || msg.event != UFFD_EVENT_PAGEFAULT)
			break;
		copy.dst = msg.arg.pagefault.address & ~(uint64_t)(PAGE - 1);
		ioctl(fd, UFFDIO_COPY, &copy);
	}
	pthread_join(thread, NULL);
	span_finish(s, args->n, out);
out:
	if (t.area)
		munmap(t.area, (size_t)(args->n * PAGE));
	close(fd);
	return err;
}

const struct probe probes[] = {
	{ "touch", "read of a mapped page, TLB hit (512 pages, read over and over)", touch_hit },
	{ "tlb-miss", "read of a mapped page, TLB miss (N pages, 8192 by calibrate)", touch_miss },
	{ "zero-read", "read fault on untouched anonymous memory", zero_read },
	{ "anon-fault", "write fault on untouched anonymous memory", anon_fault },
	{ "cow-fault", "write fault on a page a forked child shares", cow_fault },
	{ "file-fault", "read of a page of a cached private file mapping", file_fault },
	{ "syscall", "getppid system call", null_syscall },
	{ "futex-switch", "futex hand-over between two threads on one CPU", futex_switch },
	{ "pipe-switch", "pipe hand-over between two processes on one CPU", pipe_switch },
	{ "mprotect", "mprotect read-only, read-write, store", mprotect_alone },
	{ "mprotect-ipi", "the same with a thread spinning on another CPU", mprotect_ipi },
	{ "fork-wait", "fork, child exit, wait", fork_wait },
	{ "uffd-copy", "userfaultfd missing-page fault resolved by UFFDIO_COPY", uffd_copy },
	{ NULL, NULL, NULL },
};

const struct probe *probe_find(const char *name)
{
	for (const struct probe *p = probes; p->name; p++)
		if (!strcmp(p->name, name))
			return p;
	return NULL;
}
