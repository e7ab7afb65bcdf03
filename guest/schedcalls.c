/*
 * schedcalls: CPU affinity (and that the task then runs on the CPU it asked
 * for: getcpu), nice values with getpriority/setpriority, scheduling
 * policies, membarrier and prctl's common options, as root and, in a child,
 * after giving root up.  Each line is a call and its answer, the same on
 * the real kernel (run as root, with RLIMIT_NICE and RLIMIT_RTPRIO 0, on at
 * least two CPUs) and under mmusim; '#' lines depend on the kernel version.
 * Nothing here changes another process of the host: the nice values set
 * are the caller's, PRIO_USER is used for a uid only the child has.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* strerrorname_np */
#endif
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BAD_PTR ((void *)8)

static void show(const char *what, long ret)
{
	if (ret == -1)
		printf("%s: %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld\n", what, ret);
}

static long setaff(pid_t pid, size_t len, uint64_t mask)
{
	return syscall(SYS_sched_setaffinity, pid, len, &mask);
}

static void affinity(void)
{
	uint64_t mask = 0;
	unsigned cpu = 99, node = 99;

	show("sched_setaffinity({1})", setaff(0, 8, 2));
	show("sched_getaffinity(8)", syscall(SYS_sched_getaffinity, 0, 8, &mask));
	printf("mask: %#llx\n", (unsigned long long)mask);
	for (volatile int i = 0; i < 100000; i++)
		;
	show("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
	printf("on cpu %u, node %u\n", cpu, node);
	show("sched_setaffinity({0})", setaff(0, 8, 1));
	syscall(SYS_getcpu, &cpu, NULL, NULL);
	printf("then on cpu %u\n", cpu);
	show("sched_setaffinity({63})", setaff(0, 8, UINT64_C(1) << 63));
	show("sched_setaffinity({})", setaff(0, 8, 0));
	show("sched_setaffinity(bad)", syscall(SYS_sched_setaffinity, 0, 8, BAD_PTR));
	show("sched_setaffinity(pid 999999)", setaff(999999, 8, 1));
	show("sched_setaffinity(len 1, {0,1})", setaff(0, 1, 3));
	show("sched_getaffinity(4)", syscall(SYS_sched_getaffinity, 0, 4, &mask));
	show("sched_getaffinity(12)", syscall(SYS_sched_getaffinity, 0, 12, &mask));
	show("sched_getaffinity(bad)", syscall(SYS_sched_getaffinity, 0, 8, BAD_PTR));
	show("getcpu(bad)", syscall(SYS_getcpu, BAD_PTR, NULL, NULL));
}

static void priorities(void)
{
	syscall(SYS_setpriority, PRIO_PROCESS, 0, 0);	/* whatever nice it was started with */
	show("getpriority(PRIO_PROCESS, 0)", syscall(SYS_getpriority, PRIO_PROCESS, 0));
	show("setpriority(PRIO_PROCESS, 0, 5)", syscall(SYS_setpriority, PRIO_PROCESS, 0, 5));
	show("getpriority(PRIO_PROCESS, self)", syscall(SYS_getpriority, PRIO_PROCESS, getpid()));
	show("setpriority(PRIO_PROCESS, 0, 100)", syscall(SYS_setpriority, PRIO_PROCESS, 0, 100));
	show("getpriority(PRIO_PGRP, 0)", syscall(SYS_getpriority, PRIO_PGRP, 0));
	show("setpriority(PRIO_PROCESS, 0, -5)", syscall(SYS_setpriority, PRIO_PROCESS, 0, -5));
	show("getpriority(PRIO_PROCESS, 0)", syscall(SYS_getpriority, PRIO_PROCESS, 0));
	show("setpriority(3, 0, 0)", syscall(SYS_setpriority, 3, 0, 0));
	show("getpriority(-1, 0)", syscall(SYS_getpriority, -1, 0));
	show("setpriority(PRIO_PROCESS, 999999, 0)", syscall(SYS_setpriority, PRIO_PROCESS, 999999, 0));
	show("getpriority(PRIO_USER, 4242)", syscall(SYS_getpriority, PRIO_USER, 4242));
	show("setpriority(PRIO_PROCESS, 0, 0)", syscall(SYS_setpriority, PRIO_PROCESS, 0, 0));
}

static void policies(void)
{
	struct sched_param p = { 10 };

	show("sched_get_priority_max(SCHED_FIFO)", syscall(SYS_sched_get_priority_max, SCHED_FIFO));
	show("sched_get_priority_min(SCHED_RR)", syscall(SYS_sched_get_priority_min, SCHED_RR));
	show("sched_get_priority_max(SCHED_OTHER)", syscall(SYS_sched_get_priority_max, SCHED_OTHER));
	show("sched_get_priority_min(SCHED_IDLE)", syscall(SYS_sched_get_priority_min, SCHED_IDLE));
	show("sched_get_priority_max(4)", syscall(SYS_sched_get_priority_max, 4));
	show("sched_getscheduler(0)", syscall(SYS_sched_getscheduler, 0));
	show("sched_setscheduler(0, SCHED_OTHER, 10)", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p));
	show("sched_setscheduler(0, 9, 0)", syscall(SYS_sched_setscheduler, 0, 9, &(struct sched_param){ 0 }));
	show("sched_setscheduler(0, SCHED_FIFO, 100)",
	     syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &(struct sched_param){ 100 }));
	show("sched_setscheduler(-1, ...)", syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &p));
	show("sched_setscheduler(0, -1, ...)", syscall(SYS_sched_setscheduler, 0, -1, &p));
	show("sched_setscheduler(0, ..., NULL)", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
	show("sched_setscheduler(0, ..., bad)", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD_PTR));
	show("sched_setscheduler(999999, ...)", syscall(SYS_sched_setscheduler, 999999, SCHED_OTHER,
						       &(struct sched_param){ 0 }));
	show("sched_setscheduler(0, SCHED_BATCH | RESET_ON_FORK, 0)",
	     syscall(SYS_sched_setscheduler, 0, SCHED_BATCH | SCHED_RESET_ON_FORK, &(struct sched_param){ 0 }));
	show("sched_getscheduler(0)", syscall(SYS_sched_getscheduler, 0));
	show("sched_setparam(0, 5)", syscall(SYS_sched_setparam, 0, &(struct sched_param){ 5 }));
	show("sched_getparam(0, NULL)", syscall(SYS_sched_getparam, 0, NULL));
	show("sched_getparam(0, bad)", syscall(SYS_sched_getparam, 0, BAD_PTR));
	show("sched_getscheduler(-5)", syscall(SYS_sched_getscheduler, -5));
}

static void membarriers(void)
{
	printf("# membarrier(QUERY): %#lx\n", syscall(SYS_membarrier, 0, 0, 0));
	show("membarrier(PRIVATE_EXPEDITED) unregistered", syscall(SYS_membarrier, 8, 0, 0));
	show("membarrier(REGISTER_PRIVATE_EXPEDITED)", syscall(SYS_membarrier, 16, 0, 0));
	show("membarrier(PRIVATE_EXPEDITED)", syscall(SYS_membarrier, 8, 0, 0));
	show("membarrier(GLOBAL)", syscall(SYS_membarrier, 1, 0, 0));
	show("membarrier(GLOBAL_EXPEDITED)", syscall(SYS_membarrier, 2, 0, 0));
	show("membarrier(GLOBAL, flags 1)", syscall(SYS_membarrier, 1, 1, 0));
	show("membarrier(PRIVATE_EXPEDITED_SYNC_CORE) unregistered", syscall(SYS_membarrier, 32, 0, 0));
	show("membarrier(3)", syscall(SYS_membarrier, 3, 0, 0));
}

static void prctls(void)
{
	char name[16] = { 0 };
	int sig = -1;
	uint64_t tid_address = 0;

	show("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	show("PR_SET_DUMPABLE 2", prctl(PR_SET_DUMPABLE, 2, 0, 0, 0));
	show("PR_SET_DUMPABLE 0", prctl(PR_SET_DUMPABLE, 0, 0, 0, 0));
	show("PR_GET_DUMPABLE", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	show("PR_SET_PDEATHSIG 65", prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0));
	show("PR_SET_PDEATHSIG SIGUSR1", prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0));
	show("PR_GET_PDEATHSIG", prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0));
	printf("pdeathsig: %d\n", sig);
	/* Raw calls where the pointer is bad: a sanitizer's prctl would read it. */
	show("PR_GET_PDEATHSIG bad", syscall(SYS_prctl, PR_GET_PDEATHSIG, BAD_PTR, 0, 0, 0));
	prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0);
	show("PR_GET_NO_NEW_PRIVS", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	show("PR_SET_NO_NEW_PRIVS 2", prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0));
	show("PR_SET_NO_NEW_PRIVS 1, 1", prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0));
	show("PR_GET_NO_NEW_PRIVS 1", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0));
	show("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	show("PR_SET_TIMERSLACK 1000", prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0));
	show("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	show("PR_SET_TIMERSLACK 0", prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
	show("PR_GET_TIMERSLACK", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	show("PR_CAPBSET_READ CAP_SETUID", prctl(PR_CAPBSET_READ, 7, 0, 0, 0));
	show("PR_CAPBSET_READ 99", prctl(PR_CAPBSET_READ, 99, 0, 0, 0));
	show("PR_SET_NAME", prctl(PR_SET_NAME, "a-long-thread-name-here", 0, 0, 0));
	show("PR_GET_NAME", prctl(PR_GET_NAME, name, 0, 0, 0));
	printf("name: %s\n", name);
	show("PR_SET_NAME bad", syscall(SYS_prctl, PR_SET_NAME, BAD_PTR, 0, 0, 0));
	show("set_tid_address", syscall(SYS_set_tid_address, &sig) == getpid() ? 0 : -1);
	show("PR_GET_TID_ADDRESS", prctl(PR_GET_TID_ADDRESS, &tid_address, 0, 0, 0));
	printf("tid address is the one set: %s\n", tid_address == (uintptr_t)&sig ? "yes" : "no");
	show("prctl(12345)", prctl(12345, 0, 0, 0, 0));
}

/* A child whose parent ends gets its PR_SET_PDEATHSIG signal. */
static void pdeathsig(void)
{
	int fds[2], status;
	char got = '?';
	pid_t middle;

	pipe(fds);
	middle = fork();
	if (middle == 0) {
		if (fork() == 0) {
			sigset_t set;
			int sig = 0;

			sigemptyset(&set);
			sigaddset(&set, SIGUSR2);
			sigprocmask(SIG_BLOCK, &set, NULL);
			prctl(PR_SET_PDEATHSIG, SIGUSR2, 0, 0, 0);
			write(fds[1], "r", 1);	/* ready: the middle process may end */
			sigwait(&set, &sig);
			write(fds[1], sig == SIGUSR2 ? "y" : "n", 1);
			_exit(0);
		}
		read(fds[0], &got, 1);
		_exit(0);
	}
	waitpid(middle, &status, 0);
	close(fds[1]);
	read(fds[0], &got, 1);
	printf("grandchild got SIGUSR2 when its parent ended: %c\n", got);
}

static void as_user(void)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		/* A uid no other process has: PRIO_USER reaches this process alone
		 * (on the host, PRIO_USER of root would renice the whole machine). */
		syscall(SYS_setresuid, 4243, 4243, 4243);
		show("user: setpriority(PRIO_PROCESS, 0, 3)", syscall(SYS_setpriority, PRIO_PROCESS, 0, 3));
		show("user: setpriority(PRIO_USER, 0, 7)", syscall(SYS_setpriority, PRIO_USER, 0, 7));
		show("user: getpriority(PRIO_USER, 4243)", syscall(SYS_getpriority, PRIO_USER, 4243));
		show("user: setpriority(PRIO_PROCESS, 0, 1)", syscall(SYS_setpriority, PRIO_PROCESS, 0, 1));
		show("user: setpriority(PRIO_PROCESS, parent, 5)",
		     syscall(SYS_setpriority, PRIO_PROCESS, getppid(), 5));
		show("user: getpriority(PRIO_PROCESS, parent)", syscall(SYS_getpriority, PRIO_PROCESS, getppid()));
		show("user: sched_setaffinity(parent)", setaff(getppid(), 8, 1));
		show("user: sched_setscheduler(0, SCHED_FIFO, 1)",
		     syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &(struct sched_param){ 1 }));
		show("user: sched_setscheduler(0, SCHED_OTHER, 0)",
		     syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &(struct sched_param){ 0 }));
		show("user: sched_getscheduler(0)", syscall(SYS_sched_getscheduler, 0));
		_exit(0);
	}
	waitpid(pid, &status, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	setpgid(0, 0);	/* PRIO_PGRP: this process alone */
	affinity();
	priorities();
	policies();
	membarriers();
	prctls();
	pdeathsig();
	as_user();
	return 0;
}
