/*
 * uffdpoison: UFFDIO_POISON (UFFD_FEATURE_POISON, Linux 6.12): a poisoned
 * page's access is SIGBUS with BUS_MCEERR_AR (si_addr the address,
 * si_addr_lsb 12), a kernel copy from or to it EFAULT; POISON refuses any
 * entry already there (EEXIST), COPY replaces the marker, MOVE onto it is
 * EEXIST, MADV_DONTNEED
 * and munmap clear it, mprotect keeps it, mremap moves it, a fork child
 * inherits it, MADV_POPULATE_READ/WRITE of it is EHWPOISON (get_user_pages'
 * FOLL_HWPOISON); /proc/self/pagemap shows the marker as Linux's swap
 * entry of type SWP_PTE_MARKER (31) with offset PTE_MARKER_POISONED (2),
 * frame field 0x5f; a fault blocked on a page the
 * handler thread poisons wakes to SIGBUS; the ioctl's errors.  Every line
 * is the same on a real x86-64 kernel (tests/host-uffdpoison) but the
 * SIGBUS code of the lines marked "poisoned": arm64 gives BUS_MCEERR_AR
 * always, x86-64 only with CONFIG_MEMORY_FAILURE (else BUS_ADRERR, lsb 0).
 * Bookworm's headers predate POISON: the uapi facts are in uffdapi.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* mremap */
#endif
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "uffdapi.h"
#include "uffdlog.h"

#define PAGE 4096
#define PAGES 4

static sigjmp_buf back;
static volatile siginfo_t got;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	got = *si;
	siglongjmp(back, 1);
}

static const char *bus_code(int code)
{
	return code == BUS_ADRERR ? "BUS_ADRERR" : code == BUS_MCEERR_AR ? "BUS_MCEERR_AR" : "other";
}

/* Touch `at` (a read, or a write of 'w'): "ok" with the byte read, or the
 * SIGBUS's code, address (as a page of `base`) and si_addr_lsb. */
static void touch(const char *what, char *base, volatile char *at, int write)
{
	volatile char c = 0;

	if (sigsetjmp(back, 1)) {
		printf("%s: SIGBUS %s page %ld lsb %d\n", what, bus_code(got.si_code),
		       (long)(((char *)got.si_addr - base) / PAGE), (int)got.si_addr_lsb);
		return;
	}
	if (write)
		*at = 'w';
	else
		c = *at;
	printf("%s: ok %d\n", what, c);
}

static long poison(int fd, char *at, long len, uint64_t mode, int64_t *updated)
{
	struct uffdio_poison p = { .range = { (uintptr_t)at, (uint64_t)len }, .mode = mode, .updated = 7 };
	long ret = ioctl(fd, UFFDIO_POISON, &p);

	*updated = p.updated;
	return ret;
}

static void show_poison(const char *what, int fd, char *at, long len, uint64_t mode)
{
	int64_t updated;
	long ret = poison(fd, at, len, mode, &updated);

	if (ret < 0)
		printf("%s: %s, updated %lld\n", what, err_name(errno), (long long)updated);
	else
		printf("%s: %ld, updated %lld\n", what, ret, (long long)updated);
}

static long register_range(int fd, char *at, long len, uint64_t *ioctls)
{
	struct uffdio_register reg = { .range = { (uintptr_t)at, (uint64_t)len },
				       .mode = UFFDIO_REGISTER_MODE_MISSING };
	long ret = ioctl(fd, UFFDIO_REGISTER, &reg);

	*ioctls = reg.ioctls;
	return ret;
}

static void kernel_copies(char *page)
{
	int p[2];

	if (pipe(p))
		return;
	show("write(2) from a poisoned page", write(p[1], page, 16));
	show("write(2) of 3 bytes", write(p[1], "abc", 3));
	show("read(2) into a poisoned page", read(p[0], page, 3));
	close(p[0]);
	close(p[1]);
}

/* UFFDIO_MOVE of present page 3 onto poisoned page 1: EEXIST, as onto any
 * entry (Linux's move_pages_pte: the destination must be pte_none). */
static void move_onto_poison(int fd, char *area)
{
	struct uffdio_move mv = { .dst = (uintptr_t)area + PAGE, .src = (uintptr_t)area + 3 * PAGE, .len = PAGE };

	show("move onto poisoned page 1", ioctl(fd, UFFDIO_MOVE, &mv));
	printf("moved: %lld\n", (long long)mv.move);
}

/* A fork child inherits the marker (not the registration). */
static void fork_child(char *area)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		touch("child reads poisoned page 1", area, area + PAGE, 0);
		touch("child reads poisoned page 2", area, area + 2 * PAGE, 0);
		touch("child reads page 0", area, area, 0);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("child exit: %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* The SIGBUS feature: missing pages are SIGBUS (BUS_ADRERR) too, so both
 * kinds show without a handler thread. */
static void single_thread(void)
{
	uint64_t offered, ioctls;
	int fd = uffd_open(UFFD_FEATURE_POISON | UFFD_FEATURE_SIGBUS | UFFD_FEATURE_MOVE, &offered);
	char *area = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *other = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *moved;
	char src[PAGE];

	printf("POISON offered: %d\n", !!(offered & UFFD_FEATURE_POISON));
	area[3 * PAGE] = 'p';		/* page 3 present before registering */
	show("register", register_range(fd, area, PAGES * PAGE, &ioctls));
	printf("UFFDIO_POISON in ioctls: %d\n", (int)(ioctls >> _UFFDIO_POISON & 1));
	show_poison("poison page 0", fd, area, PAGE, 0);
	touch("read poisoned page 0", area, area + 100, 0);
	touch("write poisoned page 0", area, area + 5000 - PAGE, 1);
	touch("read page 1 (missing)", area, area + PAGE, 0);
	kernel_copies(area);
	show_poison("poison page 0 again", fd, area, PAGE, 0);
	show_poison("poison present page 3", fd, area + 3 * PAGE, PAGE, 0);
	show_poison("poison pages 1-3", fd, area + PAGE, 3 * PAGE, UFFDIO_POISON_MODE_DONTWAKE);
	show_pagemap("page 2 poisoned", area + 2 * PAGE);
	show_pagemap("page 3 present", area + 3 * PAGE);
	touch("read poisoned page 2", area, area + 2 * PAGE, 0);
	move_onto_poison(fd, area);
	show("mprotect read-only", mprotect(area, PAGES * PAGE, PROT_READ));
	touch("read poisoned page 2 after mprotect", area, area + 2 * PAGE, 0);
	show("mprotect read-write", mprotect(area, PAGES * PAGE, PROT_READ | PROT_WRITE));
	show("MADV_POPULATE_READ of poisoned page 2", madvise(area + 2 * PAGE, PAGE, MADV_POPULATE_READ));
	show("MADV_POPULATE_WRITE of poisoned page 2", madvise(area + 2 * PAGE, PAGE, MADV_POPULATE_WRITE));
	show_poison("bad mode", fd, area + 2 * PAGE, PAGE, 2);
	show_poison("unaligned", fd, area + 1, PAGE, 0);
	show_poison("zero length", fd, area, 0, 0);
	show_poison("unregistered", fd, other, PAGE, 0);
	show("poison a wild struct", ioctl(fd, UFFDIO_POISON, (void *)16));
	memset(src, 'c', sizeof(src));
	{
		struct uffdio_copy c = { (uintptr_t)area, (uintptr_t)src, PAGE, 0, 0 };

		show("copy onto poisoned page 0", ioctl(fd, UFFDIO_COPY, &c));
		printf("copied: %lld\n", (long long)c.copy);
	}
	touch("read page 0", area, area, 0);
	show("MADV_DONTNEED page 1", madvise(area + PAGE, PAGE, MADV_DONTNEED));
	touch("read page 1", area, area + PAGE, 0);
	show_poison("poison page 1 again", fd, area + PAGE, PAGE, 0);
	fork_child(area);
	moved = mremap(area + PAGE, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, other);
	printf("mremap page 1: %s\n", moved == other ? "moved" : "failed");
	show_pagemap("moved poisoned page", other);
	touch("read moved poisoned page", other, other, 0);
	show("munmap", munmap(area, PAGES * PAGE));
	show("mmap again", mmap(area, PAGES * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == area ? 0 : -1);
	touch("read page 2 after munmap", area, area + 2 * PAGE, 0);
	munmap(area, PAGES * PAGE);
	munmap(other, PAGE);
	close(fd);
}

static int uffd;

/* Answer the first fault by poisoning its page. */
static void *handler(void *arg)
{
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;
	int64_t updated;
	char *page;

	(void)arg;
	if (poll(&pfd, 1, -1) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg)) {
		note("read", -1);
		return NULL;
	}
	page = (char *)(uintptr_t)(msg.arg.pagefault.address & ~(uint64_t)(PAGE - 1));
	note("event", msg.event);
	note("poison the faulting page", poison(uffd, page, PAGE, 0, &updated));
	note("updated", (long)updated);
	return NULL;
}

static void handler_thread(void)
{
	uint64_t offered, ioctls;
	char *area = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pthread_t th;

	uffd = uffd_open(UFFD_FEATURE_POISON, &offered);
	show("register", register_range(uffd, area, PAGE, &ioctls));
	pthread_create(&th, NULL, handler, NULL);
	touch("blocked read, poisoned", area, area + 8, 0);
	pthread_join(th, NULL);
	print_log();
	close(uffd);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };

	setvbuf(stdout, NULL, _IONBF, 0);
	sigaction(SIGBUS, &sa, NULL);
	single_thread();
	handler_thread();
	return 0;
}
