/*
 * uffdwpasync: UFFD_FEATURE_WP_ASYNC (Linux 6.7+, here 6.12 as on x86-64;
 * arm64 6.12 has no uffd-wp, mmusim offers it): the kernel resolves a
 * write to a write-protected page itself, with no message, clearing the
 * uffd-wp bit, so /proc/self/pagemap's bit 57 tells which pages were not
 * written since they were protected.  UFFDIO_API turns WP_UNPOPULATED on
 * with it (pages never touched are protected by markers); a kernel copy
 * into a protected page goes through; protecting again sets the bit back;
 * shmem behaves the same; in WP mode alone any memory may be registered, a
 * private file mapping too (without WP_ASYNC: EINVAL), but not in
 * MISSING|WP mode.  Every line is the same on a real x86-64 kernel
 * (tests/host-uffdwpasync).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create */
#endif
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "uffdapi.h"
#include "uffdlog.h"

#define PAGE 4096

static long reg(int fd, char *at, long pages, uint64_t mode)
{
	struct uffdio_register r = { .range = { (uintptr_t)at, (uint64_t)pages * PAGE }, .mode = mode };

	return ioctl(fd, UFFDIO_REGISTER, &r);
}

static long unreg(int fd, char *at, long pages)
{
	return ioctl(fd, UFFDIO_UNREGISTER, &(struct uffdio_range){ (uintptr_t)at, (uint64_t)pages * PAGE });
}

/* Whether a message waits (there should never be one). */
static void no_message(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	show("messages waiting", poll(&pfd, 1, 0));
}

/* Private anonymous memory: page 0 present, pages 1-3 never touched. */
static void anon(int fd)
{
	char *mem = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int p[2];

	printf("anonymous:\n");
	mem[0] = 'p';
	show("register WP", reg(fd, mem, 4, UFFDIO_REGISTER_MODE_WP));
	show("protect pages 0-3", writeprotect(fd, mem, 4, UFFDIO_WRITEPROTECT_MODE_WP));
	show_pagemap("page 0 protected", mem);
	show_pagemap("page 1 marked", mem + PAGE);
	mem[0] = 'w';			/* no message: the kernel resolves it */
	mem[PAGE] = 'w';
	show("pages 0 and 1 written", mem[0] == 'w' && mem[PAGE] == 'w');
	show_pagemap("page 0 written", mem);
	show_pagemap("page 1 written", mem + PAGE);
	show("read page 2", mem[2 * PAGE]);
	show_pagemap("page 2 read", mem + 2 * PAGE);
	if (pipe(p) == 0) {
		show("write(2) of 3 bytes", write(p[1], "abc", 3));
		show("read(2) into protected page 3", read(p[0], mem + 3 * PAGE, 3));
		close(p[0]);
		close(p[1]);
	}
	show_pagemap("page 3 after read(2)", mem + 3 * PAGE);
	no_message(fd);
	show("protect page 0 again", writeprotect(fd, mem, 1, UFFDIO_WRITEPROTECT_MODE_WP));
	show_pagemap("page 0 protected again", mem);
	mem[0] = 'x';
	show_pagemap("page 0 written again", mem);
	show("unregister", unreg(fd, mem, 4));
	munmap(mem, 4 * PAGE);
}

/* A memfd mapped shared: page 0 mapped, page 1 in the object only. */
static void shmem(int fd)
{
	int mfd = memfd_create("uffdwpasync", 0);
	char *mem;

	printf("shmem:\n");
	if (mfd < 0 || ftruncate(mfd, 2 * PAGE) || pwrite(mfd, "o", 1, PAGE) != 1)
		return;
	mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	mem[0] = 'a';
	show("register WP", reg(fd, mem, 2, UFFDIO_REGISTER_MODE_WP));
	show("protect pages 0-1", writeprotect(fd, mem, 2, UFFDIO_WRITEPROTECT_MODE_WP));
	show_pagemap("page 1 the object's", mem + PAGE);
	mem[0] = 'w';
	mem[PAGE] = 'w';
	show("pages 0 and 1 written", mem[0] == 'w' && mem[PAGE] == 'w');
	show_pagemap("page 0 written", mem);
	show_pagemap("page 1 written", mem + PAGE);
	no_message(fd);
	show("unregister", unreg(fd, mem, 2));
	munmap(mem, 2 * PAGE);
	close(mfd);
}

/* A private mapping of a file (this program's own): WP mode alone may
 * register it with WP_ASYNC, not without, nor with MISSING; a write
 * copies the page and leaves the file as it was (an ELF file: 0x7f). */
static void file(int fd, int sync_fd)
{
	int ffd = open("/proc/self/exe", O_RDONLY);
	char *mem = ffd < 0 ? MAP_FAILED : mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ffd, 0);
	char first;

	printf("private file mapping:\n");
	if (mem == MAP_FAILED)
		return;
	show("read page 0", mem[0]);
	show("register WP without WP_ASYNC", reg(sync_fd, mem, 2, UFFDIO_REGISTER_MODE_WP));
	show("register MISSING|WP", reg(fd, mem, 2, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP));
	show("register WP", reg(fd, mem, 2, UFFDIO_REGISTER_MODE_WP));
	show("protect pages 0-1", writeprotect(fd, mem, 2, UFFDIO_WRITEPROTECT_MODE_WP));
	show_pagemap("page 0 protected", mem);
	mem[0] = 'w';
	show_pagemap("page 0 written", mem);
	show("page 0 in the file", pread(ffd, &first, 1, 0) == 1 ? first : -1);
	no_message(fd);
	show("unregister", unreg(fd, mem, 2));
	munmap(mem, 2 * PAGE);
	close(ffd);
}

int main(void)
{
	uint64_t offered, sync_offered;
	int fd, sync_fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	fd = uffd_open(UFFD_FEATURE_WP_ASYNC, &offered);
	show("WP_ASYNC offered", !!(offered & UFFD_FEATURE_WP_ASYNC));
	sync_fd = uffd_open(UFFD_FEATURE_PAGEFAULT_FLAG_WP, &sync_offered);
	anon(fd);
	shmem(fd);
	file(fd, sync_fd);
	close(fd);
	close(sync_fd);
	return 0;
}
