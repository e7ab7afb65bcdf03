/*
 * threads: POSIX threads and a mutex.
 *
 * 8 threads each add 1 to a shared counter 10000 times, every addition
 * under one pthread mutex (a futex when contended).  The main thread joins
 * them all and prints the total, which must be exactly 80000; each thread
 * also reports how many additions it made, in thread order.  Exit status
 * 0 when the total is right.
 */
#include <pthread.h>
#include <stdio.h>

#define THREADS 8
#define ADDS 10000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *worker(void *arg)
{
	long *mine = arg;

	for (int i = 0; i < ADDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		++*mine;
	}
	return NULL;
}

int main(void)
{
	pthread_t tid[THREADS];
	long adds[THREADS] = { 0 };

	for (int i = 0; i < THREADS; i++)
		if (pthread_create(&tid[i], NULL, worker, &adds[i])) {
			fprintf(stderr, "pthread_create failed\n");
			return 2;
		}
	for (int i = 0; i < THREADS; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < THREADS; i++)
		printf("thread %d: %ld additions\n", i, adds[i]);
	printf("total %ld\n", counter);
	return counter == (long)THREADS * ADDS ? 0 : 1;
}
