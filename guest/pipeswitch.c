/*
 * pipeswitch: two parties ping-pong one byte over two pipes, each touching
 * its own working set at every turn, to make TLB refills after a switch
 * visible.
 *
 *	pipeswitch process|thread ROUNDS [PAGES]
 *
 * Party A is the main thread; party B is a forked child (process) or a
 * POSIX thread (thread).  Each party maps its own working set of PAGES
 * pages (default 16) and touches all of it before the first byte moves.
 * A sends a byte, B receives it, touches its working set (reads and writes
 * one word in every page) and sends it back; A receives it and touches its
 * own working set: that is one round.  With one CPU every hand-over is a
 * switch, to another address space (process) or within one (thread).
 *
 * After ROUNDS rounds A checks that every byte came back, waits for B and
 * prints "pipeswitch MODE: ROUNDS rounds"; exit status 0.  Bad usage gives
 * a message on standard error and exit status 2; a failed system call or a
 * lost byte, a message and exit status 1.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE_SIZE 4096
#define WORDS_PER_PAGE (PAGE_SIZE / sizeof(long))

struct party {
	int in, out;		/* pipe ends: receive, send */
	long rounds;
	long pages;
	volatile long *set;	/* working set */
	long received;
};

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

static void touch(struct party *p)
{
	for (long i = 0; i < p->pages; i++)
		p->set[i * WORDS_PER_PAGE] += 1;
}

static void map_working_set(struct party *p)
{
	void *set = mmap(NULL, p->pages * PAGE_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (set == MAP_FAILED)
		fail("mmap");
	p->set = set;
	touch(p);
}

static int receive(struct party *p, unsigned char *byte)
{
	if (read(p->in, byte, 1) != 1)
		return 0;
	p->received++;
	touch(p);
	return 1;
}

static void send(struct party *p, unsigned char byte)
{
	if (write(p->out, &byte, 1) != 1)
		fail("write");
}

/* B: echo every byte after touching its working set. */
static void *party_b(void *arg)
{
	struct party *b = arg;
	unsigned char byte;

	map_working_set(b);
	while (b->received < b->rounds && receive(b, &byte))
		send(b, byte);
	return NULL;
}

/* A: send round numbers, expect each one back. */
static long party_a(struct party *a)
{
	unsigned char byte;

	map_working_set(a);
	for (long i = 0; i < a->rounds; i++) {
		send(a, (unsigned char)i);
		if (!receive(a, &byte) || byte != (unsigned char)i)
			break;
	}
	return a->received;
}

static long number(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);

	return *s && !*end && n > 0 ? n : -1;
}

int main(int argc, char **argv)
{
	int to_b[2], to_a[2];
	struct party a, b;
	long rounds, pages = 16;
	int threads;
	pid_t child = 0;
	pthread_t thread;

	if (argc < 3 || argc > 4 ||
	    (strcmp(argv[1], "process") && strcmp(argv[1], "thread")) ||
	    (rounds = number(argv[2])) < 0 ||
	    (argc == 4 && (pages = number(argv[3])) < 0)) {
		fprintf(stderr, "usage: pipeswitch process|thread ROUNDS [PAGES]\n");
		return 2;
	}
	threads = !strcmp(argv[1], "thread");

	if (pipe(to_b) || pipe(to_a))
		fail("pipe");
	a = (struct party){ .in = to_a[0], .out = to_b[1], .rounds = rounds, .pages = pages };
	b = (struct party){ .in = to_b[0], .out = to_a[1], .rounds = rounds, .pages = pages };

	if (threads) {
		if (pthread_create(&thread, NULL, party_b, &b))
			fail("pthread_create");
	} else {
		child = fork();
		if (child < 0)
			fail("fork");
		if (child == 0) {
			close(a.in);
			close(a.out);
			party_b(&b);
			_exit(b.received == rounds ? 0 : 1);
		}
		close(b.in);	/* so that either party sees the other's end */
		close(b.out);
	}

	if (party_a(&a) != rounds) {
		fprintf(stderr, "pipeswitch: %ld of %ld bytes came back\n", a.received, rounds);
		return 1;
	}

	if (threads) {
		pthread_join(thread, NULL);
	} else {
		int status;

		if (waitpid(child, &status, 0) != child)
			fail("waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "pipeswitch: party B failed\n");
			return 1;
		}
	}
	printf("pipeswitch %s: %ld rounds\n", argv[1], rounds);
	return 0;
}
