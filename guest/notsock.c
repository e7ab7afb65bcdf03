/*
 * notsock: getpeername(2) on descriptors that are not sockets.
 *
 * Prints one line per descriptor kind: its name and the errno getpeername
 * gave (man 2 getpeername: EBADF for an invalid descriptor, ENOTSOCK for
 * one that is not a socket).  Built for the guest and, as the oracle, for
 * the host.  Exit status: 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* O_PATH */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static void try(const char *what, int fd)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	long ret = syscall(SYS_getpeername, fd, &addr, &len);

	printf("%s: %s\n", what, ret == 0 ? "ok" : errno == EBADF ? "EBADF" :
	       errno == ENOTSOCK ? "ENOTSOCK" : strerror(errno));
}

int main(int argc, char **argv)
{
	int pipefd[2], closed = dup(1);

	(void)argc;
	close(closed);
	try("closed descriptor", closed);
	try("negative descriptor", -1);
	try("descriptor beyond every table", 100000);
	try("standard output", 1);
	try("regular file", open(argv[0], O_RDONLY));
	try("directory", open("/", O_RDONLY | O_DIRECTORY));
	try("O_PATH descriptor", open("/", O_PATH));
	if (pipe(pipefd) == 0) {
		try("pipe read end", pipefd[0]);
		try("pipe write end", pipefd[1]);
	}
	return 0;
}
