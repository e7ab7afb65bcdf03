/*
 * faultretry: a thread touches a region whose faults sleep until another
 * thread resolves them, the shape of userfaultfd.  The region and its
 * resolution are test-only system calls that tests/unit/test_wait.c
 * registers at TEST_CALL_BASE and the one after; under plain mmusim
 * they answer ENOSYS.  Exit status: 0 when the touching thread read the
 * value the resolver put there, 1 without the test calls, 2 otherwise.
 */
#include <pthread.h>
#include <sched.h>

#include "mmusim.h"

/* Test-only calls, clear of the designs' numbers (1000-1015: VAS). */
#define TEST_CALL_BASE (MMUSIM_SYSCALL_BASE + 900)

#define REGION 0x20000000L
#define VALUE 0x5eedL

static volatile int started;

static void *touch(void *arg)
{
	(void)arg;
	started = 1;
	return (void *)*(volatile long *)REGION;
}

int main(void)
{
	pthread_t thread;
	void *seen;

	if (mmusim_syscall3(TEST_CALL_BASE, REGION, 4096, 0) < 0)
		return 1;
	pthread_create(&thread, NULL, touch, NULL);
	while (!started)
		sched_yield();
	for (int i = 0; i < 3; i++)	/* let it fault and fall asleep */
		sched_yield();
	mmusim_syscall3(TEST_CALL_BASE + 1, REGION, VALUE, 0);
	pthread_join(thread, &seen);
	return (long)seen == VALUE ? 0 : 2;
}
