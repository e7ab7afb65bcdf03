/*
 * vasheap: the heap between a VAS and the original address space, and the
 * RFC's known failure (tests/integration/test_vas.c).  The own mappings
 * follow a thread at each switch by their VMA timestamps: a heap grown on
 * one side is copied to the other at the next switch.  When two threads
 * grow it, one inside the VAS and one outside, both copies changed since
 * they were last in step; the switch out of the VAS finds its source stale
 * and fails with EFAULT, now and at every later try, so that thread can no
 * longer leave the VAS (Till Smejkal's answer in the RFC thread).  Its
 * futex words live in another mm now, so the process ends it by exiting
 * rather than joining it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vas.h"

#define PAGE 4096ul

static long vid;
static char *base;		/* the heap's start (the brk at the start) */
static atomic_int step;

static long call(const char *what, long nr, long a, long b, long c)
{
	long r = syscall(nr, a, b, c);

	if (r < 0)
		printf("%s = %s\n", what, strerrorname_np(errno));
	else
		printf("%s = %ld\n", what, r);
	return r;
}

/* The heap ends `pages` pages above base. */
static void heap_to(const char *what, unsigned long pages)
{
	char *end = (char *)syscall(SYS_brk, base + pages * PAGE);

	printf("%s: heap %lu pages\n", what, (unsigned long)(end - base) / PAGE);
}

static void wait_step(int n)
{
	while (atomic_load(&step) != n)
		sched_yield();
}

/* One side grows the heap at a time: each switch carries it over. */
static void one_side_at_a_time(void)
{
	call("switch v", SYS_vas_switch, vid, 0, 0);
	heap_to("in v", 2);
	strcpy(base + PAGE, "grown in v");
	call("switch 0", SYS_vas_switch, 0, 0, 0);
	printf("original reads: %s\n", base + PAGE);
	heap_to("original", 3);
	strcpy(base + 2 * PAGE, "grown outside");
	call("switch v", SYS_vas_switch, vid, 0, 0);
	printf("v reads: %s, %s\n", base + PAGE, base + 2 * PAGE);
	call("switch 0", SYS_vas_switch, 0, 0, 0);
}

static void *inside(void *arg)
{
	(void)arg;
	call("thread switch v", SYS_vas_switch, vid, 0, 0);
	heap_to("thread in v", 8);
	atomic_store(&step, 1);
	wait_step(2);
	call("thread switch 0", SYS_vas_switch, 0, 0, 0);
	call("thread switch 0 again", SYS_vas_switch, 0, 0, 0);
	call("thread active", SYS_active_vas, 0, 0, 0);
	atomic_store(&step, 3);
	wait_step(4);	/* never: stuck in v, the process's exit ends it */
	return NULL;
}

int main(void)
{
	pthread_t th;

	setvbuf(stdout, NULL, _IONBF, 0);
	base = (char *)syscall(SYS_brk, 0);
	heap_to("start", 1);
	vid = syscall(SYS_vas_create, "v", 0600);
	call("attach v", SYS_vas_attach, 0, vid, O_RDWR);
	one_side_at_a_time();
	pthread_create(&th, NULL, inside, NULL);
	wait_step(1);
	heap_to("main outside", 4);
	atomic_store(&step, 2);
	wait_step(3);
	return 0;
}
