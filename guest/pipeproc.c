/*
 * pipeproc: a pipe between two processes, and poll(2) on its ends.
 *
 *   pipeproc [BYTES]
 *
 * The parent writes BYTES bytes (default 1 MiB), byte i being
 * (i * 7 + i / 4096) & 0xff, in chunks of 1000 bytes (so that they never
 * line up with the pipe's buffer); the child reads until end of file,
 * waiting in poll() before each read, and prints the byte count and the
 * 64-bit FNV-1a hash of what it read.  poll() is checked where its answer
 * does not depend on timing: an empty pipe is not readable, one byte makes
 * it readable, the child's last poll sees POLLHUP, and the write end of a
 * pipe whose read end is closed polls POLLERR and write fails with EPIPE.
 * Exit status 0 when every check holds and the child read everything.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK 1000

static unsigned char byte_at(uint64_t i)
{
	return (unsigned char)((i * 7 + i / 4096) & 0xff);
}

static short poll_one(int fd, short events, int timeout)
{
	struct pollfd p = { fd, events, 0 };

	return poll(&p, 1, timeout) == 1 ? p.revents : 0;
}

static int child(int fd)
{
	uint64_t hash = 0xcbf29ce484222325u, total = 0;
	unsigned char buf[4096];
	short revents = 0;
	ssize_t n;

	for (;;) {
		revents = poll_one(fd, POLLIN, -1);
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			hash = (hash ^ buf[i]) * 0x100000001b3u;
		total += (uint64_t)n;
	}
	printf("child: read %llu bytes, fnv1a64 %016llx\n", (unsigned long long)total,
	       (unsigned long long)hash);
	printf("child: last poll saw POLLHUP: %s\n", revents & POLLHUP ? "yes" : "no");
	fflush(stdout);
	return n < 0 || !(revents & POLLHUP);
}

int main(int argc, char **argv)
{
	uint64_t bytes = argc > 1 ? strtoull(argv[1], NULL, 0) : 1 << 20, sent = 0;
	unsigned char chunk[CHUNK];
	int fds[2], status, failed = 0;
	pid_t pid;
	char c;

	signal(SIGPIPE, SIG_IGN);
	if (pipe(fds)) {
		perror("pipe");
		return 2;
	}
	printf("empty pipe: poll says readable: %s\n", poll_one(fds[0], POLLIN, 0) ? "yes" : "no");
	write(fds[1], "!", 1);
	printf("one byte in: poll says readable: %s\n", poll_one(fds[0], POLLIN, 0) & POLLIN ? "yes" : "no");
	printf("write end: poll says writable: %s\n", poll_one(fds[1], POLLOUT, 0) & POLLOUT ? "yes" : "no");
	read(fds[0], &c, 1);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		close(fds[1]);
		_exit(child(fds[0]));
	}
	close(fds[0]);
	while (sent < bytes) {
		size_t len = bytes - sent < CHUNK ? (size_t)(bytes - sent) : CHUNK;

		for (size_t i = 0; i < len; i++)
			chunk[i] = byte_at(sent + i);
		for (size_t done = 0; done < len;) {
			ssize_t n = write(fds[1], chunk + done, len - done);

			if (n < 0) {
				perror("write");
				return 1;
			}
			done += (size_t)n;
		}
		sent += len;
	}
	/* Keep the write end open: the child sees POLLHUP only when we close it. */
	if (waitpid(pid, &status, WNOHANG) != 0)
		failed = 1;
	close(fds[1]);
	waitpid(pid, &status, 0);
	failed |= !WIFEXITED(status) || WEXITSTATUS(status);
	printf("parent: wrote %llu bytes, child exit status %d\n", (unsigned long long)sent,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	if (pipe(fds)) {
		perror("pipe");
		return 2;
	}
	close(fds[0]);
	printf("no reader: poll says POLLERR: %s\n", poll_one(fds[1], POLLOUT, 0) & POLLERR ? "yes" : "no");
	errno = 0;
	printf("no reader: write fails with EPIPE: %s\n", write(fds[1], "x", 1) == -1 && errno == EPIPE ? "yes" : "no");
	return failed;
}
