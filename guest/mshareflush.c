/*
 * mshareflush P: P processes map one mshare region (one 512 GiB slot at
 * 2 TiB, two pages), each reads its first page X and then waits; once all
 * have, the parent, which maps the region too, drops X (MADV_DONTNEED of
 * one page: a change of the shared leaves every sharer's CPU may cache)
 * and lets them go.  Each child then reads X again: shared memory keeps its
 * data, so it faults the same page back.  The region keeps its name, for
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

/* Read X, say so on `ready`, wait for `go` to end, read X again. */
static void child(volatile char *x, int ready, int go, int go_w)
{
	char c = x[0];

	close(go_w);
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) < 0)
		_exit(1);
	_exit(x[0] == 1 ? 0 : 1);
}

int main(int argc, char **argv)
{
	volatile char *x;
	unsigned n;
	int ready[2], go[2], status, bad = 0;
	char c;

	if (argc != 2)
		return 2;
	n = (unsigned)atoi(argv[1]);
	x = map_region();
	x[0] = 1;
	if (pipe(ready) || pipe(go))
		return 1;
	for (unsigned i = 0; i < n; i++)
		if (fork() == 0)
			child(x, ready[1], go[0], go[1]);
	for (unsigned i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1 || c != 1)
			return 1;
	if (madvise((void *)x, PAGE, MADV_DONTNEED))
		return 1;
	close(go[1]);
	while (wait(&status) > 0)
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	printf("%u sharers read X again, %d failed\n", n - bad, bad);
	return bad != 0;
}
