/*
 * stale: after a translation is removed, downgraded or replaced, the CPU
 * must not use it again, not even in the very next instruction.  Each mode
 * is one asm block: an access to the page (so the CPU caches its
 * translation), the system call that changes it, and at once the access
 * under test, with no other memory access in between that could push the
 * entry out of the emulator's TLB by chance (a C library call would).
 *
 *   munmap         load, munmap, load           -> SIGSEGV, SEGV_MAPERR
 *   mprotect       store, mprotect READ, store  -> SIGSEGV, SEGV_ACCERR
 *   mprotect-none  load, mprotect NONE, load    -> SIGSEGV, SEGV_ACCERR
 *   dontneed       load, MADV_DONTNEED, load    -> reads 0
 *   cow-read       after fork the child loads the shared page, read(2)s a
 *                  byte from a pipe into it (the kernel breaks copy-on-write
 *                  and copies), and loads it again -> the byte from the pipe
 *   fork-write     the parent stores to a private page, forks, and stores
 *                  again right after the svc -> the child sees the old value
 *
 * The faulting modes and dontneed print the page's address and contents
 * first ("page ADDR holds 42"), so the test can match the crash report; the
 * fork modes print only values, the same under any kernel.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define NR_READ		63
#define NR_MUNMAP	215
#define NR_CLONE	220
#define NR_MPROTECT	226
#define NR_MADVISE	233
#define SIGCHLD_NR	17

/* ldrb, the system call `nr` (a0, a1, a2), ldrb again; returns the second
 * load.  Only x0-x2, x8 and the result registers change. */
static long load_call_load(volatile char *p, long nr, long a0, long a1, long a2)
{
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;
	register long x8 __asm__("x8") = nr;
	long before, after;

	__asm__ volatile("ldrb %w[before], [%[p]]\n\t"
			 "svc #0\n\t"
			 "ldrb %w[after], [%[p]]"
			 : [before] "=&r"(before), [after] "=&r"(after), "+r"(x0)
			 : [p] "r"(p), "r"(x1), "r"(x2), "r"(x8)
			 : "memory");
	return after;
}

/* strb, mprotect(PROT_READ), strb: the second store must fault. */
static void store_mprotect_store(volatile char *p)
{
	register long x0 __asm__("x0") = (long)p;
	register long x1 __asm__("x1") = 4096;
	register long x2 __asm__("x2") = PROT_READ;
	register long x8 __asm__("x8") = NR_MPROTECT;

	__asm__ volatile("strb %w[v], [%[p]]\n\t"
			 "svc #0\n\t"
			 "strb %w[v], [%[p]]"
			 : "+r"(x0)
			 : [p] "r"(p), [v] "r"(7), "r"(x1), "r"(x2), "r"(x8)
			 : "memory");
}

/* strb 'A', fork, and in the parent strb 'P' right after the svc; returns
 * fork's result. */
static long store_fork_store(volatile char *p)
{
	register long x0 __asm__("x0") = SIGCHLD_NR;
	register long x1 __asm__("x1") = 0;
	register long x2 __asm__("x2") = 0;
	register long x3 __asm__("x3") = 0;
	register long x4 __asm__("x4") = 0;
	register long x8 __asm__("x8") = NR_CLONE;

	__asm__ volatile("strb %w[a], [%[p]]\n\t"
			 "svc #0\n\t"
			 "cbz x0, 1f\n\t"
			 "strb %w[b], [%[p]]\n"
			 "1:"
			 : "+r"(x0)
			 : [p] "r"(p), [a] "r"('A'), [b] "r"('P'), "r"(x1), "r"(x2), "r"(x3),
			   "r"(x4), "r"(x8)
			 : "memory");
	return x0;
}

static volatile char *new_page(void)
{
	char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

static int cow_read(volatile char *p)
{
	int fds[2], status;
	pid_t pid;

	p[0] = 'A';
	if (pipe(fds) || write(fds[1], "B", 1) != 1)
		return 2;
	pid = fork();
	if (pid < 0)
		return 2;
	if (pid == 0) {
		long got = load_call_load(p, NR_READ, fds[0], (long)p, 1);

		printf("child reads %c after read(2) into its copy\n", (char)got);
		return 0;
	}
	waitpid(pid, &status, 0);
	printf("parent still has %c\n", p[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

static int fork_write(volatile char *p)
{
	int fds[2], status;
	long pid;
	char c;

	if (pipe(fds))
		return 2;
	pid = store_fork_store(p);
	if (pid < 0)
		return 2;
	if (pid == 0) {
		if (read(fds[0], &c, 1) != 1)	/* until the parent has written */
			return 2;
		printf("child sees %c\n", p[0]);
		return 0;
	}
	if (write(fds[1], "x", 1) != 1)
		return 2;
	waitpid((pid_t)pid, &status, 0);
	printf("parent sees %c\n", p[0]);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	volatile char *p = new_page();

	if (!p)
		return 2;
	if (!strcmp(mode, "cow-read"))
		return cow_read(p);
	if (!strcmp(mode, "fork-write"))
		return fork_write(p);
	p[0] = 42;
	printf("page %p holds %d\n", (void *)p, p[0]);
	fflush(stdout);
	if (!strcmp(mode, "munmap"))
		return (int)load_call_load(p, NR_MUNMAP, (long)p, 4096, 0);	/* must fault */
	if (!strcmp(mode, "mprotect")) {
		store_mprotect_store(p);	/* must fault */
		return 0;
	}
	if (!strcmp(mode, "mprotect-none"))
		return (int)load_call_load(p, NR_MPROTECT, (long)p, 4096, PROT_NONE);
	if (!strcmp(mode, "dontneed")) {
		printf("after MADV_DONTNEED: %ld\n",
		       load_call_load(p, NR_MADVISE, (long)p, 4096, MADV_DONTNEED));
		return 0;
	}
	return 2;
}
