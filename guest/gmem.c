/*
 * gmem: a guest of gmem's interface (guest/mmusim.h) with /dev/accel0
 * (node 1): peer-shared memory moving between the CPU and the device on
 * faults and hmadvise, munmap, and the errors of each call; with the
 * argument "mremap", a peer-shared mapping moved while its pages are on
 * the device.  One line per answer (guest/fdtest.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "accel.h"
#include "fdtest.h"
#include "mmusim.h"

#define PG 4096

static int dev;

static void kernel(const char *what, void *addr, uint64_t size, unsigned access, void *base)
{
	struct accel_launch l = { (uintptr_t)addr, size, ACCEL_SEQUENTIAL, access, 0, 0, 1 };
	struct accel_wait w;

	if (ioctl(dev, ACCEL_IOC_LAUNCH, &l) < 0 || ioctl(dev, ACCEL_IOC_WAIT, &w) < 0) {
		show(what, -errno);
		return;
	}
	printf("%s: status %s", what, w.status ? err_name((int)-w.status) : "0");
	if (w.status)
		printf(" at +%#llx", (unsigned long long)(w.fault_addr - (uintptr_t)base));
	printf(" sum %llu\n", (unsigned long long)w.checksum);
}

static long hmadvise(long node, void *addr, uint64_t len, long hint)
{
	return syscall(MMUSIM_HMADVISE, node, addr, len, hint);
}

static uint64_t device_faults(void)
{
	struct accel_counters c = { 0 };

	ioctl(dev, ACCEL_IOC_COUNTERS, &c);
	return c.faults;
}

/* Four peer-shared pages: page 0 the CPU's (5) then the device's, 1 and 2
 * zero-filled on the device, all incremented there, page 3 back on the
 * CPU; mremap moves them to `to` (MREMAP_FIXED, growing to 8 pages).  The
 * device reads the moved pages where they are, the CPU gets them back. */
static void mremap_scenario(void)
{
	uint64_t *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0);
	uint64_t *to = mmap(NULL, 8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *r, before;

	p[0] = 5;
	kernel("device writes 4 pages", p, 4 * PG, ACCEL_READ | ACCEL_WRITE, p);
	printf("cpu reads page 3: %llu\n", (unsigned long long)p[3 * 512]);
	r = mremap(p, 4 * PG, 8 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, to);
	show("mremap", r == to ? 0 : -errno);
	before = device_faults();
	kernel("device reads the moved pages", r, 4 * PG, ACCEL_READ, r);
	printf("device faults: %llu\n", (unsigned long long)(device_faults() - before));
	kernel("device reads the old place", p, PG, ACCEL_READ, p);
	printf("cpu reads: %llu %llu %llu %llu, new page %llu\n", (unsigned long long)r[0],
	       (unsigned long long)r[512], (unsigned long long)r[2 * 512 + 7],
	       (unsigned long long)r[3 * 512], (unsigned long long)r[5 * 512]);
}

int main(int argc, char **argv)
{
	uint64_t *p, *q;
	struct accel_counters c;

	dev = open("/dev/accel0", O_RDWR);
	show("open", dev);
	if (argc > 1 && !strcmp(argv[1], "mremap")) {
		mremap_scenario();
		return 0;
	}
	p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0);
	show("mmap peer-shared", p == MAP_FAILED ? -1 : 0);
	p[0] = 41;
	kernel("device reads and writes 2 pages", p, 2 * PG, ACCEL_READ | ACCEL_WRITE, p);
	printf("cpu sees: %llu %llu\n", (unsigned long long)p[0], (unsigned long long)p[512]);
	show("prefetch 4 pages to node 1", hmadvise(1, p, 4 * PG, MADV_PREFETCH));
	kernel("device reads 4 pages", p, 4 * PG, ACCEL_READ, p);
	show("prefetch 2 pages to node 0", hmadvise(0, p, 2 * PG, MADV_PREFETCH));

	show("unknown node", hmadvise(9, p, PG, MADV_PREFETCH));
	show("unaligned", hmadvise(1, (char *)p + 8, PG, MADV_PREFETCH));
	show("unknown hint", hmadvise(1, p, PG, 77));
	show("past the mapping", hmadvise(1, p, 8 * PG, MADV_PREFETCH));
	q = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	show("plain memory", hmadvise(1, q, PG, MADV_PREFETCH));
	show("shared peer-shared", mmap(NULL, PG, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS | MAP_PEER_SHARED, -1, 0) == MAP_FAILED ? -1 : 0);

	show("dontneed", hmadvise(1, p, 4 * PG, MADV_DONTNEED));
	printf("cpu sees: %llu\n", (unsigned long long)p[0]);
	show("munmap", munmap(p, 4 * PG));
	kernel("device reads unmapped memory", p, PG, ACCEL_READ, p);
	kernel("device reads plain memory", q, PG, ACCEL_READ, q);

	show("counters", ioctl(dev, ACCEL_IOC_COUNTERS, &c) < 0 ? -errno : 0);
	printf("kernels %llu accesses %llu faults %llu\n", (unsigned long long)c.kernels,
	       (unsigned long long)c.accesses, (unsigned long long)c.faults);
	printf("to device %llu to cpu %llu zero %llu link bytes %llu\n", (unsigned long long)c.to_device,
	       (unsigned long long)c.to_cpu, (unsigned long long)c.zero_pages,
	       (unsigned long long)c.link_bytes);
	return 0;
}
