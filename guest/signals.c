/*
 * signals: signal delivery between and within processes, one line per
 * check, each ending in "ok" or "FAILED"; exit status 0 when all are ok.
 *
 *   signals [GROUP...]    only the groups named (default: all), always in
 *                         the order below
 *
 *   segv       SA_SIGINFO SIGSEGV handler: si_addr and si_code for a store
 *              to an unmapped page (SEGV_MAPERR) and to a read-only page
 *              (SEGV_ACCERR); siglongjmp out of the handler
 *   sigchld    SA_SIGINFO SIGCHLD handler: one delivery per child exit,
 *              with si_pid, si_code CLD_EXITED and si_status
 *   kill       SIGTERM to a child waiting in pause(): wait status shows it
 *   killwriter SIGTERM to a child blocked in write() of PIPE_BUF bytes on a
 *              full pipe, just after the pipe changed without making room
 *              for them (one byte read): the signal must still end the wait
 *   altstack   a handler with SA_ONSTACK runs on the sigaltstack and sees
 *              SS_ONSTACK
 *   sigwait    sigtimedwait for a blocked signal sent by kill from a
 *              child (si_pid, si_code SI_USER), and its timeout (EAGAIN)
 *   sigsuspend the handler runs inside sigsuspend, which says EINTR and
 *              puts the old mask back
 *   restart    read() on a pipe interrupted by a signal: with SA_RESTART
 *              it goes on and returns the byte written later; without,
 *              it fails with EINTR
 *
 * The children never print, so the output does not depend on scheduling.
 * The interrupted reads rely on the child's 100 ms sleep before it signals.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void check(const char *name, int ok, const char *what)
{
	printf("%-10s %s: %s\n", name, what, ok ? "ok" : "FAILED");
	failures += !ok;
}

static void on(int sig, void (*handler)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL))
		perror("sigaction");
}

static void set_default(int sig)
{
	signal(sig, SIG_DFL);
}

static void set_blocked(int how, int sig)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(how, &set, NULL);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	nanosleep(&ts, NULL);
}

/* fork, with the parent's stdout flushed so the child cannot repeat it */
static pid_t spawn(void)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		_exit(2);
	}
	return pid;
}

static int reap(pid_t pid)
{
	int status = -1;

	if (waitpid(pid, &status, 0) != pid)
		perror("waitpid");
	return status;
}

/* segv */

static sigjmp_buf segv_jmp;
static volatile void *segv_addr;
static volatile int segv_code;

static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	segv_addr = si->si_addr;
	segv_code = si->si_code;
	siglongjmp(segv_jmp, 1);
}

static void test_segv(void)
{
	char *unmapped = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *readonly = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile char *target;

	munmap(unmapped, 4096);
	on(SIGSEGV, segv_handler, 0);
	target = unmapped + 123;
	if (!sigsetjmp(segv_jmp, 1))
		*target = 1;
	check("segv", segv_addr == target && segv_code == SEGV_MAPERR,
	      "unmapped page: si_addr is the address, si_code SEGV_MAPERR");
	target = readonly + 456;
	segv_addr = NULL;
	if (!sigsetjmp(segv_jmp, 1))
		*target = 1;
	check("segv", segv_addr == target && segv_code == SEGV_ACCERR,
	      "read-only page: si_addr is the address, si_code SEGV_ACCERR");
	set_default(SIGSEGV);
	munmap(readonly, 4096);
}

/* sigchld */

#define CHILDREN 3
static volatile int chld_count, chld_status_sum, chld_exited;
static volatile pid_t chld_pid;

static void chld_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	chld_count++;
	chld_status_sum += si->si_status;
	chld_exited += si->si_code == CLD_EXITED;
	chld_pid = si->si_pid;
}

static void test_sigchld(void)
{
	sigset_t old;
	int pids_ok = 1;

	on(SIGCHLD, chld_handler, 0);
	set_blocked(SIG_BLOCK, SIGCHLD);
	sigprocmask(SIG_BLOCK, NULL, &old);
	sigdelset(&old, SIGCHLD);
	for (int i = 1; i <= CHILDREN; i++) {
		pid_t pid = spawn();

		if (pid == 0)
			_exit(10 * i);
		while (chld_count < i)
			sigsuspend(&old);
		pids_ok &= chld_pid == pid;
		reap(pid);
	}
	set_blocked(SIG_UNBLOCK, SIGCHLD);
	set_default(SIGCHLD);
	check("sigchld", chld_count == CHILDREN, "one delivery per child exit");
	check("sigchld", pids_ok && chld_exited == CHILDREN && chld_status_sum == 60,
	      "si_pid, si_code CLD_EXITED and si_status 10+20+30");
}

/* kill */

static void test_kill(void)
{
	int ready[2], status;
	pid_t pid;
	char c;

	pipe(ready);
	pid = spawn();
	if (pid == 0) {
		write(ready[1], "r", 1);
		for (;;)
			pause();
	}
	read(ready[0], &c, 1);
	kill(pid, SIGTERM);
	status = reap(pid);
	check("kill", WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	      "paused child killed by SIGTERM, wait status says so");
	close(ready[0]);
	close(ready[1]);
}

/* killwriter */

static void test_kill_writer(void)
{
	static char block[4096];	/* PIPE_BUF: written whole or not at all */
	int ready[2], data[2], status;
	pid_t pid;
	char c;

	pipe(ready);
	pipe(data);
	for (int i = 0; i < 15; i++)	/* 64 KiB less one byte: full for PIPE_BUF */
		write(data[1], block, sizeof(block));
	write(data[1], block, sizeof(block) - 1);
	pid = spawn();
	if (pid == 0) {
		write(ready[1], "r", 1);
		write(data[1], block, sizeof(block));
		_exit(0);
	}
	read(ready[0], &c, 1);
	read(data[0], &c, 1);	/* the pipe changes, but a block still does not fit */
	kill(pid, SIGTERM);
	status = reap(pid);
	check("killwriter", WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	      "child blocked in a pipe write killed by SIGTERM");
	close(ready[0]);
	close(ready[1]);
	close(data[0]);
	close(data[1]);
}

/* altstack */

static char altstack[64 * 1024] __attribute__((aligned(16)));
static volatile int alt_on_stack, alt_onstack_flag;

static void alt_handler(int sig, siginfo_t *si, void *uc)
{
	char local;
	stack_t now;
	uintptr_t here = (uintptr_t)&local, base = (uintptr_t)altstack;

	(void)sig, (void)si, (void)uc;
	alt_on_stack = here >= base && here < base + sizeof(altstack);
	alt_onstack_flag = !sigaltstack(NULL, &now) && (now.ss_flags & SS_ONSTACK);
}

static void test_altstack(void)
{
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack), .ss_flags = 0 };
	stack_t after;

	if (sigaltstack(&ss, NULL))
		perror("sigaltstack");
	on(SIGUSR1, alt_handler, SA_ONSTACK);
	raise(SIGUSR1);
	check("altstack", alt_on_stack, "a local of the handler lies in the alternate stack");
	check("altstack", alt_onstack_flag, "sigaltstack in the handler reports SS_ONSTACK");
	check("altstack", !sigaltstack(NULL, &after) && !(after.ss_flags & SS_ONSTACK),
	      "back on the normal stack after the handler");
	set_default(SIGUSR1);
	ss.ss_flags = SS_DISABLE;
	sigaltstack(&ss, NULL);
}

/* sigwait */

static void test_sigwait(void)
{
	struct timespec timeout = { 5, 0 }, short_timeout = { 0, 10 * 1000000 };
	siginfo_t si;
	sigset_t set;
	pid_t pid;
	int sig;

	set_blocked(SIG_BLOCK, SIGUSR2);
	pid = spawn();
	if (pid == 0) {
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sig = sigtimedwait(&set, &si, &timeout);
	check("sigwait", sig == SIGUSR2 && si.si_signo == SIGUSR2 && si.si_pid == pid &&
	      si.si_code == SI_USER, "sigtimedwait takes SIGUSR2 from the child, si_pid and SI_USER");
	reap(pid);
	kill(getpid(), SIGUSR2);
	sig = sigwaitinfo(&set, &si);
	check("sigwait", sig == SIGUSR2 && si.si_pid == getpid(), "sigwaitinfo takes a pending SIGUSR2 from itself");
	errno = 0;
	sig = sigtimedwait(&set, &si, &short_timeout);
	check("sigwait", sig == -1 && errno == EAGAIN, "sigtimedwait with nothing pending times out with EAGAIN");
	set_blocked(SIG_UNBLOCK, SIGUSR2);
}

/* sigsuspend */

static volatile int usr1_count;

static void usr1_handler(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)si, (void)uc;
	usr1_count++;
}

static void test_sigsuspend(void)
{
	sigset_t empty, now;
	pid_t pid;
	int ret, err;

	on(SIGUSR1, usr1_handler, 0);
	set_blocked(SIG_BLOCK, SIGUSR1);
	usr1_count = 0;
	pid = spawn();
	if (pid == 0) {
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	sigemptyset(&empty);
	ret = sigsuspend(&empty);
	err = errno;
	sigprocmask(SIG_BLOCK, NULL, &now);
	check("sigsuspend", ret == -1 && err == EINTR && usr1_count == 1,
	      "the handler ran once inside sigsuspend, which failed with EINTR");
	check("sigsuspend", sigismember(&now, SIGUSR1), "the old mask is back after sigsuspend");
	reap(pid);
	set_blocked(SIG_UNBLOCK, SIGUSR1);
	set_default(SIGUSR1);
}

/* restart */

static void test_restart_with(int flags, const char *what)
{
	int fds[2], err;
	pid_t pid;
	ssize_t n;
	char c = 0;

	pipe(fds);
	on(SIGUSR1, usr1_handler, flags);
	usr1_count = 0;
	pid = spawn();
	if (pid == 0) {
		sleep_ms(100);
		kill(getppid(), SIGUSR1);
		sleep_ms(100);
		write(fds[1], "x", 1);
		_exit(0);
	}
	errno = 0;
	n = read(fds[0], &c, 1);
	err = errno;
	reap(pid);
	if (flags & SA_RESTART)
		check("restart", usr1_count == 1 && n == 1 && c == 'x', what);
	else
		check("restart", usr1_count == 1 && n == -1 && err == EINTR, what);
	set_default(SIGUSR1);
	close(fds[0]);
	close(fds[1]);
}

static void test_restart(void)
{
	test_restart_with(SA_RESTART, "SA_RESTART: the handler ran, then read returned the byte");
	test_restart_with(0, "no SA_RESTART: the handler ran, then read failed with EINTR");
}

static const struct group {
	const char *name;
	void (*run)(void);
} groups[] = {
	{ "segv", test_segv },
	{ "sigchld", test_sigchld },
	{ "kill", test_kill },
	{ "killwriter", test_kill_writer },
	{ "altstack", test_altstack },
	{ "sigwait", test_sigwait },
	{ "sigsuspend", test_sigsuspend },
	{ "restart", test_restart },
};

#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

/* The group called `name`, or NULL. */
static const struct group *find_group(const char *name)
{
	for (size_t g = 0; g < NGROUPS; g++)
		if (!strcmp(name, groups[g].name))
			return &groups[g];
	return NULL;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!find_group(argv[i])) {
			fprintf(stderr, "signals: no group %s\n", argv[i]);
			return 2;
		}
	for (size_t g = 0; g < NGROUPS; g++) {
		int wanted = argc == 1;

		for (int i = 1; i < argc; i++)
			wanted |= find_group(argv[i]) == &groups[g];
		if (wanted)
			groups[g].run();
	}
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
