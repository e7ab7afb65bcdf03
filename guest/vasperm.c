/*
 * vasperm: the VAS mode bits against the caller's credentials (the RFC's
 * Unix owner/group/other rule; root bypasses).  Root creates a VAS and a
 * segment and gives them to uid 5, gid 7 with mode 0640; children change
 * their ids (setgroups, setgid, setuid as root, then no longer root) and
 * try each call; a VAS an unprivileged task creates is its own.  One line
 * per call, "label = RESULT"; tests/integration/test_vas.c holds the lines.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vas.h"

#define SEG_ADDR 0x300000000000ul

static long vid, sid;

static long show(const char *label, long ret)
{
	if (ret >= 0)
		printf("%s = %ld\n", label, ret);
	else
		printf("%s = %s\n", label, errno == EACCES ? "EACCES" : errno == EBUSY ? "EBUSY" : "other");
	return ret;
}

/* Run `body` in a child with uid `uid`, gid `gid` and the one
 * supplementary group `extra` (none if 0). */
static void as_user(unsigned uid, unsigned gid, unsigned extra, void (*body)(void))
{
	pid_t child = fork();
	int status;

	if (child == 0) {
		gid_t groups[1] = { extra };

		if (setgroups(extra ? 1 : 0, groups) || setgid(gid) || setuid(uid))
			_exit(1);
		body();
		_exit(0);
	}
	waitpid(child, &status, 0);
}

static void owner(void)
{
	struct vas_attr attr;

	show("owner attach rw", syscall(SYS_vas_attach, 0, vid, O_RDWR));
	show("owner detach", syscall(SYS_vas_detach, 0, vid));
	show("owner seg attach rw", syscall(SYS_vas_seg_attach, vid, sid, O_RDWR));
	show("owner seg detach", syscall(SYS_vas_seg_detach, vid, sid));
	syscall(SYS_vas_getattr, vid, &attr);
	show("owner setattr", syscall(SYS_vas_setattr, vid, &attr));
}

static void in_group_body(void)
{
	struct vas_attr attr;

	show("group attach ro", syscall(SYS_vas_attach, 0, vid, O_RDONLY));
	show("group detach", syscall(SYS_vas_detach, 0, vid));
	show("group attach rw", syscall(SYS_vas_attach, 0, vid, O_RDWR));
	show("group attach wo", syscall(SYS_vas_attach, 0, vid, O_WRONLY));
	show("group seg attach ro", syscall(SYS_vas_seg_attach, vid, sid, O_RDONLY));
	syscall(SYS_vas_getattr, vid, &attr);
	show("group setattr", syscall(SYS_vas_setattr, vid, &attr));
	show("group delete", syscall(SYS_vas_delete, vid));
	show("group seg delete", syscall(SYS_vas_seg_delete, sid));
}

static void other(void)
{
	struct vas_attr attr;

	show("other find", syscall(SYS_vas_find, "p"));
	show("other getattr", syscall(SYS_vas_getattr, vid, &attr));
	show("other attach ro", syscall(SYS_vas_attach, 0, vid, O_RDONLY));
	show("other seg setattr", syscall(SYS_vas_seg_setattr, sid, &attr));
}

static void other_in_group(void)
{
	show("supplementary attach rw", syscall(SYS_vas_attach, 0, vid, O_RDWR));
	show("supplementary attach ro", syscall(SYS_vas_attach, 0, vid, O_RDONLY));
}

/* The RFC checks only the mode bits when attaching to another process
 * (no ptrace-like check): anyone may attach a 0666 VAS to root's. */
static void attach_to_parent(void)
{
	show("uid 6 attach open to root's process", syscall(SYS_vas_attach, getppid(), 3, O_RDONLY));
}

static void creator(void)
{
	struct vas_attr attr;
	long own = show("uid 6 create", syscall(SYS_vas_create, "mine", 0600));

	syscall(SYS_vas_getattr, own, &attr);
	printf("mine: mode %o user %u group %u\n", attr.mode, attr.user, attr.group);
	show("uid 6 attach own rw", syscall(SYS_vas_attach, 0, own, O_RDWR));
	show("uid 6 detach own", syscall(SYS_vas_detach, 0, own));
}

int main(void)
{
	struct vas_attr attr = { 0640, 5, 7 };
	long mine;

	setvbuf(stdout, NULL, _IONBF, 0);
	vid = show("create p", syscall(SYS_vas_create, "p", 0640));
	sid = show("seg create q", syscall(SYS_vas_seg_create, "q", SEG_ADDR, SEG_ADDR + 0x1000, 0640));
	show("give p to 5:7", syscall(SYS_vas_setattr, vid, &attr));
	show("give q to 5:7", syscall(SYS_vas_seg_setattr, sid, &attr));
	as_user(5, 7, 0, owner);
	as_user(6, 7, 0, in_group_body);
	as_user(6, 8, 0, other);
	as_user(6, 8, 7, other_in_group);
	as_user(6, 8, 0, creator);
	attr = (struct vas_attr){ 0600, 5, 7 };
	syscall(SYS_vas_setattr, vid, &attr);
	show("root attach rw of 0600 5:7", syscall(SYS_vas_attach, 0, vid, O_RDWR));
	show("root detach", syscall(SYS_vas_detach, 0, vid));
	mine = syscall(SYS_vas_find, "mine");
	show("root delete mine", syscall(SYS_vas_delete, mine));
	show("root delete p", syscall(SYS_vas_delete, vid));
	show("create open 0666", syscall(SYS_vas_create, "open", 0666));
	as_user(6, 8, 0, attach_to_parent);
	show("root detach open", syscall(SYS_vas_detach, 0, 3));
	return 0;
}
