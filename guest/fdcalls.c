/*
 * fdcalls: close_range(2) (plain, CLOSE_RANGE_CLOEXEC, CLOSE_RANGE_UNSHARE
 * from a thread sharing the table) and flock(2) between open file
 * descriptions and processes (LOCK_NB's EWOULDBLOCK, conversion, a child
 * blocked until its parent's lock goes).  Prints one line per check.
 * Built for the guest and, as the oracle, for the host, whose kernel must
 * print the same.  Exit status: 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdtest.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

static long close_range_(unsigned first, unsigned last, unsigned flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

static void *unshare_and_close(void *arg)
{
	(void)arg;
	show("thread: close_range unshare", close_range_(20, 20, CLOSE_RANGE_UNSHARE));
	show("thread: fd 20 after", fcntl(20, F_GETFD));
	return NULL;
}

static void close_range_checks(void)
{
	pthread_t th;

	for (int fd = 10; fd <= 13; fd++)
		dup2(1, fd);
	show("bad flags", close_range_(10, 11, 1));
	show("first above last", close_range_(12, 11, 0));
	show("close 11-12", close_range_(11, 12, 0));
	show("fd 10", fcntl(10, F_GETFD));
	show("fd 11", fcntl(11, F_GETFD));
	show("fd 12", fcntl(12, F_GETFD));
	show("fd 13", fcntl(13, F_GETFD));
	show("cloexec 10-13", close_range_(10, 13, CLOSE_RANGE_CLOEXEC));
	show("fd 10 cloexec", fcntl(10, F_GETFD));
	show("fd 11 still closed", fcntl(11, F_GETFD));
	show("close 13 to the top", close_range_(13, ~0U, 0));
	show("fd 13", fcntl(13, F_GETFD));
	dup2(1, 20);
	pthread_create(&th, NULL, unshare_and_close, NULL);
	pthread_join(th, NULL);
	show("main: fd 20 after", fcntl(20, F_GETFD));
}

static void flock_checks(const char *self)
{
	int a = open(self, O_RDONLY), b = open(self, O_RDONLY), c = dup(a), status;
	pid_t pid;

	show("bad operation", flock(a, 0));
	show("SH and EX", flock(a, LOCK_SH | LOCK_EX));
	show("bad fd", flock(999, LOCK_SH));
	show("unlock unlocked", flock(a, LOCK_UN));
	show("a: EX", flock(a, LOCK_EX));
	show("a: EX again", flock(a, LOCK_EX));
	show("b: EX NB", flock(b, LOCK_EX | LOCK_NB));
	show("b: SH NB", flock(b, LOCK_SH | LOCK_NB));
	show("dup of a: SH (converts)", flock(c, LOCK_SH));
	show("b: SH NB", flock(b, LOCK_SH | LOCK_NB));
	show("b: EX NB", flock(b, LOCK_EX | LOCK_NB));
	pid = fork();
	if (pid == 0) {
		close(a);	/* the parent's close alone would not end a's lock */
		close(c);
		show("child: b EX, waits", flock(b, LOCK_EX));
		show("child: another open, SH NB", flock(open(self, O_RDONLY), LOCK_SH | LOCK_NB));
		_exit(0);
	}
	usleep(50000);
	printf("parent: closing a and its dup\n");
	close(a);
	close(c);
	waitpid(pid, &status, 0);
	show("child status", status);
	a = open(self, O_RDONLY);
	show("new a: SH NB after the child", flock(a, LOCK_SH | LOCK_NB));
}

int main(int argc, char **argv)
{
	(void)argc;
	setvbuf(stdout, NULL, _IONBF, 0);
	close_range_checks();
	flock_checks(argv[0]);
	return 0;
}
