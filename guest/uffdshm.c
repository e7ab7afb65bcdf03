/*
 * uffdshm: userfaultfd on shmem (UFFD_FEATURE_MISSING_SHMEM): a memfd
 * mapped shared twice, one mapping registered.  A page the object holds
 * (written with pwrite) needs no handler; a missing one is served by the
 * handler thread with COPY, which puts the page in the object, so the
 * other mapping reads it; COPY where the object holds a page is EEXIST;
 * fallocate's PUNCH_HOLE empties a page again.  A private mapping of the
 * memfd gets a private copy.  Every line is the same on a real kernel
 * (tests/host-uffdshm).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create, fallocate */
#endif
#include <poll.h>
#include <pthread.h>
#include <sys/mman.h>

#include "uffdlog.h"

#define PAGE 4096
#define PAGES 4

static char *shared_map, *private_map;
static int uffd;

static long copy_page(char *dst, char fill)
{
	static char page[PAGE] __attribute__((aligned(PAGE)));
	struct uffdio_copy c = { .dst = (uintptr_t)dst, .src = (uintptr_t)page, .len = PAGE };

	memset(page, fill, PAGE);
	return ioctl(uffd, UFFDIO_COPY, &c);
}

/* Serve two faults: each page gets a page of 's' (shared) or 'p'. */
static void *handler(void *arg)
{
	(void)arg;
	for (int n = 0; n < 2; n++) {
		struct pollfd pfd = { .fd = uffd, .events = POLLIN };
		struct uffd_msg msg;
		char *page, *base;

		if (poll(&pfd, 1, -1) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg)) {
			note("read", -1);
			return NULL;
		}
		page = (char *)(uintptr_t)(msg.arg.pagefault.address & ~(uint64_t)(PAGE - 1));
		base = page >= shared_map && page < shared_map + PAGES * PAGE ? shared_map : private_map;
		note(base == shared_map ? "fault in the shared mapping, page" : "fault in the private mapping, page",
		     (long)((page - base) / PAGE));
		note("copy", copy_page(page, base == shared_map ? 's' : 'p'));
	}
	return NULL;
}

static long reg(char *at, uint64_t mode)
{
	struct uffdio_register r = { .range = { (uintptr_t)at, PAGES * PAGE }, .mode = mode };

	return ioctl(uffd, UFFDIO_REGISTER, &r);
}

int main(void)
{
	int fd = memfd_create("uffdshm", 0);
	char *alias, c = 'w';
	uint64_t offered;
	pthread_t th;

	setvbuf(stdout, NULL, _IONBF, 0);
	uffd = uffd_open(0, &offered);
	show("MISSING_SHMEM offered", !!(offered & UFFD_FEATURE_MISSING_SHMEM));
	show("ftruncate", ftruncate(fd, PAGES * PAGE));
	show("punch hole without KEEP_SIZE", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, PAGE));
	shared_map = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	alias = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	private_map = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	show("pwrite page 1", pwrite(fd, &c, 1, PAGE));
	show("register shared", reg(shared_map, UFFDIO_REGISTER_MODE_MISSING));
	show("register private", reg(private_map, UFFDIO_REGISTER_MODE_MISSING));
	pthread_create(&th, NULL, handler, NULL);

	show("shared page 1, held: no fault", shared_map[PAGE]);
	show("shared page 0", shared_map[0]);			/* fault 1 */
	show("alias page 0: the object's page", alias[0]);
	show("copy where the object holds a page", copy_page(shared_map + PAGE, 'x'));
	show("private page 0: the object's", private_map[0]);
	show("private page 2", private_map[2 * PAGE]);		/* fault 2 */
	show("alias page 2: not the private copy", alias[2 * PAGE]);
	pthread_join(th, NULL);

	show("unregister", ioctl(uffd, UFFDIO_UNREGISTER, &(struct uffdio_range){ (uintptr_t)shared_map,
										 PAGES * PAGE }));
	show("punch hole over page 1", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PAGE, PAGE));
	show("pread page 1", pread(fd, &c, 1, PAGE) == 1 ? c : -1);
	show("size kept", lseek(fd, 0, SEEK_END));
	print_log();
	return 0;
}
