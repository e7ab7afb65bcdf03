/*
 * vasfiles: the VAS files a guest sees (sim/sys_vas_fs.c): /sys/kernel/vas/
 * and /proc/self/vas/, before and after an attach and a detach.  Prints
 * each listing and file; tests/integration/test_vas.c holds the lines.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vas.h"

#define SEG_ADDR 0x300000000000ul

/* The names of `path`, sorted, on one line. */
static void list(const char *path)
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);

	printf("ls %s:", path);
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.')
			printf(" %s", names[i]->d_name);
		free(names[i]);
	}
	printf(n < 0 ? " (none)\n" : "\n");
	free(names);
}

static void cat(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = 0;
	printf("%s: %s", path, n < 0 ? "(none)\n" : buf);
	if (fd >= 0)
		close(fd);
}

/* The line of `path` that maps `prefix`, as it starts. */
static void grep_line(const char *path, const char *prefix)
{
	char line[512];
	FILE *f = fopen(path, "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, prefix, strlen(prefix)))
			printf("%s has: %.30s\n", path, line);
	if (f)
		fclose(f);
}

int main(void)
{
	static const char *const vas_files[] = { "name", "mode", "user", "group", "readers", "writers", "segments" };
	static const char *const seg_files[] = { "name", "start", "end", "mode", "user", "group", "vases" };
	char path[64], target[64];
	long vid, sid;
	ssize_t n;

	setvbuf(stdout, NULL, _IONBF, 0);
	vid = syscall(SYS_vas_create, "files", 0640);
	syscall(SYS_vas_create, "other", 0600);
	sid = syscall(SYS_vas_seg_create, "sg", SEG_ADDR, SEG_ADDR + 0x2000, 0600);
	syscall(SYS_vas_seg_attach, vid, sid, O_RDWR);
	syscall(SYS_vas_attach, 0, vid, O_RDONLY);
	list("/sys/kernel/vas");
	list("/sys/kernel/vas/1");
	for (size_t i = 0; i < sizeof(vas_files) / sizeof(vas_files[0]); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/vas/1/%s", vas_files[i]);
		cat(path);
	}
	list("/sys/kernel/vas/segments");
	for (size_t i = 0; i < sizeof(seg_files) / sizeof(seg_files[0]); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/vas/segments/1/%s", seg_files[i]);
		cat(path);
	}
	cat("/sys/kernel/vas/3/name");
	list("/proc/self/vas");
	list("/proc/self/vas/1");
	cat("/proc/self/vas/1/status");
	n = readlink("/proc/self/vas/1/vas", target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = 0;
	printf("/proc/self/vas/1/vas -> %s\n", target);
	grep_line("/proc/self/vas/1/mappings", "300000000000-");
	cat("/proc/self/vas/2/status");
	syscall(SYS_vas_detach, 0, vid);
	list("/proc/self/vas");
	cat("/sys/kernel/vas/1/readers");
	return 0;
}
