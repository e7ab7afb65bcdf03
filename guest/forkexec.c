/*
 * forkexec: fork, exec and wait in a loop.
 *
 *   forkexec N
 *
 * N times: fork; the child execs this same program (argv[0]) as
 * "forkexec --child I", which touches a few pages of stack and heap and
 * exits with status (I * 7 + 3) % 256; the parent waits for it, and prints
 * a progress line after every PROGRESS_EVERY children.  A child
 * that does not exit with the status its number gives, or a failed fork,
 * exec or wait, stops the loop with a message naming the iteration.  At the
 * end it prints the number of children and the sum of their statuses.
 *
 * Exit status 0 when all N children exited as expected, 1 otherwise.  The
 * output depends only on N: the same under any kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_PAGES 4
#define PROGRESS_EVERY 10000

static int expected_status(long i)
{
	return (int)((i * 7 + 3) % 256);
}

/* Touch stack and heap so the child faults pages in before it exits. */
static int run_child(long i)
{
	volatile char stack[CHILD_PAGES * 4096];
	char *heap = malloc(CHILD_PAGES * 4096);

	if (!heap)
		return 255;
	for (int p = 0; p < CHILD_PAGES; p++) {
		stack[p * 4096] = (char)i;
		heap[p * 4096] = stack[p * 4096];
	}
	free(heap);
	return expected_status(i);
}

static int fork_exec_wait(const char *self, long i, long *sum)
{
	char number[24];
	int status;
	pid_t pid;

	snprintf(number, sizeof(number), "%ld", i);
	pid = fork();
	if (pid < 0) {
		printf("iteration %ld: fork: %s\n", i, strerror(errno));
		return -1;
	}
	if (pid == 0) {
		char *const argv[] = { (char *)self, "--child", number, NULL };

		execv(self, argv);
		printf("iteration %ld: exec %s: %s\n", i, self, strerror(errno));
		fflush(stdout);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid) {
		printf("iteration %ld: waitpid: %s\n", i, strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != expected_status(i)) {
		if (WIFSIGNALED(status))
			printf("iteration %ld: child killed by signal %d\n", i, WTERMSIG(status));
		else
			printf("iteration %ld: child exited %d, expected %d\n", i,
			       WEXITSTATUS(status), expected_status(i));
		return -1;
	}
	*sum += WEXITSTATUS(status);
	return 0;
}

int main(int argc, char **argv)
{
	long n, sum = 0;

	if (argc == 3 && strcmp(argv[1], "--child") == 0)
		return run_child(atol(argv[2]));
	if (argc != 2 || (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: forkexec N\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		if (fork_exec_wait(argv[0], i, &sum))
			return 1;
		if ((i + 1) % PROGRESS_EVERY == 0) {
			printf("%ld children so far\n", i + 1);
			fflush(stdout);
		}
	}
	printf("%ld children, status sum %ld\n", n, sum);
	return 0;
}
