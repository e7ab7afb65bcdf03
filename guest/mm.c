/*
 * mm: the memory-mapping system calls, one check per line.
 *
 *   mm [--strict] [FILE]
 *
 * Anonymous private and shared mappings, address hints, MAP_FIXED,
 * MAP_FIXED_NOREPLACE, MAP_POPULATE, munmap of a hole in the middle of a
 * mapping, mprotect and back, mremap growing in place and moving, madvise
 * (MADV_DONTNEED zeroes private anonymous memory), and, with FILE, a private
 * file mapping compared with read().  Prints "ok NAME" or "FAIL NAME" per
 * check (never an address) and exits 1 if any check failed.
 *
 * mmap(2) allows a kernel that does not know MAP_FIXED_NOREPLACE to treat it
 * as a hint and map elsewhere; qemu-aarch64 7.2 does so.  By default that
 * passes too (the program unmaps the stray mapping); --strict demands
 * EEXIST, as Linux since 4.17 and mmusim answer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PG 4096UL
#define RW (PROT_READ | PROT_WRITE)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
/* Addresses for the fixed mappings, far from anything the loader uses. */
#define HINT ((void *)0x300000000UL)
#define FIXED ((char *)0x310000000UL)

static int failures;
static int strict;

static void check(int ok, const char *name)
{
	printf("%s %s\n", ok ? "ok" : "FAIL", name);
	failures += !ok;
}

/* A call that must fail with `err`. */
static void check_err(long ret, int err, const char *name)
{
	int ok = ret == -1 && errno == err;

	printf("%s %s\n", ok ? "ok" : "FAIL", name);
	if (!ok)
		printf("  (returned %ld, errno %d: %s)\n", ret, errno, strerror(errno));
	failures += !ok;
}

static int all_bytes(const char *p, size_t len, char c)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

static void *map(void *addr, size_t len, int prot, int flags)
{
	return mmap(addr, len, prot, flags, -1, 0);
}

/* MAP_FIXED_NOREPLACE over a mapping: EEXIST (or, unless --strict, an
 * address other than the one asked for). */
static void check_noreplace(char *addr, size_t len, const char *name)
{
	char *p;

	errno = 0;
	p = map(addr, len, RW, ANON | MAP_FIXED_NOREPLACE);
	if (!strict && p != MAP_FAILED && p != addr) {
		munmap(p, len);
		check(1, name);
		return;
	}
	check_err((long)p, EEXIST, name);
}

static void test_anonymous(void)
{
	char *p = map(NULL, 4 * PG, RW, ANON), *s;

	check(p != MAP_FAILED && ((uintptr_t)p & (PG - 1)) == 0, "anonymous private mmap, page aligned");
	check(all_bytes(p, 4 * PG, 0), "anonymous memory is zero-filled");
	memset(p, 'a', 4 * PG);
	check(all_bytes(p, 4 * PG, 'a'), "anonymous private memory keeps writes");
	check(munmap(p, 4 * PG) == 0, "munmap of a whole mapping");

	s = map(NULL, 3 * PG, RW, MAP_SHARED | MAP_ANONYMOUS);
	check(s != MAP_FAILED && all_bytes(s, 3 * PG, 0), "anonymous shared mmap, zero-filled");
	memset(s + PG, 's', PG);
	check(all_bytes(s + PG, PG, 's') && all_bytes(s, PG, 0), "anonymous shared memory keeps writes");
	check(munmap(s, 3 * PG) == 0, "munmap of a shared mapping");

	errno = 0;
	check_err((long)map(NULL, 0, RW, ANON), EINVAL, "mmap of length 0 is EINVAL");
	check_err((long)map(NULL, PG, RW, MAP_ANONYMOUS), EINVAL, "mmap without PRIVATE or SHARED is EINVAL");
}

static void test_fixed(void)
{
	char *h = map(HINT, PG, RW, ANON), *f, *n;

	check(h == HINT, "a free hint address is honoured");
	check(munmap(h, PG) == 0, "munmap of the hinted mapping");

	f = map(FIXED, 4 * PG, RW, ANON | MAP_FIXED);
	check(f == FIXED, "MAP_FIXED maps at the address");
	memset(f, 'f', 4 * PG);
	n = map(FIXED + PG, PG, RW, ANON | MAP_FIXED);
	check(n == FIXED + PG && all_bytes(n, PG, 0), "MAP_FIXED over a mapping replaces it with zeroes");
	check(all_bytes(FIXED, PG, 'f') && all_bytes(FIXED + 2 * PG, 2 * PG, 'f'),
	      "MAP_FIXED leaves the neighbours alone");
	check_noreplace(FIXED + 2 * PG, PG, "MAP_FIXED_NOREPLACE over a mapping is refused");
	check(all_bytes(FIXED + 2 * PG, PG, 'f'), "the failed MAP_FIXED_NOREPLACE changed nothing");
	check_err((long)map(FIXED + 100, PG, RW, ANON | MAP_FIXED), EINVAL, "MAP_FIXED at an unaligned address is EINVAL");

	/* A hint on a mapped range is moved elsewhere, not obeyed. */
	n = map(FIXED, PG, RW, ANON);
	check(n != MAP_FAILED && n != FIXED && all_bytes(FIXED, PG, 'f'), "a hint over a mapping is not obeyed");
	munmap(n, PG);
	check(munmap(FIXED, 4 * PG) == 0, "munmap of the fixed mapping");

	n = map(NULL, 8 * PG, RW, ANON | MAP_POPULATE);
	check(n != MAP_FAILED && all_bytes(n, 8 * PG, 0), "MAP_POPULATE mapping is zero-filled");
	n[8 * PG - 1] = 'p';
	check(n[8 * PG - 1] == 'p', "MAP_POPULATE mapping is writable");
	munmap(n, 8 * PG);
}

static void test_munmap_hole(void)
{
	char *p = map(NULL, 5 * PG, RW, ANON), *hole;

	memset(p, 'h', 5 * PG);
	check(munmap(p + 2 * PG, PG) == 0, "munmap of the middle page of five");
	check(all_bytes(p, 2 * PG, 'h') && all_bytes(p + 3 * PG, 2 * PG, 'h'),
	      "pages around the hole keep their contents");
	check_noreplace(p, 5 * PG, "MAP_FIXED_NOREPLACE over the holed range is refused");
	hole = map(p + 2 * PG, PG, RW, ANON | MAP_FIXED_NOREPLACE);
	check(hole == p + 2 * PG, "MAP_FIXED_NOREPLACE into the hole succeeds");
	check(hole != MAP_FAILED && all_bytes(hole, PG, 0), "the refilled hole is zero");
	check(munmap(p + 2 * PG, PG) == 0 && munmap(p + 2 * PG, PG) == 0,
	      "munmap of an unmapped range succeeds");
	check_err(munmap(p + 1, PG), EINVAL, "munmap of an unaligned address is EINVAL");
	check_err(munmap(p, 0), EINVAL, "munmap of length 0 is EINVAL");
	check(munmap(p, 5 * PG) == 0, "munmap across the hole");
}

static void test_mprotect(void)
{
	char *p = map(NULL, 3 * PG, RW, ANON);

	memset(p, 'm', 3 * PG);
	check(mprotect(p + PG, PG, PROT_READ) == 0, "mprotect of the middle page to read-only");
	check(all_bytes(p, 3 * PG, 'm'), "read-only page still reads");
	check(mprotect(p + PG, PG, PROT_NONE) == 0, "mprotect to PROT_NONE");
	check(mprotect(p + PG, PG, RW) == 0, "mprotect back to read-write");
	memset(p + PG, 'n', PG);
	check(all_bytes(p + PG, PG, 'n') && all_bytes(p, PG, 'm') && all_bytes(p + 2 * PG, PG, 'm'),
	      "restored page is writable and kept its neighbours");
	check_err(mprotect(p + 1, PG, PROT_READ), EINVAL, "mprotect of an unaligned address is EINVAL");
	munmap(p, 3 * PG);
	check_err(mprotect(p, PG, PROT_READ), ENOMEM, "mprotect of an unmapped range is ENOMEM");
}

static void test_mremap(void)
{
	char *p = map(NULL, 4 * PG, RW, ANON), *q, *blocker;

	/* Free the upper half so the lower half can grow into it. */
	memset(p, 'r', 2 * PG);
	munmap(p + 2 * PG, 2 * PG);
	q = mremap(p, 2 * PG, 4 * PG, 0);
	check(q == p, "mremap grows in place");
	check(q != MAP_FAILED && all_bytes(q, 2 * PG, 'r') && all_bytes(q + 2 * PG, 2 * PG, 0),
	      "in-place growth keeps contents and adds zeroes");
	q = mremap(p, 4 * PG, PG, 0);
	check(q == p && all_bytes(p, PG, 'r'), "mremap shrinks in place");

	/* Block the growth with a page right after it. */
	blocker = map(p + PG, PG, PROT_READ, ANON | MAP_FIXED_NOREPLACE);
	check(blocker == p + PG, "a blocking page after the mapping");
	check_err((long)mremap(p, PG, 3 * PG, 0), ENOMEM, "mremap without MREMAP_MAYMOVE cannot grow into it");
	q = mremap(p, PG, 16 * PG, MREMAP_MAYMOVE);
	check(q != MAP_FAILED && q != p, "mremap with MREMAP_MAYMOVE moves the mapping");
	check(q != MAP_FAILED && all_bytes(q, PG, 'r') && all_bytes(q + PG, 15 * PG, 0),
	      "the moved mapping keeps its contents");
	check(map(p, PG, RW, ANON | MAP_FIXED_NOREPLACE) == p, "the old address is free after the move");
	munmap(p, PG);
	munmap(blocker, PG);
	munmap(q, 16 * PG);
	check_err((long)mremap(p + 1, PG, 2 * PG, MREMAP_MAYMOVE), EINVAL, "mremap of an unaligned address is EINVAL");
}

static void test_madvise(void)
{
	char *p = map(NULL, 4 * PG, RW, ANON);

	memset(p, 'd', 4 * PG);
	check(madvise(p, 4 * PG, MADV_WILLNEED) == 0 && all_bytes(p, 4 * PG, 'd'),
	      "MADV_WILLNEED keeps contents");
	check(madvise(p + PG, 2 * PG, MADV_DONTNEED) == 0, "madvise MADV_DONTNEED");
	check(all_bytes(p + PG, 2 * PG, 0), "MADV_DONTNEED zeroes private anonymous pages");
	check(all_bytes(p, PG, 'd') && all_bytes(p + 3 * PG, PG, 'd'), "MADV_DONTNEED spares the rest");
	check_err(madvise(p + 1, PG, MADV_DONTNEED), EINVAL, "madvise of an unaligned address is EINVAL");
	munmap(p, 4 * PG);
}

static void test_file(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	char *buf, *p;
	size_t len, maplen;
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size < 1) {
		check(0, "open a non-empty file to map");
		return;
	}
	len = (size_t)st.st_size;
	maplen = (len + PG - 1) & ~(PG - 1);
	buf = malloc(len);
	n = pread(fd, buf, len, 0);
	p = mmap(NULL, len, RW, MAP_PRIVATE, fd, 0);
	check(p != MAP_FAILED, "private file mapping");
	if (p == MAP_FAILED)
		return;
	check(n == (ssize_t)len && memcmp(p, buf, len) == 0, "the file mapping matches read()");
	check(all_bytes(p + len, maplen - len, 0), "the mapping is zero after the end of the file");
	p[0] ^= 0x55;
	check(pread(fd, buf, 1, 0) == 1 && buf[0] != p[0], "writes to a private mapping stay private");
	munmap(p, len);

	if (len > PG) {
		p = mmap(NULL, len - PG, PROT_READ, MAP_PRIVATE, fd, PG);
		n = pread(fd, buf, len - PG, PG);
		check(p != MAP_FAILED && n == (ssize_t)(len - PG) && memcmp(p, buf, len - PG) == 0,
		      "a file mapping from offset 4096 matches pread()");
		munmap(p, len - PG);
	}
	check_err((long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100), EINVAL,
		  "a file mapping at an unaligned offset is EINVAL");
	check_err((long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES,
		  "a writable shared mapping of a read-only descriptor is EACCES");
	close(fd);
	check_err((long)mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0), EBADF,
		  "a file mapping of a closed descriptor is EBADF");
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--strict")) {
		strict = 1;
		argc--;
		argv++;
	}
	test_anonymous();
	test_fixed();
	test_munmap_hole();
	test_mprotect();
	test_mremap();
	test_madvise();
	if (argc > 1)
		test_file(argv[1]);
	printf("%d failure%s\n", failures, failures == 1 ? "" : "s");
	return failures ? 1 : 0;
}
