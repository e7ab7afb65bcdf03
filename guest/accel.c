/*
 * accel: a guest of the simulated accelerators (/dev/accel0 and 1, guest/accel.h):
 * kernels over its own memory, the faults the design cannot resolve, and
 * every ioctl's errors.  Prints one line per answer (guest/fdtest.h); the
 * counters that depend on the design (--device-mm) come last.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "accel.h"
#include "fdtest.h"

#define PG 4096

static int dev;

static long launch(void *addr, uint64_t size, unsigned pattern, unsigned access, uint64_t stride,
		   uint64_t reps)
{
	struct accel_launch l = { (uintptr_t)addr, size, pattern, access, stride, 7, reps };

	return ioctl(dev, ACCEL_IOC_LAUNCH, &l) < 0 ? -errno : 0;
}

/* Wait and print the status (0 or an errno name), where it stopped (as an
 * offset from `base`) and the checksum. */
static void wait_show(const char *what, void *base)
{
	struct accel_wait w;

	if (ioctl(dev, ACCEL_IOC_WAIT, &w) < 0) {
		show(what, -errno);
		return;
	}
	printf("%s: status %s", what, w.status ? err_name((int)-w.status) : "0");
	if (w.status)
		printf(" at +%#llx", (unsigned long long)(w.fault_addr - (uintptr_t)base));
	printf(" sum %llu\n", (unsigned long long)w.checksum);
}

int main(void)
{
	uint64_t *mem = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct accel_counters c;
	struct accel_wait w;
	int other;

	dev = open("/dev/accel0", O_RDWR);
	show("open", dev);
	for (int k = 0; k < 4 * PG / 8; k++)
		mem[k] = (uint64_t)k;

	show("read 4 pages", launch(mem, 4 * PG, ACCEL_SEQUENTIAL, ACCEL_READ, 0, 1));
	wait_show("wait", mem);
	show("write 2 words twice", launch(mem, 16, ACCEL_SEQUENTIAL, ACCEL_WRITE, 0, 2));
	wait_show("wait", mem);
	printf("cpu sees: %llu %llu %llu\n", (unsigned long long)mem[0], (unsigned long long)mem[1],
	       (unsigned long long)mem[2]);
	show("strided read", launch(mem, 4 * PG, ACCEL_STRIDED, ACCEL_READ, PG, 3));
	wait_show("wait", mem);

	munmap((char *)mem + 2 * PG, 2 * PG);
	show("read past the mapping", launch(mem + PG / 8, 2 * PG, ACCEL_SEQUENTIAL, ACCEL_READ, 0, 1));
	wait_show("wait", mem);
	mprotect(mem, 2 * PG, PROT_READ);
	show("write to read-only", launch(mem, 2 * PG, ACCEL_SEQUENTIAL, ACCEL_READ | ACCEL_WRITE, 0, 1));
	wait_show("wait", mem);

	show("empty", launch(mem, 0, ACCEL_SEQUENTIAL, ACCEL_READ, 0, 1));
	show("unaligned", launch((char *)mem + 4, 8, ACCEL_SEQUENTIAL, ACCEL_READ, 0, 1));
	show("no repetition", launch(mem, 8, ACCEL_SEQUENTIAL, ACCEL_READ, 0, 0));
	show("unknown pattern", launch(mem, 8, 9, ACCEL_READ, 0, 1));
	show("stride 12", launch(mem, PG, ACCEL_STRIDED, ACCEL_READ, 12, 1));
	show("2^64 bytes", launch(mem, UINT64_MAX - 7, ACCEL_SEQUENTIAL, ACCEL_READ, 0, 1));
	show("2^40 passes", launch(mem, PG, ACCEL_SEQUENTIAL, ACCEL_READ, 0, UINT64_C(1) << 40));
	show("wild launch", ioctl(dev, ACCEL_IOC_LAUNCH, wild) < 0 ? -errno : 0);
	show("wild wait", ioctl(dev, ACCEL_IOC_WAIT, wild) < 0 ? -errno : 0);
	show("wild counters", ioctl(dev, ACCEL_IOC_COUNTERS, wild) < 0 ? -errno : 0);
	show("unknown ioctl", ioctl(dev, _IO('A', 99)) < 0 ? -errno : 0);
	other = open("/dev/accel1", O_RDWR);
	show("wait before a launch", ioctl(other, ACCEL_IOC_WAIT, &w) < 0 ? -errno : 0);

	show("counters", ioctl(dev, ACCEL_IOC_COUNTERS, &c) < 0 ? -errno : 0);
	printf("kernels %llu accesses %llu faults %llu\n", (unsigned long long)c.kernels,
	       (unsigned long long)c.accesses, (unsigned long long)c.faults);
	printf("to device %llu to cpu %llu zero %llu mirrored %llu link bytes %llu\n",
	       (unsigned long long)c.to_device, (unsigned long long)c.to_cpu,
	       (unsigned long long)c.zero_pages, (unsigned long long)c.mirrored,
	       (unsigned long long)c.link_bytes);
	return 0;
}
