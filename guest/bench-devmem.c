/*
 * bench-devmem: the same workloads under either device-memory design
 * (--device-mm hmm|gmem, docs/devices.md "Measurements"), on /dev/accel0:
 *
 *   pingpong N R   N peer-shared pages; R rounds of the device writing one
 *                  word of each page, then the CPU writing one word of each
 *   ondemand N     N pages the CPU wrote; the device reads one word of each
 *   prefetch N     the same after hmadvise(MADV_PREFETCH) to node 1 (gmem;
 *                  ENOSYS under hmm, then as ondemand)
 *   storm N        N pages the device wrote, then one munmap of them all
 *   touch N S      the device writes one word every S pages of N pages
 *                  (the logical table's memory, dense or sparse)
 *
 * It prints the device's counters and the simulated time (CLOCK_MONOTONIC)
 * the measured part took, on the CPU and on the device.  The measured part
 * is also mmusim's region of interest (--report's "region").
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>

#include "accel.h"
#include "fdtest.h"
#include "mmusim.h"

#define PG 4096

static int dev;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void counters(struct accel_counters *c)
{
	if (ioctl(dev, ACCEL_IOC_COUNTERS, c) < 0)
		exit(2);
}

/* One word of every `stride`-th page of [p, p + pages * PG), on the device. */
static void kernel(void *p, uint64_t pages, uint64_t stride, unsigned access)
{
	struct accel_launch l = { (uintptr_t)p, pages * PG, ACCEL_STRIDED, access, stride * PG, 0, 1 };
	struct accel_wait w;

	if (ioctl(dev, ACCEL_IOC_LAUNCH, &l) < 0 || ioctl(dev, ACCEL_IOC_WAIT, &w) < 0 || w.status)
		exit(3);
}

static char *peer_shared(uint64_t pages)
{
	char *p = mmap(NULL, pages * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0);

	if (p == MAP_FAILED)
		exit(4);
	return p;
}

static void cpu_writes(char *p, uint64_t pages)
{
	for (uint64_t i = 0; i < pages; i++)
		p[i * PG] += 1;
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "";
	uint64_t n = argc > 2 ? strtoull(argv[2], NULL, 0) : 1, r = argc > 3 ? strtoull(argv[3], NULL, 0) : 1;
	struct accel_counters a, b;
	uint64_t t0, t1;
	char *p;

	dev = open("/dev/accel0", O_RDWR);
	if (dev < 0)
		return 1;
	p = peer_shared(n);
	if (strcmp(what, "pingpong") && strcmp(what, "touch"))
		cpu_writes(p, n);
	if (!strcmp(what, "storm"))
		kernel(p, n, 1, ACCEL_WRITE);
	counters(&a);
	mmusim_roi_begin();	/* the measured part is mmusim's region of interest */
	t0 = now_ns();
	if (!strcmp(what, "pingpong")) {
		for (uint64_t i = 0; i < r; i++) {
			kernel(p, n, 1, ACCEL_WRITE);
			cpu_writes(p, n);
		}
	} else if (!strcmp(what, "ondemand") || !strcmp(what, "prefetch")) {
		if (!strcmp(what, "prefetch"))
			show("hmadvise", syscall(MMUSIM_HMADVISE, 1, p, n * PG, MADV_PREFETCH));
		kernel(p, n, 1, ACCEL_READ);
	} else if (!strcmp(what, "storm")) {
		munmap(p, n * PG);
	} else if (!strcmp(what, "touch")) {
		kernel(p, n, r, ACCEL_WRITE);
	} else {
		return 1;
	}
	t1 = now_ns();
	mmusim_roi_end();
	counters(&b);
	printf("%s: cpu_ns %llu device_ns %llu faults %llu to_device %llu to_cpu %llu zero %llu "
	       "inval_pages %llu inval_ranges %llu link_bytes %llu\n", what,
	       (unsigned long long)(t1 - t0), (unsigned long long)(b.clock_ns - a.clock_ns),
	       (unsigned long long)(b.faults - a.faults), (unsigned long long)(b.to_device - a.to_device),
	       (unsigned long long)(b.to_cpu - a.to_cpu), (unsigned long long)(b.zero_pages - a.zero_pages),
	       (unsigned long long)(b.inval_pages - a.inval_pages),
	       (unsigned long long)(b.inval_ranges - a.inval_ranges),
	       (unsigned long long)(b.link_bytes - a.link_bytes));
	return 0;
}
