/*
 * vasswitch: what switching costs, in simulated time (run it with --cpus 1):
 * ROUNDS round trips by vas_switch (into a VAS and back), by a thread
 * switch (two threads of one process ping-pong on futexes) and by a
 * process switch (two processes ping-pong on pipes), each side touching
 * PAGES pages of its working set after every switch.  Prints ns per switch
 * (a round trip is two switches), system calls included.  Then what making
 * an address space costs: ROUNDS times vas_create + vas_attach (the RFC's
 * "create", its detach and delete not timed) against fork (until it
 * returns in the parent; the child exits at once, its wait not timed).
 *
 * usage: vasswitch [ROUNDS [PAGES]]
 */
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vas.h"

static int rounds = 1000, pages = 16;
static volatile char *work;
static atomic_int turn;

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void touch(void)
{
	for (int i = 0; i < pages; i++)
		work[i * 4096]++;
}

static void report(const char *what, long ns)
{
	printf("%-16s %8.1f ns per switch\n", what, (double)ns / (2.0 * rounds));
}

static void by_vas(void)
{
	long vid = syscall(SYS_vas_create, "bench", 0600), t0;

	syscall(SYS_vas_attach, 0, vid, O_RDWR);
	t0 = now_ns();
	for (int i = 0; i < rounds; i++) {
		syscall(SYS_vas_switch, vid);
		touch();
		syscall(SYS_vas_switch, 0);
		touch();
	}
	report("vas switch", now_ns() - t0);
	syscall(SYS_vas_detach, 0, vid);
	syscall(SYS_vas_delete, vid);
}

static void wait_turn(int me)
{
	while (atomic_load(&turn) != me)
		syscall(SYS_futex, &turn, FUTEX_WAIT_PRIVATE, !me, NULL, NULL, 0);
}

static void pass_turn(int to)
{
	atomic_store(&turn, to);
	syscall(SYS_futex, &turn, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void *partner(void *arg)
{
	(void)arg;
	for (int i = 0; i < rounds; i++) {
		wait_turn(1);
		touch();
		pass_turn(0);
	}
	return NULL;
}

static void by_thread(void)
{
	pthread_t th;
	long t0 = now_ns();

	pthread_create(&th, NULL, partner, NULL);
	for (int i = 0; i < rounds; i++) {
		touch();
		pass_turn(1);
		wait_turn(0);
	}
	pthread_join(th, NULL);
	report("thread switch", now_ns() - t0);
}

static void by_process(void)
{
	int ping[2], pong[2];
	char c = 0;
	long t0;

	pipe(ping);
	pipe(pong);
	t0 = now_ns();
	if (fork() == 0) {
		for (int i = 0; i < rounds; i++) {
			read(ping[0], &c, 1);
			touch();
			write(pong[1], &c, 1);
		}
		_exit(0);
	}
	for (int i = 0; i < rounds; i++) {
		touch();
		write(ping[1], &c, 1);
		read(pong[0], &c, 1);
	}
	wait(NULL);
	report("process switch", now_ns() - t0);
}

/* ns per vas_create + vas_attach of a fresh VAS. */
static void by_vas_create(void)
{
	long total = 0;

	for (int i = 0; i < rounds; i++) {
		long t0 = now_ns(), vid = syscall(SYS_vas_create, "made", 0600);

		syscall(SYS_vas_attach, 0, vid, O_RDWR);
		total += now_ns() - t0;
		syscall(SYS_vas_detach, 0, vid);
		syscall(SYS_vas_delete, vid);
	}
	printf("%-16s %8.1f ns per create\n", "vas create", (double)total / rounds);
}

/* ns per fork, as the parent sees it. */
static void by_fork(void)
{
	long total = 0;

	for (int i = 0; i < rounds; i++) {
		long t0 = now_ns();

		if (fork() == 0)
			_exit(0);
		total += now_ns() - t0;
		wait(NULL);
	}
	printf("%-16s %8.1f ns per create\n", "fork", (double)total / rounds);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		rounds = atoi(argv[1]);
	if (argc > 2)
		pages = atoi(argv[2]);
	work = mmap(NULL, (size_t)pages * 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch();
	by_vas();
	by_thread();
	by_process();
	by_vas_create();
	by_fork();
	return 0;
}
