/*
 * deadlock: tasks that wait for each other forever, for the deadlock report.
 *
 *   deadlock futex   the main thread waits on futex word a, a second thread
 *                    on word b; each would be woken only by the other
 *   deadlock pipe    the process reads from a pipe whose only write end it
 *                    holds itself
 *   deadlock wait    the parent waits for its child, which reads from a
 *                    pipe whose write ends both hold and nobody writes
 *
 * It prints what it is about to do; reaching the end is a failure (exit
 * status 1).  Under a real kernel it hangs: never run it outside mmusim.
 */
#include <linux/futex.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int word_a, word_b;

static void futex_wait(int *word)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
}

static void *second(void *arg)
{
	(void)arg;
	futex_wait(&word_b);
	word_a = 1;
	syscall(SYS_futex, &word_a, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "futex";

	if (!strcmp(mode, "pipe") || !strcmp(mode, "wait")) {
		int fds[2];
		char c;

		if (pipe(fds)) {
			perror("pipe");
			return 2;
		}
		printf("%s\n", !strcmp(mode, "pipe") ? "reading from a pipe nobody else can write" :
		       "waiting for a child that reads from a pipe nobody writes");
		fflush(stdout);
		if (!strcmp(mode, "pipe") || fork() == 0)
			read(fds[0], &c, 1);
		else
			wait(NULL);
	} else {
		pthread_t t;

		printf("two threads waiting on each other's futex\n");
		fflush(stdout);
		if (pthread_create(&t, NULL, second, NULL)) {
			fprintf(stderr, "pthread_create failed\n");
			return 2;
		}
		futex_wait(&word_a);
		word_b = 1;
		syscall(SYS_futex, &word_b, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		pthread_join(t, NULL);
	}
	printf("still running after the deadlock\n");
	return 1;
}
