/*
 * vfork: the parent is suspended, sharing its memory, until the child
 * exits or execs; one line per check, each ending in "ok" or "FAILED";
 * exit status 0 when all are ok.
 *
 *   memory   the child's store to a global is seen by the parent
 *   exit     the parent resumes only once the child has exited (the child
 *            sleeps 50 ms first): waitpid(WNOHANG) finds it at once
 *   signal   SIGUSR1 sent to the parent (by a helper process, 10 ms in)
 *            while it waits for a sleeping vfork child does not wake it:
 *            as in Linux, the wait ends only for a fatal signal; the
 *            handler runs once vfork has returned
 *   exec     the parent resumes when the child execs: the program run
 *            (this one again, "vfork exit-at-once") exits with status 3
 *
 * Not for qemu-aarch64-static as an oracle: qemu-user runs vfork as fork.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures;
static volatile int shared, handled;

static void check(const char *name, int ok, const char *what)
{
	printf("%-7s %s: %s\n", name, what, ok ? "ok" : "FAILED");
	failures += !ok;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000 };

	nanosleep(&ts, NULL);
}

static void on_usr1(int sig)
{
	(void)sig;
	handled++;
}

static int status_of(pid_t pid)
{
	int status = -1;

	waitpid(pid, &status, 0);
	return status;
}

int main(int argc, char **argv)
{
	pid_t pid, helper, parent = getpid();
	int status, early, handled_at_return;

	if (argc > 1 && !strcmp(argv[1], "exit-at-once"))
		return 3;
	fflush(stdout);

	pid = vfork();
	if (pid == 0) {
		shared = 42;
		_exit(0);
	}
	status_of(pid);
	check("memory", shared == 42, "the parent sees the child's store");

	pid = vfork();
	if (pid == 0) {
		sleep_ms(50);
		_exit(5);
	}
	early = waitpid(pid, &status, WNOHANG);
	check("exit", early == pid && WIFEXITED(status) && WEXITSTATUS(status) == 5,
	      "vfork returns after the child has exited");

	signal(SIGUSR1, on_usr1);
	helper = fork();
	if (helper == 0) {
		sleep_ms(10);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	pid = vfork();
	if (pid == 0) {
		sleep_ms(50);
		_exit(6);
	}
	handled_at_return = handled;
	early = waitpid(pid, &status, WNOHANG);
	status_of(helper);
	check("signal", early == pid && WIFEXITED(status) && WEXITSTATUS(status) == 6,
	      "a signal does not end the wait before the child exits");
	check("signal", handled_at_return == 1 && handled == 1, "the handler ran once, as vfork returned");
	signal(SIGUSR1, SIG_DFL);

	pid = vfork();
	if (pid == 0) {
		char *args[] = { argv[0], "exit-at-once", NULL };
		char *envp[] = { NULL };

		execve(argv[0], args, envp);
		_exit(127);
	}
	status = status_of(pid);
	check("exec", WIFEXITED(status) && WEXITSTATUS(status) == 3, "the parent resumes when the child execs");
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}
