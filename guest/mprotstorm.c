/*
 * mprotstorm: an mprotect storm, for counting TLB shootdowns.
 *
 * No C library.  The main thread maps one anonymous page (MAP_POPULATE),
 * writes the page of the shared flags, starts NTHREADS threads with a raw
 * clone (all sharing its address space) and waits until all have started;
 * each thread then spins reading a shared stop flag, so it stays on a CPU
 * with the address space live.  Main makes STORM rounds of
 * { mprotect(PROT_READ); mprotect(PROT_READ | PROT_WRITE); store one word
 * to the page }, then sets the flag, waits until every thread has seen it,
 * and exits with exit_group(0).
 *
 * These 2 * STORM mprotect calls are the program's only munmap, mprotect or
 * madvise calls, so a test can expect exactly STORM TLB flushes (the
 * downgrades to PROT_READ; an upgrade needs none), each one while NTHREADS
 * other threads of the address space are running: with --cpus of
 * NTHREADS + 1 or more, every flush must reach the other CPUs.  (A store
 * after an upgrade may take a permission fault, by the kernel's choice,
 * but a fault that only adds write access flushes nothing.  The flags'
 * page is written before the threads start: were its first touch main's
 * read of `started`, it would map the shared zero page, and the first
 * thread's write would replace it with a copy-on-write flush of its own.)
 * Nothing is printed, except a short message on standard error with exit
 * status 1 if a system call fails.
 */
#include "mmusim.h"

/* tests depend on these two values. */
#define STORM 100
#define NTHREADS 3

#define STACK_SIZE 16384
#define PAGE_SIZE 4096

#define NR_write 64
#define NR_exit 93
#define NR_exit_group 94
#define NR_clone 220
#define NR_mmap 222
#define NR_mprotect 226

#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MAP_POPULATE 0x8000

#define CLONE_VM 0x100
#define CLONE_FS 0x200
#define CLONE_FILES 0x400
#define CLONE_SIGHAND 0x800
#define CLONE_THREAD 0x10000
#define CLONE_SYSVSEM 0x40000
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
		      CLONE_THREAD | CLONE_SYSVSEM)

static unsigned char stacks[NTHREADS][STACK_SIZE] __attribute__((aligned(16)));
static int started, finished, stop;

/*
 * spawn_thread(flags, stack_top, fn): clone with a new stack.  The parent
 * returns the new thread's id (or -errno); the child never returns into
 * the parent's frame: it calls fn() on its own stack, then exits the
 * thread.  fn travels in x9, which the system call leaves alone.
 */
long spawn_thread(unsigned long flags, void *stack_top, void (*fn)(void));
__asm__(
"	.text\n"
"	.globl	spawn_thread\n"
"	.type	spawn_thread, %function\n"
"spawn_thread:\n"
"	mov	x9, x2\n"
"	mov	x2, #0\n"		/* parent_tid */
"	mov	x3, #0\n"		/* tls */
"	mov	x4, #0\n"		/* child_tid */
"	mov	x8, #220\n"		/* NR_clone */
"	svc	#0\n"
"	cbz	x0, 1f\n"
"	ret\n"
"1:	blr	x9\n"
"	mov	x0, #0\n"
"	mov	x8, #93\n"		/* NR_exit */
"	svc	#0\n"
"	b	.\n"
"	.size	spawn_thread, . - spawn_thread\n"
);

static void __attribute__((noreturn)) die(const char *msg, long len)
{
	mmusim_syscall3(NR_write, 2, (long)msg, len);
	mmusim_syscall3(NR_exit_group, 1, 0, 0);
	for (;;)
		;
}
#define DIE(msg) die("mprotstorm: " msg "\n", sizeof("mprotstorm: " msg "\n") - 1)

static void wait_until(int *counter, int value)
{
	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) != value)
		;
}

static void worker(void)
{
	__atomic_fetch_add(&started, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
		;
	__atomic_fetch_add(&finished, 1, __ATOMIC_ACQ_REL);
}

void _start(void)
{
	long page;

	page = mmusim_syscall6(NR_mmap, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (page < 0)
		DIE("mmap failed");
	__atomic_store_n(&started, 0, __ATOMIC_RELEASE);	/* see the top comment */
	for (int i = 0; i < NTHREADS; i++)
		if (spawn_thread(THREAD_FLAGS, stacks[i] + STACK_SIZE, worker) < 0)
			DIE("clone failed");
	wait_until(&started, NTHREADS);

	for (long i = 0; i < STORM; i++) {
		if (mmusim_syscall3(NR_mprotect, page, PAGE_SIZE, PROT_READ))
			DIE("mprotect failed");
		if (mmusim_syscall3(NR_mprotect, page, PAGE_SIZE,
				    PROT_READ | PROT_WRITE))
			DIE("mprotect failed");
		*(volatile long *)page = i;
	}

	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	wait_until(&finished, NTHREADS);
	mmusim_syscall3(NR_exit_group, 0, 0, 0);
	for (;;)
		;
}
