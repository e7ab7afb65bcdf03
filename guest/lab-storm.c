/*
 * lab-storm THREADS ROUNDS: the program of `mmusim lab shootdown`
 * (lab/shootdown.c).
 *
 * THREADS threads spin on a shared flag, so each keeps a CPU with the
 * address space live; once all run, the main thread makes ROUNDS rounds
 * of { mprotect(PROT_READ); mprotect(PROT_READ | PROT_WRITE); one store }
 * on one page inside mmusim's region of interest, then stops them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "mmusim.h"

static volatile int stop, started;

static void *spin(void *arg)
{
	(void)arg;
	__atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
	while (!stop)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t threads[64];
	long nthreads, rounds;
	volatile long *page;

	if (argc != 3 || (nthreads = atol(argv[1])) > 64)
		return 2;
	rounds = atol(argv[2]);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
		    -1, 0);
	if (page == MAP_FAILED)
		return 1;
	*page = 1;
	for (long i = 0; i < nthreads; i++)
		pthread_create(&threads[i], NULL, spin, NULL);
	while (started < nthreads)
		;
	mmusim_roi_begin();
	for (long r = 0; r < rounds; r++) {
		mprotect((void *)page, 4096, PROT_READ);
		mprotect((void *)page, 4096, PROT_READ | PROT_WRITE);
		*page = r;
	}
	mmusim_roi_end();
	stop = 1;
	for (long i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	return 0;
}
