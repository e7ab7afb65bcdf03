/*
 * sysinfo: the simulated machine as a program sees it: uname, ids, CPUs,
 * whether stdout is a terminal, simulated time across a one-second sleep,
 * and eight bytes of getrandom() (deterministic under mmusim's --seed).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void)
{
	struct utsname u;
	cpu_set_t set;
	unsigned char bytes[8];
	long long before, after;

	uname(&u);
	printf("uname %s %s %s\n", u.sysname, u.release, u.machine);
	printf("pid %d ppid %d uid %d euid %d gid %d egid %d\n", getpid(), getppid(), getuid(),
	       geteuid(), getgid(), getegid());
	sched_getaffinity(0, sizeof(set), &set);
	printf("cpus %d\n", CPU_COUNT(&set));
	printf("isatty(1) %d\n", isatty(1));
	before = now_ns(CLOCK_MONOTONIC);
	sleep(1);
	after = now_ns(CLOCK_MONOTONIC);
	printf("slept at least 1s: %s\n", after - before >= 1000000000LL ? "yes" : "no");
	printf("realtime after 2024-01-01: %s\n", now_ns(CLOCK_REALTIME) / 1000000000LL >= 1704067200 ? "yes" : "no");
	if (getrandom(bytes, sizeof(bytes), 0) != sizeof(bytes))
		return 1;
	printf("random");
	for (size_t i = 0; i < sizeof(bytes); i++)
		printf(" %02x", bytes[i]);
	printf("\n");
	return 0;
}
