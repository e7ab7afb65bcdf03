/*
 * untouched: system calls given memory the program never touched.  Linux
 * looks a descriptor up before it reads a buffer, so write and pwrite64 to a
 * descriptor that is not open fail without reading theirs: one on a page
 * never touched, one at an address nothing maps; futimens (utimensat with a
 * NULL path) fails the same way.  Then faccessat reads its path from a page
 * never touched: the empty string, ENOENT.  Prints each call's result.
 *
 * For --strace, which shows these calls without faulting their memory in:
 * a run's report is the same with and without it.  Also built for this host
 * (tests/host-untouched): the real kernel's answers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define NOT_OPEN 99
#define PG 4096

static void show(const char *what, long ret)
{
	printf("%s: %ld %s\n", what, ret, ret < 0 ? strerrorname_np(errno) : "-");
}

int main(void)
{
	char *pages = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile uintptr_t unmapped = 16;	/* opaque to the compiler's checks */

	if (pages == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	show("write from an untouched page", write(NOT_OPEN, pages, 16));
	show("pwrite64 from an untouched page", pwrite(NOT_OPEN, pages + 100, 16, 0));
	show("write from an unmapped address", write(NOT_OPEN, (const void *)unmapped, 16));
	show("futimens", futimens(NOT_OPEN, NULL));
	show("faccessat of an untouched path", faccessat(AT_FDCWD, pages + PG, F_OK, 0));
	return 0;
}
