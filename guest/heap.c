/*
 * heap: the program break and glibc's malloc on top of it.
 *
 * Grows the break with sbrk, writes and reads the new memory, shrinks it
 * back (and checks brk(2) refuses nothing it should allow); then mallocs
 * many small blocks (from the brk heap) and some large ones (above the
 * mmap threshold, so mmap/munmap), reallocs them, frees every other one,
 * and checks all contents.  Prints what it checked and a checksum of the
 * data; no addresses, so the output is the same on any kernel.
 * Exit status: 0, or 1 if a check failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NSMALL 2000
#define NLARGE 8
#define LARGE_SIZE (512 * 1024)	/* above glibc's default 128 KiB mmap threshold */

static int failures;
static uint64_t checksum = 1469598103934665603ULL;

/* Results are kept and printed later: printf may malloc, and malloc moves
 * the break, which the sbrk checks must have to themselves. */
static struct {
	int ok;
	const char *name;
} results[32];
static int nresults;

static void check(int ok, const char *name)
{
	results[nresults].ok = ok;
	results[nresults++].name = name;
	failures += !ok;
}

static void print_results(void)
{
	for (int i = 0; i < nresults; i++)
		printf("%s %s\n", results[i].ok ? "ok" : "FAIL", results[i].name);
	nresults = 0;
}

static void mix(uint64_t v)
{
	checksum = (checksum ^ v) * 1099511628211ULL;
}

/* Byte i of block number `id`. */
static unsigned char pattern(size_t id, size_t i)
{
	return (unsigned char)(id * 31 + i * 7 + (i >> 8));
}

static void fill(unsigned char *p, size_t id, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = pattern(id, i);
}

static int verify(const unsigned char *p, size_t id, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != pattern(id, i))
			return 0;
		mix(p[i]);
	}
	return 1;
}

static void test_sbrk(void)
{
	const intptr_t grow = 256 * 1024;
	char *start = sbrk(0), *old, *p;
	int ok = 1;

	old = sbrk(grow);
	check(old == start, "sbrk(+256K) returns the old break");
	check((char *)sbrk(0) == start + grow, "sbrk(0) is the new break");
	/* The new memory is zero-filled and writable. */
	for (p = start; p < start + grow; p += 4096)
		ok &= *p == 0;
	check(ok, "new break memory reads as zero");
	memset(start, 0x5a, (size_t)grow);
	ok = 1;
	for (p = start; p < start + grow; p += 1024)
		ok &= *p == 0x5a;
	check(ok, "new break memory keeps what was written");
	check(sbrk(-grow / 2) == start + grow, "sbrk(-128K) returns the old break");
	check((char *)sbrk(0) == start + grow / 2, "break shrank by 128K");
	check(start[grow / 2 - 1] == 0x5a, "memory below the break survives the shrink");
	/* Grow again over the released part: it must come back zeroed. */
	sbrk(grow / 2);
	check(start[grow / 2] == 0 && start[grow - 1] == 0, "regrown break memory is zero again");
	check(brk(start) == 0 && sbrk(0) == start, "brk(start) restores the original break");
}

int main(void)
{
	unsigned char *small[NSMALL], *large[NLARGE];
	size_t small_len[NSMALL], large_len[NLARGE];
	int ok;

	test_sbrk();

	for (size_t i = 0; i < NSMALL; i++) {
		small_len[i] = 1 + (i * 37) % 500;
		small[i] = malloc(small_len[i]);
		if (!small[i])
			break;
		fill(small[i], i, small_len[i]);
	}
	ok = 1;
	for (size_t i = 0; i < NSMALL; i++)
		ok &= small[i] && verify(small[i], i, small_len[i]);
	check(ok, "2000 small blocks");

	for (size_t i = 0; i < NLARGE; i++) {
		large_len[i] = LARGE_SIZE + i * 12345;
		large[i] = malloc(large_len[i]);
		if (large[i])
			fill(large[i], 1000 + i, large_len[i]);
	}
	ok = 1;
	for (size_t i = 0; i < NLARGE; i++)
		ok &= large[i] && verify(large[i], 1000 + i, large_len[i]);
	check(ok, "8 large (mmap-threshold) blocks");

	/* Free every other small block, then grow the rest with realloc. */
	for (size_t i = 0; i < NSMALL; i += 2) {
		free(small[i]);
		small[i] = NULL;
	}
	ok = 1;
	for (size_t i = 1; i < NSMALL; i += 2) {
		unsigned char *p = realloc(small[i], small_len[i] * 3);

		if (!p) {
			ok = 0;
			continue;
		}
		small[i] = p;
		ok &= verify(p, i, small_len[i]);
		fill(p, i, small_len[i] * 3);
		small_len[i] *= 3;
	}
	check(ok, "realloc of small blocks keeps their contents");

	ok = 1;
	for (size_t i = 0; i < NLARGE; i++) {
		unsigned char *p = realloc(large[i], large_len[i] * 2);

		if (!p) {
			ok = 0;
			continue;
		}
		large[i] = p;
		ok &= verify(p, 1000 + i, large_len[i]);
		/* The new half is unspecified: fill it. */
		fill(p, 1000 + i, large_len[i] * 2);
		large_len[i] *= 2;
	}
	check(ok, "realloc of large blocks keeps their contents");

	ok = 1;
	for (size_t i = 0; i < NLARGE; i++) {
		unsigned char *p = realloc(large[i], 1000);

		ok &= p && verify(p, 1000 + i, 1000);
		large[i] = p;
	}
	check(ok, "realloc shrinking large blocks to 1000 bytes");

	ok = 1;
	for (size_t i = 1; i < NSMALL; i += 2)
		ok &= verify(small[i], i, small_len[i]);
	check(ok, "surviving small blocks intact after all that");

	{
		unsigned char *z = calloc(100000, 3);

		ok = z != NULL;
		for (size_t i = 0; ok && i < 300000; i++)
			ok &= z[i] == 0;
		check(ok, "calloc memory is zero");
		free(z);
	}

	for (size_t i = 0; i < NSMALL; i++)
		free(small[i]);
	for (size_t i = 0; i < NLARGE; i++)
		free(large[i]);
	check(1, "everything freed");
	print_results();
	printf("checksum %016llx\n", (unsigned long long)checksum);
	return failures ? 1 : 0;
}
