/*
 * syscallspin: the main thread spins on a flag making a system call each
 * turn (a cheap getppid) while a second thread, runnable on the same CPU,
 * must set the flag.  A quantum counts the instructions a task runs on its
 * CPU across its system calls: the spinner is preempted after one quantum
 * and the other thread runs.  (Were each call to start a new quantum, the
 * spinner would keep the only CPU for ever.)
 */
#include <pthread.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int flag;

static void *setter(void *arg)
{
	(void)arg;
	flag = 1;
	return NULL;
}

int main(void)
{
	pthread_t th;
	long turns = 0;

	if (pthread_create(&th, NULL, setter, NULL))
		return 1;
	while (!flag) {
		syscall(SYS_getppid);
		turns++;
	}
	pthread_join(th, NULL);
	printf("the other thread ran: %s\n", turns > 0 ? "after some turns" : "at once");
	return 0;
}
