/*
 * itimers: setitimer/getitimer and times(2).  ITIMER_REAL during a busy loop
 * and during pause(), ITIMER_VIRTUAL and ITIMER_PROF on CPU time, a
 * periodic timer, bad arguments, and the CPU times of the process and of a
 * reaped child.  Lines are the same on a real kernel and under mmusim; the
 * '#' lines give simulated times (which two mmusim runs must agree on).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* strerrorname_np */
#endif
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BAD_PTR ((void *)8)

static volatile sig_atomic_t hits[32];
static volatile long long at_ns[32];

static long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void on_signal(int sig)
{
	at_ns[sig] = clock_ns(sig == SIGALRM ? CLOCK_MONOTONIC : CLOCK_PROCESS_CPUTIME_ID);
	hits[sig]++;
}

static void show(const char *what, long ret)
{
	if (ret == -1)
		printf("%s: %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld\n", what, ret);
}

static void spin_until(int sig, int count)
{
	while (hits[sig] < count)
		;
}

static void spin_cpu_ms(long ms)
{
	long long end = clock_ns(CLOCK_PROCESS_CPUTIME_ID) + ms * 1000000LL;

	while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		;
}

static void real_timer(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 10000 } }, got;
	long long start = clock_ns(CLOCK_MONOTONIC);

	show("setitimer(ITIMER_REAL, 10 ms)", setitimer(ITIMER_REAL, &v, NULL));
	spin_until(SIGALRM, 1);
	printf("SIGALRM during a busy loop, at least 10 ms later: %s\n",
	       at_ns[SIGALRM] - start >= 10000000 ? "yes" : "no");
	printf("# busy loop: SIGALRM after %lld ns\n", at_ns[SIGALRM] - start);
	show("getitimer(ITIMER_REAL) of a fired one-shot", getitimer(ITIMER_REAL, &got));
	printf("left: %ld.%06ld\n", (long)got.it_value.tv_sec, (long)got.it_value.tv_usec);

	v = (struct itimerval){ { 0, 0 }, { 0, 50000 } };
	start = clock_ns(CLOCK_MONOTONIC);
	setitimer(ITIMER_REAL, &v, NULL);
	show("pause()", pause());
	printf("pause woken by SIGALRM at least 50 ms later: %s\n",
	       hits[SIGALRM] == 2 && at_ns[SIGALRM] - start >= 50000000 ? "yes" : "no");

	v = (struct itimerval){ { 2, 0 }, { 1, 0 } };
	setitimer(ITIMER_REAL, &v, NULL);
	show("getitimer(ITIMER_REAL)", getitimer(ITIMER_REAL, &got));
	printf("interval: %ld.%06ld; left in (0.9 s, 1 s]: %s\n", (long)got.it_interval.tv_sec,
	       (long)got.it_interval.tv_usec, got.it_value.tv_sec == 1 && got.it_value.tv_usec == 0 ?
	       "yes" : got.it_value.tv_sec == 0 && got.it_value.tv_usec > 900000 ? "yes" : "no");
	v = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	show("setitimer(ITIMER_REAL, 0) (disarm)", setitimer(ITIMER_REAL, &v, &got));
	printf("old interval: %ld.%06ld\n", (long)got.it_interval.tv_sec, (long)got.it_interval.tv_usec);
	getitimer(ITIMER_REAL, &got);
	printf("after disarming: %ld.%06ld %ld.%06ld\n", (long)got.it_interval.tv_sec,
	       (long)got.it_interval.tv_usec, (long)got.it_value.tv_sec, (long)got.it_value.tv_usec);
}

static void cpu_timers(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 5000 } };
	long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID);

	show("setitimer(ITIMER_VIRTUAL, 5 ms)", setitimer(ITIMER_VIRTUAL, &v, NULL));
	spin_until(SIGVTALRM, 1);
	printf("SIGVTALRM after at least 5 ms of CPU time: %s\n",
	       at_ns[SIGVTALRM] - start >= 5000000 ? "yes" : "no");
	printf("# SIGVTALRM after %lld CPU ns\n", at_ns[SIGVTALRM] - start);
	v = (struct itimerval){ { 0, 2000 }, { 0, 2000 } };
	show("setitimer(ITIMER_PROF, 2 ms every 2 ms)", setitimer(ITIMER_PROF, &v, NULL));
	spin_until(SIGPROF, 3);
	v = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_PROF, &v, NULL);
	printf("SIGPROF three times: %s\n", hits[SIGPROF] == 3 ? "yes" : "no");
}

static void bad_arguments(void)
{
	struct itimerval v = { { 0, 0 }, { 0, 1000000 } }, got;

	show("setitimer(usec 1000000)", setitimer(ITIMER_REAL, &v, NULL));
	v = (struct itimerval){ { 0, 0 }, { -1, 0 } };
	show("setitimer(sec -1)", setitimer(ITIMER_REAL, &v, NULL));
	v = (struct itimerval){ { 0, -1 }, { 1, 0 } };
	show("setitimer(interval usec -1)", setitimer(ITIMER_REAL, &v, NULL));
	v = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	show("setitimer(which 3)", syscall(SYS_setitimer, 3, &v, NULL));
	show("setitimer(which -1)", syscall(SYS_setitimer, -1, &v, NULL));
	show("setitimer(bad new)", syscall(SYS_setitimer, ITIMER_REAL, BAD_PTR, NULL));
	show("setitimer(bad old)", syscall(SYS_setitimer, ITIMER_REAL, &v, BAD_PTR));
	show("setitimer(NULL new)", syscall(SYS_setitimer, ITIMER_REAL, NULL, NULL));
	show("getitimer(which 3)", syscall(SYS_getitimer, 3, &got));
	show("getitimer(bad)", syscall(SYS_getitimer, ITIMER_PROF, BAD_PTR));
	show("times(bad)", syscall(SYS_times, BAD_PTR));
}

static void cpu_times(void)
{
	struct tms before, after;
	pid_t pid;
	int status;
	long t0 = syscall(SYS_times, &before), t1;

	printf("times: positive: %s\n", t0 > 0 ? "yes" : "no");
	printf("user time of the busy loops so far: %s\n", before.tms_utime >= 1 ? "yes" : "no");
	pid = fork();
	if (pid == 0) {
		spin_cpu_ms(50);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	t1 = syscall(SYS_times, &after);
	printf("children's CPU time after a 50 ms child: %s\n",
	       after.tms_cutime + after.tms_cstime - before.tms_cutime - before.tms_cstime >= 4 ? "yes" : "no");
	printf("times counts on: %s\n", t1 >= t0 ? "yes" : "no");
	show("times(NULL) ok", syscall(SYS_times, NULL) > 0 ? 0 : -1);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */

	sigaction(SIGALRM, &sa, NULL);
	sigaction(SIGVTALRM, &sa, NULL);
	sigaction(SIGPROF, &sa, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);
	spin_cpu_ms(20);
	real_timer();
	cpu_timers();
	bad_arguments();
	cpu_times();
	return 0;
}
