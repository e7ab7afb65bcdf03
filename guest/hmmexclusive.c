/*
 * hmmexclusive: which memory /dev/hmm_dmirror0's EXCLUSIVE takes (Linux
 * 6.12: make_device_exclusive_range() faults each page in writable, then
 * folio_make_device_exclusive() takes anonymous folios only).  A private
 * mapping of a file (a memfd here) gets an anonymous copy from the write
 * fault, so it can be made exclusive; a shared mapping of the same file,
 * or shared anonymous memory, cannot (EBUSY).  One line per answer.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "hmmtest.h"

int main(void)
{
	int *mirror = malloc(SIZE), *data = malloc(SIZE), *p, *s, *a;
	int file = memfd_create("hmmexclusive", 0);

	fd = open("/dev/hmm_dmirror0", O_RDWR);
	show("open", fd);
	fill(data, 4, SIZE / 4);
	show("write the file", write(file, data, SIZE) == SIZE ? 0 : -errno);

	p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, file, 0);
	show_cmd("exclusive private file mapping", command(HMM_DMIRROR_EXCLUSIVE, p, mirror, NPAGES));
	printf("device read: %s\n", matches(mirror, 4, SIZE / 4));
	show_cmd("check exclusive", command(HMM_DMIRROR_CHECK_EXCLUSIVE, p, mirror, NPAGES));
	printf("cpu sees: %s\n", matches(p, 4, SIZE / 4));
	show_cmd("check after the cpu", command(HMM_DMIRROR_CHECK_EXCLUSIVE, p, mirror, NPAGES));
	p[1] = 99;
	pread(file, data, sizeof(int), sizeof(int));
	printf("the file still holds: %d\n", data[0]);

	s = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
	show_cmd("exclusive shared file mapping", command(HMM_DMIRROR_EXCLUSIVE, s, mirror, 1));
	a = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	show_cmd("exclusive shared anonymous", command(HMM_DMIRROR_EXCLUSIVE, a, mirror, 1));
	return 0;
}
