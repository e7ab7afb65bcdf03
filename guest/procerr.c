/*
 * procerr: what /proc answers to bad requests, one line per request (the
 * result, or the errno name).  Builds for the host too: the real kernel's
 * answers (as root) are the oracle.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static const char *errname(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EINVAL: return "EINVAL";
	case EIO: return "EIO";
	case EPERM: return "EPERM";
	case EBADF: return "EBADF";
	default: return strerror(e);
	}
}

static void show(const char *what, long ret)
{
	printf("%-44s %s\n", what, ret >= 0 ? "ok" : errname(errno));
}

/* Open `path` with `flags` and write one line to it. */
static void try_write(const char *what, const char *path, int flags)
{
	int fd = open(path, flags);
	char line[64];

	snprintf(line, sizeof(line), "open %s", what);
	show(line, fd);
	if (fd < 0)
		return;
	snprintf(line, sizeof(line), "write %s", what);
	show(line, write(fd, "1\n", 2));
	close(fd);
}

int main(void)
{
	uint64_t entry;
	static volatile uint64_t target = 1;
	uint64_t value = 0x1122334455667788;
	char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int pagemap = open("/proc/self/pagemap", O_RDONLY), mem = open("/proc/self/mem", O_RDWR);
	char buf[8];

	munmap(gone, 4096);
	show("open /proc/2147483647/status", open("/proc/2147483647/status", O_RDONLY));
	show("open /proc/self/nonexistent", open("/proc/self/nonexistent", O_RDONLY));
	try_write("/proc/self/status", "/proc/self/status", O_WRONLY);
	try_write("/proc/self/maps", "/proc/self/maps", O_WRONLY);
	try_write("/proc/self/smaps", "/proc/self/smaps", O_WRONLY);
	try_write("/proc/meminfo", "/proc/meminfo", O_WRONLY);
	try_write("/proc/sys/kernel/ostype", "/proc/sys/kernel/ostype", O_WRONLY);
	show("pagemap pread at offset 3", pread(pagemap, &entry, 8, 3));
	show("pagemap pread of 7 bytes", pread(pagemap, &entry, 7, 0));
	show("pagemap pread of 8 bytes at 0", pread(pagemap, &entry, 8, 0));
	show("mem pread of an unmapped page", pread(mem, buf, 8, (off_t)(uintptr_t)gone));
	show("mem pwrite to an unmapped page", pwrite(mem, buf, 8, (off_t)(uintptr_t)gone));
	show("mem pwrite to a variable", pwrite(mem, &value, 8, (off_t)(uintptr_t)&target));
	printf("%-44s %s\n", "the variable holds what was written", target == value ? "yes" : "no");
	show("mem pread of the variable", pread(mem, buf, 8, (off_t)(uintptr_t)&target));
	printf("%-44s %s\n", "it reads back", !memcmp(buf, &value, 8) ? "yes" : "no");
	return 0;
}
