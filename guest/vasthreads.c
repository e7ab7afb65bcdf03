/*
 * vasthreads: VASes and the threads of one process, as the RFC has them
 * (its vas_context is shared by CLONE_VM; tests/integration/test_vas.c).
 * A thread sees the VASes its process attached and switches on its own; a
 * VAS a sibling thread runs in can be detached (vas_detach refuses only
 * the target thread's own active VAS): the sibling keeps running in that
 * mm, still names the VAS active, and may switch back; the detach merged
 * what the sibling had written into the VAS.  A thread's exit does not
 * detach the process's VASes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vas.h"

#define PAGE_AT_256G ((char *)0x4000000000UL)

static long v, w;
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

static void wait_step(int n)
{
	while (atomic_load(&step) != n)
		sched_yield();
}

static void *sibling(void *arg)
{
	char *p;

	(void)arg;
	call("sibling active", SYS_active_vas, 0, 0, 0);
	call("sibling switch v", SYS_vas_switch, v, 0, 0);
	p = mmap(PAGE_AT_256G, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	strcpy(p, "written by the sibling");
	atomic_store(&step, 1);
	wait_step(2);
	call("sibling active after detach", SYS_active_vas, 0, 0, 0);
	printf("sibling still reads: %s\n", p);
	call("sibling switch 0", SYS_vas_switch, 0, 0, 0);
	call("sibling active", SYS_active_vas, 0, 0, 0);
	call("sibling switch v", SYS_vas_switch, v, 0, 0);
	return NULL;
}

int main(void)
{
	pthread_t th;

	setvbuf(stdout, NULL, _IONBF, 0);
	v = syscall(SYS_vas_create, "v", 0600);
	w = syscall(SYS_vas_create, "w", 0600);
	call("attach v", SYS_vas_attach, 0, v, O_RDWR);
	call("attach w", SYS_vas_attach, 0, w, O_RDWR);
	pthread_create(&th, NULL, sibling, NULL);
	wait_step(1);
	call("main active", SYS_active_vas, 0, 0, 0);
	call("delete v", SYS_vas_delete, v, 0, 0);
	call("detach v under the sibling", SYS_vas_detach, 0, v, 0);
	atomic_store(&step, 2);
	pthread_join(th, NULL);
	call("switch w after the sibling's exit", SYS_vas_switch, w, 0, 0);
	call("switch 0", SYS_vas_switch, 0, 0, 0);
	call("attach v ro", SYS_vas_attach, 0, v, O_RDONLY);
	call("switch v", SYS_vas_switch, v, 0, 0);
	printf("v holds: %s\n", PAGE_AT_256G);
	call("switch 0", SYS_vas_switch, 0, 0, 0);
	call("detach v", SYS_vas_detach, 0, v, 0);
	call("delete v", SYS_vas_delete, v, 0, 0);
	return 0;
}
