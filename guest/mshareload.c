/*
 * mshareload N K MODE ACCESS: N processes, one after the other, map the same
 * region of one 512 GiB top-level slot at 2 TiB and touch (ACCESS: read or
 * write) its first K pages, then wait until all have touched.  MODE mshare:
 * the region is an mshare file; MODE shmem: ordinary shared anonymous memory
 * the parent maps before forking.  With everyone still alive it prints the
 * system's page-table memory (/proc/meminfo PageTables); mmusim's --stats
 * counts the faults.  tests/integration/test_mshare.c has the hand-computed
 * values.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msharefs.h"

#define START ((uint64_t)2 << 40)
#define SPAN ((uint64_t)512 << 30)
#define PAGE 4096
#define REGION MSHARE_DIR "load"
#define MSHARE_DIR "/sys/fs/mshare/"

static int region_fd(unsigned pages)
{
	int fd = open(REGION, O_RDWR | O_CREAT | O_EXCL, 0600);
	struct mshare_info info = { START, SPAN };
	struct mshare_create mc = { START, (uint64_t)pages * PAGE, 0, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_FIXED, -1 };

	if (fd < 0 || ioctl(fd, MSHAREFS_SET_SIZE, &info) ||
	    ioctl(fd, MSHAREFS_CREATE_MAPPING, &mc)) {
		perror("mshareload: region");
		exit(1);
	}
	return fd;
}

/* Touch the pages, say so on `done`, and wait for `go` to reach its end
 * (`go_w`, its write end, is the parent's alone). */
static void child(int fd, unsigned pages, int writes, int done, int go, int go_w)
{
	volatile char *p = (char *)START;
	char c;

	if (fd >= 0)
		p = mmap((void *)START, SPAN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		_exit(1);
	for (unsigned i = 0; i < pages; i++) {
		if (writes)
			p[(uint64_t)i * PAGE] = 1;
		else
			c = p[(uint64_t)i * PAGE];
	}
	(void)c;
	close(go_w);
	if (write(done, "x", 1) != 1 || read(go, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

static void print_page_tables(void)
{
	char line[128];
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "PageTables:", 11))
			fputs(line, stdout);
	if (f)
		fclose(f);
}

int main(int argc, char **argv)
{
	unsigned n, pages;
	int mshare, writes, done[2], go[2], fd = -1;
	char c;

	if (argc != 5)
		return 2;
	n = (unsigned)atoi(argv[1]);
	pages = (unsigned)atoi(argv[2]);
	mshare = !strcmp(argv[3], "mshare");
	writes = !strcmp(argv[4], "write");
	if (mshare)
		fd = region_fd(pages);
	else if (mmap((void *)START, (uint64_t)pages * PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return 1;
	if (pipe(done) || pipe(go))
		return 1;
	for (unsigned i = 0; i < n; i++) {
		if (fork() == 0)
			child(fd, pages, writes, done[1], go[0], go[1]);
		if (read(done[0], &c, 1) != 1)
			return 1;
	}
	print_page_tables();
	close(go[1]);
	while (wait(NULL) > 0)
		;
	if (mshare)
		unlink(REGION);
	return 0;
}
