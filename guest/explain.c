/*
 * explain: the faults tests/integration/test_explain.c explains, all in
 * the page 0x7f1234567000 (level indices 254, 72, 418, 359):
 *   1. a first write at 0x7f12345679ab: demand-zero, three tables built;
 *   2. the child of a fork writes there: copy-on-write copy;
 *   3. the parent writes there after the child exited: copy-on-write reuse;
 *   4. a write after mprotect(PROT_READ): permission fault, SIGSEGV
 *      (SEGV_ACCERR), which the handler reports before exiting 0.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE ((volatile char *)0x7f1234567000UL)

static void on_segv(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	printf("SIGSEGV code %d at %p\n", si->si_code, si->si_addr);
	fflush(stdout);
	_exit(0);
}

int main(void)
{
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	int status;
	pid_t pid;

	if (mmap((void *)PAGE, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) != (void *)PAGE)
		return 1;
	PAGE[0x9ab] = 1;
	pid = fork();
	if (pid == 0) {
		PAGE[0x9ab] = 2;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	PAGE[0x9ab] = 3;
	sigaction(SIGSEGV, &sa, NULL);
	mprotect((void *)PAGE, 4096, PROT_READ);
	PAGE[0x9ab] = 4;
	return 2;
}
