/*
 * hmmcoherent: a guest of /dev/hmm_dmirror2 and 3 (guest/test_hmm_uapi.h),
 * test_hmm's devices with device-coherent memory, after the coherent
 * variants of Linux's hmm-tests (tools/testing/selftests/mm): pages
 * migrated to the device stay mapped by the CPU, which reads and writes
 * them in place while the device sees its writes and the CPU the device's;
 * MIGRATE_TO_SYS brings them back; the snapshot's DEV_COHERENT_LOCAL and
 * _REMOTE bytes; RELEASE; a fork sharing them copy-on-write.  One line per
 * answer (guest/fdtest.h).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hmmtest.h"

/* hmm-tests' migrate, migrate_fault and migrate_multiple on coherent
 * memory: the data moves, and stays where the CPU can use it. */
static void migrate_scenario(int fd1, int *mirror)
{
	int *p = anon(PROT_READ | PROT_WRITE);

	fill(p, 1, SIZE / 4);
	show_cmd("migrate to device", command(HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, NPAGES));
	printf("device returned: %s\n", matches(mirror, 1, SIZE / 4));
	printf("cpu sees: %s\n", matches(p, 1, SIZE / 4));
	fill(p, 2, SIZE / 4);
	show_cmd("device read after cpu writes", command(HMM_DMIRROR_READ, p, mirror, NPAGES));
	printf("device saw: %s\n", matches(mirror, 2, SIZE / 4));
	fill(mirror, 3, SIZE / 4);
	show_cmd("device write", command(HMM_DMIRROR_WRITE, p, mirror, NPAGES));
	printf("cpu sees: %s\n", matches(p, 3, SIZE / 4));
	show_cmd("migrate to device again", command(HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, NPAGES));
	show_snapshot("snapshot on device", fd, (char *)p, 2);
	show_snapshot("snapshot from the other", fd1, (char *)p, 2);
	show_cmd("migrate to system", command(HMM_DMIRROR_MIGRATE_TO_SYS, p, mirror, NPAGES));
	show_snapshot("snapshot after", fd, (char *)p, 2);
	printf("cpu sees: %s\n", matches(p, 3, SIZE / 4));
	show_cmd("migrate to system again", command(HMM_DMIRROR_MIGRATE_TO_SYS, p, mirror, NPAGES));
	show("munmap", munmap(p, SIZE));
}

/* Pages in coherent memory at a fork: shared copy-on-write as any
 * anonymous page; the child's writes copy into system memory, the
 * parent's first write after the child's exit reuses its page in place. */
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
	printf("parent sees: %s\n", matches(p, 9, SIZE / 4));
	p[0] = 0;
	show_snapshot("snapshot after a write", fd, (char *)p, 2);
	show_cmd("device read after fork", command(HMM_DMIRROR_READ, p, mirror, NPAGES));
	printf("device saw: %s\n", matches(mirror, 9, SIZE / 4));
}

int main(void)
{
	int *mirror = malloc(SIZE), fd1;

	fd = open("/dev/hmm_dmirror2", O_RDWR);
	show("open 2", fd);
	fd1 = open("/dev/hmm_dmirror3", O_RDWR);
	show("open 3", fd1);
	migrate_scenario(fd1, mirror);
	snapshot_scenario(fd, fd1, mirror);
	release_scenario(mirror);
	fork_scenario(mirror);
	return 0;
}
