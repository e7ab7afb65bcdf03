/*
 * memfd: memfd_create(2) and its seals (fcntl F_ADD_SEALS, F_GET_SEALS),
 * errno by errno, and the vectored positioned calls (preadv, pwritev,
 * preadv2, pwritev2) and ftruncate on it.  A MAP_SHARED mapping and
 * write(2) must see the same bytes, and a child sees its parent's writes.
 * madvise(MADV_REMOVE) works through a shared mapping only.  Shrinking
 * takes the pages past the new end from a shared and a private mapping
 * (SIGBUS there).
 * Prints one line per check.  Built for the guest and, as the oracle, for
 * the host, whose kernel must print the same.  Exit status: 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdtest.h"

#define PAGE 4096

static long size_of(int fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 ? -1 : (long)st.st_size;
}

static void create_checks(void)
{
	char name[300];
	struct stat st;
	int fd;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	show("bad flags", memfd_create("x", 0x100));
	show("wild name", syscall(SYS_memfd_create, wild, 0));
	show("name too long", memfd_create(name, 0));
	fd = memfd_create("plain", MFD_CLOEXEC);
	show("cloexec", fcntl(fd, F_GETFD));
	fstat(fd, &st);
	printf("fstat: regular %d mode %o size %ld\n", S_ISREG(st.st_mode), st.st_mode & 0777,
	       (long)st.st_size);
	show("get seals without sealing", fcntl(fd, F_GET_SEALS));
	show("add seals without sealing", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	show("seals on a pipe", fcntl(0, F_GET_SEALS) < 0 && errno == EINVAL ? 0 : 1);
}

static void data_checks(void)
{
	int fd = memfd_create("data", 0), status;
	char buf[32] = { 0 }, a[4] = "abc", b[4] = "XYZ";
	struct iovec iov[2] = { { a, 3 }, { b, 3 } };
	char *map;
	pid_t pid;

	show("write", write(fd, "hello memfd", 11));
	show("size", size_of(fd));
	show("lseek", lseek(fd, 0, SEEK_SET));
	show("read", read(fd, buf, sizeof(buf)));
	printf("  \"%s\"\n", buf);
	show("ftruncate 8192", ftruncate(fd, 8192));
	show("size", size_of(fd));
	show("ftruncate -1", ftruncate(fd, -1));
	show("ftruncate bad fd", ftruncate(999, 0));
	map = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	show("mmap shared", map == MAP_FAILED ? -1 : 0);
	printf("  mapping sees \"%.11s\"\n", map);
	memcpy(map + 4096, "through the map", 15);
	memset(buf, 0, sizeof(buf));
	show("pread at 4096", pread(fd, buf, 15, 4096));
	printf("  \"%s\"\n", buf);
	pid = fork();
	if (pid == 0) {
		pwrite(fd, "CHILD", 5, 0);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	printf("  after the child wrote: \"%.11s\"\n", map);
	show("pwritev", pwritev(fd, iov, 2, 100));
	memset(buf, 0, sizeof(buf));
	iov[0] = (struct iovec){ buf, 2 };
	iov[1] = (struct iovec){ buf + 10, 4 };
	show("preadv", preadv(fd, iov, 2, 100));
	printf("  \"%.2s\" \"%.4s\"\n", buf, buf + 10);
	show("preadv2 at -1", preadv2(fd, iov, 1, -1, 0));
	show("preadv2 unknown flag", preadv2(fd, iov, 1, 0, 0x10000));
	show("pwritev2 unknown flag", pwritev2(fd, iov, 1, 0, 0x10000));
	show("preadv2 RWF_HIPRI", preadv2(fd, iov, 1, 0, RWF_HIPRI));
	show("preadv -2", preadv(fd, iov, 1, -2));
	show("preadv wild iov", preadv(fd, wild, 1, 0));
	show("ftruncate 3", ftruncate(fd, 3));
	memset(buf, 0, sizeof(buf));
	show("read after shrink", pread(fd, buf, sizeof(buf), 0));
	show("ftruncate back up", ftruncate(fd, 8));
	show("pread zeroes past old end", pread(fd, buf, 8, 0));
	printf("  %d %d %d %d\n", buf[2], buf[3], buf[4], buf[7]);
	munmap(map, 8192);
	{
		int p[2];

		pipe(p);
		show("ftruncate a pipe", ftruncate(p[1], 0));
		show("preadv a pipe", preadv(p[0], iov, 1, 0));
		show("ftruncate read-only", ftruncate(open("/proc/self/exe", O_RDONLY), 0));
	}
}

static void seal_checks(void)
{
	int fd = memfd_create("sealed", MFD_ALLOW_SEALING);
	char *map, *ro;

	show("seals at first", fcntl(fd, F_GET_SEALS));
	show("unknown seal", fcntl(fd, F_ADD_SEALS, 0x100));
	write(fd, "0123456789", 10);
	show("seal shrink", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
	show("shrink", ftruncate(fd, 5));
	show("grow", ftruncate(fd, 20));
	show("seal grow", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
	show("grow sealed", ftruncate(fd, 30));
	show("same size", ftruncate(fd, 20));
	show("write past the end", pwrite(fd, "x", 1, 20));
	show("write inside", pwrite(fd, "x", 1, 19));
	show("fallocate inside", fallocate(fd, 0, 0, 20));
	show("fallocate past the end, sealed", fallocate(fd, 0, 0, 8192));
	show("fallocate past the end, keep size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, 8192));
	show("size", size_of(fd));
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	show("seal write with a shared mapping", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	munmap(map, 4096);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	show("seal write with a private mapping", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	map[0] = 'P';
	show("write sealed", write(fd, "x", 1));
	show("mmap shared writable", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0);
	ro = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	show("mmap shared read-only", ro == MAP_FAILED ? -1 : 0);
	show("private copy stays private", ro[0] == '0' && map[0] == 'P');
	show("seals now", fcntl(fd, F_GET_SEALS));
	show("seal seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
	show("add after seal seal", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	show("seals at last", fcntl(fd, F_GET_SEALS));

	fd = memfd_create("future", MFD_ALLOW_SEALING);
	ftruncate(fd, 4096);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	show("future write with a shared mapping", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
	map[0] = 'M';
	show("old mapping still writes", pread(fd, map + 8, 1, 0) == 1 && map[8] == 'M');
	show("write after future write", write(fd, "x", 1));
	show("new shared writable mapping", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0);
}

/* madvise(MADV_REMOVE) punches a hole through a shared writable mapping
 * only: a private mapping of the memfd is EACCES, anonymous private
 * memory EINVAL. */
static void remove_checks(void)
{
	int fd = memfd_create("remove", 0);
	char *shared, *ro, *priv, *anon;

	ftruncate(fd, 2 * PAGE);
	pwrite(fd, "kept", 4, 0);
	shared = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ro = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	priv = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	anon = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	show("remove private memfd mapping", madvise(priv, PAGE, MADV_REMOVE));
	show("remove anonymous private", madvise(anon, PAGE, MADV_REMOVE));
	show("remove read-only shared", madvise(ro + PAGE, PAGE, MADV_REMOVE));
	printf("  still there: \"%.4s\"\n", shared);
	show("remove shared writable", madvise(shared, PAGE, MADV_REMOVE));
	printf("  after: %d\n", shared[0]);
	munmap(shared, 2 * PAGE);
	munmap(ro, 2 * PAGE);
	munmap(priv, 2 * PAGE);
	munmap(anon, PAGE);
	close(fd);
}

static sigjmp_buf bus_jump;

static void on_sigbus(int sig)
{
	siglongjmp(bus_jump, sig);
}

/* Read (or write, when `value` is not 0) the byte at p: its value, or
 * SIGBUS. */
static void touch(const char *what, volatile char *p, char value)
{
	if (sigsetjmp(bus_jump, 1)) {
		printf("%s: SIGBUS\n", what);
		return;
	}
	if (value)
		*p = value;
	printf("%s: %d\n", what, *p);
}

/* ftruncate to a smaller size takes the pages past the new end from every
 * mapping, a private mapping's own copies too: an access there is
 * SIGBUS; the page the end falls in stays (its tail reads zeroes through
 * a shared mapping, a private copy keeps its bytes).  Grown again, the
 * file reads zeroes there. */
static void shrink_checks(void)
{
	int fd = memfd_create("shrink", 0);
	char *shared, *priv;

	signal(SIGBUS, on_sigbus);
	ftruncate(fd, 4 * PAGE);
	for (int i = 0; i < 4; i++)
		pwrite(fd, "0123" + i, 1, i * PAGE);
	shared = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	priv = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	touch("shared page 2", shared + 2 * PAGE, 'S');
	touch("private copy of page 0", priv, 'P');
	touch("private copy of page 1", priv + PAGE + 200, 'Q');
	touch("private copy of page 2", priv + 2 * PAGE, 'R');
	touch("private read of page 3", priv + 3 * PAGE, 0);
	show("shrink to a page and 100 bytes", ftruncate(fd, PAGE + 100));
	touch("shared page 0", shared, 0);
	touch("shared page 1 inside", shared + PAGE, 0);
	touch("shared page 1 past the end", shared + PAGE + 200, 0);
	touch("shared page 2", shared + 2 * PAGE, 0);
	touch("shared page 3 write", shared + 3 * PAGE, 'W');
	touch("private page 0", priv, 0);
	touch("private page 1 past the end", priv + PAGE + 200, 0);
	touch("private page 2", priv + 2 * PAGE, 0);
	touch("private page 3", priv + 3 * PAGE, 0);
	touch("private page 3 write", priv + 3 * PAGE, 'X');
	show("grow back", ftruncate(fd, 4 * PAGE));
	touch("shared page 2", shared + 2 * PAGE, 0);
	touch("private page 2", priv + 2 * PAGE, 0);
	touch("private page 3", priv + 3 * PAGE, 0);
	signal(SIGBUS, SIG_DFL);
	munmap(shared, 4 * PAGE);
	munmap(priv, 4 * PAGE);
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	create_checks();
	data_checks();
	seal_checks();
	remove_checks();
	shrink_checks();
	return 0;
}
