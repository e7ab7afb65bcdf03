/*
 * postcopy: a post-copy live migration in miniature.  The "guest memory"
 * of a migrated VM starts empty and registered with userfaultfd; a
 * handler thread serves each page it faults on from the "remote" image
 * (the source host's memory: here a buffer of this process) after a
 * simulated network round trip (nanosleep: simulated time under mmusim),
 * with UFFDIO_COPY, one request at a time; the VM's VCPUS threads touch
 * its pages in a scattered order (thread v every VCPUS-th page of it) and
 * time each first touch (CLOCK_MONOTONIC), so faults of several threads
 * queue behind one another at the handler.
 *
 * postcopy PAGES VCPUS LATENCY_US...: one migration per latency, each
 * printing the distribution of the VM's fault latency (p50, p99, max)
 * and checking every byte it read against the image.
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

static int pages, vcpus, fd;
static uint64_t *lat;
static long latency_us;
static char *memory, *image;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* The source host answers a page request after one network round trip. */
static void fetch_remote(uint64_t page)
{
	struct timespec rtt = { latency_us / 1000000, latency_us % 1000000 * 1000 };
	struct uffdio_copy c = { .dst = page, .src = (uintptr_t)image + (page - (uintptr_t)memory),
				 .len = PAGE };

	if (latency_us)
		nanosleep(&rtt, NULL);
	if (ioctl(fd, UFFDIO_COPY, &c))
		die("UFFDIO_COPY");
}

static void *handler(void *arg)
{
	(void)arg;
	for (int i = 0; i < pages; i++) {
		struct uffd_msg msg;

		if (read(fd, &msg, sizeof(msg)) != sizeof(msg))
			die("read");
		fetch_remote(msg.arg.pagefault.address & ~(uint64_t)(PAGE - 1));
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* VM thread `v`: the v-th, (v+VCPUS)-th... pages of a scattered order. */
static void *vcpu(void *arg)
{
	long wrong = 0;

	for (int i = (int)(intptr_t)arg; i < pages; i += vcpus) {
		size_t page = (size_t)i * 7919 % (size_t)pages;	/* each page once */
		uint64_t t0 = now_ns();

		wrong += memory[page * PAGE + 64] != image[page * PAGE + 64];
		lat[i] = now_ns() - t0;
	}
	return (void *)wrong;
}

static void migrate(void)
{
	size_t len = (size_t)pages * PAGE;
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	pthread_t th, vm[64];
	long wrong = 0;

	memory = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC);
	if (fd < 0)	/* vm.unprivileged_userfaultfd=0: user faults only */
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
	reg.range = (struct uffdio_range){ (uintptr_t)memory, len };
	if (fd < 0 || ioctl(fd, UFFDIO_API, &api) || ioctl(fd, UFFDIO_REGISTER, &reg))
		die("userfaultfd");
	pthread_create(&th, NULL, handler, NULL);
	for (int v = 0; v < vcpus; v++)
		pthread_create(&vm[v], NULL, vcpu, (void *)(intptr_t)v);
	for (int v = 0; v < vcpus; v++) {
		void *w;

		pthread_join(vm[v], &w);
		wrong += (long)w;
	}
	pthread_join(th, NULL);
	wrong += memcmp(memory, image, len) != 0;
	qsort(lat, (size_t)pages, sizeof(*lat), cmp);
	printf("network %6ld us, %d vcpus: %d faults, p50 %8llu ns, p99 %8llu ns, max %8llu ns, wrong %ld\n",
	       latency_us, vcpus, pages, (unsigned long long)lat[pages / 2],
	       (unsigned long long)lat[pages * 99 / 100], (unsigned long long)lat[pages - 1], wrong);
	close(fd);
	munmap(memory, len);
}

int main(int argc, char **argv)
{
	pages = argc > 1 ? atoi(argv[1]) : 0;
	vcpus = argc > 2 ? atoi(argv[2]) : 0;
	if (pages <= 0 || pages % 7919 == 0 || vcpus <= 0 || vcpus > 64 || argc < 4) {
		fprintf(stderr, "usage: postcopy PAGES VCPUS LATENCY_US...\n");
		return 2;
	}
	lat = calloc((size_t)pages, sizeof(*lat));
	setvbuf(stdout, NULL, _IOLBF, 0);
	image = malloc((size_t)pages * PAGE);
	for (size_t i = 0; i < (size_t)pages * PAGE; i++)
		image[i] = (char)(i * 31 / PAGE + i % 251);
	for (int a = 3; a < argc; a++) {
		latency_us = atol(argv[a]);
		migrate();
	}
	return 0;
}
