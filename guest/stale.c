/*
 * stale: after a translation is removed or downgraded, the CPU must not keep
 * using it.  Each mode first reads and writes a page (so the emulator caches
 * its translation), then changes the mapping and touches it again:
 *   munmap    -> the second touch must die with SIGSEGV/SEGV_MAPERR
 *   mprotect  -> a write after PROT_READ must die with SIGSEGV/SEGV_ACCERR
 *   dontneed  -> after MADV_DONTNEED the page must read back as zero
 * The page's address is printed first, so the test can match the report.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	volatile char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return 2;
	p[0] = 42;
	printf("page %p holds %d\n", (void *)p, p[0]);
	fflush(stdout);
	if (!strcmp(mode, "munmap")) {
		munmap((void *)p, 4096);
		return p[0];		/* must fault */
	}
	if (!strcmp(mode, "mprotect")) {
		mprotect((void *)p, 4096, PROT_READ);
		printf("still readable: %d\n", p[0]);
		fflush(stdout);
		p[0] = 1;		/* must fault */
		return 0;
	}
	if (!strcmp(mode, "dontneed")) {
		madvise((void *)p, 4096, MADV_DONTNEED);
		printf("after MADV_DONTNEED: %d\n", p[0]);
		return 0;
	}
	return 2;
}
