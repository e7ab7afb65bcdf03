/*
 * sigfd: signalfd4(2): errno rules, reading consumes the pending signals
 * of the mask (and only those), records in signal order, a blocking read
 * woken by another process's kill, SIGCHLD's code and status, and epoll on
 * a signalfd.  Prints one line per check.  Built for the guest and, as the
 * oracle, for the host, whose kernel must print the same.  Exit status: 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdtest.h"

static void show_records(const char *what, int fd, size_t room, pid_t from)
{
	struct signalfd_siginfo si[4];
	long n = read(fd, si, room);

	show(what, n);
	for (long i = 0; i < n / (long)sizeof(si[0]); i++)
		printf("  signo %u code %d from %s status %d\n", si[i].ssi_signo, si[i].ssi_code,
		       (pid_t)si[i].ssi_pid == from ? "the expected process" : "elsewhere", si[i].ssi_status);
}

static int is_pending(int sig)
{
	sigset_t set;

	sigpending(&set);
	return sigismember(&set, sig);
}

int main(void)
{
	sigset_t usr1, usr2, both, all;
	int sfd, ep, p[2], status;
	struct epoll_event ev = { .events = EPOLLIN };
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	all = both;
	sigaddset(&all, SIGCHLD);
	sigprocmask(SIG_BLOCK, &all, NULL);
	pipe(p);

	show("bad flags", signalfd(-1, &usr1, 0x1));
	show("mask size 4", syscall(SYS_signalfd4, -1, &usr1, 4, 0));
	show("wild mask", syscall(SYS_signalfd4, -1, wild, 8, 0));
	show("not a signalfd", signalfd(p[0], &usr1, 0));
	show("bad fd", signalfd(999, &usr1, 0));
	sfd = signalfd(-1, &usr1, SFD_NONBLOCK | SFD_CLOEXEC);
	show("signalfd", sfd >= 0);
	show_records("nothing pending", sfd, 128, 0);
	raise(SIGUSR1);
	raise(SIGUSR2);
	show("SIGUSR1 pending", is_pending(SIGUSR1));
	show_records("short buffer", sfd, 64, getpid());
	show_records("read", sfd, 128, getpid());
	show("SIGUSR1 pending after", is_pending(SIGUSR1));
	show("SIGUSR2 still pending", is_pending(SIGUSR2));
	show_records("again", sfd, 128, getpid());
	show("new mask", signalfd(sfd, &both, 0) == sfd);
	kill(getpid(), SIGUSR1);
	show_records("two records", sfd, 512, getpid());

	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	show("epoll before", epoll_wait(ep, &ev, 1, 0));
	kill(getpid(), SIGUSR2);
	show("epoll after kill", epoll_wait(ep, &ev, 1, 0));
	show_records("drain", sfd, 128, getpid());

	sfd = signalfd(-1, &usr1, 0);
	pid = fork();
	if (pid == 0) {
		usleep(20000);
		kill(getppid(), SIGUSR1);
		_exit(7);
	}
	show_records("blocking read", sfd, 128, pid);
	waitpid(pid, &status, 0);

	sfd = signalfd(-1, &(sigset_t){ 0 }, SFD_NONBLOCK);
	sigemptyset(&all);
	sigaddset(&all, SIGCHLD);
	signalfd(sfd, &all, 0);
	pid = fork();
	if (pid == 0)
		_exit(7);
	waitpid(pid, &status, __WALL | WNOWAIT);
	show_records("SIGCHLD", sfd, 128, pid);
	return 0;
}
