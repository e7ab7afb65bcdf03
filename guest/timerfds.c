/*
 * timerfds: timerfd_create/settime/gettime.  A blocking read waits for the
 * expiry, a periodic timer counts the periods missed, O_NONBLOCK says
 * EAGAIN, ppoll wakes when the timer fires, TFD_TIMER_ABSTIME on
 * CLOCK_REALTIME, and bad arguments.  The same lines on a real kernel and
 * under mmusim; '#' lines give simulated times.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* strerrorname_np, ppoll */
#endif
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define BAD_PTR ((void *)8)

static long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void show(const char *what, long ret)
{
	if (ret == -1)
		printf("%s: %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld\n", what, ret);
}

static long arm(int fd, int flags, long long value_ns, long long interval_ns)
{
	struct itimerspec its = { { interval_ns / 1000000000, interval_ns % 1000000000 },
				  { value_ns / 1000000000, value_ns % 1000000000 } };

	return timerfd_settime(fd, flags, &its, NULL);
}

static void spin_ns(long long ns)
{
	long long end = clock_ns(CLOCK_MONOTONIC) + ns;

	while (clock_ns(CLOCK_MONOTONIC) < end)
		;
}

static void blocking_and_periodic(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);
	uint64_t ticks = 0;
	long long start = clock_ns(CLOCK_MONOTONIC), before, expect;
	struct stat st;

	printf("timerfd_create: %s\n", fd >= 0 ? "a descriptor" : strerrorname_np(errno));
	show("fstat", fstat(fd, &st));
	printf("mode: %o\n", st.st_mode);
	show("timerfd_settime(10 ms)", arm(fd, 0, 10000000, 0));
	show("read", read(fd, &ticks, sizeof(ticks)));
	printf("ticks %llu, at least 10 ms later: %s\n", (unsigned long long)ticks,
	       clock_ns(CLOCK_MONOTONIC) - start >= 10000000 ? "yes" : "no");
	printf("# read returned after %lld ns\n", clock_ns(CLOCK_MONOTONIC) - start);
	before = clock_ns(CLOCK_MONOTONIC);
	arm(fd, 0, 1000000, 1000000);
	spin_ns(5500000);
	expect = (clock_ns(CLOCK_MONOTONIC) - before) / 1000000;
	read(fd, &ticks, sizeof(ticks));
	printf("periodic: ticks are the periods passed (+-1): %s\n",
	       (long long)ticks >= expect - 1 && (long long)ticks <= expect + 1 ? "yes" : "no");
	printf("# ticks %llu\n", (unsigned long long)ticks);
	show("read(4 bytes)", read(fd, &ticks, 4));
	show("timerfd_settime(0) disarms", arm(fd, 0, 0, 0));
	close(fd);
}

static void nonblocking_and_poll(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct pollfd p = { fd, POLLIN, 0 };
	struct timespec timeout = { 5, 0 };
	struct itimerspec its;
	uint64_t ticks;
	long long start;

	show("read(nonblocking, not expired)", read(fd, &ticks, sizeof(ticks)));
	show("ppoll(timeout 0)", ppoll(&p, 1, &(struct timespec){ 0, 0 }, NULL));
	start = clock_ns(CLOCK_MONOTONIC);
	arm(fd, 0, 20000000, 0);
	show("ppoll(5 s) with a 20 ms timer", ppoll(&p, 1, &timeout, NULL));
	printf("revents POLLIN: %s; after 20 ms and before 5 s: %s\n", p.revents == POLLIN ? "yes" : "no",
	       clock_ns(CLOCK_MONOTONIC) - start >= 20000000 &&
	       clock_ns(CLOCK_MONOTONIC) - start < 5000000000LL ? "yes" : "no");
	show("read", read(fd, &ticks, sizeof(ticks)));
	printf("ticks: %llu\n", (unsigned long long)ticks);
	arm(fd, 0, 1000000000, 2000000000);
	show("timerfd_gettime", timerfd_gettime(fd, &its));
	printf("interval %ld.%09ld; left in (0.9 s, 1 s]: %s\n", (long)its.it_interval.tv_sec,
	       its.it_interval.tv_nsec, (its.it_value.tv_sec == 1 && its.it_value.tv_nsec == 0) ||
	       (its.it_value.tv_sec == 0 && its.it_value.tv_nsec > 900000000) ? "yes" : "no");
	close(fd);
}

static void absolute(void)
{
	int fd = timerfd_create(CLOCK_REALTIME, 0);
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	struct timespec now;
	uint64_t ticks = 0;

	clock_gettime(CLOCK_REALTIME, &now);
	its.it_value.tv_sec = now.tv_sec + (now.tv_nsec + 15000000) / 1000000000;
	its.it_value.tv_nsec = (now.tv_nsec + 15000000) % 1000000000;
	show("timerfd_settime(TFD_TIMER_ABSTIME, now + 15 ms)", timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL));
	read(fd, &ticks, sizeof(ticks));
	printf("ticks %llu; CLOCK_REALTIME passed the time: %s\n", (unsigned long long)ticks,
	       clock_ns(CLOCK_REALTIME) >= its.it_value.tv_sec * 1000000000LL + its.it_value.tv_nsec ?
	       "yes" : "no");
	close(fd);
}

static void bad_arguments(void)
{
	struct itimerspec its = { { 0, 0 }, { 0, 1000000000 } };
	int fd = timerfd_create(CLOCK_MONOTONIC, 0);

	show("timerfd_create(CLOCK_MONOTONIC_RAW)", timerfd_create(CLOCK_MONOTONIC_RAW, 0));
	show("timerfd_create(CLOCK_PROCESS_CPUTIME_ID)", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
	show("timerfd_create(flags 1)", timerfd_create(CLOCK_MONOTONIC, 1));
	show("timerfd_settime(nsec 1e9)", timerfd_settime(fd, 0, &its, NULL));
	its.it_value.tv_nsec = 0;
	show("timerfd_settime(flags 4)", timerfd_settime(fd, 4, &its, NULL));
	show("timerfd_settime(stdin)", timerfd_settime(0, 0, &its, NULL));
	show("timerfd_settime(fd 999)", timerfd_settime(999, 0, &its, NULL));
	show("timerfd_settime(bad new)", syscall(SYS_timerfd_settime, fd, 0, BAD_PTR, NULL));
	show("timerfd_gettime(bad)", syscall(SYS_timerfd_gettime, fd, BAD_PTR));
	show("timerfd_gettime(stdin)", timerfd_gettime(0, &its));
	close(fd);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	blocking_and_periodic();
	nonblocking_and_poll();
	absolute();
	bad_arguments();
	return 0;
}
