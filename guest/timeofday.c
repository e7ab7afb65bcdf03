/*
 * timeofday: gettimeofday(2) made directly (no vDSO), checked against
 * clock_gettime(CLOCK_REALTIME) read just before and just after: the same
 * clock in microseconds, so before <= tv <= after.  Also its time zone
 * (zeros), a NULL tv, and EFAULT for a bad pointer.
 */
#define _GNU_SOURCE	/* strerrorname_np */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int main(void)
{
	struct timeval tv;
	struct timezone tz = { -1, -1 };
	long long before = realtime_us(), now, after;
	long ret = syscall(SYS_gettimeofday, &tv, &tz);

	after = realtime_us();
	now = tv.tv_sec * 1000000LL + tv.tv_usec;
	printf("gettimeofday: %ld\n", ret);
	printf("between clock_gettime reads: %s\n", before <= now && now <= after ? "yes" : "no");
	printf("usec below one second: %s\n", tv.tv_usec >= 0 && tv.tv_usec < 1000000 ? "yes" : "no");
	printf("timezone: %d %d\n", tz.tz_minuteswest, tz.tz_dsttime);
	printf("NULL tv: %ld\n", syscall(SYS_gettimeofday, NULL, NULL));
	ret = syscall(SYS_gettimeofday, (void *)8, NULL);
	printf("bad tv: %ld %s\n", ret, ret < 0 ? strerrorname_np(errno) : "-");
	return 0;
}
