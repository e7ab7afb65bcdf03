/*
 * forkbomb: fork until fork fails, then clean up.
 *
 *   forkbomb [MAX]
 *
 * Only the parent forks; every child waits in pause() for its end.  The
 * parent stops at the first failed fork (it prints "fork failed: ERRNO
 * after N", N children forked) or after MAX children (default 1000: it
 * prints "forked N children").  Then it kills every child with SIGTERM,
 * reaps them all, and prints how many died of SIGTERM.  Under a limit of L
 * tasks at once (mmusim --max-tasks L) the parent is one task and each
 * child one more: fork fails with EAGAIN after L - 1 children.
 *
 * Exit status 0 when every child was reaped killed by SIGTERM, 1 otherwise.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define DEFAULT_MAX 1000

static const char *errno_name(int err)
{
	switch (err) {
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	default: return strerror(err);
	}
}

int main(int argc, char **argv)
{
	int max = argc > 1 ? atoi(argv[1]) : DEFAULT_MAX, n = 0, killed = 0, status;
	pid_t *children;

	if (max <= 0) {
		fprintf(stderr, "usage: forkbomb [MAX]\n");
		return 2;
	}
	children = calloc((size_t)max, sizeof(*children));
	fflush(stdout);
	while (n < max) {
		pid_t pid = fork();

		if (pid == 0) {
			for (;;)
				pause();
		}
		if (pid < 0) {
			printf("fork failed: %s after %d\n", errno_name(errno), n);
			break;
		}
		children[n++] = pid;
	}
	if (n == max)
		printf("forked %d children\n", n);
	for (int i = 0; i < n; i++)
		if (kill(children[i], SIGTERM))
			perror("kill");
	for (int i = 0; i < n; i++) {
		if (waitpid(children[i], &status, 0) != children[i])
			perror("waitpid");
		else
			killed += WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM;
	}
	printf("reaped %d children, %d killed by SIGTERM\n", n, killed);
	if (waitpid(-1, &status, 0) != -1 || errno != ECHILD)
		printf("a child is left over\n");
	free(children);
	return killed == n ? 0 : 1;
}
