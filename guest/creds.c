/*
 * creds: user and group ids, supplementary groups and capabilities, through
 * raw system calls, as root first and then after giving root up.  Each line
 * is a call and its answer (the value, or the errno name), so mmusim's
 * output can be compared with the same program built for the host and run
 * as root on the real kernel.  Lines starting with '#' depend on the host's
 * capability bounding set and are not compared.
 *
 * `creds after-exec` prints the ids and capabilities a program started by
 * exec holds (run by the main program after it gave root up).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE	/* strerrorname_np */
#endif
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BAD_PTR ((void *)8)
#define V1 0x19980330u
#define V3 0x20080522u
/* CAP_CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, LINUX_IMMUTABLE,
 * MKNOD, MAC_OVERRIDE */
#define FS_MASK ((1ull << 0) | (1ull << 1) | (1ull << 2) | (1ull << 3) | (1ull << 4) | \
		 (1ull << 9) | (1ull << 27) | (1ull << 32))

struct cap_header { uint32_t version; int pid; };
struct cap_data { uint32_t effective, permitted, inheritable; };

static volatile int sender_uid = -1;

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sender_uid = (int)si->si_uid;
}

static void show(const char *what, long ret)
{
	if (ret == -1)
		printf("%s: %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld\n", what, ret);
}

static void show_res(const char *what, long nr)
{
	unsigned r = 77, e = 77, s = 77;
	long ret = syscall(nr, &r, &e, &s);

	if (ret)
		show(what, ret);
	else
		printf("%s: %u %u %u\n", what, r, e, s);
}

/* effective, permitted (64 bits each) of the caller */
static void caps(uint64_t *eff, uint64_t *perm)
{
	struct cap_header h = { V3, 0 };
	struct cap_data d[2] = { 0 };

	syscall(SYS_capget, &h, d);
	*eff = d[0].effective | (uint64_t)d[1].effective << 32;
	*perm = d[0].permitted | (uint64_t)d[1].permitted << 32;
}

static void show_caps(const char *what)
{
	uint64_t eff, perm;

	caps(&eff, &perm);
	printf("%s: effective %s, permitted %s, fs caps in effective %s\n", what,
	       eff ? "some" : "none", perm ? "some" : "none", (eff & FS_MASK) == FS_MASK ? "all" :
	       (eff & FS_MASK) ? "some" : "none");
}

/* The credential lines of /proc/self/status. */
static void show_status(const char *what)
{
	static const char *const keys[] = { "Uid:", "Gid:", "Groups:", "CapInh:", "CapPrm:", "CapEff:",
					    "NoNewPrivs:" };
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];

	while (f && fgets(line, sizeof(line), f))
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strncmp(line, keys[i], strlen(keys[i])))
				printf("%s status %s", what, line);
	if (f)
		fclose(f);
}

static void groups_as_root(void)
{
	uint32_t set[2] = { 5, 3 }, got[4] = { 0 };

	show("setgroups(2, {5,3})", syscall(SYS_setgroups, 2, set));
	show("getgroups(0, NULL)", syscall(SYS_getgroups, 0, NULL));
	show("getgroups(1, buf)", syscall(SYS_getgroups, 1, got));
	show("getgroups(2, buf)", syscall(SYS_getgroups, 2, got));
	printf("groups: %u %u\n", got[0], got[1]);
	show("getgroups(-1, buf)", syscall(SYS_getgroups, -1, got));
	show("getgroups(2, bad)", syscall(SYS_getgroups, 2, BAD_PTR));
	show("setgroups(-1, buf)", syscall(SYS_setgroups, -1, set));
	show("setgroups(65537, buf)", syscall(SYS_setgroups, 65537, set));
	show("setgroups(1, bad)", syscall(SYS_setgroups, 1, BAD_PTR));
	show("getgroups(0, NULL) after failures", syscall(SYS_getgroups, 0, NULL));
}

static void capget_errors(void)
{
	struct cap_header h = { 0, 0 };
	struct cap_data d[2];

	show("capget(version 0)", syscall(SYS_capget, &h, d));
	printf("version written back: %#x\n", h.version);
	h.version = 0;
	show("capget(version 0, NULL data)", syscall(SYS_capget, &h, NULL));
	h = (struct cap_header){ V3, 0 };
	show("capget(v3, NULL data)", syscall(SYS_capget, &h, NULL));
	show("capget(bad header)", syscall(SYS_capget, BAD_PTR, d));
	show("capget(v3, bad data)", syscall(SYS_capget, &h, BAD_PTR));
	h.pid = -1;
	show("capget(pid -1)", syscall(SYS_capget, &h, d));
	h.pid = 999999;
	show("capget(pid 999999)", syscall(SYS_capget, &h, d));
	h = (struct cap_header){ V1, 0 };
	memset(d, 0xff, sizeof(d));
	show("capget(v1)", syscall(SYS_capget, &h, d));
	printf("v1 leaves the second record alone: %s\n", d[1].effective == 0xffffffffu ? "yes" : "no");
}

static void fsuid_as_root(void)
{
	show("setfsuid(1234)", syscall(SYS_setfsuid, 1234));
	show_caps("after setfsuid(1234)");
	show("setfsuid(-1)", syscall(SYS_setfsuid, -1));
	show("setfsuid(0)", syscall(SYS_setfsuid, 0));
	show_caps("after setfsuid(0)");
}

static void gids_as_root(void)
{
	show("setresgid(100, 200, 300)", syscall(SYS_setresgid, 100, 200, 300));
	show_res("getresgid", SYS_getresgid);
	show("setgid(-1)", syscall(SYS_setgid, -1));
	show("setregid(150, -1)", syscall(SYS_setregid, 150, -1));
	show_res("getresgid", SYS_getresgid);
	show("setregid(-1, 400)", syscall(SYS_setregid, -1, 400));
	show_res("getresgid", SYS_getresgid);
	show("setfsgid(-1)", syscall(SYS_setfsgid, -1));
	show("getegid", syscall(SYS_getegid));
	show("getgid", syscall(SYS_getgid));
}

/* The child keeps its capabilities over setresuid with PR_SET_KEEPCAPS. */
static void keepcaps_child(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		show("prctl(PR_SET_KEEPCAPS, 1)", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		show("prctl(PR_GET_KEEPCAPS)", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
		show("child setresuid(7, 7, 7)", syscall(SYS_setresuid, 7, 7, 7));
		show_caps("child with keepcaps");
		show("child setuid(0)", syscall(SYS_setuid, 0));
		_exit(0);
	}
	waitpid(pid, &status, 0);
}

/* kill(2) and tgkill(2) permissions: a process that gave up root may
 * signal only processes with its ids (root's: EPERM), but SIGCONT within
 * its session; a zombie takes a signal (0), a reaped pid is ESRCH. */
static void kill_permissions(void)
{
	pid_t parent = getpid(), pid = fork();
	siginfo_t si;
	int status;

	if (pid == 0)
		_exit(0);
	waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT);	/* a zombie now */
	show("kill a zombie", kill(pid, 0));
	waitpid(pid, &status, 0);
	show("kill a reaped pid", kill(pid, 0));
	pid = fork();
	if (pid == 0) {
		show("user: setresuid(1000)", syscall(SYS_setresuid, 1000, 1000, 1000));
		show("user: kill root's process", kill(parent, 0));
		show("user: tgkill root's thread", syscall(SYS_tgkill, parent, parent, 0));
		show("user: SIGCONT to root's process in the session", kill(parent, SIGCONT));
		show("user: kill itself", kill(getpid(), 0));
		show("user: kill its process group", kill(0, 0));
		show("user: kill -1", kill(-1, 0));
		_exit(0);
	}
	waitpid(pid, &status, 0);
}

static void as_user(const char *self)
{
	uint32_t none[1] = { 1 };
	struct cap_header h = { V3, 0 };
	struct cap_data d[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	pid_t pid;
	int status;

	show("setreuid(1000, 2000)", syscall(SYS_setreuid, 1000, 2000));
	show_res("getresuid", SYS_getresuid);
	show_caps("after setreuid");
	show("setuid(0)", syscall(SYS_setuid, 0));
	show("setuid(1000)", syscall(SYS_setuid, 1000));
	show_res("getresuid", SYS_getresuid);
	show("setuid(2000)", syscall(SYS_setuid, 2000));
	show_res("getresuid", SYS_getresuid);
	show("setreuid(-1, 1000)", syscall(SYS_setreuid, -1, 1000));
	show_res("getresuid", SYS_getresuid);
	show("setreuid(3000, -1)", syscall(SYS_setreuid, 3000, -1));
	show("setreuid(2000, -1)", syscall(SYS_setreuid, 2000, -1));
	show_res("getresuid", SYS_getresuid);
	show("setresuid(-1, -1, 1000)", syscall(SYS_setresuid, -1, -1, 1000));
	show("setresuid(5, -1, -1)", syscall(SYS_setresuid, 5, -1, -1));
	show_res("getresuid", SYS_getresuid);
	show("setfsuid(5)", syscall(SYS_setfsuid, 5));
	show("setfsuid(-1)", syscall(SYS_setfsuid, -1));
	show("setgid(100)", syscall(SYS_setgid, 100));
	show("setgid(7)", syscall(SYS_setgid, 7));
	show("setresgid(300, -1, 200)", syscall(SYS_setresgid, 300, -1, 200));
	show_res("getresgid", SYS_getresgid);
	show("setgroups(1, {1})", syscall(SYS_setgroups, 1, none));
	show("capset(all zero)", syscall(SYS_capset, &h, d));
	d[0].permitted = 1;
	show("capset(raise permitted)", syscall(SYS_capset, &h, d));
	h.pid = 1;
	show("capset(other pid)", syscall(SYS_capset, &h, d));
	show("getuid", syscall(SYS_getuid));
	show("geteuid", syscall(SYS_geteuid));
	show_status("as a user:");
	sigaction(SIGUSR1, &(struct sigaction){ .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO }, NULL);
	kill(getpid(), SIGUSR1);
	printf("kill's si_uid: %d\n", sender_uid);
	syscall(SYS_tgkill, getpid(), getpid(), SIGUSR1);
	printf("tgkill's si_uid: %d\n", sender_uid);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		show_res("child getresuid", SYS_getresuid);
		show("child getgroups(0, NULL)", syscall(SYS_getgroups, 0, NULL));
		fflush(stdout);
		execl(self, self, "after-exec", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
}

int main(int argc, char **argv)
{
	uint64_t eff, perm;

	setvbuf(stdout, NULL, _IONBF, 0);	/* a child's lines come out before its exit */
	if (argc > 1) {
		show_res("after exec getresuid", SYS_getresuid);
		show_res("after exec getresgid", SYS_getresgid);
		show("after exec setfsuid(-1)", syscall(SYS_setfsuid, -1));
		show_caps("after exec");
		return 0;
	}
	caps(&eff, &perm);
	printf("# initial caps: effective %#llx permitted %#llx\n", (unsigned long long)eff,
	       (unsigned long long)perm);
	show_res("getresuid", SYS_getresuid);
	groups_as_root();
	capget_errors();
	fsuid_as_root();
	gids_as_root();
	keepcaps_child();
	kill_permissions();
	as_user(argv[0]);
	return 0;
}
