/*
 * procmem: a known memory layout read back from /proc/self/smaps and
 * /proc/self/pagemap.  Builds for the host too: the real kernel's answers
 * are the oracle.  argv[1] is a file of at least two pages, already clean
 * on disk (the test writes and syncs it).
 *
 *   anon    8 private anonymous pages, pages 0, 2 and 5 written
 *   shared  4 shared anonymous pages, pages 0 and 1 written
 *   file    2 pages of argv[1], private read-only, both read
 * Each region lies in a PROT_NONE reservation so that no neighbour merges
 * with it.  Then a child (fork) touches the shared pages, reads its view,
 * writes anon page 0 and reads again.  Printed: the smaps counts of each
 * region and pagemap bits 63 (present), 62 (swapped), 61 (file or shared
 * anonymous), 56 (exclusively mapped), and whether frame numbers agree.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL
#define PFN_MASK ((UINT64_C(1) << 55) - 1)

static const char *const fields[] = {
	"Rss", "Pss", "Pss_Dirty", "Shared_Clean", "Shared_Dirty", "Private_Clean", "Private_Dirty", "Anonymous",
};

static char *smaps_text(void)
{
	static char buf[1 << 20];
	int fd = open("/proc/self/smaps", O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0) {
		perror("open smaps");
		exit(1);
	}
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(fd);
	return buf;
}

/* The counts of the VMA starting at `addr`, on one line. */
static void show_smaps(const char *who, const char *name, void *addr)
{
	char *text = smaps_text(), head[32], *block, *end;

	snprintf(head, sizeof(head), "%lx-", (unsigned long)addr);
	block = strstr(text, head);
	if (!block || (block != text && block[-1] != '\n')) {
		printf("%s %s: no VMA at %p\n", who, name, addr);
		return;
	}
	end = strstr(block, "VmFlags:");
	printf("%s %-6s", who, name);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		char key[32], *p;

		snprintf(key, sizeof(key), "\n%s:", fields[i]);
		p = strstr(block, key);
		printf(" %s=%ld", fields[i], p && p < end ? strtol(p + strlen(key), NULL, 10) : -1L);
	}
	printf("\n");
}

static uint64_t pagemap_entry(void *addr)
{
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0 || pread(fd, &entry, 8, (off_t)((uintptr_t)addr / PAGE * 8)) != 8) {
		perror("pagemap");
		exit(1);
	}
	close(fd);
	return entry;
}

static void show_pagemap(const char *who, const char *name, char *base, int pages)
{
	printf("%s %-6s pagemap", who, name);
	for (int i = 0; i < pages; i++) {
		uint64_t e = pagemap_entry(base + i * PAGE);

		printf(" %c%c%c%c", e >> 63 & 1 ? 'p' : '-', e >> 62 & 1 ? 's' : '-', e >> 61 & 1 ? 'f' : '-',
		       e >> 56 & 1 ? 'x' : '-');
	}
	printf("\n");
}

/* `pages` pages at `prot` inside a PROT_NONE reservation one page bigger
 * on each side. */
static char *map_alone(size_t pages, int prot, int flags, int fd)
{
	char *hole = mmap(NULL, (pages + 2) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p;

	if (hole == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	p = mmap(hole + PAGE, pages * PAGE, prot, flags | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED) {
		perror("mmap fixed");
		exit(1);
	}
	return p;
}

static void show_all(const char *who, char *anon, char *shared, char *file)
{
	show_smaps(who, "anon", anon);
	show_smaps(who, "shared", shared);
	if (file)
		show_smaps(who, "file", file);
	show_pagemap(who, "anon", anon, 8);
	show_pagemap(who, "shared", shared, 4);
	if (file)
		show_pagemap(who, "file", file, 2);
}

int main(int argc, char **argv)
{
	int fd = argc > 1 ? open(argv[1], O_RDONLY) : -1;
	char *anon, *shared, *file;
	volatile char sink;
	uint64_t parent_pfn[2];
	pid_t pid;
	int status;

	if (fd < 0) {
		fprintf(stderr, "usage: procmem FILE (two pages or more)\n");
		return 2;
	}
	anon = map_alone(8, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	shared = map_alone(4, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1);
	file = map_alone(2, PROT_READ, MAP_PRIVATE, fd);
	anon[0] = anon[2 * PAGE] = anon[5 * PAGE] = 1;
	shared[0] = shared[PAGE] = 2;
	sink = file[0] + file[PAGE];
	(void)sink;
	show_all("parent", anon, shared, file);
	parent_pfn[0] = pagemap_entry(anon) & PFN_MASK;
	parent_pfn[1] = pagemap_entry(anon + 2 * PAGE) & PFN_MASK;
	printf("frames of anon pages 0 and 2 differ: %s\n", parent_pfn[0] != parent_pfn[1] ? "yes" : "no");
	fflush(stdout);

	pid = fork();
	if (pid == 0) {
		sink = shared[0] + shared[PAGE];
		show_all("child", anon, shared, NULL);
		printf("child shares the frame of anon page 2: %s\n",
		       (pagemap_entry(anon + 2 * PAGE) & PFN_MASK) == parent_pfn[1] ? "yes" : "no");
		anon[0] = 3;
		show_smaps("written", "anon", anon);
		show_pagemap("written", "anon", anon, 8);
		printf("child's anon page 0 has a new frame: %s\n",
		       (pagemap_entry(anon) & PFN_MASK) != parent_pfn[0] ? "yes" : "no");
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
