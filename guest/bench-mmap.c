/*
 * bench-mmap: "mmap at scale".  Maps N one-page anonymous regions (default
 * 40,000) that cannot merge (their protections alternate), so the address
 * space holds N VMAs packed top-down below mmap_base; then unmaps every
 * other one and maps one page into each hole, then unmaps everything.  Each
 * placement is a free-area search; the checks (top-down, adjacent, holes
 * refilled at the same addresses) make the run fail if one is misplaced.
 * Exit status 0 and one line on success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 40000, page = sysconf(_SC_PAGESIZE);
	char **at = calloc((size_t)n, sizeof(*at));

	for (long i = 0; i < n; i++) {
		at[i] = mmap(NULL, (size_t)page, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (at[i] == MAP_FAILED || (i && at[i] != at[i - 1] - page)) {
			printf("mapping %ld misplaced at %p\n", i, (void *)at[i]);
			return 1;
		}
	}
	for (long i = 0; i < n; i += 2)
		munmap(at[i], (size_t)page);
	for (long i = 0; i < n; i += 2) {	/* the highest hole first */
		char *p = mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p != at[i]) {
			printf("hole %ld refilled at %p, not %p\n", i, (void *)p, (void *)at[i]);
			return 1;
		}
	}
	for (long i = 0; i < n; i++)
		munmap(at[i], (size_t)page);
	printf("%ld mappings placed top-down\n", n);
	return 0;
}
