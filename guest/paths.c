/*
 * paths: how system calls treat the empty path.  Linux refuses "" with
 * ENOENT, unless the call takes AT_EMPTY_PATH and the caller gives it (then
 * the call acts on the directory descriptor itself).  One line per call:
 * its result, "ok" or the errno name.  Builds for the host too, to ask the
 * real kernel.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void show(const char *call, int ret)
{
	printf("%-36s %s\n", call, ret >= 0 ? "ok" : errno == ENOENT ? "ENOENT" :
	       errno == EACCES ? "EACCES" : errno == EISDIR ? "EISDIR" : strerror(errno));
	if (ret > 2)
		close(ret);
}

int main(void)
{
	char *const argv[] = { "", NULL }, *const envp[] = { NULL };
	struct stat st;
	struct statx stx;
	int dir = open(".", O_RDONLY | O_DIRECTORY);

	show("open(\"\")", open("", O_RDONLY));
	show("openat(dir, \"\")", openat(dir, "", O_RDONLY));
	show("stat(\"\")", stat("", &st));
	show("lstat(\"\")", lstat("", &st));
	show("access(\"\")", access("", F_OK));
	show("chdir(\"\")", chdir(""));
	show("readlink(\"\")", (int)readlink("", (char[16]){ 0 }, 16));
	show("execve(\"\")", execve("", argv, envp));
	show("fstatat(dir, \"\", 0)", fstatat(dir, "", &st, 0));
	show("fstatat(dir, \"\", AT_EMPTY_PATH)", fstatat(dir, "", &st, AT_EMPTY_PATH));
	show("fstatat(AT_FDCWD, \"\", AT_EMPTY_PATH)", fstatat(AT_FDCWD, "", &st, AT_EMPTY_PATH));
	show("statx(dir, \"\", 0)", statx(dir, "", 0, STATX_BASIC_STATS, &stx));
	show("statx(dir, \"\", AT_EMPTY_PATH)", statx(dir, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx));
	return 0;
}
