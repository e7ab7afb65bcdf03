/*
 * uffdwp: userfaultfd write-protection (UFFDIO_REGISTER_MODE_WP,
 * UFFDIO_WRITEPROTECT, UFFDIO_COPY_MODE_WP), as Linux does it on x86-64
 * (arm64 6.12 has no uffd-wp; mmusim offers it): a write to a protected
 * page is a message with UFFD_PAGEFAULT_FLAG_WP, and the writer sleeps
 * until the handler thread resolves the protection; reads go on.  The
 * protection survives mprotect, a fork child without EVENT_FORK writes
 * freely, unregistering drops it, and the ioctl's errors.  Every line is
 * the same on a real x86-64 kernel (tests/host-uffdwp).
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uffdlog.h"

#define PAGE 4096
#define PAGES 4

static char *area;
static int uffd, done_pipe[2];

/* Resolve each write fault: the first and third with a waking
 * WRITEPROTECT, the second with DONTWAKE and then UFFDIO_WAKE. */
static void *handler(void *arg)
{
	char *page;

	(void)arg;
	for (int n = 0; (page = read_fault(uffd, done_pipe[0], area)); n++) {
		if (n == 1) {
			struct uffdio_range r = { (uintptr_t)page, PAGE };

			note("resolve, dontwake", writeprotect(uffd, page, 1, UFFDIO_WRITEPROTECT_MODE_DONTWAKE));
			note("wake", ioctl(uffd, UFFDIO_WAKE, &r));
		} else {
			note("resolve", writeprotect(uffd, page, 1, 0));
		}
	}
	return NULL;
}

static int new_uffd(uint64_t features)
{
	uint64_t offered;
	int fd = uffd_open(features, &offered);

	show("PAGEFAULT_FLAG_WP offered", !!(offered & UFFD_FEATURE_PAGEFAULT_FLAG_WP));
	return fd;
}

static long reg(int fd, char *at, long pages, uint64_t mode)
{
	struct uffdio_register r = { .range = { (uintptr_t)at, (uint64_t)pages * PAGE }, .mode = mode };
	long ret = ioctl(fd, UFFDIO_REGISTER, &r);

	if (!ret)
		show("WRITEPROTECT in the range's ioctls", !!(r.ioctls & (1ULL << _UFFDIO_WRITEPROTECT)));
	return ret;
}

static long copy_wp(int fd, char *dst, uint64_t mode)
{
	static char page[PAGE] __attribute__((aligned(PAGE)));
	struct uffdio_copy c = { .dst = (uintptr_t)dst, .src = (uintptr_t)page, .len = PAGE, .mode = mode };

	memset(page, 'c', PAGE);
	return ioctl(fd, UFFDIO_COPY, &c);
}

static void errors(void)
{
	char *other = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = new_uffd(0);

	show("WP with DONTWAKE", writeprotect(uffd, area, 1, UFFDIO_WRITEPROTECT_MODE_WP |
						     UFFDIO_WRITEPROTECT_MODE_DONTWAKE));
	show("unknown mode bit", writeprotect(uffd, area, 1, 4));
	show("unaligned", writeprotect(uffd, area + 1, 1, UFFDIO_WRITEPROTECT_MODE_WP));
	show("unregistered range", writeprotect(uffd, other, 1, UFFDIO_WRITEPROTECT_MODE_WP));
	show("register MINOR on anonymous memory", reg(fd, other, 1, UFFDIO_REGISTER_MODE_MINOR));
	show("register MISSING", reg(fd, other, 1, UFFDIO_REGISTER_MODE_MISSING));
	show("WRITEPROTECT of a MISSING-only range", writeprotect(fd, other, 1, UFFDIO_WRITEPROTECT_MODE_WP));
	show("COPY_MODE_WP into a MISSING-only range", copy_wp(fd, other, UFFDIO_COPY_MODE_WP));
	close(fd);
}

int main(void)
{
	pthread_t th;
	int status;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	uffd = new_uffd(UFFD_FEATURE_PAGEFAULT_FLAG_WP);
	area = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(area, 'a', 3 * PAGE);	/* pages 0-2; page 3 stays missing */
	show("register WP|MISSING", reg(uffd, area, PAGES, UFFDIO_REGISTER_MODE_WP | UFFDIO_REGISTER_MODE_MISSING));
	show("pipe", pipe(done_pipe));
	errors();
	show("protect pages 0-1", writeprotect(uffd, area, 2, UFFDIO_WRITEPROTECT_MODE_WP));
	show("read page 0", area[0]);
	pthread_create(&th, NULL, handler, NULL);

	area[0] = 'w';			/* fault 1 */
	show("page 0 written", area[0]);
	show("copy with MODE_WP to page 3", copy_wp(uffd, area + 3 * PAGE, UFFDIO_COPY_MODE_WP));
	show("read page 3", area[3 * PAGE]);
	area[3 * PAGE] = 'w';		/* fault 2 */
	show("page 3 written", area[3 * PAGE]);
	show("mprotect read-write", mprotect(area, PAGES * PAGE, PROT_READ | PROT_WRITE));
	area[PAGE] = 'w';		/* fault 3: still protected */
	show("page 1 written", area[PAGE]);

	show("protect page 2", writeprotect(uffd, area + 2 * PAGE, 1, UFFDIO_WRITEPROTECT_MODE_WP));
	pid = fork();
	if (pid == 0) {
		area[2 * PAGE] = 'f';	/* the child's copy is not registered */
		_exit(area[2 * PAGE] == 'f' ? 0 : 1);
	}
	show("child", waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	show("unregister", ioctl(uffd, UFFDIO_UNREGISTER, &(struct uffdio_range){ (uintptr_t)area, PAGES * PAGE }));
	area[2 * PAGE] = 'u';		/* no fault: the protection went with the registration */
	show("page 2 written", area[2 * PAGE]);

	show("done", write(done_pipe[1], "", 1));
	pthread_join(th, NULL);
	print_log();
	return 0;
}
