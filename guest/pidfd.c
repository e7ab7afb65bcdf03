/*
 * pidfd: pidfd_open(2) and process_mrelease(2): their errors, what poll
 * says of a pidfd while its process lives, once it has exited, and once it
 * has been reaped, and process_mrelease freeing a killed child's memory.
 * One line per call: the result or the error.  Builds for the host too, to
 * ask the real kernel.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

static void show(const char *what, long ret)
{
	if (ret < 0)
		printf("%-40s %s\n", what, strerror(errno));
	else
		printf("%-40s %ld\n", what, ret);
}

static long pidfd_open(int pid, unsigned flags)
{
	return syscall(SYS_pidfd_open, pid, flags);
}

static long mrelease(int pidfd, unsigned flags)
{
	return syscall(SYS_process_mrelease, pidfd, flags);
}

/* A child that waits on a pipe for its parent to close it, then exits. */
static int child_waiting(int *release)
{
	int fds[2], pid;
	char c;

	if (pipe(fds))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		if (read(fds[0], &c, 1) < 0)
			_exit(2);
		_exit(0);
	}
	close(fds[0]);
	*release = fds[1];
	return pid;
}

static const char *events(int fd, int timeout)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n = poll(&p, 1, timeout);

	if (n <= 0)
		return n < 0 ? strerror(errno) : "not ready";
	if (p.revents == POLLIN)
		return "POLLIN";
	return p.revents == (POLLIN | POLLHUP) ? "POLLIN|POLLHUP" : "other";
}

static void open_rules(void)
{
	int release, pid = child_waiting(&release), fd;
	char c;

	show("pidfd_open flags 1", pidfd_open(pid, 1));
	show("pidfd_open pid 0", pidfd_open(0, 0));
	show("pidfd_open pid -1", pidfd_open(-1, 0));
	fd = (int)pidfd_open(pid, 0);
	show("pidfd_open live child", fd >= 0 ? 0 : -1);
	show("its FD_CLOEXEC", fcntl(fd, F_GETFD));
	show("its O_ACCMODE", fcntl(fd, F_GETFL) & O_ACCMODE);
	show("read from it", read(fd, &c, 1));
	show("pidfd_open PIDFD_NONBLOCK", pidfd_open(pid, O_NONBLOCK) >= 0 ? 0 : -1);
	printf("%-40s %s\n", "poll while it lives", events(fd, 0));
	close(release);
	printf("%-40s %s\n", "poll (blocking) until it exits", events(fd, -1));
	printf("%-40s %s\n", "poll again (a zombie)", events(fd, 0));
	show("process_mrelease of the zombie", mrelease(fd, 0));
	waitpid(pid, NULL, 0);
	printf("%-40s %s\n", "poll after it is reaped", events(fd, 0));
	show("process_mrelease after it is reaped", mrelease(fd, 0));
	show("pidfd_open after it is reaped", pidfd_open(pid, 0));
	close(fd);
}

static void mrelease_rules(void)
{
	int release, pid = child_waiting(&release), fd = (int)pidfd_open(pid, 0);

	show("process_mrelease fd -1", mrelease(-1, 0));
	show("process_mrelease of a pipe", mrelease(release, 0));
	show("process_mrelease flags 1", mrelease(fd, 1));
	show("process_mrelease live child", mrelease(fd, 0));
	close(release);
	waitpid(pid, NULL, 0);
	close(fd);
}

/* Kill a child holding `mib` MiB and reap its memory before it exits; a
 * child faster to die than the call answers ESRCH, and the attempt is
 * made again with twice the memory, as the kernel's selftest does. */
static void reap_killed_child(void)
{
	long ret = -1;

	for (size_t mib = 1; mib <= 256 && ret < 0; mib *= 2) {
		int fds[2], pid, fd;
		char c;

		if (pipe(fds))
			return;
		pid = fork();
		if (pid == 0) {
			char *p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			for (size_t i = 0; p != MAP_FAILED && i < mib << 20; i += 4096)
				p[i] = 1;
			if (write(fds[1], "", 1) < 0)
				_exit(2);
			pause();
			_exit(0);
		}
		close(fds[1]);
		if (read(fds[0], &c, 1) != 1)
			return;
		close(fds[0]);
		fd = (int)pidfd_open(pid, 0);
		kill(pid, SIGKILL);
		ret = mrelease(fd, 0);
		if (ret < 0 && errno != ESRCH)
			break;
		/* Again: 0 while the child is still dying, ESRCH once it has
		 * exited; which one depends on the host's timing. */
		if (ret == 0) {
			long again = mrelease(fd, 0);

			printf("%-40s %s\n", "process_mrelease again",
			       again == 0 || errno == ESRCH ? "0 or ESRCH" : strerror(errno));
		}
		waitpid(pid, NULL, 0);
		close(fd);
	}
	show("process_mrelease of a killed child", ret);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	open_rules();
	mrelease_rules();
	reap_killed_child();
	return 0;
}
