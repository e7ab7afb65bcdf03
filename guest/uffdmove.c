/*
 * uffdmove: UFFDIO_MOVE (Linux 6.12's uapi; bookworm's headers predate it,
 * so its facts are spelled in uffdapi.h): a handler thread answers a fault by
 * moving a page in, the source becoming a hole; and the errors of
 * fs/userfaultfd.c's userfaultfd_move and mm/userfaultfd.c's move_pages:
 * EEXIST at a present destination (before the source is looked at),
 * ENOENT at a source hole or without a VMA, ALLOW_SRC_HOLES, a short move
 * (EAGAIN with the count), EBUSY for a page a fork child still maps,
 * EINVAL for unaligned or empty ranges, unknown modes, a destination not
 * registered, a range past its VMA, shared or read-only memory.  Every
 * line is the same on a real kernel with MOVE (tests/host-uffdmove).
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdtest.h"
#include "uffdapi.h"

#define PAGE 4096

static int fd;

static long move(void *dst, void *src, uint64_t len, uint64_t mode)
{
	struct uffdio_move m = { (uintptr_t)dst, (uintptr_t)src, len, mode, 12345 };
	int ret = ioctl(fd, UFFDIO_MOVE, &m);
	int saved = errno;

	printf("  move field: %lld\n", (long long)m.move);
	errno = saved;
	return ret;
}

static char *map(int pages, int prot, int flags)
{
	return mmap(NULL, (size_t)pages * PAGE, prot, flags | MAP_ANONYMOUS, -1, 0);
}

static char *map_anon(int pages)
{
	return map(pages, PROT_READ | PROT_WRITE, MAP_PRIVATE);
}

static char *map_registered(int pages)
{
	char *p = map_anon(pages);
	struct uffdio_register r = { .range = { (uintptr_t)p, (uint64_t)pages * PAGE },
				     .mode = UFFDIO_REGISTER_MODE_MISSING };

	if (ioctl(fd, UFFDIO_REGISTER, &r)) {
		perror("UFFDIO_REGISTER");
		exit(1);
	}
	printf("move among the range ioctls: %d\n", !!(r.ioctls & (1ULL << _UFFDIO_MOVE)));
	return p;
}

static char *source;
static struct uffdio_move answers[2];

/* Answer each fault by moving the next source page in (printed after the
 * join: the woken thread and the handler race to print). */
static void *handler(void *arg)
{
	int n = (int)(intptr_t)arg;

	for (int i = 0; i < n; i++) {
		struct uffd_msg msg;
		struct uffdio_move *m = &answers[i];

		if (read(fd, &msg, sizeof(msg)) != sizeof(msg))
			exit(2);
		*m = (struct uffdio_move){ msg.arg.pagefault.address, (uintptr_t)source + i * PAGE, PAGE, 0, 0 };
		if (ioctl(fd, UFFDIO_MOVE, m))
			m->move = -errno;
	}
	return NULL;
}

static void resolve_by_moving(void)
{
	char *dst = map_registered(2);
	pthread_t th;

	source = map_anon(2);
	memset(source, 'M', PAGE);
	memset(source + PAGE, 'N', PAGE);
	pthread_create(&th, NULL, handler, (void *)2);
	printf("read through the fault: %c\n", dst[PAGE + 7]);
	dst[3] = 'x';
	pthread_join(th, NULL);
	for (int i = 0; i < 2; i++)
		printf("handler moved: %lld\n", (long long)answers[i].move);
	printf("written page: %c%c\n", dst[3], dst[4]);
	printf("source is a hole now: %d %d\n", source[7], source[PAGE + 7]);
}

static void errors(void)
{
	char *dst = map_registered(4), *src = map_anon(4), *plain = map_anon(2);
	char *ro = map(1, PROT_READ, MAP_PRIVATE), *shared = map(1, PROT_READ | PROT_WRITE, MAP_SHARED);
	int pipefd[2];
	pid_t child;

	memset(src, 'S', 2 * PAGE);
	shared[0] = 1;
	munmap(plain + PAGE, PAGE);
	show("unaligned dst", move(dst + 8, src, PAGE, 0));
	show("unaligned src", move(dst, src + 8, PAGE, 0));
	show("unaligned length", move(dst, src, 100, 0));
	show("empty", move(dst, src, 0, 0));
	show("unknown mode", move(dst, src, PAGE, 4));
	show("wild struct", ioctl(fd, UFFDIO_MOVE, wild));
	show("dst not registered", move(plain, src, PAGE, 0));
	show("no vma at dst", move(plain + PAGE, src, PAGE, 0));
	show("no vma at src", move(dst, plain + PAGE, PAGE, 0));
	show("past the dst vma", move(dst + 3 * PAGE, src, 2 * PAGE, 0));
	show("read-only src", move(dst, ro, PAGE, 0));
	show("shared src", move(dst, shared, PAGE, 0));
	show("src hole", move(dst, src + 2 * PAGE, PAGE, 0));
	show("src hole allowed", move(dst, src + 2 * PAGE, PAGE, UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES));
	show("move", move(dst, src, PAGE, UFFDIO_MOVE_MODE_DONTWAKE));
	show("onto a present page", move(dst, src + PAGE, PAGE, 0));
	show("present dst before a src hole", move(dst, src + 3 * PAGE, PAGE, 0));
	show("short: a hole after a page", move(dst + PAGE, src + PAGE, 2 * PAGE, 0));
	printf("moved: %c %c\n", dst[7], dst[PAGE + 7]);
	/* The zero page moves as an entry. */
	printf("zero page read: %d\n", src[3 * PAGE]);
	show("zero page", move(dst + 2 * PAGE, src + 3 * PAGE, PAGE, 0));
	printf("reads: %d\n", dst[2 * PAGE + 1]);
	/* A page a fork child still maps is not this process's alone. */
	src[0] = 'F';
	pipe(pipefd);
	child = fork();
	if (child == 0) {
		char c;

		close(pipefd[1]);
		read(pipefd[0], &c, 1);
		_exit(src[0] == 'F' ? 0 : 1);
	}
	close(pipefd[0]);
	show("page shared with a child", move(dst + 3 * PAGE, src, PAGE, 0));
	close(pipefd[1]);
	waitpid(child, NULL, 0);
}

int main(void)
{
	struct uffdio_api api = { .api = UFFD_API, .features = UFFD_FEATURE_MOVE };

	setvbuf(stdout, NULL, _IOLBF, 0);
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	show("api with MOVE", ioctl(fd, UFFDIO_API, &api));
	printf("MOVE offered: %d\n", !!(api.features & UFFD_FEATURE_MOVE));
	resolve_by_moving();
	errors();
	close(fd);
	return 0;
}
