/*
 * hmm: a guest of /dev/hmm_dmirror0 (guest/test_hmm_uapi.h), after the
 * scenarios of Linux's hmm-tests (tools/testing/selftests/mm): a device
 * reading and writing anonymous memory, writes refused by a read-only
 * mapping then allowed, migration to device-private memory and back, the
 * per-page states of a snapshot, the release of device memory, and the
 * driver's errors.  One line per answer (guest/fdtest.h).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hmmtest.h"

/* hmm-tests' exclusive, exclusive_mprotect and exclusive_cow: EXCLUSIVE
 * returns the data and holds the pages until the CPU touches them (page 0
 * first, then all); a device write after mprotect(PROT_READ) is refused;
 * a fork gives both processes the data. */
static void exclusive_scenario(int *mirror)
{
	int *p = anon(PROT_READ | PROT_WRITE), *q = anon(PROT_READ | PROT_WRITE), *r = anon(PROT_READ);
	pid_t child;

	fill(p, 1, SIZE / 4);
	show_cmd("exclusive", command(HMM_DMIRROR_EXCLUSIVE, p, mirror, NPAGES));
	printf("device read: %s\n", matches(mirror, 1, SIZE / 4));
	show_snapshot("snapshot exclusive", fd, (char *)p, 2);
	show_cmd("check exclusive", command(HMM_DMIRROR_CHECK_EXCLUSIVE, p, mirror, NPAGES));
	printf("cpu reads page 0: %d\n", p[PG / 4 - 1]);
	show_cmd("check page 0", command(HMM_DMIRROR_CHECK_EXCLUSIVE, p, mirror, 1));
	show_cmd("check all", command(HMM_DMIRROR_CHECK_EXCLUSIVE, p, mirror, NPAGES));
	printf("cpu sees: %s\n", matches(p, 1, SIZE / 4));
	show_cmd("check all after the cpu", command(HMM_DMIRROR_CHECK_EXCLUSIVE, p, mirror, NPAGES));

	fill(q, 5, SIZE / 4);
	show_cmd("exclusive again", command(HMM_DMIRROR_EXCLUSIVE, q, mirror, NPAGES));
	show("mprotect", mprotect(q, SIZE, PROT_READ));
	show_cmd("device write after mprotect", command(HMM_DMIRROR_WRITE, q, mirror, NPAGES));
	printf("cpu sees: %s\n", matches(q, 5, SIZE / 4));

	fill(p, 7, SIZE / 4);
	show_cmd("exclusive before fork", command(HMM_DMIRROR_EXCLUSIVE, p, mirror, NPAGES));
	fflush(stdout);
	child = fork();
	if (child == 0) {
		printf("child sees: %s\n", matches(p, 7, SIZE / 4));
		exit(0);
	}
	waitpid(child, NULL, 0);
	printf("parent sees: %s\n", matches(p, 7, SIZE / 4));

	show_cmd("exclusive read-only", command(HMM_DMIRROR_EXCLUSIVE, r, mirror, 1));
	show_cmd("exclusive wild buffer", command(HMM_DMIRROR_EXCLUSIVE, q + SIZE / 4, wild, 1));
	munmap(q, SIZE);
	show_cmd("exclusive unmapped", command(HMM_DMIRROR_EXCLUSIVE, q, mirror, 1));
}

/* hmm-tests' anon_write_child with the pages in device memory: fork
 * copies the device-private entries (read-only in both), the child reads
 * the parent's values and its writes stay its own. */
static void fork_scenario(int *mirror)
{
	int *p = anon(PROT_READ | PROT_WRITE);
	pid_t child;

	fill(p, 9, SIZE / 4);
	show_cmd("migrate before fork", command(HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, NPAGES));
	fflush(stdout);
	child = fork();
	if (child == 0) {
		printf("child sees: %s\n", matches(p, 9, SIZE / 4));
		fill(p, 2, SIZE / 4);
		printf("child wrote: %s\n", matches(p, 2, SIZE / 4));
		exit(0);
	}
	waitpid(child, NULL, 0);
	show_snapshot("snapshot after fork", fd, (char *)p, 2);
	show_cmd("device read after fork", command(HMM_DMIRROR_READ, p, mirror, NPAGES));
	printf("device saw: %s\n", matches(mirror, 9, SIZE / 4));
	printf("parent sees: %s\n", matches(p, 9, SIZE / 4));
}

int main(void)
{
	int *mirror = malloc(SIZE), *p, *q;

	fd = open("/dev/hmm_dmirror0", O_RDWR);
	show("open", fd);

	p = anon(PROT_READ | PROT_WRITE);
	for (int i = 0; i < SIZE / 4; i++)
		p[i] = i;
	show_cmd("read", command(HMM_DMIRROR_READ, p, mirror, NPAGES));
	printf("device saw: %s\n", matches(mirror, 1, SIZE / 4));
	show_cmd("read again", command(HMM_DMIRROR_READ, p, mirror, NPAGES));

	q = anon(PROT_READ);
	show_cmd("read a zero page", command(HMM_DMIRROR_READ, q, mirror, 1));
	for (int i = 0; i < SIZE / 4; i++)
		mirror[i] = i;
	show_cmd("write read-only", command(HMM_DMIRROR_WRITE, q, mirror, NPAGES));
	printf("cpu sees: %s\n", q[100] == 0 ? "zeroes" : "data");
	mprotect(q, SIZE, PROT_READ | PROT_WRITE);
	show_cmd("write", command(HMM_DMIRROR_WRITE, q, mirror, NPAGES));
	printf("cpu sees: %s\n", matches(q, 1, SIZE / 4));

	for (int i = 0; i < SIZE / 4; i++)
		p[i] = 3 * i;
	show_cmd("migrate to device", command(HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, NPAGES));
	printf("device returned: %s\n", matches(mirror, 3, SIZE / 4));
	printf("cpu sees: %s\n", matches(p, 3, SIZE / 4));
	show_cmd("migrate to device again", command(HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, NPAGES));
	show_cmd("migrate half to system", command(HMM_DMIRROR_MIGRATE_TO_SYS, p, mirror, NPAGES / 2));
	show_cmd("migrate all to system", command(HMM_DMIRROR_MIGRATE_TO_SYS, p, mirror, NPAGES));
	show_cmd("migrate to device for munmap", command(HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, NPAGES));
	show("munmap", munmap(p, SIZE));
	snapshot_scenario(fd, open("/dev/hmm_dmirror1", O_RDWR), mirror);
	release_scenario(mirror);
	exclusive_scenario(mirror);
	fork_scenario(mirror);

	show_cmd("unaligned", command(HMM_DMIRROR_READ, (char *)q + 8, mirror, 1));
	show_cmd("no pages", command(HMM_DMIRROR_READ, q, mirror, 0));
	show_cmd("wrapping", command(HMM_DMIRROR_READ, q, mirror, UINT64_C(1) << 52));
	show_cmd("absurd size", command(HMM_DMIRROR_READ, q, mirror, UINT64_C(1) << 30));
	show_cmd("read unmapped", command(HMM_DMIRROR_READ, p, mirror, 1));
	show_cmd("migrate unmapped", command(HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, 1));
	mprotect(q, SIZE, PROT_NONE);
	show_cmd("read PROT_NONE", command(HMM_DMIRROR_READ, q, mirror, 1));
	show_cmd("wild buffer", command(HMM_DMIRROR_READ, anon(PROT_READ), wild, 1));
	show("wild command", ioctl(fd, HMM_DMIRROR_READ, wild) < 0 ? -errno : 0);
	return 0;
}
