/*
 * nosys: system calls mmusim does not implement must fail with ENOSYS (and
 * mmusim warns once per call, by name, on its own stderr).  Calls acct(2)
 * twice, an unassigned Linux number once, and the first and the sixteenth
 * of mmusim's own numbers (guest/mmusim.h), which none of its calls has yet.
 */
#define _GNU_SOURCE	/* strerrorname_np */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mmusim.h"

static void try_call(const char *name, long nr)
{
	long ret = syscall(nr, 0, 0, 0);

	printf("%s: %ld %s\n", name, ret, ret < 0 ? strerrorname_np(errno) : "-");
}

int main(void)
{
	try_call("acct", SYS_acct);
	try_call("acct", SYS_acct);
	try_call("unassigned 400", 400);
	try_call("mmusim 1900", MMUSIM_SYSCALL_BASE + 900);
	try_call("mmusim 1915", MMUSIM_SYSCALL_BASE + 915);
	return 0;
}
