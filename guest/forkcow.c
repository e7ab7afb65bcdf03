/*
 * forkcow: fork shares private memory copy-on-write.
 *
 *   forkcow CHILD PARENT read|skip
 *
 * The parent fills a private anonymous region of 64 pages with a pattern
 * (page i holds byte 'a' + i % 26) and forks.  The child reads every page
 * (it must see the pattern; "skip": it does not look), writes 'C' over
 * pages [0, CHILD), and tells the parent.  The parent, whose writes come strictly after the child's,
 * writes 'P' over pages [0, PARENT) and checks its view: its own writes,
 * the pattern elsewhere, none of the child's.  Then it lets the child check
 * its view (its writes, the pattern elsewhere, none of the parent's), waits
 * for it, and prints what both saw.  Exit status 0 when both views are
 * right.
 *
 * The order is fixed by two pipes, so the page faults in the region are
 * known: every page is first written before the fork (64 demand-zero
 * faults); the child's CHILD writes each copy a shared page (cow-copy);
 * of the parent's PARENT writes, the pages the child copied already are the
 * parent's alone (cow-reuse), the others are still shared (cow-copy).
 * Reading shared pages faults nothing at all.  Give CHILD and PARENT with
 * the same number of digits in every run, so that the stack (and so
 * everything outside the region) is laid out the same and only the
 * region's faults differ between runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGES 64
#define PAGE 4096

static char *region;

static char pattern(int page)
{
	return (char)('a' + page % 26);
}

/* Whether every byte of page `page` is `c`. */
static int page_is(int page, char c)
{
	for (int i = 0; i < PAGE; i++)
		if (region[(size_t)page * PAGE + i] != c)
			return 0;
	return 1;
}

static void write_pages(int count, char c)
{
	for (int p = 0; p < count; p++)
		memset(region + (size_t)p * PAGE, c, PAGE);
}

/* Pages [0, own) must hold `mark`, the rest the pattern; returns how many
 * pages are wrong. */
static int check_view(int own, char mark)
{
	int wrong = 0;

	for (int p = 0; p < PAGES; p++)
		wrong += !page_is(p, p < own ? mark : pattern(p));
	return wrong;
}

static void sync_write(int fd)
{
	if (write(fd, "x", 1) != 1)
		_exit(3);
}

static void sync_read(int fd)
{
	char c;

	if (read(fd, &c, 1) != 1)
		_exit(3);
}

int main(int argc, char **argv)
{
	int to_child[2], to_parent[2], child_pages, parent_pages, status, wrong, child_reads;
	pid_t pid;

	if (argc != 4 || (child_pages = atoi(argv[1])) < 0 || child_pages > PAGES ||
	    (parent_pages = atoi(argv[2])) < 0 || parent_pages > PAGES ||
	    (strcmp(argv[3], "read") && strcmp(argv[3], "skip"))) {
		fprintf(stderr, "usage: forkcow CHILD PARENT read|skip (pages, 0 to %d)\n", PAGES);
		return 2;
	}
	child_reads = !strcmp(argv[3], "read");
	region = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (region == MAP_FAILED || pipe(to_child) || pipe(to_parent)) {
		perror("forkcow");
		return 2;
	}
	for (int p = 0; p < PAGES; p++)
		memset(region + (size_t)p * PAGE, pattern(p), PAGE);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		int before = child_reads ? check_view(0, 0) : 0;

		write_pages(child_pages, 'C');
		sync_write(to_parent[1]);
		sync_read(to_child[0]);	/* the parent has written its pages */
		wrong = check_view(child_pages, 'C');
		printf("child: pattern intact after fork: %s\n",
		       !child_reads ? "not looked at" : before ? "no" : "yes");
		printf("child: own %d pages and the pattern, no parent writes: %s\n", child_pages,
		       wrong ? "no" : "yes");
		fflush(stdout);
		_exit(before || wrong);
	}
	sync_read(to_parent[0]);	/* the child has written its pages */
	write_pages(parent_pages, 'P');
	wrong = check_view(parent_pages, 'P');
	printf("parent: own %d pages and the pattern, no child writes: %s\n", parent_pages,
	       wrong ? "no" : "yes");
	fflush(stdout);
	sync_write(to_child[1]);
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 2;
	}
	printf("child exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return wrong || status ? 1 : 0;
}
