/*
 * mdwe: memory-deny-write-execute (prctl PR_SET_MDWE, Linux 6.3+): the
 * prctl's rules, what mmap and mprotect refuse under it (EACCES), and what
 * fork and exec keep (NO_INHERIT: nothing).  One line per call: the result
 * or the error.  Builds for the host too, to ask the real kernel.
 *
 *   mdwe            everything, re-running itself through /proc/self/exe
 *   mdwe exec       print PR_GET_MDWE (after an exec) and try a W+X mapping
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_SET_MDWE
#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#define PR_MDWE_REFUSE_EXEC_GAIN 1UL
#define PR_MDWE_NO_INHERIT 2UL
#endif

static long page;

static void show(const char *what, long ret)
{
	if (ret < 0)
		printf("%-40s %s\n", what, strerror(errno));
	else
		printf("%-40s %ld\n", what, ret);
}

static long map(int prot)
{
	void *p = mmap(NULL, page, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? -1 : 0;
}

static char *must_map(int prot)
{
	return mmap(NULL, page, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* What a descendant (`who`) has: PR_GET_MDWE, and whether it may map W+X. */
static void report(const char *who)
{
	char what[64];

	snprintf(what, sizeof(what), "%s: PR_GET_MDWE", who);
	show(what, prctl(PR_GET_MDWE, 0, 0, 0, 0));
	snprintf(what, sizeof(what), "%s: mmap RWX", who);
	show(what, map(PROT_READ | PROT_WRITE | PROT_EXEC));
}

/* A forked child reports, then one that execs this program again. */
static void descendants(void)
{
	if (fork() == 0) {
		report("fork child");
		_exit(0);
	}
	wait(NULL);
	if (fork() == 0) {
		execl("/proc/self/exe", "mdwe", "exec", (char *)NULL);
		_exit(127);
	}
	wait(NULL);
}

static void rules(void)
{
	show("PR_GET_MDWE", prctl(PR_GET_MDWE, 0, 0, 0, 0));
	show("PR_GET_MDWE arg2 1", prctl(PR_GET_MDWE, 1, 0, 0, 0));
	show("PR_SET_MDWE arg3 1", prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 1, 0, 0));
	show("PR_SET_MDWE NO_INHERIT alone", prctl(PR_SET_MDWE, PR_MDWE_NO_INHERIT, 0, 0, 0));
	show("PR_SET_MDWE unknown bit", prctl(PR_SET_MDWE, 4, 0, 0, 0));
	show("PR_SET_MDWE 0", prctl(PR_SET_MDWE, 0, 0, 0, 0));
	show("PR_GET_MDWE still", prctl(PR_GET_MDWE, 0, 0, 0, 0));
}

static void refusals(void)
{
	char *wx = must_map(PROT_READ | PROT_WRITE | PROT_EXEC), *rw, *rx;

	show("PR_SET_MDWE REFUSE_EXEC_GAIN", prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0));
	show("PR_GET_MDWE", prctl(PR_GET_MDWE, 0, 0, 0, 0));
	show("PR_SET_MDWE the same again", prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0));
	show("PR_SET_MDWE 0 (unset)", prctl(PR_SET_MDWE, 0, 0, 0, 0));
	show("PR_SET_MDWE adding NO_INHERIT",
	     prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN | PR_MDWE_NO_INHERIT, 0, 0, 0));
	show("mmap RWX", map(PROT_READ | PROT_WRITE | PROT_EXEC));
	show("mmap WX", map(PROT_WRITE | PROT_EXEC));
	show("mmap RX", map(PROT_READ | PROT_EXEC));
	show("mmap X", map(PROT_EXEC));
	show("mmap RW", map(PROT_READ | PROT_WRITE));
	rw = must_map(PROT_READ | PROT_WRITE);
	rx = must_map(PROT_READ | PROT_EXEC);
	show("mprotect RW to RX (gains exec)", mprotect(rw, page, PROT_READ | PROT_EXEC));
	show("mprotect RX to RWX", mprotect(rx, page, PROT_READ | PROT_WRITE | PROT_EXEC));
	show("mprotect RX to X", mprotect(rx, page, PROT_EXEC));
	show("mprotect X to R", mprotect(rx, page, PROT_READ));
	show("mprotect R to RX (exec again)", mprotect(rx, page, PROT_READ | PROT_EXEC));
	show("mprotect old RWX to RX", mprotect(wx, page, PROT_READ | PROT_EXEC));
	show("mprotect old RWX to RWX", mprotect(wx, page, PROT_READ | PROT_WRITE | PROT_EXEC));
	descendants();
}

static void not_inherited(void)
{
	show("PR_SET_MDWE REFUSE|NO_INHERIT",
	     prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN | PR_MDWE_NO_INHERIT, 0, 0, 0));
	show("PR_GET_MDWE", prctl(PR_GET_MDWE, 0, 0, 0, 0));
	show("mmap RWX", map(PROT_READ | PROT_WRITE | PROT_EXEC));
	descendants();
}

int main(int argc, char **argv)
{
	page = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		report("after exec");
		return 0;
	}
	rules();
	if (fork() == 0) {
		refusals();
		_exit(0);
	}
	wait(NULL);
	if (fork() == 0) {
		not_inherited();
		_exit(0);
	}
	wait(NULL);
	return 0;
}
