/*
 * hmmtest: what the guests of Linux's test_hmm driver (guest/hmm,
 * guest/hmmcoherent) share: one command of /dev/hmm_dmirrorN over a range,
 * printed one line per answer (guest/fdtest.h), and the checks of the
 * data a page holds.
 */
#ifndef GUEST_HMMTEST_H
#define GUEST_HMMTEST_H

#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "fdtest.h"
#include "test_hmm_uapi.h"

#define PG 4096
#define NPAGES 16
#define SIZE (NPAGES * PG)

static int fd;
static struct hmm_dmirror_cmd cmd;

/* One command over `npages` pages at `addr` with the buffer `mirror`. */
static inline long command(unsigned long request, void *addr, void *mirror, uint64_t npages)
{
	cmd = (struct hmm_dmirror_cmd){ .addr = (uintptr_t)addr, .ptr = (uintptr_t)mirror,
					.npages = npages };
	return ioctl(fd, request, &cmd) < 0 ? -errno : 0;
}

static inline void show_cmd(const char *what, long ret)
{
	if (ret)
		show(what, ret);
	else
		printf("%s: 0 cpages %llu faults %llu\n", what, (unsigned long long)cmd.cpages,
		       (unsigned long long)cmd.faults);
}

/* Whether the first `n` ints at `p` are 0, 1, 2, ... times `k`. */
static inline const char *matches(const int *p, int k, int n)
{
	for (int i = 0; i < n; i++)
		if (p[i] != i * k)
			return "differ";
	return "match";
}

/* The first `n` ints at `p` set to 0, 1, 2, ... times `k`. */
static inline void fill(int *p, int k, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = i * k;
}

static inline int *anon(int prot)
{
	return mmap(NULL, SIZE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* A SNAPSHOT of `n` pages at `addr` through `dev`, its bytes in hex. */
static inline void show_snapshot(const char *what, int dev, char *addr, int n)
{
	unsigned char m[NPAGES];
	int saved = fd;

	fd = dev;
	show_cmd(what, command(HMM_DMIRROR_SNAPSHOT, addr, m, n));
	fd = saved;
	for (int i = 0; i < n && cmd.cpages; i++)
		printf(" %02x", m[i]);
	printf("\n");
}

/* hmm-tests' snapshot (the hmm2 fixture): page 0 PROT_NONE, 1 a hole, 2 a
 * read-only zero page, 3 read-only data, 4 read-write data, 5 and 6 holes
 * migrated to the devices of `fd0` and `fd1` (read-write); the snapshot
 * through each device. */
static inline void snapshot_scenario(int fd0, int fd1, int *mirror)
{
	char *r = mmap(NULL, 7 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int val;

	munmap(r + PG, PG);
	mprotect(r + 2 * PG, PG, PROT_READ);
	val = *(int *)(r + 2 * PG) + 3;
	mprotect(r + 3 * PG, PG, PROT_READ | PROT_WRITE);
	*(int *)(r + 3 * PG) = val;
	mprotect(r + 3 * PG, PG, PROT_READ);
	mprotect(r + 4 * PG, 3 * PG, PROT_READ | PROT_WRITE);
	*(int *)(r + 4 * PG) = val;
	fd = fd0;
	show_cmd("page 5 to device 0", command(HMM_DMIRROR_MIGRATE_TO_DEV, r + 5 * PG, mirror, 1));
	fd = fd1;
	show_cmd("page 6 to device 1", command(HMM_DMIRROR_MIGRATE_TO_DEV, r + 6 * PG, mirror, 1));
	fd = fd0;
	show_snapshot("snapshot dev0", fd0, r, 7);
	show_snapshot("snapshot dev1", fd1, r, 7);
	show_cmd("snapshot wild buffer", command(HMM_DMIRROR_SNAPSHOT, r, wild, 7));
}

/* hmm-tests' migrate_release: RELEASE brings the device's pages back. */
static inline void release_scenario(int *mirror)
{
	int *p = anon(PROT_READ | PROT_WRITE);

	fill(p, 1, SIZE / 4);
	show_cmd("migrate to device", command(HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, NPAGES));
	show_snapshot("snapshot before release", fd, (char *)p, 2);
	show_cmd("release", command(HMM_DMIRROR_RELEASE, p, mirror, NPAGES));
	show_snapshot("snapshot after release", fd, (char *)p, 2);
	printf("cpu sees: %s\n", matches(p, 1, SIZE / 4));
}

#endif
