/*
 * vascalls: every call of guest/vas.h against the errno values of the VAS
 * RFC (../shared/notes/designs.md section 1), one line per call:
 * "label = RESULT" where RESULT is the return value or the errno's name.
 * The expected lines are in tests/integration/test_vas.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vas.h"

#define VAS_ADDR	0x100000000000ul
#define OVERLAP_ADDR	0x200000000000ul
#define SEG_ADDR	0x300000000000ul
#define LIST_ADDR	0x400000000000ul

static const char *errname(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case EEXIST: return "EEXIST";
	case ESRCH: return "ESRCH";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EACCES: return "EACCES";
	default: return "other";
	}
}

static long show(const char *label, long ret)
{
	if (ret < 0)
		printf("%s = %s\n", label, errname(errno));
	else
		printf("%s = %ld\n", label, ret);
	fflush(stdout);
	return ret;
}

/* Whether the kernel can read `p` in the active address space. */
static const char *readable(const void *p)
{
	int fds[2];
	long n;

	pipe(fds);
	n = write(fds[1], p, 1);
	close(fds[0]);
	close(fds[1]);
	return n == 1 ? "yes" : "no";
}

/* A read(2) into `p`: the kernel writes it. */
static long kernel_write(void *p)
{
	int fds[2];
	long n;

	pipe(fds);
	write(fds[1], "x", 1);
	n = read(fds[0], p, 1);
	close(fds[0]);
	close(fds[1]);
	return n;
}

static void *map_at(unsigned long addr)
{
	return mmap((void *)addr, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
}

static void names(void)
{
	char longname[VAS_MAX_NAME_LENGTH + 1];

	show("create a", syscall(SYS_vas_create, "a", 0600));
	show("create a again", syscall(SYS_vas_create, "a", 0600));
	memset(longname, 'x', VAS_MAX_NAME_LENGTH);
	longname[VAS_MAX_NAME_LENGTH] = 0;
	show("create 256 chars", syscall(SYS_vas_create, longname, 0600));
	longname[VAS_MAX_NAME_LENGTH - 1] = 0;
	show("create 255 chars", syscall(SYS_vas_create, longname, 0600));
	show("create wild name", syscall(SYS_vas_create, (char *)8, 0600));
	show("find a", syscall(SYS_vas_find, "a"));
	show("find nope", syscall(SYS_vas_find, "nope"));
}

static void attrs(void)
{
	struct vas_attr attr = { 0 };
	struct vas_attr set = { 0640, 5, 6 };
	long vid = show("create m 0777", syscall(SYS_vas_create, "m", 0777));

	show("getattr m", syscall(SYS_vas_getattr, vid, &attr));
	printf("m: mode %o user %u group %u\n", attr.mode, attr.user, attr.group);
	show("getattr 99", syscall(SYS_vas_getattr, 99, &attr));
	show("getattr wild", syscall(SYS_vas_getattr, vid, (void *)8));
	show("setattr m", syscall(SYS_vas_setattr, vid, &set));
	show("setattr wild", syscall(SYS_vas_setattr, vid, (void *)8));
	syscall(SYS_vas_getattr, vid, &attr);
	printf("m: mode %o user %u group %u\n", attr.mode, attr.user, attr.group);
	show("delete m", syscall(SYS_vas_delete, vid));
	show("delete m again", syscall(SYS_vas_delete, vid));
}

static void attach_switch(void)
{
	char *p = (char *)VAS_ADDR;
	pid_t child;
	int status;

	show("attach bad type", syscall(SYS_vas_attach, 0, 1, 7));
	show("attach vid 99", syscall(SYS_vas_attach, 0, 99, O_RDWR));
	show("attach pid 99999", syscall(SYS_vas_attach, 99999, 1, O_RDWR));
	show("attach a rw", syscall(SYS_vas_attach, 0, 1, O_RDWR));
	show("attach a rw again", syscall(SYS_vas_attach, 0, 1, O_RDWR));
	show("switch 5", syscall(SYS_vas_switch, 5));
	show("active", syscall(SYS_active_vas));
	show("switch 1", syscall(SYS_vas_switch, 1));
	show("switch 1 again", syscall(SYS_vas_switch, 1));
	show("active", syscall(SYS_active_vas));
	show("mmap in a", map_at(VAS_ADDR) == p);
	strcpy(p, "hello");
	show("detach active", syscall(SYS_vas_detach, 0, 1));
	show("delete attached", syscall(SYS_vas_delete, 1));
	show("switch 0", syscall(SYS_vas_switch, 0));
	printf("original sees a's page: %s\n", readable(p));
	child = fork();
	if (child == 0) {
		show("child active", syscall(SYS_active_vas));
		show("child switch 1", syscall(SYS_vas_switch, 1));
		_exit(0);
	}
	waitpid(child, &status, 0);
	show("detach a", syscall(SYS_vas_detach, 0, 1));
	show("detach a again", syscall(SYS_vas_detach, 0, 1));
	show("attach a ro", syscall(SYS_vas_attach, 0, 1, O_RDONLY));
	show("switch 1", syscall(SYS_vas_switch, 1));
	printf("a's page after the merge: %s\n", p);
	show("kernel write to ro page", kernel_write(p));
	show("switch 0", syscall(SYS_vas_switch, 0));
	show("detach a", syscall(SYS_vas_detach, 0, 1));
}

static void sharing(void)
{
	int go[2];
	pid_t child;
	int status;
	char c;

	pipe(go);
	child = fork();
	if (child == 0) {
		read(go[0], &c, 1);
		_exit(0);
	}
	show("attach self ro", syscall(SYS_vas_attach, 0, 1, O_RDONLY));
	show("attach child rw", syscall(SYS_vas_attach, child, 1, O_RDWR));
	show("attach child ro", syscall(SYS_vas_attach, child, 1, O_RDONLY));
	show("delete while attached", syscall(SYS_vas_delete, 1));
	show("detach self", syscall(SYS_vas_detach, 0, 1));
	write(go[1], "x", 1);
	waitpid(child, &status, 0);
	show("attach self rw after child exit", syscall(SYS_vas_attach, 0, 1, O_RDWR));
	show("detach self", syscall(SYS_vas_detach, 0, 1));
	show("delete a", syscall(SYS_vas_delete, 1));
	show("find a", syscall(SYS_vas_find, "a"));
}

static void overlap(void)
{
	long b = show("create b", syscall(SYS_vas_create, "b", 0600));

	syscall(SYS_vas_attach, 0, b, O_RDWR);
	syscall(SYS_vas_switch, b);
	map_at(OVERLAP_ADDR);
	syscall(SYS_vas_switch, 0);
	syscall(SYS_vas_detach, 0, b);
	map_at(OVERLAP_ADDR);
	show("attach b over own mapping", syscall(SYS_vas_attach, 0, b, O_RDWR));
}

static void segments(void)
{
	struct vas_seg_attr attr = { 0 };
	long c = syscall(SYS_vas_create, "c", 0600), d = syscall(SYS_vas_create, "d", 0600);
	char *p = (char *)SEG_ADDR;
	long s;

	s = show("seg create s", syscall(SYS_vas_seg_create, "s", SEG_ADDR, SEG_ADDR + 0x2000, 0640));
	show("seg create s again", syscall(SYS_vas_seg_create, "s", SEG_ADDR, SEG_ADDR + 0x2000, 0640));
	show("seg create unaligned", syscall(SYS_vas_seg_create, "u", SEG_ADDR + 1, SEG_ADDR + 0x2000, 0640));
	show("seg create inverted", syscall(SYS_vas_seg_create, "i", SEG_ADDR, SEG_ADDR, 0640));
	show("seg create wild name", syscall(SYS_vas_seg_create, (char *)8, SEG_ADDR, SEG_ADDR + 0x1000, 0640));
	show("seg find s", syscall(SYS_vas_seg_find, "s"));
	show("seg find x", syscall(SYS_vas_seg_find, "x"));
	show("seg getattr", syscall(SYS_vas_seg_getattr, s, &attr));
	printf("s: mode %o user %u group %u\n", attr.mode, attr.user, attr.group);
	attr.mode = 0666;
	show("seg setattr", syscall(SYS_vas_seg_setattr, s, &attr));
	show("seg getattr 99", syscall(SYS_vas_seg_getattr, 99, &attr));
	show("seg attach bad vid", syscall(SYS_vas_seg_attach, 99, s, O_RDWR));
	show("seg attach bad type", syscall(SYS_vas_seg_attach, c, s, 9));
	show("seg attach c", syscall(SYS_vas_seg_attach, c, s, O_RDWR));
	show("seg attach d", syscall(SYS_vas_seg_attach, d, s, O_RDWR));
	show("seg delete attached", syscall(SYS_vas_seg_delete, s));
	show("attach c", syscall(SYS_vas_attach, 0, c, O_RDWR));
	show("seg detach from attached c", syscall(SYS_vas_seg_detach, c, s));
	show("switch c", syscall(SYS_vas_switch, c));
	strcpy(p, "segment");
	syscall(SYS_vas_switch, 0);
	syscall(SYS_vas_detach, 0, c);
	show("attach d", syscall(SYS_vas_attach, 0, d, O_RDONLY));
	syscall(SYS_vas_switch, d);
	printf("d sees: %s\n", p);
	syscall(SYS_vas_switch, 0);
	syscall(SYS_vas_detach, 0, d);
	show("seg detach c", syscall(SYS_vas_seg_detach, c, s));
	show("seg detach c again", syscall(SYS_vas_seg_detach, c, s));
	show("seg detach d", syscall(SYS_vas_seg_detach, d, s));
	show("seg delete", syscall(SYS_vas_seg_delete, s));
	show("seg find s", syscall(SYS_vas_seg_find, "s"));
}

struct node {
	struct node *next;
	long value;
};

/* A child builds a linked list in a VAS and exits inside it; the parent
 * attaches the VAS read-only at the same addresses and walks the list. */
static void outlive(void)
{
	pid_t child = fork();
	struct node *n;
	long vid, sum = 0;
	int status;

	if (child == 0) {
		vid = syscall(SYS_vas_create, "list", 0600);
		syscall(SYS_vas_attach, 0, vid, O_RDWR);
		syscall(SYS_vas_switch, vid);
		n = map_at(LIST_ADDR);
		for (int i = 0; i < 3; i++)
			n[i] = (struct node){ i < 2 ? &n[i + 1] : NULL, 10 * (i + 1) };
		_exit(0);	/* still in the VAS */
	}
	waitpid(child, &status, 0);
	vid = show("find list", syscall(SYS_vas_find, "list"));
	show("attach list ro", syscall(SYS_vas_attach, 0, vid, O_RDONLY));
	syscall(SYS_vas_switch, vid);
	for (n = (struct node *)LIST_ADDR; n; n = n->next)
		sum += n->value;
	printf("list sum: %ld\n", sum);
	/* exit while inside the VAS: switched back and detached */
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	names();
	attrs();
	attach_switch();
	sharing();
	overlap();
	segments();
	outlive();
	return 0;
}
