/*
 * segv: dies of SIGSEGV on purpose, for the crash report.
 *
 *   segv            store to address 0x10: nothing is mapped there (SEGV_MAPERR)
 *   segv readonly   store to a read-only anonymous mapping (SEGV_ACCERR)
 *
 * Either way it prints what it is about to do first; reaching the end is a
 * failure (exit status 1).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	volatile int *target;

	if (argc > 1 && !strcmp(argv[1], "readonly")) {
		void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		target = p;
		printf("writing to a read-only page\n");
	} else {
		target = (volatile int *)0x10;
		printf("writing to address 0x10\n");
	}
	fflush(stdout);
	*target = 42;
	printf("still alive after the bad write\n");
	return 1;
}
