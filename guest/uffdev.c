/*
 * uffdev: userfaultfd's non-cooperative events, as a handler thread sees
 * them.  One descriptor asks for EVENT_FORK, REMAP, REMOVE and UNMAP; the
 * main thread forks (the handler gets a descriptor for the child's copy
 * of the range and serves the child's fault through it), moves the range
 * with mremap (the new range stays registered), drops pages with
 * MADV_DONTNEED, unmaps a page and maps a page MAP_FIXED over the range
 * (its unmap is an UNMAP event too).  Before reading each event the handler
 * checks that the call raising it still waits (it returns only once its
 * event is read) and that ZEROPAGE answers EAGAIN meanwhile.  A second
 * descriptor without features shows fork leaving the child's copy
 * unregistered.  Every line is the same on a real kernel (tests/host-uffdev).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* mremap */
#endif
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "uffdlog.h"

#define PAGE 4096
#define PAGES 4

static char *area, *moved, *plain;
static volatile uintptr_t probe;	/* a registered page never filled */
static volatile int call_waiting;	/* the main thread is in a call raising an event */
static int uffd, plain_uffd;
static int done_pipe[2];

/* "area+N" or "moved+N" (pages), for an address of either range. */
static void note_addr(const char *what, uint64_t addr)
{
	size_t len = strlen(log_text);
	uintptr_t a = (uintptr_t)area, m = (uintptr_t)moved;

	if (addr >= a && addr <= a + PAGES * PAGE)
		snprintf(log_text + len, sizeof(log_text) - len, "%s: area+%lu\n", what,
			 (unsigned long)((addr - a) / PAGE));
	else if (addr >= m && addr <= m + PAGES * PAGE)
		snprintf(log_text + len, sizeof(log_text) - len, "%s: moved+%lu\n", what,
			 (unsigned long)((addr - m) / PAGE));
	else
		snprintf(log_text + len, sizeof(log_text) - len, "%s: elsewhere\n", what);
}

static int new_uffd(uint64_t features)
{
	uint64_t offered;

	return uffd_open(features, &offered);
}

static char *map_registered(int fd)
{
	char *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_register reg = { .range = { (uintptr_t)p, PAGES * PAGE },
				       .mode = UFFDIO_REGISTER_MODE_MISSING };

	p[0] = 'p';	/* present before registering: fork copies it */
	show("register", ioctl(fd, UFFDIO_REGISTER, &reg));
	return p;
}

/* Before reading an event: the call raising it has not returned, and
 * the context is changing (ZEROPAGE: EAGAIN, in its field too). */
static void check_waiting(int fd)
{
	struct uffdio_zeropage z = { .range = { probe, PAGE }, .mode = UFFDIO_ZEROPAGE_MODE_DONTWAKE };

	note("call still waiting", call_waiting);
	note("zeropage meanwhile", ioctl(fd, UFFDIO_ZEROPAGE, &z));
	note("zeropage field", (long)z.zeropage);
}

/* Serve a page fault with a page of `fill`. */
static void serve(int fd, const struct uffd_msg *msg, char fill)
{
	static char page[PAGE] __attribute__((aligned(PAGE)));
	struct uffdio_copy c = { .dst = msg->arg.pagefault.address & ~(uint64_t)(PAGE - 1),
				 .src = (uintptr_t)page, .len = PAGE };

	note_addr("fault", msg->arg.pagefault.address);
	memset(page, fill, PAGE);
	note("copy", ioctl(fd, UFFDIO_COPY, &c));
}

/* The next message of fd, or -1 once the main thread is done (done_pipe).
 * Only uffd's events come from calls of the main thread. */
static int read_msg(int fd, struct uffd_msg *msg)
{
	struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN }, { .fd = done_pipe[0], .events = POLLIN } };

	if (poll(pfd, 2, -1) < 1 || !(pfd[0].revents & POLLIN))
		return -1;
	if (fd == uffd && call_waiting)
		check_waiting(fd);
	if (read(fd, msg, sizeof(*msg)) != sizeof(*msg)) {
		note("read", -1);
		return -1;
	}
	note("event", msg->event);
	return 0;
}

/* FORK: serve the child's fault through the new descriptor. */
static void serve_child(const struct uffd_msg *msg)
{
	int child_fd = (int)msg->arg.fork.ufd;
	struct uffd_msg fault;

	note("new descriptor", child_fd > plain_uffd);
	note("cloexec", fcntl(child_fd, F_GETFD) & FD_CLOEXEC);
	note("nonblock", !!(fcntl(child_fd, F_GETFL) & O_NONBLOCK));
	if (read_msg(child_fd, &fault))
		return;
	serve(child_fd, &fault, 'c');
	note("close child's", close(child_fd));
}

/* Every message of uffd until the main thread is done. */
static void *handler(void *arg)
{
	const char *fill = "mr";
	struct uffd_msg msg;

	(void)arg;
	while (!read_msg(uffd, &msg)) {
		switch (msg.event) {
		case UFFD_EVENT_FORK:
			serve_child(&msg);
			break;
		case UFFD_EVENT_REMAP:
			note_addr("from", msg.arg.remap.from);
			note_addr("to", msg.arg.remap.to);
			note("len", (long)msg.arg.remap.len);
			break;
		case UFFD_EVENT_REMOVE:
		case UFFD_EVENT_UNMAP:
			note_addr("start", msg.arg.remove.start);
			note_addr("end", msg.arg.remove.end);
			break;
		case UFFD_EVENT_PAGEFAULT:
			serve(uffd, &msg, *fill ? *fill++ : '?');
			break;
		}
	}
	return NULL;
}

/* The child: its copy of area is registered on the child's context. */
static int child(void)
{
	return (area[0] != 'p') | (area[PAGE] != 'c') << 1 | (plain[PAGE] != 0) << 2;
}

int main(void)
{
	pthread_t th;
	int status;
	pid_t pid;

	setvbuf(stdout, NULL, _IONBF, 0);
	uffd = new_uffd(UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_REMOVE |
			UFFD_FEATURE_EVENT_UNMAP);
	plain_uffd = new_uffd(0);
	area = map_registered(uffd);
	plain = map_registered(plain_uffd);
	moved = mmap(NULL, PAGES * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	show("pipe", pipe(done_pipe));
	pthread_create(&th, NULL, handler, NULL);

	probe = (uintptr_t)area + 3 * PAGE;
	call_waiting = 1;
	pid = fork();
	if (pid == 0)
		_exit(child());
	call_waiting = 0;
	show("child", waitpid(pid, &status, 0) == pid && WIFEXITED(status) ? WEXITSTATUS(status) : -1);

	probe = (uintptr_t)moved + 3 * PAGE;
	call_waiting = 1;
	show("mremap to moved", mremap(area, PAGES * PAGE, PAGES * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
				       moved) == moved);
	call_waiting = 0;
	show("moved page 0", moved[0]);
	show("moved page 2", moved[2 * PAGE]);

	call_waiting = 1;
	show("madvise dontneed", madvise(moved, 2 * PAGE, MADV_DONTNEED));
	call_waiting = 0;
	show("removed page 1", moved[PAGE]);

	probe = (uintptr_t)moved;
	call_waiting = 1;
	show("munmap", munmap(moved + 3 * PAGE, PAGE));
	call_waiting = 0;

	call_waiting = 1;	/* mmap's unmap of what MAP_FIXED replaces */
	show("mmap MAP_FIXED over moved+2", mmap(moved + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE,
						 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
							 moved + 2 * PAGE);
	call_waiting = 0;
	show("new page at moved+2", moved[2 * PAGE]);

	show("done", write(done_pipe[1], "", 1));
	pthread_join(th, NULL);
	print_log();
	return 0;
}
