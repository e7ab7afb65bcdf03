/*
 * uffderr: the errors of userfaultfd(2) and its ioctls (UFFDIO_API,
 * REGISTER, UNREGISTER, COPY, ZEROPAGE, WAKE) as Linux's
 * fs/userfaultfd.c gives them, a wake without a page (the fault comes
 * again), COPY's DONTWAKE and /dev/userfaultfd.  Every line is the same on a real kernel
 * (tests/host-uffderr).
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "fdtest.h"

#define PAGE 4096

static int new_uffd(void)
{
	return (int)syscall(SYS_userfaultfd, O_CLOEXEC);
}

static int api(int fd, uint64_t version, uint64_t features)
{
	struct uffdio_api a = { .api = version, .features = features };
	int ret = ioctl(fd, UFFDIO_API, &a);
	int saved = errno;

	if (ret)	/* Linux zeroes the struct on an error */
		printf("zeroed: %d\n", !a.api && !a.features && !a.ioctls);
	errno = saved;
	return ret;
}

static int reg(int fd, uint64_t start, uint64_t len, uint64_t mode)
{
	struct uffdio_register r = { .range = { start, len }, .mode = mode };

	return ioctl(fd, UFFDIO_REGISTER, &r);
}

static int range_op(int fd, unsigned long cmd, uint64_t start, uint64_t len)
{
	struct uffdio_range r = { start, len };

	return ioctl(fd, cmd, &r);
}

static int copy(int fd, uint64_t dst, uint64_t src, uint64_t len, uint64_t mode)
{
	struct uffdio_copy c = { .dst = dst, .src = src, .len = len, .mode = mode, .copy = 12345 };
	int ret = ioctl(fd, UFFDIO_COPY, &c);
	int saved = errno;

	printf("copy field: %lld\n", (long long)c.copy);
	errno = saved;
	return ret;
}

static int zeropage(int fd, uint64_t start, uint64_t len, uint64_t mode)
{
	struct uffdio_zeropage z = { .range = { start, len }, .mode = mode };

	return ioctl(fd, UFFDIO_ZEROPAGE, &z);
}

static char *map_anon(int pages)
{
	return mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void creation_and_api(void)
{
	int fd = new_uffd(), pipefd[2];
	struct uffd_msg msg;

	show("bad flags", syscall(SYS_userfaultfd, 0x10));
	show("register before api", reg(fd, 0x10000, PAGE, UFFDIO_REGISTER_MODE_MISSING));
	show("read before api", read(fd, &msg, sizeof(msg)));
	show("api wild pointer", ioctl(fd, UFFDIO_API, wild));
	show("api wrong version", api(fd, 0xab, 0));
	show("api unknown feature", api(fd, UFFD_API, 1ULL << 40));
	show("api", api(fd, UFFD_API, UFFD_FEATURE_THREAD_ID));
	show("api again", api(fd, UFFD_API, 0));
	show("unknown ioctl", ioctl(fd, _IOWR(UFFDIO, 0x30, struct uffdio_range), &msg));
	show("write", write(fd, &msg, sizeof(msg)));
	show("short read", read(fd, &msg, 8));
	pipe(pipefd);
	show("api on a pipe", ioctl(pipefd[0], UFFDIO_API, &msg));
	close(pipefd[0]);
	close(pipefd[1]);
	close(fd);
}

static void registering(const char *self)
{
	static char src[2 * PAGE];

	int fd = new_uffd(), other = new_uffd(), file = open(self, O_RDONLY);
	char *p = map_anon(4), *f = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, file, 0);
	uint64_t at = (uintptr_t)p;

	for (int i = 0; i < 2 * PAGE; i++)
		src[i] = (char)(i / 8 % 100);
	api(fd, UFFD_API, 0);
	api(other, UFFD_API, 0);
	munmap(p + 3 * PAGE, PAGE);
	show("register unaligned start", reg(fd, at + 1, PAGE, UFFDIO_REGISTER_MODE_MISSING));
	show("register unaligned length", reg(fd, at, 100, UFFDIO_REGISTER_MODE_MISSING));
	show("register empty", reg(fd, at, 0, UFFDIO_REGISTER_MODE_MISSING));
	show("register no mode", reg(fd, at, PAGE, 0));
	show("register unknown mode", reg(fd, at, PAGE, 8));
	show("register no vma", reg(fd, at + 3 * PAGE, PAGE, UFFDIO_REGISTER_MODE_MISSING));
	show("register beyond user space", reg(fd, 1ULL << 63, PAGE, UFFDIO_REGISTER_MODE_MISSING));
	show("register file mapping", reg(fd, (uintptr_t)f, PAGE, UFFDIO_REGISTER_MODE_MISSING));
	show("register wild pointer", ioctl(fd, UFFDIO_REGISTER, wild));
	show("register", reg(fd, at, 2 * PAGE, UFFDIO_REGISTER_MODE_MISSING));
	show("register again", reg(fd, at, 2 * PAGE, UFFDIO_REGISTER_MODE_MISSING));
	show("register with a hole after", reg(fd, at + 2 * PAGE, 2 * PAGE, UFFDIO_REGISTER_MODE_MISSING));
	show("other fd registers it", reg(other, at, PAGE, UFFDIO_REGISTER_MODE_MISSING));

	show("copy unaligned dst", copy(fd, at + 8, (uintptr_t)f, PAGE, 0));
	show("copy unknown mode", copy(fd, at, (uintptr_t)f, PAGE, 4));
	show("copy wild struct", ioctl(fd, UFFDIO_COPY, wild));
	show("copy unmapped src", copy(fd, at, at + 3 * PAGE, PAGE, 0));
	show("copy past the vma", copy(fd, at + 2 * PAGE, (uintptr_t)f, 2 * PAGE, 0));
	show("copy from an unaligned source", copy(fd, at + PAGE, (uintptr_t)src + 8, PAGE, 0));
	printf("copied bytes: %d %d\n", p[PAGE], p[2 * PAGE - 1]);
	show("copy onto a present page", copy(fd, at + PAGE, (uintptr_t)f, PAGE, 0));
	show("copy short", copy(fd, at, (uintptr_t)f, 2 * PAGE, 0));
	show("zeropage present", zeropage(fd, at, PAGE, 0));
	show("zeropage unknown mode", zeropage(fd, at + 2 * PAGE, PAGE, 2));
	show("zeropage", zeropage(fd, at + 2 * PAGE, PAGE, 0));
	printf("zero page reads: %d\n", p[2 * PAGE + 9]);
	show("wake unaligned", range_op(fd, UFFDIO_WAKE, at + 1, PAGE));
	show("wake nobody", range_op(fd, UFFDIO_WAKE, at, PAGE));
	show("unregister unaligned", range_op(fd, UFFDIO_UNREGISTER, at, 10));
	show("unregister no vma", range_op(fd, UFFDIO_UNREGISTER, at + 3 * PAGE, PAGE));
	show("unregister", range_op(fd, UFFDIO_UNREGISTER, at, 3 * PAGE));
	show("unregister again", range_op(fd, UFFDIO_UNREGISTER, at, 3 * PAGE));
	show("copy unregistered", copy(fd, at + 2 * PAGE, (uintptr_t)f, PAGE, 0));
	show("other fd registers now", reg(other, at, PAGE, UFFDIO_REGISTER_MODE_MISSING));
	close(file);
	close(fd);
	close(other);
}

static volatile int touched;
static char *target;

static void *toucher(void *arg)
{
	(void)arg;
	touched = target[5] + 1;
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000 };

	nanosleep(&ts, NULL);
}

/* A wake without a page: the access faults again.  A copy with
 * DONTWAKE: the thread sleeps on until UFFDIO_WAKE. */
static void wake_rules(void)
{
	int fd = new_uffd();
	struct uffd_msg m1, m2;
	static char page[PAGE] __attribute__((aligned(PAGE)));
	pthread_t th;

	api(fd, UFFD_API, 0);
	target = map_anon(1);
	reg(fd, (uintptr_t)target, PAGE, UFFDIO_REGISTER_MODE_MISSING);
	pthread_create(&th, NULL, toucher, NULL);
	show("first message", read(fd, &m1, sizeof(m1)));
	show("wake without a page", range_op(fd, UFFDIO_WAKE, (uintptr_t)target, PAGE));
	show("second message", read(fd, &m2, sizeof(m2)));
	printf("same address: %d\n", m1.arg.pagefault.address == m2.arg.pagefault.address);
	page[5] = 41;
	show("copy dontwake", copy(fd, (uintptr_t)target, (uintptr_t)page, PAGE, UFFDIO_COPY_MODE_DONTWAKE));
	sleep_ms(50);
	printf("still asleep: %d\n", touched == 0);
	show("wake", range_op(fd, UFFDIO_WAKE, (uintptr_t)target, PAGE));
	pthread_join(th, NULL);
	printf("thread read: %d\n", touched - 1);
	close(fd);
}

/* /dev/userfaultfd: USERFAULTFD_IOC_NEW makes a userfaultfd. */
static void dev_node(void)
{
	int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC), fd;
	struct stat st;

	show("fstat", fstat(dev, &st));
	printf("character device 0600: %d\n", st.st_mode == (S_IFCHR | 0600));
	show("new with bad flags", ioctl(dev, USERFAULTFD_IOC_NEW, 0x10));
	show("other command", ioctl(dev, _IO(USERFAULTFD_IOC, 1), O_CLOEXEC));
	fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
	printf("new: %d\n", fd > dev);
	show("api through it", api(fd, UFFD_API, 0));
	show("O_NONBLOCK", fcntl(fd, F_GETFL) & O_NONBLOCK ? 1 : 0);
	close(fd);
	close(dev);
}

int main(int argc, char **argv)
{
	(void)argc;
	setvbuf(stdout, NULL, _IOLBF, 0);
	creation_and_api();
	registering(argv[0]);
	wake_rules();
	dev_node();
	return 0;
}
