/*
 * uffdbench: the latency of a missing-page fault as the faulting thread
 * sees it (CLOCK_MONOTONIC before and after its first touch of each page),
 * resolved five ways:
 *
 *   zero     the kernel's demand-zero fault (nothing registered)
 *   copy     userfaultfd; a handler thread blocks in read(2), answers each
 *            fault with UFFDIO_COPY (which wakes the faulting thread)
 *   move     the same with UFFDIO_MOVE from a populated source page
 *   rfc      the 2014 RFC's protocol (mmusim only): MADV_USERFAULT, a
 *            registered range, read of the address, remap_anon_pages and
 *            the 16-byte wake write
 *   sigbus   the RFC without a descriptor (mmusim only): MADV_USERFAULT's
 *            SIGBUS, remap_anon_pages in the handler, sigreturn
 *
 * uffdbench MODE PAGES [SPINNERS]: SPINNERS more threads spin in the
 * process meanwhile, so that the CPUs running them must take part in
 * every shootdown of its address space.  Prints the median, 99th
 * percentile and mean ns per fault.  Under mmusim the clock is simulated;
 * built for this host (tests/host-uffdbench) it measures the real kernel.
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mmusim.h"

#define PAGE 4096

#ifndef UFFDIO_MOVE
#define UFFD_FEATURE_MOVE	(1 << 16)
#define _UFFDIO_MOVE		0x05
struct uffdio_move {
	__u64 dst, src, len, mode;
	__s64 move;
};
#define UFFDIO_MOVE _IOWR(UFFDIO, _UFFDIO_MOVE, struct uffdio_move)
#endif

enum mode { ZERO, COPY, MOVE, RFC, SIGBUS_PATH };

static enum mode mode;
static int fd, pages;
static char *area, *source;
static volatile int done;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void resolve(uint64_t addr)
{
	uint64_t off = addr - (uintptr_t)area;

	if (mode == COPY) {
		struct uffdio_copy c = { .dst = addr, .src = (uintptr_t)source + off, .len = PAGE };

		if (ioctl(fd, UFFDIO_COPY, &c))
			die("UFFDIO_COPY");
	} else if (mode == MOVE) {
		struct uffdio_move m = { .dst = addr, .src = (uintptr_t)source + off, .len = PAGE };

		if (ioctl(fd, UFFDIO_MOVE, &m))
			die("UFFDIO_MOVE");
	} else {
		uint64_t wake[2] = { addr, addr + PAGE };

		if (syscall(__NR_remap_anon_pages, addr, (uintptr_t)source + off, PAGE, 0) != PAGE ||
		    write(fd, wake, sizeof(wake)) != sizeof(wake))
			die("remap and wake");
	}
}

static void *handler(void *arg)
{
	(void)arg;
	for (int i = 0; i < pages; i++) {
		uint64_t addr;

		if (mode == RFC) {
			if (read(fd, &addr, sizeof(addr)) != sizeof(addr))
				die("read");
		} else {
			struct uffd_msg msg;

			if (read(fd, &msg, sizeof(msg)) != sizeof(msg))
				die("read");
			addr = msg.arg.pagefault.address;
		}
		resolve(addr & ~(uint64_t)(PAGE - 1));
	}
	return NULL;
}

static void *spinner(void *arg)
{
	(void)arg;
	while (!done)
		;
	return NULL;
}

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	uintptr_t page = (uintptr_t)si->si_addr & ~(uintptr_t)(PAGE - 1);

	(void)sig, (void)uc;
	if (syscall(__NR_remap_anon_pages, page, (uintptr_t)source + (page - (uintptr_t)area), PAGE, 0) != PAGE)
		_exit(3);
}

static void open_uffd(void)
{
	struct uffdio_api api = { .api = UFFD_API, .features = mode == MOVE ? UFFD_FEATURE_MOVE : 0 };
	struct uffdio_register reg = { .range = { (uintptr_t)area, (uint64_t)pages * PAGE },
				       .mode = UFFDIO_REGISTER_MODE_MISSING };

	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (fd < 0)	/* vm.unprivileged_userfaultfd=0 and no privilege: user faults only */
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
	if (fd < 0 || ioctl(fd, UFFDIO_API, &api) || ioctl(fd, UFFDIO_REGISTER, &reg))
		die("userfaultfd");
}

static void open_rfc(void)
{
	uint64_t proto = UFFD_RFC_PROTOCOL, range[2] = { (uintptr_t)area | UFFD_RFC_REGISTER,
							 (uintptr_t)area + (uint64_t)pages * PAGE };

	fd = (int)syscall(__NR_userfaultfd_rfc, O_CLOEXEC);
	if (fd < 0 || write(fd, &proto, 8) != 8 || read(fd, &proto, 8) != 8 ||
	    proto != UFFD_RFC_PROTOCOL || write(fd, range, 16) != 16)
		die("userfaultfd_rfc");
}

static void prepare(void)
{
	size_t len = (size_t)pages * PAGE;

	area = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	source = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(source, 's', len);
	if ((mode == RFC || mode == SIGBUS_PATH) &&
	    madvise(area, len, MMUSIM_MADV_USERFAULT))
		die("MADV_USERFAULT");
	if (mode == COPY || mode == MOVE)
		open_uffd();
	else if (mode == RFC)
		open_rfc();
	else if (mode == SIGBUS_PATH) {
		struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

		sigaction(SIGBUS, &sa, NULL);
	}
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "zero", "copy", "move", "rfc", "sigbus" };
	int spinners = argc > 3 ? atoi(argv[3]) : 0;
	pthread_t th, spin[64];
	uint64_t *lat, sum = 0;
	long bad = 0;

	mode = (enum mode)-1;
	for (int i = 0; argc > 1 && i < 5; i++)
		if (!strcmp(argv[1], names[i]))
			mode = (enum mode)i;
	pages = argc > 2 ? atoi(argv[2]) : 0;
	if ((int)mode < 0 || pages <= 0 || spinners < 0 || spinners > 64) {
		fprintf(stderr, "usage: uffdbench zero|copy|move|rfc|sigbus PAGES [SPINNERS]\n");
		return 2;
	}
	prepare();
	lat = calloc((size_t)pages, sizeof(*lat));
	for (int i = 0; i < spinners; i++)
		pthread_create(&spin[i], NULL, spinner, NULL);
	if (mode == COPY || mode == MOVE || mode == RFC)
		pthread_create(&th, NULL, handler, NULL);
	for (int i = 0; i < pages; i++) {
		uint64_t t0 = now_ns();

		bad += area[(size_t)i * PAGE] != (mode == ZERO ? 0 : 's');
		lat[i] = now_ns() - t0;
		sum += lat[i];
	}
	if (mode == COPY || mode == MOVE || mode == RFC)
		pthread_join(th, NULL);
	done = 1;
	for (int i = 0; i < spinners; i++)
		pthread_join(spin[i], NULL);
	qsort(lat, (size_t)pages, sizeof(*lat), cmp);
	printf("%s: %d faults, %d spinners: median %llu ns, p99 %llu ns, mean %llu ns, wrong %ld\n",
	       names[mode], pages, spinners, (unsigned long long)lat[pages / 2],
	       (unsigned long long)lat[pages * 99 / 100], (unsigned long long)(sum / (uint64_t)pages), bad);
	return bad != 0;
}
