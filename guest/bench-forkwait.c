/* bench-forkwait: fork a child that exits at once, wait for it; N times
 * (argv[1], default 2000).  Measures fork + exit + wait. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000, status;

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(i & 0x7f);
		if (pid < 0 || waitpid(pid, &status, 0) != pid || WEXITSTATUS(status) != (i & 0x7f))
			return 1;
	}
	printf("forks %d\n", n);
	return 0;
}
