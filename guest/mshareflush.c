/*
 * mshareflush P: P children of a process that maps one mshare region (one
 * 512 GiB slot at 2 TiB, two pages) each read its first page X and then
 * spin (with P + 1 CPUs, each keeps one); once all have read it, the
 * parent writes X and drops it (MADV_DONTNEED of
 * one page: a change of the shared leaves every sharer's CPU may cache)
 * and lets them go.  Each child then reads X again: shared memory keeps its
 * data, so it faults the same page back.  The children are forked before
 * anyone touches the region: a fork flushes the parent's whole range (its
 * private pages became copy-on-write), which linked sharers would hear.  The region keeps its name, for
 * the report.  mmusim's --mshare-flush picks how the change reaches the
 * other CPUs; --stats shows the region's flushes and stale translations.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msharefs.h"

#define START ((uint64_t)2 << 40)
#define SPAN ((uint64_t)512 << 30)
#define PAGE 4096
#define REGION "/sys/fs/mshare/flush"

static volatile char *map_region(void)
{
	int fd = open(REGION, O_RDWR | O_CREAT | O_EXCL, 0600);
	struct mshare_info info = { START, SPAN };
	struct mshare_create mc = { START, 2 * PAGE, 0, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_FIXED, -1 };
	void *p;

	if (fd < 0 || ioctl(fd, MSHAREFS_SET_SIZE, &info) ||
	    ioctl(fd, MSHAREFS_CREATE_MAPPING, &mc)) {
		perror("mshareflush: region");
		exit(1);
	}
	p = mmap((void *)START, SPAN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mshareflush: mmap");
		exit(1);
	}
	return p;
}

/* Y, the region's second page, counts the children ready and then says go. */
#define READY 0
#define GO 1

/* Read X, count itself ready, spin until go (each child keeps a CPU), read
 * X again. */
static void child(volatile char *x, volatile unsigned *y)
{
	char c = x[0];

	__atomic_fetch_add(&y[READY], 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&y[GO], __ATOMIC_SEQ_CST))
		;
	_exit(c == 0 && x[0] == 1 ? 0 : 1);
}

int main(int argc, char **argv)
{
	volatile char *x;
	volatile unsigned *y;
	unsigned n;
	int status, bad = 0;

	if (argc != 2)
		return 2;
	n = (unsigned)atoi(argv[1]);
	x = map_region();
	y = (volatile unsigned *)(x + PAGE);
	for (unsigned i = 0; i < n; i++)
		if (fork() == 0)
			child(x, y);
	while (__atomic_load_n(&y[READY], __ATOMIC_SEQ_CST) != n)
		;
	x[0] = 1;
	if (madvise((void *)x, PAGE, MADV_DONTNEED))
		return 1;
	__atomic_store_n(&y[GO], 1, __ATOMIC_SEQ_CST);
	while (wait(&status) > 0)
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	printf("%u sharers read X again, %d failed\n", n - bad, bad);
	return bad != 0;
}
