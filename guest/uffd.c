/*
 * uffd: page faults resolved by a handler thread through userfaultfd(2),
 * the idea of the manual page's example: a thread polls the descriptor,
 * reads each struct uffd_msg and answers with UFFDIO_COPY (a page of one
 * letter) or UFFDIO_ZEROPAGE, and the faulting thread goes on with the
 * page.  Then: a blocking handler, EXACT_ADDRESS, the SIGBUS feature, the
 * close of a descriptor with a thread blocked in a fault, and read(2) into
 * a registered range (the kernel's copy waits for the handler; with
 * UFFD_USER_MODE_ONLY or the SIGBUS feature it fails).  Every line is the same on a real kernel
 * (tests/host-uffd).
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "uffdlog.h"

#define PAGE 4096
#define RANGE_IOCTLS ((1ULL << _UFFDIO_WAKE) | (1ULL << _UFFDIO_COPY) | (1ULL << _UFFDIO_ZEROPAGE))

static char *base;
static int main_tid;

static int new_uffd(int flags, uint64_t features)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd = (int)syscall(SYS_userfaultfd, flags);

	if (fd < 0 || ioctl(fd, UFFDIO_API, &api)) {
		printf("userfaultfd: %s\n", err_name(errno));
		exit(1);
	}
	return fd;
}

static char *map_registered(int fd, int pages)
{
	char *p = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_register reg = { .range = { (uintptr_t)p, (uint64_t)pages * PAGE },
				       .mode = UFFDIO_REGISTER_MODE_MISSING };

	show("register", ioctl(fd, UFFDIO_REGISTER, &reg));
	printf("range ioctls: %#llx\n", (unsigned long long)(reg.ioctls & RANGE_IOCTLS));
	return p;
}

/* Answer one fault: the n-th page read gets a page of 'A' + n, except
 * the third, which gets zeroes. */
static void resolve(int fd, const struct uffd_msg *msg, int n)
{
	static char page[PAGE] __attribute__((aligned(PAGE)));
	uint64_t at = msg->arg.pagefault.address & ~(uint64_t)(PAGE - 1);

	note("event", msg->event);
	note("write", !!(msg->arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE));
	note("page", (long)((at - (uintptr_t)base) / PAGE));
	note("own thread", (int)msg->arg.pagefault.feat.ptid == main_tid);
	if (n == 2) {
		struct uffdio_zeropage z = { .range = { at, PAGE } };

		note("zeropage", ioctl(fd, UFFDIO_ZEROPAGE, &z));
		note("zeropage field", (long)z.zeropage);
	} else {
		struct uffdio_copy c = { .dst = at, .src = (uintptr_t)page, .len = PAGE };

		memset(page, 'A' + n, PAGE);
		note("copy", ioctl(fd, UFFDIO_COPY, &c));
		note("copy field", (long)c.copy);
	}
}

/* Poll the non-blocking descriptor, as the manual page's handler does. */
static void *poll_handler(void *arg)
{
	int fd = (int)(intptr_t)arg;

	for (int n = 0; n < 3; n++) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct uffd_msg msg;

		if (poll(&pfd, 1, -1) != 1 || read(fd, &msg, sizeof(msg)) != sizeof(msg)) {
			note("handler", -1);
			return NULL;
		}
		note("poll revents", pfd.revents);
		resolve(fd, &msg, n);
	}
	return NULL;
}

/* A blocking read, then the descriptor is closed with the fault unresolved. */
static void *closing_handler(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct uffd_msg msg;

	note("blocking read", read(fd, &msg, sizeof(msg)));
	note("exact offset", (long)(msg.arg.pagefault.address - (uintptr_t)base));
	note("close", close(fd));
	return NULL;
}

static sigjmp_buf bus_jump;
static void *bus_addr;

static void on_sigbus(int sig, siginfo_t *si, void *ctx)
{
	(void)sig, (void)ctx;
	bus_addr = si->si_addr;
	siglongjmp(bus_jump, 1);
}

static void handler_thread_resolves(void)
{
	int fd = new_uffd(O_CLOEXEC | O_NONBLOCK, UFFD_FEATURE_THREAD_ID);
	volatile char *p;
	pthread_t th;

	base = map_registered(fd, 4);
	p = base;
	pthread_create(&th, NULL, poll_handler, (void *)(intptr_t)fd);
	printf("read page 0: %c\n", p[10]);
	p[PAGE + 5] = 'x';	/* the first access to page 1: a write */
	printf("wrote page 1: %c%c\n", base[PAGE + 4], base[PAGE + 5]);
	printf("read page 2: %d\n", base[2 * PAGE]);
	pthread_join(th, NULL);
	print_log();
	printf("page 0 again: %c\n", base[0]);
	close(fd);
}

static void close_wakes_faulter(void)
{
	int fd = new_uffd(O_CLOEXEC, UFFD_FEATURE_EXACT_ADDRESS);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	pthread_t th;

	base = map_registered(fd, 1);
	show("poll blocking fd", poll(&pfd, 1, 0));
	printf("revents: %#x\n", pfd.revents);
	pthread_create(&th, NULL, closing_handler, (void *)(intptr_t)fd);
	printf("after close: %d\n", base[0x123]);
	pthread_join(th, NULL);
	print_log();
}

static void sigbus_feature(void)
{
	int fd = new_uffd(O_CLOEXEC, UFFD_FEATURE_SIGBUS);
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	struct uffd_msg msg;
	volatile char *p;

	base = map_registered(fd, 2);
	p = base;
	sigaction(SIGBUS, &sa, NULL);
	if (!sigsetjmp(bus_jump, 1))
		printf("no signal: %d\n", p[PAGE + 7]);
	else
		printf("SIGBUS at offset %#lx\n", (unsigned long)((char *)bus_addr - base));
	show("set O_NONBLOCK", fcntl(fd, F_SETFL, O_NONBLOCK));
	show("read", read(fd, &msg, sizeof(msg)));
	show("read into registered range", read(open("/dev/zero", O_RDONLY), (char *)base, 16));
	close(fd);
}

/* One message, answered with a page of 'K'. */
static void *copying_handler(void *arg)
{
	static char page[PAGE] __attribute__((aligned(PAGE)));
	int fd = (int)(intptr_t)arg;
	struct uffd_msg msg;
	struct uffdio_copy c = { .src = (uintptr_t)page, .len = PAGE };

	note("handler read", read(fd, &msg, sizeof(msg)));
	note("write", !!(msg.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE));
	note("page offset", (long)(msg.arg.pagefault.address - (uintptr_t)base));
	memset(page, 'K', PAGE);
	c.dst = msg.arg.pagefault.address;
	note("copy", ioctl(fd, UFFDIO_COPY, &c));
	return NULL;
}

/* read(2) into a registered range: the kernel's copy faults and sleeps
 * like the thread's own access; with UFFD_USER_MODE_ONLY it fails. */
static void kernel_copy_faults(void)
{
	int fd = new_uffd(O_CLOEXEC, 0), strict = new_uffd(O_CLOEXEC | UFFD_USER_MODE_ONLY, 0);
	int pipefd[2];
	pthread_t th;
	char *other;

	base = map_registered(fd, 1);
	pipe(pipefd);
	show("write to the pipe", write(pipefd[1], "hello", 5));
	pthread_create(&th, NULL, copying_handler, (void *)(intptr_t)fd);
	show("read into the registered page", read(pipefd[0], base + 100, 5));
	pthread_join(th, NULL);
	print_log();
	printf("page: %c %.5s %c\n", base[99], base + 100, base[105]);
	other = map_registered(strict, 1);
	show("write to the pipe", write(pipefd[1], "again", 5));
	show("read with UFFD_USER_MODE_ONLY", read(pipefd[0], other, 5));
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
	close(strict);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	main_tid = (int)syscall(SYS_gettid);
	handler_thread_resolves();
	close_wakes_faulter();
	sigbus_feature();
	kernel_copy_faults();
	return 0;
}
