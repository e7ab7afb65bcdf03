/*
 * gdbthreads: two threads for the gdb stub's tests (tests/integration/
 * test_gdb.c).  The main thread starts a worker that waits on a pipe, and
 * once the worker runs, calls both_running() (where the test stops it and
 * lists the threads); then it lets the worker finish, joins it and prints
 * "joined".  Built with -g -O0 for gdb.
 */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

static volatile int started;
static int token;
static int fds[2];

static void *worker(void *arg)
{
	char c;

	started = 1;
	return read(fds[0], &c, 1) == 1 ? arg : NULL;
}

__attribute__((noinline)) void both_running(void)
{
	__asm__ volatile("" ::: "memory");
}

int main(void)
{
	pthread_t th;
	void *ret;

	if (pipe(fds) || pthread_create(&th, NULL, worker, &token))
		return 1;
	while (!started)
		sched_yield();
	both_running();
	if (write(fds[1], "x", 1) != 1 || pthread_join(th, &ret) || ret != &token)
		return 1;
	puts("joined");
	return 0;
}
