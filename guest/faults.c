/*
 * faults: memory faults other than a missing or forbidden page, and what
 * Linux makes of them.  One mode per run:
 *
 *   faults ldxr      exclusive load from an odd address: an alignment fault
 *   faults atomic    atomic add (LL/SC loop) on an odd address
 *   faults ldxp      exclusive pair load (2 x 8 bytes) from an address
 *                    aligned to 8 but not to the 16 the pair needs
 *   faults low       call address 0x1234, below mmap_min_addr
 *
 * Without `catch` after the mode the fault kills the program (Linux: SIGBUS
 * for the alignment faults, SIGSEGV for `low`).  With `catch`, an SA_SIGINFO
 * handler reports the signal, its si_code and whether si_addr is the
 * faulting address, then the program exits 0.  The lines printed are the
 * same on any Linux; `low` also builds for the host (x86-64), to ask the
 * real kernel.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define LOW_ADDRESS 0x1234

static sigjmp_buf back;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(back, 1);
}

static void catch_faults(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

static const char *code_name(int sig, int code)
{
	if (sig == SIGBUS)
		return code == BUS_ADRALN ? "BUS_ADRALN" : code == BUS_ADRERR ? "BUS_ADRERR" :
		       code == BUS_OBJERR ? "BUS_OBJERR" : "other";
	if (sig == SIGSEGV)
		return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "other";
	return "other";
}

static uint64_t words[4] __attribute__((unused, aligned(16)));

/* Run `mode`'s faulting access; returns the address it touches, or NULL
 * for an unknown mode. */
static void *fault(const char *mode, int go)
{
	if (!strcmp(mode, "low")) {
		if (go)
			((void (*)(void))(uintptr_t)LOW_ADDRESS)();
		return (void *)(uintptr_t)LOW_ADDRESS;
	}
#ifdef __aarch64__
	char *odd = (char *)words + 1;

	if (!strcmp(mode, "ldxr")) {
		uint64_t v;

		if (go)
			__asm__ volatile("ldxr %0, [%1]" : "=r"(v) : "r"(odd) : "memory");
		return odd;
	}
	if (!strcmp(mode, "ldxp")) {
		char *half = (char *)words + 8;
		uint64_t a, b;

		if (go)
			__asm__ volatile("ldxp %0, %1, [%2]" : "=&r"(a), "=&r"(b) : "r"(half) : "memory");
		return half;
	}
	if (!strcmp(mode, "atomic")) {
		if (go)
			__atomic_fetch_add((uint64_t *)odd, 1, __ATOMIC_SEQ_CST);
		return odd;
	}
#endif
	return NULL;
}

int main(int argc, char **argv)
{
	int catching = argc > 2 && !strcmp(argv[2], "catch");
	void *addr;

	if (argc < 2 || !(addr = fault(argv[1], 0))) {
		fprintf(stderr, "usage: faults ldxr|ldxp|atomic|low [catch]\n");
		return 2;
	}
	printf("%s: faulting\n", argv[1]);
	fflush(stdout);
	if (catching)
		catch_faults();
	if (!sigsetjmp(back, 1)) {
		fault(argv[1], 1);
		printf("%s: no fault\n", argv[1]);
		return 1;
	}
	printf("%s: %s %s, si_addr %s\n", argv[1], got_sig == SIGBUS ? "SIGBUS" :
	       got_sig == SIGSEGV ? "SIGSEGV" : "another signal", code_name(got_sig, got_code),
	       got_addr == addr ? "the address" : "elsewhere");
	return 0;
}
