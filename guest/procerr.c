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
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

static sigjmp_buf segv_env;

static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(segv_env, 1);
}

/* Whether a store of `c` at `p` by the program itself faults (SIGSEGV). */
static const char *store_faults(volatile char *p, char c)
{
	const char *what = "no";

	signal(SIGSEGV, on_segv);
	if (!sigsetjmp(segv_env, 1))
		*p = c;
	else
		what = "SIGSEGV";
	signal(SIGSEGV, SIG_DFL);
	return what;
}

/* Writes through /proc/self/mem are forced (FOLL_FORCE): into a read-only
 * private page by copy-on-write, the mapping staying read-only and the file
 * unchanged; never into a shared mapping that is not writable. */
static void forced_writes(int mem)
{
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *shared = mmap(NULL, 4096, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int exe = open("/proc/self/exe", O_RDONLY);
	char *file = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, exe, 0), first, in_file;
	char *other = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, exe, 0);	/* the same file page */

	printf("%-44s %d\n", "read-only page reads", ro[0]);
	show("mem pwrite to a read-only private page", pwrite(mem, "A", 1, (off_t)(uintptr_t)ro));
	printf("%-44s %c\n", "the page holds", ro[0]);
	printf("%-44s %s\n", "a store of its own faults", store_faults(ro, 'B'));
	printf("%-44s %c\n", "the page still holds", ro[0]);
	show("mem pwrite to a PROT_NONE private page", pwrite(mem, "C", 1, (off_t)(uintptr_t)none));
	mprotect(none, 4096, PROT_READ);
	printf("%-44s %c\n", "made readable, it holds", none[0]);
	show("mem pwrite to a read-only shared page", pwrite(mem, "D", 1, (off_t)(uintptr_t)shared));
	printf("%-44s %d\n", "another read-only page reads",
	       *(volatile char *)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
	first = file[1];
	show("mem pwrite to a read-only file page", pwrite(mem, "E", 1, (off_t)(uintptr_t)file + 1));
	pread(exe, &in_file, 1, 1);
	printf("%-44s %s\n", "the mapping has it, the file and another not",
	       file[1] == 'E' && in_file == first && other[1] == first ? "yes" : "no");
	close(exe);
}

/* The first `len` - 1 bytes of file `path` (NUL-terminated), or "" */
static const char *file_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	long n = fd < 0 ? -1 : read(fd, buf, len - 1);

	buf[n < 0 ? 0 : n] = 0;
	if (fd >= 0)
		close(fd);
	return buf;
}

/* Field `n` (from 1) of a stat line, after the command's parentheses. */
static const char *stat_field(char *line, int n)
{
	char *p = strrchr(line, ')');

	for (int i = 2; p && i < n; i++)
		p = strchr(p + 1, ' ');
	if (!p)
		return "?";
	p++;
	p[strcspn(p, " \n")] = 0;
	return p;
}

/* The kB value of line `name` of /proc/self/status, or -1. */
static long status_kb(const char *name)
{
	char buf[4096];
	const char *line = strstr(file_text("/proc/self/status", buf, sizeof(buf)), name);

	return line ? atol(line + strlen(name) + 1) : -1;
}

/* VmPeak keeps the largest size the address space had: a 64 MB mapping
 * made and unmapped raises it, while VmSize comes back. */
static void peak(void)
{
	long size = status_kb("VmSize:");
	void *p = mmap(NULL, 64 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(p, 64 << 20);
	printf("%-44s %s\n", "VmPeak counts an unmapped 64 MB mapping",
	       status_kb("VmPeak:") >= size + (64 << 10) ? "yes" : "no");
	printf("%-44s %s\n", "VmSize is back", status_kb("VmSize:") == size ? "yes" : "no");
}

/* A child that exited and is not reaped yet keeps /proc/PID: stat says Z
 * and its wait status, status says Z (zombie) and has no Vm lines, maps
 * and cmdline are empty, statm zeroes; once reaped it is gone. */
static void zombie(void)
{
	char path[64], buf[4096], line[4096];
	siginfo_t si;
	struct stat st;
	pid_t pid = fork();

	if (!pid)
		_exit(3);
	waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	show("zombie: stat /proc/PID", stat(path, &st));
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	file_text(path, line, sizeof(line));
	printf("%-44s %s\n", "zombie: stat state", stat_field(line, 3));
	file_text(path, line, sizeof(line));
	printf("%-44s %s\n", "zombie: stat vsize", stat_field(line, 23));
	file_text(path, line, sizeof(line));
	printf("%-44s %s\n", "zombie: stat exit_code", stat_field(line, 52));
	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	file_text(path, buf, sizeof(buf));
	printf("%-44s %s\n", "zombie: status State",
	       strstr(buf, "State:\tZ (zombie)\n") ? "Z (zombie)" : "?");
	printf("%-44s %s\n", "zombie: status has VmSize", strstr(buf, "VmSize") ? "yes" : "no");
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	printf("%-44s %zu\n", "zombie: maps bytes", strlen(file_text(path, buf, sizeof(buf))));
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	printf("%-44s %zu\n", "zombie: cmdline bytes", strlen(file_text(path, buf, sizeof(buf))));
	snprintf(path, sizeof(path), "/proc/%d/statm", pid);
	printf("%-44s %s", "zombie: statm", file_text(path, buf, sizeof(buf)));
	waitpid(pid, NULL, 0);
	snprintf(path, sizeof(path), "/proc/%d", pid);
	show("reaped: stat /proc/PID", stat(path, &st));
}

int main(void)
{
	uint64_t entry;
	static volatile uint64_t target = 1;
	uint64_t value = 0x1122334455667788;
	char *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int pagemap = open("/proc/self/pagemap", O_RDONLY), mem = open("/proc/self/mem", O_RDWR);
	char buf[8], line[64] = "";

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
	forced_writes(mem);
	zombie();
	peak();
	printf("%-44s %s\n", "readlink /proc/mounts",
	       readlink("/proc/mounts", line, sizeof(line) - 1) > 0 ? line : "?");
	return 0;
}
