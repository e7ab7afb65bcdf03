/* bench-memwalk: memory-bound walk.  `bench-memwalk MB ROUNDS` (defaults 64
 * and 4) allocates MB MiB, then makes ROUNDS passes over it, reading and
 * writing one 8-byte word in every 64-byte line: two data accesses in a
 * loop of a few instructions, a new page every 64 iterations, so the TLB
 * misses often once the buffer outgrows its reach.  The first pass also
 * faults every page in.  Prints one line with a checksum that depends only
 * on MB and ROUNDS; exit status 0. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LINE_WORDS (64 / sizeof(uint64_t))

static long argument(int argc, char **argv, int i, long fallback)
{
	long n = argc > i ? strtol(argv[i], NULL, 10) : fallback;

	if (n <= 0) {
		fprintf(stderr, "usage: bench-memwalk [MB [ROUNDS]]\n");
		exit(2);
	}
	return n;
}

int main(int argc, char **argv)
{
	long mb = argument(argc, argv, 1, 64);
	long rounds = argument(argc, argv, 2, 4);
	size_t words = (size_t)mb << 20 >> 3;
	uint64_t *buf = calloc(words, sizeof(uint64_t));
	uint64_t sum = 0;

	if (!buf) {
		fprintf(stderr, "bench-memwalk: cannot allocate %ld MiB\n", mb);
		return 1;
	}
	for (long r = 0; r < rounds; r++)
		for (size_t i = 0; i < words; i += LINE_WORDS) {
			uint64_t v = buf[i] * 31 + i;

			buf[i] = v;
			sum += v;
		}
	printf("bench-memwalk: %ld MiB, %ld rounds, checksum %016llx\n", mb,
	       rounds, (unsigned long long)sum);
	free(buf);
	return 0;
}
