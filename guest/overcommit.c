/*
 * overcommit: which large requests Linux's heuristic overcommit
 * (vm.overcommit_memory=0) refuses: one larger than RAM plus swap, when it
 * must be backed by memory (private writable, shared anonymous, the heap)
 * and MAP_NORESERVE does not waive it.  One line per request: "ok" or the
 * error.  Builds for the host too, to ask the real kernel.
 *
 *   overcommit          64 TiB mappings and a 1 TiB brk
 *   overcommit MIB      one private writable mapping of MIB MiB
 *   overcommit populate MIB   the same with MAP_POPULATE, which may use up
 *                       memory (it is best effort): then whatever the program
 *                       touches next cannot be brought in
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MiB (UINT64_C(1) << 20)
#define TiB (UINT64_C(1) << 40)

static void try_mmap(const char *what, uint64_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	printf("mmap %-30s %s\n", what, p == MAP_FAILED ? strerror(errno) : "ok");
	if (p != MAP_FAILED)
		munmap(p, len);
}

int main(int argc, char **argv)
{
	const int rw = PROT_READ | PROT_WRITE;
	char *start;

	if (argc > 2 && !strcmp(argv[1], "populate")) {
		try_mmap("private rw populated", strtoull(argv[2], NULL, 10) * MiB, rw,
			 MAP_PRIVATE | MAP_POPULATE);
		return 0;
	}
	if (argc > 1) {
		try_mmap("private rw", strtoull(argv[1], NULL, 10) * MiB, rw, MAP_PRIVATE);
		return 0;
	}
	try_mmap("private rw 64 TiB", 64 * TiB, rw, MAP_PRIVATE);
	try_mmap("private rw 64 TiB NORESERVE", 64 * TiB, rw, MAP_PRIVATE | MAP_NORESERVE);
	try_mmap("private r 64 TiB", 64 * TiB, PROT_READ, MAP_PRIVATE);
	try_mmap("private none 64 TiB", 64 * TiB, PROT_NONE, MAP_PRIVATE);
	try_mmap("shared rw 64 TiB", 64 * TiB, rw, MAP_SHARED);
	try_mmap("shared none 64 TiB", 64 * TiB, PROT_NONE, MAP_SHARED);
	try_mmap("shared rw 64 TiB NORESERVE", 64 * TiB, rw, MAP_SHARED | MAP_NORESERVE);
	start = sbrk(0);
	printf("brk +1 TiB %s\n", brk(start + TiB) ? strerror(errno) : "ok");
	printf("brk +1 MiB %s\n", brk(start + MiB) ? strerror(errno) : "ok");
	return 0;
}
