/* bench-pingpong: two threads hand a token back and forth through a futex
 * word, N round trips (argv[1], default 20000).  With --cpus 1 every hand-over
 * is a thread switch. */
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static atomic_int turn;
static int rounds;

static void wait_for(int value)
{
	int seen;

	while ((seen = atomic_load(&turn)) != value)
		syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
}

static void hand_to(int value)
{
	atomic_store(&turn, value);
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *pong(void *arg)
{
	for (int i = 0; i < rounds; i++) {
		wait_for(1);
		hand_to(0);
	}
	return arg;
}

int main(int argc, char **argv)
{
	pthread_t thread;

	rounds = argc > 1 ? atoi(argv[1]) : 20000;
	pthread_create(&thread, NULL, pong, NULL);
	for (int i = 0; i < rounds; i++) {
		hand_to(1);
		wait_for(0);
	}
	pthread_join(thread, NULL);
	printf("round trips %d\n", rounds);
	return 0;
}
