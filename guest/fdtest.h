/*
 * fdtest: how the guests of the descriptor calls (evpoll, unixsock, memfd,
 * fdcalls, sigfd, splicetee) print what a call answered: "what: N" for a
 * result, "what: ENAME" for an error, so that the guest under mmusim and
 * the same program on the host kernel can be compared line by line.
 */
#ifndef GUEST_FDTEST_H
#define GUEST_FDTEST_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* An address nothing is mapped at, hidden from the compiler's checks. */
static void *volatile wild = (void *)16;

static inline const char *err_name(int e)
{
	static const struct { int e; const char *name; } names[] = {
		{ EAGAIN, "EAGAIN" }, { EBADF, "EBADF" }, { EEXIST, "EEXIST" }, { EFAULT, "EFAULT" },
		{ EINVAL, "EINVAL" }, { ELOOP, "ELOOP" }, { ENOENT, "ENOENT" }, { EPERM, "EPERM" },
		{ ESPIPE, "ESPIPE" }, { EBUSY, "EBUSY" }, { EOPNOTSUPP, "EOPNOTSUPP" },
		{ EAFNOSUPPORT, "EAFNOSUPPORT" }, { ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" },
		{ EPROTONOSUPPORT, "EPROTONOSUPPORT" }, { ENOTSOCK, "ENOTSOCK" },
		{ ENOTCONN, "ENOTCONN" }, { EISCONN, "EISCONN" }, { EPIPE, "EPIPE" },
		{ ECONNREFUSED, "ECONNREFUSED" }, { EADDRINUSE, "EADDRINUSE" },
		{ EPROTOTYPE, "EPROTOTYPE" }, { ENOPROTOOPT, "ENOPROTOOPT" },
		{ EACCES, "EACCES" }, { ENOTTY, "ENOTTY" }, { ENODEV, "ENODEV" },
		{ EHWPOISON, "EHWPOISON" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return strerror(e);
}

/* One line: the result, or the errno's name when it is negative. */
static inline void show(const char *what, long ret)
{
	if (ret < 0)
		printf("%s: %s\n", what, err_name(errno));
	else
		printf("%s: %ld\n", what, ret);
}

/* One read of up to 63 bytes from `fd`, shown with the text read. */
static inline void show_read(const char *what, int fd)
{
	char buf[64];
	long n = read(fd, buf, sizeof(buf) - 1);

	if (n < 0) {
		show(what, n);
		return;
	}
	buf[n] = 0;
	printf("%s: %ld \"%s\"\n", what, n, buf);
}

#endif
