/*
 * mshare: the rules and errno of the mshare RFC v3 (../shared/notes/designs.md
 * section 2) and its documentation's create/size/map/use sequence, in a
 * creator and a second process.  One line per call: "what: N" or
 * "what: ENAME" (guest/fdtest.h); the expected lines are in
 * tests/integration/test_mshare.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdtest.h"
#include "msharefs.h"
#include "mshareutil.h"

#define GiB (UINT64_C(1) << 30)
#define TB(n) ((uint64_t)(n) << 40)
#define SPAN (512 * GiB)	/* PGDIR_SIZE: 4 KiB pages, 4 levels */
#define MDIR "/sys/fs/mshare/"

static long set_size(int fd, uint64_t start, uint64_t size)
{
	struct mshare_info info = { start, size };

	return ioctl(fd, MSHAREFS_SET_SIZE, &info);
}

static long create(int fd, uint64_t addr, uint64_t size, unsigned flags, unsigned mfd)
{
	struct mshare_create mc = { addr, size, 0, PROT_READ | PROT_WRITE, flags, mfd };

	return ioctl(fd, MSHAREFS_CREATE_MAPPING, &mc);
}

/* A region of 2^63 bytes at 2 TiB: aligned, but past user space. */
static void absurd_set_size(void)
{
	int fd = open(MDIR "absurd", O_RDWR | O_CREAT | O_EXCL, 0600);

	show("set size absurd", set_size(fd, TB(2), UINT64_C(1) << 63));
	close(fd);
	unlink(MDIR "absurd");
}

/* The RFC's ioctls on a file of another file system (a memfd). */
static void ordinary_file_ioctl(void)
{
	struct mshare_info info;
	int fd = memfd_create("plain", 0);

	show("ioctl on an ordinary file", ioctl(fd, MSHAREFS_GET_SIZE, &info));
	close(fd);
}

static void show_size(const char *what, int fd)
{
	struct mshare_info info = { 1, 1 };
	long ret = ioctl(fd, MSHAREFS_GET_SIZE, &info);

	if (ret < 0)
		show(what, ret);
	else
		printf("%s: start %#llx size %#llx\n", what, (unsigned long long)info.start,
		       (unsigned long long)info.size);
}

static long map(void *addr, uint64_t len, int prot, int flags, int fd)
{
	void *p = mmap(addr, len, prot, flags, fd, 0);

	return p == MAP_FAILED ? -1 : p == addr ? 0 : 1;	/* 0: where asked */
}

static void list_dir(void)
{
	DIR *d = opendir(MDIR);
	struct dirent *e;

	printf("listing:");
	while (d && (e = readdir(d)))
		printf(" %s", e->d_name);
	printf("\n");
	if (d)
		closedir(d);
}

static void info_and_names(void)
{
	int fd = open(MDIR "mshare_info", O_RDONLY);

	show("mount msharefs", mount("msharefs", MDIR, "msharefs", 0, NULL));
	show("mount msharefs elsewhere", mount("msharefs", "/sys", "msharefs", 0, NULL));
	show("mount unknown type", mount("none", MDIR, "nosuchfs", 0, NULL));
	show_read("read mshare_info", fd);
	show("ioctl on mshare_info", ioctl(fd, MSHAREFS_GET_SIZE, wild));
	close(fd);
	show("unlink mshare_info", unlink(MDIR "mshare_info"));
	show("rename mshare_info", rename(MDIR "mshare_info", MDIR "other"));
	fd = open(MDIR, O_RDONLY | O_DIRECTORY);
	show("ioctl on the directory", ioctl(fd, MSHAREFS_GET_SIZE, wild));
	close(fd);
}

/* The second process of the documentation: open, GET_SIZE, map, use (the
 * fork child first reads through the mapping it inherited, then drops it). */
static void attach_and_write(void)
{
	int fd = open(MDIR "shareme", O_RDWR);
	struct mshare_info info;
	char *p;

	printf("child inherits: %c\n", *(char *)TB(2));
	show("child munmap", munmap((void *)TB(2), SPAN));
	ioctl(fd, MSHAREFS_GET_SIZE, &info);
	p = mmap((void *)info.start, info.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	printf("child reads: %c\n", p == MAP_FAILED ? '?' : p[0]);
	if (p != MAP_FAILED)
		p[4096] = 'y';
	fflush(stdout);
	_exit(0);
}

/* A region outlives its creator: the name keeps it. */
static void create_keep(void)
{
	int fd = open(MDIR "keep", O_RDWR | O_CREAT | O_EXCL, 0600);
	char *p;

	set_size(fd, TB(4), SPAN);
	create(fd, TB(4), 1 << 20, MAP_SHARED | MAP_FIXED, -1);
	p = mmap((void *)TB(4), SPAN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED)
		strcpy(p, "kept");
	_exit(0);
}

static void run_child(void (*fn)(void))
{
	pid_t pid;

	fflush(stdout);
	pid = fork();

	if (pid == 0)
		fn();
	waitpid(pid, NULL, 0);
}

/* A store through the read-only mapping of "keep" at 4 TiB, whose page the
 * host maps writable, after a load linked the tables: SIGSEGV unless the
 * shared tables let it through. */
static void write_read_only(void)
{
	volatile char *keep = (char *)TB(4);

	if (keep[0] == 'k')
		keep[0] = 'W';
	_exit(0);
}

/* The same store from the kernel: read(2) into the page. */
static void read_into_read_only(void)
{
	int fds[2];

	if (pipe(fds) || write(fds[1], "R", 1) != 1)
		printf("pipe: %s\n", strerror(errno));
	show("read(2) into a read-only mapping", read(fds[0], (void *)TB(4), 1));
	close(fds[0]);
	close(fds[1]);
}

/* VmPTE of /proc/self/status, in kB; -1 if missing. */
static long vm_pte_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmPTE:", 6))
			kb = strtol(line + 6, NULL, 10);
	if (f)
		fclose(f);
	return kb;
}

int main(void)
{
	int fd, ro;
	long pte_kb;
	char *p;
	struct stat st;

	info_and_names();
	fd = open(MDIR "shareme", O_RDWR | O_CREAT | O_EXCL, 0600);
	show("create shareme", fd >= 0 ? 0 : -1);
	show("create shareme again", open(MDIR "shareme", O_RDWR | O_CREAT | O_EXCL, 0600));
	show("rename onto mshare_info", rename(MDIR "shareme", MDIR "mshare_info"));
	show_size("size before set-up", fd);
	show("create mapping before set-up", create(fd, TB(2), 1 << 20, MAP_SHARED | MAP_FIXED, -1));
	show("mmap before set-up", map((void *)TB(2), SPAN, PROT_READ, MAP_SHARED, fd));
	show("set size misaligned start", set_size(fd, TB(2) + 4096, SPAN));
	show("set size misaligned end", set_size(fd, TB(2), SPAN / 2));
	absurd_set_size();
	show("set size", set_size(fd, TB(2), 2 * SPAN));
	show("set size again", set_size(fd, TB(3), SPAN));
	show_size("size", fd);
	show("get size wild", ioctl(fd, MSHAREFS_GET_SIZE, wild));
	show("set size wild", ioctl(fd, MSHAREFS_SET_SIZE, wild));
	show("create mapping wild", ioctl(fd, MSHAREFS_CREATE_MAPPING, wild));
	show("unknown ioctl", ioctl(fd, _IOR('x', 3, struct mshare_info), wild));
	ordinary_file_ioctl();
	show("create mapping below", create(fd, TB(2) - 4096, 4096, MAP_SHARED | MAP_FIXED, -1));
	show("create mapping past end", create(fd, TB(3) - 4096, 8192, MAP_SHARED | MAP_FIXED, -1));
	show("create mapping not fixed", create(fd, TB(2), 1 << 20, MAP_SHARED, -1));
	show("create mapping private", create(fd, TB(2), 1 << 20, MAP_PRIVATE | MAP_FIXED, -1));
	show("create mapping fd 0", create(fd, TB(2), 1 << 20, MAP_SHARED | MAP_FIXED, 0));
	show("create mapping", create(fd, TB(2), 1 << 20, MAP_SHARED | MAP_FIXED, -1));
	show("create mapping absurd size", create(fd, TB(2), ~UINT64_C(0xfff), MAP_SHARED | MAP_FIXED,
						  -1));
	show("create mapping overlap", create(fd, TB(2) + 4096, 4096, MAP_SHARED | MAP_FIXED, -1));
	ro = open(MDIR "shareme", O_RDONLY);
	show("mmap shared writable of O_RDONLY", map((void *)TB(2), SPAN, PROT_READ | PROT_WRITE,
						     MAP_SHARED, ro));
	close(ro);
	show("mmap misaligned", map((void *)(TB(2) + 4096), SPAN, PROT_READ, MAP_SHARED, fd));
	show("mmap half a slot", map((void *)TB(2), SPAN / 2, PROT_READ, MAP_SHARED, fd));
	show("mmap past the region", map((void *)TB(2), 4 * SPAN, PROT_READ, MAP_SHARED, fd));
	show("mmap below the region", map((void *)(TB(2) - SPAN), SPAN, PROT_READ, MAP_SHARED, fd));
	show("mmap absurd length", map((void *)TB(2), UINT64_C(1) << 62, PROT_READ, MAP_SHARED, fd));
	show("mmap length 0", map((void *)TB(2), 0, PROT_READ, MAP_SHARED, fd));
	show("mmap", map((void *)TB(2), SPAN, PROT_READ | PROT_WRITE, MAP_SHARED, fd));
	p = (char *)TB(2);
	p[0] = 'x';
	show("munmap one page", munmap(p, 4096));
	show("mprotect one page", mprotect(p, 4096, PROT_READ));
	if (stat(MDIR "shareme", &st))
		show("stat shareme", -1);
	else
		printf("stat shareme: mode %o\n", st.st_mode);
	show("link shareme alias", link(MDIR "shareme", MDIR "alias"));
	show("link onto a name", link(MDIR "shareme", MDIR "alias"));
	show("link mshare_info", link(MDIR "mshare_info", MDIR "info2"));
	show("mkdir", mkdir(MDIR "dir", 0700));
	show("links of alias", stat(MDIR "alias", &st) ? -1 : (long)st.st_nlink);
	show("read a region file", read(fd, &st, 1));
	show("lseek a region file", lseek(fd, 0, SEEK_SET));
	list_dir();
	run_child(attach_and_write);
	printf("parent reads: %c\n", p[4096]);
	show("unlink shareme", unlink(MDIR "shareme"));
	show("links of alias", stat(MDIR "alias", &st) ? -1 : (long)st.st_nlink);
	show("unlink alias", unlink(MDIR "alias"));
	printf("still mapped: %c\n", p[0]);
	show("munmap", munmap(p, SPAN));
	close(fd);
	run_child(create_keep);
	fd = open(MDIR "keep", O_RDWR);
	pte_kb = vm_pte_kb();
	show("mmap keep", map((void *)TB(4), SPAN, PROT_READ, MAP_SHARED, fd));
	printf("keep reads: %s\n", (char *)TB(4));
	printf("VmPTE grew by linking: %ld kB\n", vm_pte_kb() - pte_kb);
	show_child_end("store through a read-only mapping", write_read_only);
	read_into_read_only();
	printf("keep reads: %s\n", (char *)TB(4));
	show("rename keep", rename(MDIR "keep", MDIR "kept"));
	show("open keep", open(MDIR "keep", O_RDWR));
	list_dir();
	return 0;
}
