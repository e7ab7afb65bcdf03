/*
 * pingpong: two threads take turns through one futex word, with raw
 * futex(2) calls (FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE).
 *
 *   pingpong [N]
 *
 * The word says whose turn it is (0: ping, the main thread; 1: pong, a
 * pthread).  Each side waits while it is not its turn, counts a round,
 * hands the turn over and wakes the other; N rounds each (default 1000).
 * Both counts and the number of hand-overs are printed; exit status 0 when
 * they are all N.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static int turn;		/* the futex word */
static int rounds;
static int handovers;		/* written by whoever holds the turn */

static void wait_for(int me)
{
	int now;

	while ((now = __atomic_load_n(&turn, __ATOMIC_ACQUIRE)) != me)
		syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, now, NULL, NULL, 0);
}

static void hand_over(int to)
{
	handovers++;
	__atomic_store_n(&turn, to, __ATOMIC_RELEASE);
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *pong(void *arg)
{
	int *count = arg;

	for (int i = 0; i < rounds; i++) {
		wait_for(1);
		++*count;
		hand_over(0);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int pings = 0, pongs = 0;
	pthread_t t;

	rounds = argc > 1 ? atoi(argv[1]) : 1000;
	if (pthread_create(&t, NULL, pong, &pongs)) {
		fprintf(stderr, "pthread_create failed\n");
		return 2;
	}
	for (int i = 0; i < rounds; i++) {
		wait_for(0);
		pings++;
		hand_over(1);
	}
	pthread_join(t, NULL);
	printf("pings %d pongs %d handovers %d\n", pings, pongs, handovers);
	return pings == rounds && pongs == rounds && handovers == 2 * rounds ? 0 : 1;
}
