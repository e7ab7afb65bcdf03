/*
 * uffdlog: what a userfaultfd guest's handler thread saw and did, kept as
 * text and printed by the main thread once the handler is done, so that
 * the two threads' lines never race (guest/uffd.c, uffdev.c, uffdwp.c);
 * and a non-blocking descriptor with its features.
 */
#ifndef GUEST_UFFDLOG_H
#define GUEST_UFFDLOG_H

#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "fdtest.h"

static char log_text[4096];

/* One line: "what: N", or the errno's name when ret is negative. */
static inline void note(const char *what, long ret)
{
	size_t len = strlen(log_text);

	if (ret < 0)
		snprintf(log_text + len, sizeof(log_text) - len, "%s: %s\n", what, err_name(errno));
	else
		snprintf(log_text + len, sizeof(log_text) - len, "%s: %ld\n", what, ret);
}

/* A non-blocking, close-on-exec descriptor after UFFDIO_API with
 * `features`; the features offered in *offered.  Exits when refused. */
static inline int uffd_open(uint64_t features, uint64_t *offered)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0 || ioctl(fd, UFFDIO_API, &api)) {
		printf("userfaultfd: %s\n", err_name(errno));
		exit(1);
	}
	*offered = api.features;
	return fd;
}

/* Wait for a message of fd, or for `done` to be readable (NULL then), and
 * log the page fault read: its event, flags and page (of `base`); the
 * page, or NULL. */
static inline char *read_fault(int fd, int done, char *base)
{
	struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = done, .events = POLLIN } };
	struct uffd_msg msg;
	char *page;

	if (poll(pfd, 2, -1) < 1 || !(pfd[0].revents & POLLIN))
		return NULL;
	if (read(fd, &msg, sizeof(msg)) != sizeof(msg)) {
		note("read", -1);
		return NULL;
	}
	page = (char *)(uintptr_t)(msg.arg.pagefault.address & ~(uint64_t)4095);
	note("event", msg.event);
	note("flags (WRITE 1, WP 2)", (long)msg.arg.pagefault.flags);
	note("page", (long)((page - base) / 4096));
	return page;
}

/* UFFDIO_WRITEPROTECT of `pages` pages at `at` with `mode`. */
static inline long writeprotect(int fd, char *at, long pages, uint64_t mode)
{
	struct uffdio_writeprotect wp = { .range = { (uintptr_t)at, (uint64_t)pages * 4096 }, .mode = mode };

	return ioctl(fd, UFFDIO_WRITEPROTECT, &wp);
}

/* /proc/self/pagemap's entry for `page`: its bits uffd-wp (57), swap (62:
 * a marker) and present (63), and a swap entry's frame field (bits 0-54:
 * the swap type and offset, Linux's pte_to_pagemap_entry; the guests read
 * it as root, which may see it). */
static inline void show_pagemap(const char *what, char *page)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &e, sizeof(e), (off_t)((uintptr_t)page / 4096 * sizeof(e))) != sizeof(e))
		printf("%s: pagemap %s\n", what, err_name(errno));
	else if (e >> 62 & 1)
		printf("%s: uffd-wp %d swap 1 present %d frame %#llx\n", what, (int)(e >> 57 & 1),
		       (int)(e >> 63 & 1), (unsigned long long)(e & ((UINT64_C(1) << 55) - 1)));
	else
		printf("%s: uffd-wp %d swap 0 present %d\n", what, (int)(e >> 57 & 1), (int)(e >> 63 & 1));
	if (fd >= 0)
		close(fd);
}

static inline void print_log(void)
{
	fputs(log_text, stdout);
	log_text[0] = 0;
}

#endif
