/*
 * uffdwpun: userfaultfd's write-protect markers (Linux 6.12, on x86-64;
 * arm64 6.12 has no uffd-wp, mmusim offers it).
 *
 * UFFD_FEATURE_WP_UNPOPULATED: UFFDIO_WRITEPROTECT of anonymous
 * pages never touched leaves a marker in each empty entry, so a first
 * write is a message with UFFD_PAGEFAULT_FLAG_WP, a first read maps the
 * zero page and stays protected; mprotect keeps the markers, MADV_DONTNEED
 * and munmap drop them, resolving (WRITEPROTECT without MODE_WP) and
 * UNREGISTER clear them, a fork child without EVENT_FORK writes freely,
 * a kernel copy into a marked page waits for the handler as a user write;
 * COPY replaces a marker, POISON and MOVE onto one are EEXIST, MOVE from
 * one EFAULT; /proc/self/pagemap shows the uffd-wp bit (57) of a
 * protected page and of a marker (a swap entry, bit 62); without
 * the feature an empty entry is not protected.  mremap of a protected
 * range drops its bits, markers and registration when the context lacks
 * UFFD_FEATURE_EVENT_REMAP, and keeps all three with it.
 *
 * WP on shmem (UFFD_FEATURE_WP_HUGETLBFS_SHMEM): a memfd mapped shared,
 * then private; protecting always leaves markers (the object may hold the
 * page of an empty entry), MADV_DONTNEED of a protected page leaves one
 * (the object keeps the page), a fork child without EVENT_FORK has
 * neither bits nor markers; fallocate(PUNCH_HOLE) leaves markers where
 * it unmaps protected pages and keeps the markers there, and a private
 * mapping keeps its own copy.  Every line is the same on
 * a real x86-64 kernel (tests/host-uffdwpun).  Bookworm's headers predate
 * WP_UNPOPULATED, POISON and MOVE: the uapi facts are in uffdapi.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* memfd_create */
#endif
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uffdapi.h"
#include "uffdlog.h"

#define PAGE 4096
#define PAGES 8

static char *area;
static int uffd, done_pipe[2];

static long reg(int fd, char *at, long pages, uint64_t mode)
{
	struct uffdio_register r = { .range = { (uintptr_t)at, (uint64_t)pages * PAGE }, .mode = mode };

	return ioctl(fd, UFFDIO_REGISTER, &r);
}

/* Resolve each write fault with a waking WRITEPROTECT of its page. */
static void *handler(void *arg)
{
	char *page;

	(void)arg;
	while ((page = read_fault(uffd, done_pipe[0], area)))
		note("resolve", writeprotect(uffd, page, 1, 0));
	return NULL;
}

static long copy_page(int fd, char *dst)
{
	static char src[PAGE] __attribute__((aligned(PAGE)));
	struct uffdio_copy c = { .dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = PAGE };

	memset(src, 'c', PAGE);
	return ioctl(fd, UFFDIO_COPY, &c);
}

/* A kernel copy (read(2) from a pipe) into a marked page. */
static void kernel_copy(char *page)
{
	int p[2];

	if (pipe(p))
		return;
	show("write(2) of 3 bytes", write(p[1], "abc", 3));
	show("read(2) into a marked page", read(p[0], page, 3));
	show("its first byte", page[0]);
	close(p[0]);
	close(p[1]);
}

static void fork_child(int page)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		show_pagemap("the child's page", area + page * PAGE);
		area[page * PAGE] = 'f';	/* the child's copy is not registered */
		_exit(area[page * PAGE] == 'f' ? 0 : 1);
	}
	show("child", waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* MISSING|WP with POISON and MOVE: COPY replaces a marker (and its page is
 * not protected), POISON and MOVE onto one are EEXIST, MOVE from one
 * EFAULT (Linux's move_pages_pte: a non-swap entry at the source). */
static void fills(void)
{
	uint64_t offered;
	int fd = uffd_open(UFFD_FEATURE_WP_UNPOPULATED | UFFD_FEATURE_POISON | UFFD_FEATURE_MOVE, &offered);
	char *mem = mmap(NULL, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_poison p = { .range = { (uintptr_t)mem + PAGE, PAGE } };
	struct uffdio_move mv = { .dst = (uintptr_t)mem + 2 * PAGE, .src = (uintptr_t)mem + 3 * PAGE, .len = PAGE };

	mem[3 * PAGE] = 'm';		/* MOVE's source */
	show("register MISSING|WP", reg(fd, mem, 5, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP));
	show("protect pages 0-2", writeprotect(fd, mem, 3, UFFDIO_WRITEPROTECT_MODE_WP));
	show("copy onto a marker", copy_page(fd, mem));
	mem[0] = 'w';			/* no fault: COPY without MODE_WP */
	show("page 0 written", mem[0]);
	show("poison onto a marker", ioctl(fd, UFFDIO_POISON, &p));
	printf("poison updated: %lld\n", (long long)p.updated);
	show("move onto a marker", ioctl(fd, UFFDIO_MOVE, &mv));
	printf("move moved: %lld\n", (long long)mv.move);
	mv = (struct uffdio_move){ .dst = (uintptr_t)mem + 4 * PAGE, .src = (uintptr_t)mem + PAGE, .len = PAGE };
	show("move from a marker", ioctl(fd, UFFDIO_MOVE, &mv));
	printf("move moved: %lld\n", (long long)mv.move);
	show("unprotect page 2", writeprotect(fd, mem + 2 * PAGE, 1, 0));
	mv = (struct uffdio_move){ .dst = (uintptr_t)mem + 2 * PAGE, .src = (uintptr_t)mem + 3 * PAGE, .len = PAGE };
	show("move onto the cleared entry", ioctl(fd, UFFDIO_MOVE, &mv));
	show("moved page", mem[2 * PAGE]);
	munmap(mem, 5 * PAGE);
	close(fd);
}

/* Without the feature, protecting an empty entry does nothing. */
static void without_feature(void)
{
	uint64_t offered;
	int fd = uffd_open(UFFD_FEATURE_PAGEFAULT_FLAG_WP, &offered);
	char *mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	show("register WP (no WP_UNPOPULATED)", reg(fd, mem, 1, UFFDIO_REGISTER_MODE_WP));
	show("protect the empty page", writeprotect(fd, mem, 1, UFFDIO_WRITEPROTECT_MODE_WP));
	mem[0] = 'n';			/* no fault */
	show("written", mem[0]);
	munmap(mem, PAGE);
	close(fd);
}

/* Read the REMAP event mremap waits on; log whether it names the move. */
static void *read_remap(void *arg)
{
	char **range = arg;	/* the old and the new start */
	struct pollfd pfd = { .fd = uffd, .events = POLLIN };
	struct uffd_msg msg;

	if (poll(&pfd, 1, -1) != 1 || read(uffd, &msg, sizeof(msg)) != sizeof(msg)) {
		note("read", -1);
		return NULL;
	}
	note("event", msg.event);
	note("from the old range", msg.arg.remap.from == (uintptr_t)range[0]);
	note("to the new range", msg.arg.remap.to == (uintptr_t)range[1]);
	note("length in pages", (long)(msg.arg.remap.len / PAGE));
	return NULL;
}

/* mremap of a protected range (page 0 present, pages 1-2 markers) to
 * another place, with or without UFFD_FEATURE_EVENT_REMAP (`features`).
 * Without it the moved entries lose their uffd-wp bits and markers and
 * the new range is not registered (Linux's move_ptes and
 * mremap_userfaultfd_prep); with it they keep both, the range stays
 * registered and the handler reads UFFD_EVENT_REMAP. */
static void remapped(uint64_t features, const char *name)
{
	uint64_t offered;
	char *range[2];
	pthread_t th;

	printf("%s:\n", name);
	uffd = uffd_open(UFFD_FEATURE_WP_UNPOPULATED | features, &offered);
	range[0] = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	range[1] = mmap(NULL, 3 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	range[0][0] = 'p';		/* page 0 present */
	show("register WP", reg(uffd, range[0], 3, UFFDIO_REGISTER_MODE_WP));
	show("protect pages 0-2", writeprotect(uffd, range[0], 3, UFFDIO_WRITEPROTECT_MODE_WP));
	if (features & UFFD_FEATURE_EVENT_REMAP)
		pthread_create(&th, NULL, read_remap, range);
	show("mremap", mremap(range[0], 3 * PAGE, 3 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, range[1]) == range[1]
			       ? 0 : -1);
	if (features & UFFD_FEATURE_EVENT_REMAP)
		pthread_join(th, NULL);
	print_log();
	log_text[0] = 0;
	show_pagemap("moved page 0", range[1]);
	show_pagemap("moved page 1", range[1] + PAGE);
	show("protect the moved range", writeprotect(uffd, range[1], 3, UFFDIO_WRITEPROTECT_MODE_WP));
	show("resolve the moved range", writeprotect(uffd, range[1], 3, 0));
	range[1][0] = 'w';		/* no fault: unregistered, or resolved */
	range[1][PAGE] = 'w';
	show("pages 0 and 1 written", range[1][0] == 'w' && range[1][PAGE] == 'w');
	show_pagemap("moved page 0 written", range[1]);
	munmap(range[1], 3 * PAGE);
	close(uffd);
}

/* fallocate(PUNCH_HOLE) over a protected memfd range mapped with `type`:
 * page 0 written (a private mapping's own copy), page 1 read, page 2 in
 * the object only, page 3 nowhere; the hole covers pages 0-2.  Linux's
 * shmem_fallocate unmaps without ZAP_FLAG_DROP_MARKER: a protected entry
 * it zaps becomes a marker (zap_install_uffd_wp_if_needed), markers stay,
 * and a private mapping's own copy stays (even_cows false). */
static void punch_hole(int type, const char *name)
{
	int fd = memfd_create("uffdwpun-hole", 0), ufd;
	uint64_t offered;
	char *mem;

	printf("%s:\n", name);
	if (fd < 0 || ftruncate(fd, 4 * PAGE) || pwrite(fd, "o", 1, PAGE) != 1 || pwrite(fd, "t", 1, 2 * PAGE) != 1)
		return;
	mem = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, type, fd, 0);
	mem[0] = 'a';
	show("read page 1", mem[PAGE]);
	ufd = uffd_open(UFFD_FEATURE_WP_HUGETLBFS_SHMEM, &offered);
	show("register WP", reg(ufd, mem, 4, UFFDIO_REGISTER_MODE_WP));
	show("protect all pages", writeprotect(ufd, mem, 4, UFFDIO_WRITEPROTECT_MODE_WP));
	show("punch pages 0-2", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 3 * PAGE));
	show_pagemap("page 0", mem);
	show_pagemap("page 1", mem + PAGE);
	show_pagemap("page 2", mem + 2 * PAGE);
	show_pagemap("page 3", mem + 3 * PAGE);
	show("read page 0", mem[0]);
	show("read page 2", mem[2 * PAGE]);
	show_pagemap("page 2 read", mem + 2 * PAGE);
	show("unregister", ioctl(ufd, UFFDIO_UNREGISTER, &(struct uffdio_range){ (uintptr_t)mem, 4 * PAGE }));
	munmap(mem, 4 * PAGE);
	close(ufd);
	close(fd);
}

/* WP on a memfd mapped with `type` (MAP_SHARED or MAP_PRIVATE): page 0
 * mapped, page 1 in the object only, pages 2-3 nowhere. */
static void shmem(int type, const char *name)
{
	int fd = memfd_create("uffdwpun", 0);
	uint64_t offered;
	pthread_t th;

	printf("%s:\n", name);
	if (fd < 0 || ftruncate(fd, PAGES * PAGE) || pwrite(fd, "o", 1, PAGE) != 1)
		return;
	area = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, type, fd, 0);
	area[0] = 'a';
	uffd = uffd_open(UFFD_FEATURE_WP_HUGETLBFS_SHMEM, &offered);
	show("WP_HUGETLBFS_SHMEM offered", !!(offered & UFFD_FEATURE_WP_HUGETLBFS_SHMEM));
	show("register WP", reg(uffd, area, PAGES, UFFDIO_REGISTER_MODE_WP));
	show("protect all pages", writeprotect(uffd, area, PAGES, UFFDIO_WRITEPROTECT_MODE_WP));
	show_pagemap("page 0 present", area);
	show_pagemap("page 1 the object's", area + PAGE);
	show_pagemap("page 2 nowhere", area + 2 * PAGE);
	pthread_create(&th, NULL, handler, NULL);
	show("read page 1", area[PAGE]);
	area[PAGE] = 'w';		/* fault 1 */
	show("page 1 written", area[PAGE]);
	area[2 * PAGE] = 'w';		/* fault 2 */
	show("page 2 written", area[2 * PAGE]);
	show("MADV_DONTNEED page 0", madvise(area, PAGE, MADV_DONTNEED));
	show_pagemap("page 0 after MADV_DONTNEED", area);
	show("read page 0", area[0]);
	area[0] = 'w';			/* fault 3: still protected */
	show("page 0 written", area[0]);
	fork_child(3);
	area[3 * PAGE] = 'w';		/* fault 4 */
	show("page 3 written", area[3 * PAGE]);
	show("unregister", ioctl(uffd, UFFDIO_UNREGISTER, &(struct uffdio_range){ (uintptr_t)area, PAGES * PAGE }));
	show("done", write(done_pipe[1], "", 1));
	pthread_join(th, NULL);
	print_log();
	read(done_pipe[0], &offered, 1);
	munmap(area, PAGES * PAGE);
	close(uffd);
	close(fd);
}

int main(void)
{
	uint64_t offered;
	pthread_t th;
	char *moved;

	setvbuf(stdout, NULL, _IONBF, 0);
	uffd = uffd_open(UFFD_FEATURE_WP_UNPOPULATED, &offered);
	show("WP_UNPOPULATED offered", !!(offered & UFFD_FEATURE_WP_UNPOPULATED));
	area = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	area[7 * PAGE] = 'p';		/* page 7 present */
	show("register WP", reg(uffd, area, PAGES, UFFDIO_REGISTER_MODE_WP));
	show("pipe", pipe(done_pipe));
	show("protect all pages", writeprotect(uffd, area, PAGES, UFFDIO_WRITEPROTECT_MODE_WP));
	show_pagemap("page 1 marked", area + PAGE);
	show_pagemap("page 7 present, protected", area + 7 * PAGE);
	pthread_create(&th, NULL, handler, NULL);

	show("read page 0", area[0]);
	show_pagemap("page 0 read", area);	/* the zero page, still protected */
	area[0] = 'w';			/* fault 1 */
	show("page 0 written", area[0]);
	area[PAGE] = 'w';		/* fault 2: a marker */
	show("page 1 written", area[PAGE]);
	show("mprotect read-only", mprotect(area, PAGES * PAGE, PROT_READ));
	show("mprotect read-write", mprotect(area, PAGES * PAGE, PROT_READ | PROT_WRITE));
	area[2 * PAGE] = 'w';		/* fault 3: the marker survived */
	show("page 2 written", area[2 * PAGE]);
	show("MADV_DONTNEED page 3", madvise(area + 3 * PAGE, PAGE, MADV_DONTNEED));
	show_pagemap("page 3 after MADV_DONTNEED", area + 3 * PAGE);
	area[3 * PAGE] = 'w';		/* no fault: the marker went */
	show("page 3 written", area[3 * PAGE]);
	show("unprotect page 4", writeprotect(uffd, area + 4 * PAGE, 1, 0));
	show_pagemap("page 4 unprotected", area + 4 * PAGE);
	area[4 * PAGE] = 'w';		/* no fault */
	show("page 4 written", area[4 * PAGE]);
	fork_child(5);
	area[5 * PAGE] = 'w';		/* fault 4: the parent's marker stays */
	show("page 5 written", area[5 * PAGE]);
	kernel_copy(area + 6 * PAGE);	/* fault 5 */
	area[7 * PAGE] = 'w';		/* fault 6: a present page */
	show("page 7 written", area[7 * PAGE]);
	show("protect pages 0-1 again", writeprotect(uffd, area, 2, UFFDIO_WRITEPROTECT_MODE_WP));
	show("munmap page 1", munmap(area + PAGE, PAGE));
	moved = mmap(area + PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	show("mmap page 1 again", moved == area + PAGE ? 0 : -1);
	area[PAGE] = 'w';		/* no fault: a new, unregistered VMA */
	show("page 1 written", area[PAGE]);
	show("unregister", ioctl(uffd, UFFDIO_UNREGISTER, &(struct uffdio_range){ (uintptr_t)area, PAGE }));
	area[0] = 'u';			/* no fault */
	show("page 0 written", area[0]);

	show("done", write(done_pipe[1], "", 1));
	pthread_join(th, NULL);
	print_log();
	read(done_pipe[0], &offered, 1);
	fills();
	without_feature();
	remapped(0, "mremap without EVENT_REMAP");
	remapped(UFFD_FEATURE_EVENT_REMAP, "mremap with EVENT_REMAP");
	punch_hole(MAP_SHARED, "PUNCH_HOLE, shared");
	punch_hole(MAP_PRIVATE, "PUNCH_HOLE, private");
	shmem(MAP_SHARED, "shmem, shared");
	shmem(MAP_PRIVATE, "shmem, private");
	return 0;
}
