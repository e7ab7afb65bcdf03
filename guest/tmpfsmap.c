/*
 * tmpfsmap: mappings of files of a tmpfs (shmem) file system.
 *
 *   tmpfsmap DIR      in DIR, an empty writable directory on a tmpfs
 *
 * A store through a MAP_SHARED mapping is what read(2) and another mapping
 * see, a write(2) is what the mappings see, a private mapping copies on
 * its first store only; do_mmap's access checks (EACCES, ENODEV); an
 * O_TMPFILE file's fallocated pages are not resident until touched
 * (mincore).  One line per step; builds for the host too, to ask the real
 * kernel (in a directory of its /dev/shm): the two outputs must be equal.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG 4096

static const char *errname(int err)
{
	switch (err) {
	case EACCES: return "EACCES";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case EBADF: return "EBADF";
	default: return strerror(err);
	}
}

static void show(const char *what, long ret)
{
	printf("%-40s %s\n", what, ret >= 0 ? "ok" : errname(errno));
}

static void show_map(const char *what, void *p)
{
	show(what, p == MAP_FAILED ? -1 : 0);
	if (p != MAP_FAILED)
		munmap(p, PG);
}

static char byte_at(int fd, off_t off)
{
	char c = '?';

	if (pread(fd, &c, 1, off) != 1)
		return '!';
	return c ? c : '0';
}

/* Shared and private mappings of one file and what read(2) sees. */
static void shared_and_private(void)
{
	int fd = open("m", O_RDWR | O_CREAT | O_EXCL, 0644);

	show("write hello", write(fd, "hello", 5));
	show("ftruncate 2 pages", ftruncate(fd, 2 * PG));
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *q = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
	char *r = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);

	if (p == MAP_FAILED || q == MAP_FAILED || r == MAP_FAILED) {
		printf("mmap: %s\n", errname(errno));
		return;
	}
	printf("shared map reads %.5s\n", p);
	p[1] = 'A';
	p[PG] = 'B';
	printf("after stores: read(2) %c %c, other map %c %c, private map %c %c\n", byte_at(fd, 1),
	       byte_at(fd, PG), q[1], q[PG], r[1], r[PG]);
	r[0] = 'x';
	printf("after a private store: read(2) %c, shared %c, private %c\n", byte_at(fd, 0), p[0], r[0]);
	show("pwrite Z at 2 and Y at page 1 + 3", pwrite(fd, "Z", 1, 2) + pwrite(fd, "Y", 1, PG + 3));
	printf("after pwrite: shared %c %c, private %c (copied) %c (not yet)\n", p[2], p[PG + 3], r[2],
	       r[PG + 3]);
	show("msync", msync(p, 2 * PG, MS_SYNC));
	munmap(p, 2 * PG);
	munmap(q, 2 * PG);
	munmap(r, 2 * PG);
	close(fd);
}

/* mmap's checks of the open file: read access always, write access for a
 * shared writable mapping, and not an appending file; directories have no
 * mmap. */
static void access_checks(void)
{
	int ro = open("m", O_RDONLY), wo = open("m", O_WRONLY), ap = open("m", O_RDWR | O_APPEND);
	int dir = open(".", O_RDONLY | O_DIRECTORY);

	show_map("O_RDONLY shared PROT_WRITE", mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
	show_map("O_RDONLY shared PROT_READ", mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0));
	show_map("O_RDONLY private PROT_WRITE", mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
	show_map("O_WRONLY shared PROT_WRITE", mmap(NULL, PG, PROT_WRITE, MAP_SHARED, wo, 0));
	show_map("O_APPEND shared PROT_WRITE", mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0));
	show_map("O_APPEND shared PROT_READ", mmap(NULL, PG, PROT_READ, MAP_SHARED, ap, 0));
	show_map("directory", mmap(NULL, PG, PROT_READ, MAP_SHARED, dir, 0));
	close(ro);
	close(wo);
	close(ap);
	close(dir);
}

/* An O_TMPFILE file: no name, fallocated pages not resident until touched. */
static void tmpfile_pages(void)
{
	unsigned char vec[4];
	struct stat st;
	int fd = open(".", O_TMPFILE | O_RDWR, 0600);

	show("O_TMPFILE O_RDONLY", open(".", O_TMPFILE | O_RDONLY, 0600));
	show("O_TMPFILE O_RDWR", fd);
	fstat(fd, &st);
	printf("O_TMPFILE: mode %o nlink %lu size %lld\n", st.st_mode, (unsigned long)st.st_nlink,
	       (long long)st.st_size);
	show("fallocate 4 pages", fallocate(fd, 0, 0, 4 * PG));
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	mincore(p, 4 * PG, vec);
	printf("resident after fallocate: %d%d%d%d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
	p[2 * PG] = 1;
	mincore(p, 4 * PG, vec);
	printf("resident after a store: %d%d%d%d\n", vec[0] & 1, vec[1] & 1, vec[2] & 1, vec[3] & 1);
	munmap(p, 4 * PG);
	close(fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(022);
	if (argc != 2 || chdir(argv[1]) < 0) {
		fprintf(stderr, "usage: tmpfsmap DIR (an empty directory on a tmpfs)\n");
		return 2;
	}
	shared_and_private();
	access_checks();
	tmpfile_pages();
	return 0;
}
