/*
 * evpoll: eventfd2 and epoll, answer by answer.  Prints one line per
 * check: what was done and what came back (a count, a value or an errno
 * name).  Built for the guest and, as the oracle, for the host, whose
 * kernel must print the same.  Exit status: 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdtest.h"

static long rd(int fd)
{
	uint64_t v;
	long n = read(fd, &v, sizeof(v));

	return n < 0 ? n : (long)v;
}

static long wr(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v));
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* epoll_wait with timeout 0; prints the count and the first event. */
static void wait_now(const char *what, int ep)
{
	struct epoll_event ev[4];
	int n = epoll_wait(ep, ev, 4, 0);

	if (n > 0)
		printf("%s: %d (events %#x data %llu)\n", what, n, ev[0].events,
		       (unsigned long long)ev[0].data.u64);
	else
		show(what, n);
}

static void eventfd_checks(void)
{
	int sem = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK), ctr = eventfd(0, EFD_NONBLOCK);
	uint32_t small;
	uint64_t big;

	for (int i = 0; i < 4; i++)
		show("semaphore read", rd(sem));
	show("write 5", wr(ctr, 5));
	show("write 7", wr(ctr, 7));
	show("counter read", rd(ctr));
	show("read when 0", rd(ctr));
	show("write all ones", wr(ctr, UINT64_MAX));
	show("write max", wr(ctr, UINT64_MAX - 1));
	show("write 1 more", wr(ctr, 1));
	show("short read", read(ctr, &small, sizeof(small)));
	show("pread", pread(ctr, &big, 8, 0));
	show("read to wild pointer", read(ctr, wild, 8));
	show("bad flags", syscall(SYS_eventfd2, 0, 0x100));
	show("fcntl getfl nonblock", (fcntl(ctr, F_GETFL) & O_NONBLOCK) != 0);
	show("fd cloexec", fcntl(eventfd(0, EFD_CLOEXEC), F_GETFD));
}

static void epoll_errors(const char *self)
{
	int ep = epoll_create1(0), ep2 = epoll_create1(0), p[2], file = open(self, O_RDONLY);
	struct epoll_event ev = { .events = EPOLLIN };

	pipe(p);
	show("create1 bad flags", epoll_create1(1));
	show("ctl regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev));
	show("ctl itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
	show("ctl bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev));
	show("ctl bad epfd", epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev));
	show("ctl not an epoll", epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev));
	show("ctl wild event", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], wild));
	show("ctl bad op", epoll_ctl(ep, 7, p[0], &ev));
	show("del absent", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	show("mod absent", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	show("add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	show("add again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	show("mod exclusive", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
	show("add exclusive oneshot", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	show("add exclusive", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
	ev.events = EPOLLIN;
	show("add epoll to epoll", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
	show("add back: loop", epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev));
	show("wait maxevents 0", epoll_wait(ep, &ev, 0, 0));
	show("wait not an epoll", epoll_wait(p[0], &ev, 1, 0));
	show("wait bad fd", epoll_wait(999, &ev, 1, 0));
	show("del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
}

static void triggers(void)
{
	int lt = epoll_create1(0), et = epoll_create1(0), one = epoll_create1(0), p[2];
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 3 };
	char c;

	pipe(p);
	add(lt, p[0], EPOLLIN, 1);
	add(et, p[0], EPOLLIN | EPOLLET, 2);
	epoll_ctl(one, EPOLL_CTL_ADD, p[0], &ev);
	wait_now("lt empty", lt);
	write(p[1], "ab", 2);
	wait_now("lt 1", lt);
	wait_now("lt 2", lt);
	wait_now("et 1", et);
	wait_now("et 2", et);
	wait_now("oneshot 1", one);
	wait_now("oneshot 2", one);
	write(p[1], "c", 1);
	wait_now("et after write", et);
	wait_now("et again", et);
	wait_now("oneshot after write", one);
	show("oneshot mod", epoll_ctl(one, EPOLL_CTL_MOD, p[0], &ev));
	wait_now("oneshot rearmed", one);
	read(p[0], &c, 1);
	read(p[0], &c, 1);
	read(p[0], &c, 1);
	wait_now("lt drained", lt);
	add(lt, p[1], EPOLLOUT, 4);
	wait_now("lt writable", lt);
	close(p[1]);
	wait_now("lt writer closed", lt);
	close(p[0]);
	wait_now("lt all closed", lt);
}

/* A valid maxevents far beyond the buffer, hidden from the compiler's checks:
 * only as many events as are ready are written. */
static volatile int many = 100000000;
static struct epoll_event low[1];	/* low in the address space, unlike the stack */

static void blocking(void)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), efd = eventfd(0, 0), inner = epoll_create1(0), status;
	struct epoll_event ev;
	struct timespec zero = { 0, 0 };
	pid_t pid;

	show("epoll cloexec", fcntl(ep, F_GETFD));
	add(inner, efd, EPOLLIN, 7);
	add(ep, inner, EPOLLIN, 8);
	wait_now("nested before", ep);
	pid = fork();
	if (pid == 0) {
		usleep(20000);
		wr(efd, 2);
		_exit(0);
	}
	show("blocking wait", epoll_wait(ep, &ev, 1, -1));
	printf("data %llu\n", (unsigned long long)ev.data.u64);
	waitpid(pid, &status, 0);
	show("pwait2 zero", syscall(SYS_epoll_pwait2, inner, &ev, 1, &zero, NULL, 8));
	show("pwait2 bad timespec",
	     syscall(SYS_epoll_pwait2, inner, &ev, 1, &(struct timespec){ 0, -1 }, NULL, 8));
	show("read", rd(efd));
	show("timeout 30ms", epoll_wait(inner, &ev, 1, 30));
	wr(efd, 1);
	show("maxevents 100000000", epoll_wait(inner, low, many, 0));
	rd(efd);
	show("wild events", epoll_wait(inner, wild, 1, 0));
	wr(efd, 1);
	show("wild events ready", epoll_wait(inner, wild, 1, 0));
}

int main(int argc, char **argv)
{
	(void)argc;
	setvbuf(stdout, NULL, _IONBF, 0);
	eventfd_checks();
	epoll_errors(argv[0]);
	triggers();
	blocking();
	return 0;
}
