/*
 * eatmem: takes memory until there is none.
 *
 * mallocs 1 MiB chunks and writes every page of each (so each costs real
 * frames), until malloc fails or the guest is killed.  If malloc fails it
 * prints how many MiB it got and exits 0.  An optional argument caps the
 * number of chunks (then it also exits 0, "limit reached").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (1024 * 1024)

int main(int argc, char **argv)
{
	long limit = argc > 1 ? atol(argv[1]) : -1, got = 0;

	/* Print once first: stdout's buffer is allocated while memory lasts. */
	printf("eating memory in 1 MiB chunks\n");

	for (;;) {
		char *p;

		if (limit >= 0 && got == limit) {
			printf("limit reached: %ld MiB\n", got);
			return 0;
		}
		p = malloc(CHUNK);
		if (!p) {
			printf("malloc failed after %ld MiB\n", got);
			return 0;
		}
		for (size_t i = 0; i < CHUNK; i += 4096)
			p[i] = (char)i;
		got++;
	}
}
