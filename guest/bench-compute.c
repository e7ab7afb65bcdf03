/* bench-compute: T threads (argv[1], default 4) each run an integer and
 * memory workload over a private 256 KiB buffer; prints a checksum. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define WORDS (256 * 1024 / 8)
#define PASSES 40

static void *work(void *arg)
{
	uint64_t *buf = malloc(WORDS * sizeof(*buf)), x = (uintptr_t)arg + 1, sum = 0;

	for (int pass = 0; pass < PASSES; pass++)
		for (int i = 0; i < WORDS; i++) {
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[i] ^= x >> 17;
			sum += buf[(i * 7) % WORDS];
		}
	free(buf);
	return (void *)(uintptr_t)sum;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t threads[64];
	uint64_t total = 0;

	for (int i = 0; i < n && i < 64; i++)
		pthread_create(&threads[i], NULL, work, (void *)(uintptr_t)i);
	for (int i = 0; i < n && i < 64; i++) {
		void *r;

		pthread_join(threads[i], &r);
		total += (uintptr_t)r;
	}
	printf("checksum %016llx\n", (unsigned long long)total);
	return 0;
}
