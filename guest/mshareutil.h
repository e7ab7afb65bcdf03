/*
 * mshareutil.h: what the mshare guests share: a child's end, shown as one
 * line ("what: exit N" or "what: signal SIGSEGV").
 */
#ifndef GUEST_MSHAREUTIL_H
#define GUEST_MSHAREUTIL_H

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Run `fn` in a fork child and say how it ended. */
static inline void show_child_end(const char *what, void (*fn)(void))
{
	int status = 0;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		fn();
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("%s: signal %s\n", what, WTERMSIG(status) == SIGSEGV ? "SIGSEGV" : "other");
	else
		printf("%s: exit %d\n", what, WEXITSTATUS(status));
}

#endif
