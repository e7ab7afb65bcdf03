/*
 * mseal: what a sealed mapping refuses (mseal(2), Linux 6.10+): unmapping,
 * moving, resizing, mprotect, mmap over it (EPERM), and advice that would
 * discard the pages of read-only private anonymous memory.  One line per
 * call: "ok" or the error.  Builds for the host too, to ask the real kernel.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_mseal
#define SYS_mseal 462
#endif

static long page;

static void show(const char *what, long ret)
{
	printf("%-44s %s\n", what, ret < 0 ? strerror(errno) : "ok");
}

static long seal(void *addr, size_t len, unsigned long flags)
{
	return syscall(SYS_mseal, addr, len, flags);
}

static char *map(size_t pages, int prot)
{
	return mmap(NULL, pages * page, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/* The permissions /proc/self/maps shows for the mapping holding `addr`. */
static void show_perms(const char *what, const void *addr)
{
	unsigned long lo, hi, a = (unsigned long)addr;
	char line[512], perms[8] = "none";
	FILE *f = fopen("/proc/self/maps", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && lo <= a && a < hi)
			break;
	if (f)
		fclose(f);
	printf("%-44s %s\n", what, perms);
}

static void arguments(void)
{
	char *p = map(4, PROT_READ | PROT_WRITE);

	show("mseal flags 1", seal(p, page, 1));
	show("mseal unaligned start", seal(p + 1, page, 0));
	show("mseal length 0", seal(p, 0, 0));
	show("mseal length wraps around", seal(p, -page, 0));
	munmap(p + 2 * page, page);
	show("mseal over a hole", seal(p, 4 * page, 0));
	show("munmap after the failed mseal", munmap(p, 4 * page));
}

static void operations(void)
{
	char *p = map(4, PROT_READ | PROT_WRITE), *q;

	show("mseal pages 1-2 of 4", seal(p + page, 2 * page, 0));
	show("mseal them again", seal(p + page, 2 * page, 0));
	show("munmap all 4", munmap(p, 4 * page));
	show("munmap page 0 (not sealed)", munmap(p, page));
	show("munmap page 3 (not sealed)", munmap(p + 3 * page, page));
	show("mprotect sealed PROT_READ", mprotect(p + page, page, PROT_READ));
	show("mprotect sealed to the same protection", mprotect(p + page, page, PROT_READ | PROT_WRITE));
	show("mremap sealed shrink", mremap(p + page, 2 * page, page, 0) == MAP_FAILED ? -1 : 0);
	show("mremap sealed grow", mremap(p + page, 2 * page, 4 * page, MREMAP_MAYMOVE) == MAP_FAILED ? -1 : 0);
	q = map(2, PROT_READ);
	show("mremap onto sealed (MREMAP_FIXED)",
	     mremap(q, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, p + page) == MAP_FAILED ? -1 : 0);
	show("mmap MAP_FIXED over sealed",
	     mmap(p + page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED ? -1 : 0);
	show("mmap MAP_FIXED_NOREPLACE over sealed",
	     mmap(p + page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) ==
	     MAP_FAILED ? -1 : 0);
	p[page] = 7;
	show("madvise DONTNEED sealed writable", madvise(p + page, page, MADV_DONTNEED));
	printf("%-44s %d\n", "its byte after DONTNEED", p[page]);
	if (fork() == 0) {
		show("child: munmap sealed (fork keeps seals)", munmap(p + page, page));
		_exit(0);
	}
	wait(NULL);
}

static void read_only_anonymous(void)
{
	char *p = map(3, PROT_READ | PROT_WRITE);

	p[0] = 1;
	mprotect(p + page, 2 * page, PROT_READ);
	show("mseal read-only pages 1-2", seal(p + page, 2 * page, 0));
	show("madvise DONTNEED pages 0-2", madvise(p, 3 * page, MADV_DONTNEED));
	printf("%-44s %d\n", "page 0 byte after it (discarded first)", p[0]);
	show("madvise FREE sealed read-only", madvise(p + page, page, MADV_FREE));
	show("madvise DONTFORK sealed read-only", madvise(p + page, page, MADV_DONTFORK));
	show("madvise WILLNEED sealed read-only", madvise(p + page, page, MADV_WILLNEED));
	show("madvise DONTNEED unaligned", madvise(p + 1, page, MADV_DONTNEED));
}

static void partial_mprotect(void)
{
	char *p = map(2, PROT_READ | PROT_WRITE);

	show("mseal page 1 of 2", seal(p + page, page, 0));
	show("mprotect both PROT_READ", mprotect(p, 2 * page, PROT_READ));
	show_perms("page 0 after it (changed first)", p);
	show_perms("page 1 after it", p + page);
}

int main(void)
{
	page = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IONBF, 0);
	arguments();
	operations();
	read_only_anonymous();
	partial_mprotect();
	return 0;
}
