/*
 * lab-switch ROUNDS: the program of `mmusim lab asid` (lab/asid.c).
 *
 * A parent and its child pass one byte back and forth through two pipes,
 * ROUNDS times each way, inside mmusim's region of interest; with one CPU
 * every hand-over is a process switch.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mmusim.h"

int main(int argc, char **argv)
{
	int ping[2], pong[2], status;
	long rounds;
	char c = 'x';
	pid_t pid;

	if (argc != 2 || pipe(ping) || pipe(pong))
		return 2;
	rounds = atol(argv[1]);
	pid = fork();
	if (pid == 0) {
		for (long i = 0; i < rounds; i++)
			if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	mmusim_roi_begin();
	for (long i = 0; i < rounds; i++)
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			return 1;
	mmusim_roi_end();
	waitpid(pid, &status, 0);
	return status != 0;
}
