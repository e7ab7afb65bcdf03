/*
 * mmcalls: the memory-management calls beyond mmap/munprotect/munmap, each
 * exercised for its effect and its errors, one line per check:
 * "what: result" where result is a value or an errno name.  Built for the
 * guest and, as the oracle, for the host (x86-64 Linux): both must print
 * the same, except the section "pkeys", whose answers depend on the
 * hardware (this one prints what arm64 Linux without POE answers).
 *
 * Usage: mmcalls SECTION (mlock, mincore, msync, madvise, mremap, shm,
 * mempolicy, pkeys, maxmap).  Exit status 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096UL

static const char *self_path;	/* argv[0] */
/* <linux/mempolicy.h> values (no libnuma needed) */
#define MPOL_DEFAULT	0
#define MPOL_PREFERRED	1
#define MPOL_BIND	2
#define MPOL_INTERLEAVE	3
#define MPOL_F_NODE	1
#define MPOL_F_ADDR	2
#define MPOL_F_MEMS_ALLOWED 4
#define BAD_PTR ((void *)0x1000)	/* page aligned, below mmap_min_addr: never mapped */

static const char *errname(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EPERM: return "EPERM";
	case EAGAIN: return "EAGAIN";
	case ENOSPC: return "ENOSPC";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case EIDRM: return "EIDRM";
	case ENOSYS: return "ENOSYS";
	case EBADF: return "EBADF";
	case EACCES: return "EACCES";
	case EHWPOISON: return "EHWPOISON";
	default: return strerror(e);
	}
}

/* Print a system call's outcome: its value, or its errno's name. */
static void show(const char *what, long ret)
{
	if (ret == -1)
		printf("%s: %s\n", what, errname(errno));
	else
		printf("%s: %ld\n", what, ret);
}

static char *map(size_t len, int prot, int flags)
{
	char *p = mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	return p;
}

/* The VmFlags-style letters of the smaps entry at addr are not portable;
 * residency is what mincore reports: one digit per page. */
static void resident(const char *what, void *addr, size_t pages)
{
	unsigned char vec[64];
	char line[65];

	if (syscall(SYS_mincore, addr, pages * PG, vec)) {
		show(what, -1);
		return;
	}
	for (size_t i = 0; i < pages; i++)
		line[i] = '0' + (vec[i] & 1);
	line[pages] = 0;
	printf("%s: %s\n", what, line);
}

/* The whole of the file at `path` (what fits) in buf, NUL-terminated;
 * its length.  Nothing is allocated (near the map limit malloc could not
 * map). */
static long read_whole(const char *path, char *buf, long size)
{
	int fd = open(path, O_RDONLY);
	long len = 0, n;

	while (fd >= 0 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	if (fd >= 0)
		close(fd);
	buf[len] = 0;
	return len;
}

/* The smaps entry starting at addr: its Locked figure and whether VmFlags
 * has `flag`; and VmLck of status. */
static void smaps_facts(const char *what, void *addr, const char *flag)
{
	static char buf[1 << 20];
	char head[32], *at, *end, *locked, *flags, *pss;

	read_whole("/proc/self/smaps", buf, sizeof(buf));
	snprintf(head, sizeof(head), "%lx-", (unsigned long)addr);
	at = strstr(buf, head);
	if (!at) {
		printf("%s: no smaps entry\n", what);
		return;
	}
	end = strstr(at + 1, "VmFlags:");
	end = end ? strchr(end, '\n') : NULL;
	if (end)
		*end = 0;
	locked = strstr(at, "\nLocked:");
	flags = strstr(at, "VmFlags:");
	pss = strstr(at, "\nPss:");
	printf("%s: Pss %ld kB, Locked %ld kB, VmFlags %s %s\n", what, pss ? atol(pss + 5) : -1L,
	       locked ? atol(locked + 8) : -1L, flags && strstr(flags, flag) ? "has" : "lacks", flag);
	read_whole("/proc/self/status", buf, sizeof(buf));
	at = strstr(buf, "VmLck:");
	printf("%s: VmLck %ld kB\n", what, at ? atol(at + 6) : -1L);
}

static void section_mlock(void)
{
	char *p = map(8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *q = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	resident("fresh mapping resident", p, 8);
	show("mlock 2 pages, unaligned start", syscall(SYS_mlock, p + 2 * PG + 100, 2 * PG - 100));
	resident("after mlock", p, 8);
	smaps_facts("locked part", p + 2 * PG, " lo");
	show("mlock2 ONFAULT", syscall(SYS_mlock2, p + 5 * PG, 2 * PG, MLOCK_ONFAULT));
	resident("after mlock2 onfault", p, 8);
	show("mlock2 bad flags", syscall(SYS_mlock2, p, PG, 2));
	show("munlock all 8", syscall(SYS_munlock, p, 8 * PG));
	show("mlock length 0", syscall(SYS_mlock, p, 0));
	show("mlock wrapping range", syscall(SYS_mlock, p, -PG * 2));
	show("mlock length rounding to 0", syscall(SYS_mlock, p, -1UL));
	munmap(p + 4 * PG, PG);
	show("mlock over a hole", syscall(SYS_mlock, p, 8 * PG));
	resident("after mlock over a hole", p, 4);
	show("mlock unmapped", syscall(SYS_mlock, BAD_PTR, PG));
	show("munlock unmapped", syscall(SYS_munlock, BAD_PTR, PG));
	show("mlockall 0", syscall(SYS_mlockall, 0));
	show("mlockall ONFAULT alone", syscall(SYS_mlockall, MCL_ONFAULT));
	show("mlockall bad bit", syscall(SYS_mlockall, MCL_CURRENT | 0x100));
	show("mlockall FUTURE", syscall(SYS_mlockall, MCL_FUTURE));
	q = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	resident("mapped after MCL_FUTURE", q, 4);
	show("munlockall", syscall(SYS_munlockall));
	q = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	resident("mapped after munlockall", q, 4);
	q = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_LOCKED);
	resident("MAP_LOCKED", q, 4);
	q = map(4 * PG, PROT_NONE, MAP_PRIVATE);
	show("mlock PROT_NONE", syscall(SYS_mlock, q, 4 * PG));
	resident("PROT_NONE after mlock", q, 4);
}

static void section_mincore(void)
{
	char *p = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	unsigned char vec[4];

	p[PG] = 1;
	p[3 * PG] = 1;
	resident("two touched", p, 4);
	show("mincore unaligned", syscall(SYS_mincore, p + 1, PG, vec));
	show("mincore unmapped", syscall(SYS_mincore, BAD_PTR, PG, vec));
	show("mincore bad vector", syscall(SYS_mincore, p, PG, BAD_PTR));
	show("mincore length 0", syscall(SYS_mincore, p, 0, vec));
	show("mincore beyond user space", syscall(SYS_mincore, (void *)(1UL << 62), PG, vec));
	munmap(p + 2 * PG, PG);
	show("mincore over a hole", syscall(SYS_mincore, p, 4 * PG, vec));
	show("mincore partial length", syscall(SYS_mincore, p, 10, vec));
}

static void section_msync(void)
{
	char *p = map(4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);

	show("msync SYNC", syscall(SYS_msync, p, 4 * PG, MS_SYNC));
	show("msync ASYNC", syscall(SYS_msync, p, 4 * PG, MS_ASYNC));
	show("msync INVALIDATE", syscall(SYS_msync, p, 4 * PG, MS_INVALIDATE));
	show("msync SYNC|ASYNC", syscall(SYS_msync, p, PG, MS_SYNC | MS_ASYNC));
	show("msync bad flag", syscall(SYS_msync, p, PG, 8));
	show("msync unaligned", syscall(SYS_msync, p + 1, PG, MS_SYNC));
	show("msync unmapped", syscall(SYS_msync, BAD_PTR, PG, MS_SYNC));
	show("msync length 0", syscall(SYS_msync, p, 0, MS_SYNC));
	munmap(p + 2 * PG, PG);
	show("msync over a hole", syscall(SYS_msync, p, 4 * PG, MS_SYNC));
	show("mlock", syscall(SYS_mlock, p, PG));
	show("msync INVALIDATE locked", syscall(SYS_msync, p, PG, MS_INVALIDATE));
	show("msync SYNC locked", syscall(SYS_msync, p, PG, MS_SYNC));
}

static void fork_sees(const char *what, char *p)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);	/* a sanitizer's handler would exit 1 */
		if (p)
			_exit(p[0]);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (WIFSIGNALED(status))
		printf("%s: child killed by signal %d\n", what, WTERMSIG(status));
	else
		printf("%s: child read %d\n", what, WEXITSTATUS(status));
}

/* Advice to a forked child through its pidfd, at an address it inherited. */
static void child_advice(char *p)
{
	struct iovec one = { p, PG };
	int pipefd[2], pid, fd;
	char c;

	if (pipe(pipefd))
		return;
	pid = fork();
	if (pid == 0) {
		close(pipefd[1]);
		read(pipefd[0], &c, 1);	/* until the parent is done */
		_exit(0);
	}
	fd = (int)syscall(SYS_pidfd_open, pid, 0);
	show("process_madvise child COLD", syscall(SYS_process_madvise, fd, &one, 1, MADV_COLD, 0));
	show("process_madvise child DONTNEED", syscall(SYS_process_madvise, fd, &one, 1, MADV_DONTNEED, 0));
	close(pipefd[1]);
	waitpid(pid, NULL, 0);
	close(fd);
	close(pipefd[0]);
}

/* process_madvise on the caller's own pidfd: the bytes advised (any advice
 * for oneself since Linux 6.13), EINVAL for flags, ENOMEM at a hole (after
 * a range that worked: the bytes up to it); a child's pidfd takes only the
 * hints (DONTNEED: EINVAL). */
static void process_advice(char *p)
{
	int self = (int)syscall(SYS_pidfd_open, getpid(), 0);
	int pipefd[2];
	struct iovec two[2] = { { p, 2 * PG }, { p + 2 * PG, PG } };
	struct iovec hole[2] = { { p, PG }, { NULL, PG } };
	char *gap = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(gap + PG, PG);
	hole[1].iov_base = gap;
	hole[1].iov_len = 3 * PG;
	show("process_madvise COLD, two ranges", syscall(SYS_process_madvise, self, two, 2, MADV_COLD, 0));
	show("process_madvise WILLNEED", syscall(SYS_process_madvise, self, two, 1, MADV_WILLNEED, 0));
	show("process_madvise DONTNEED", syscall(SYS_process_madvise, self, two, 1, MADV_DONTNEED, 0));
	show("process_madvise flags 1", syscall(SYS_process_madvise, self, two, 1, MADV_COLD, 1));
	show("process_madvise then a hole", syscall(SYS_process_madvise, self, hole, 2, MADV_COLD, 0));
	show("process_madvise a hole first", syscall(SYS_process_madvise, self, hole + 1, 1, MADV_COLD, 0));
	if (pipe(pipefd) == 0)
		show("process_madvise of a pipe", syscall(SYS_process_madvise, pipefd[0], two, 1, MADV_COLD, 0));
	child_advice(p);
}

static void section_madvise(void)
{
	char *p = map(8 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *s = map(4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);

	show("WILLNEED", syscall(SYS_madvise, p, 8 * PG, MADV_WILLNEED));
	resident("after WILLNEED (anon)", p, 8);
	show("POPULATE_READ", syscall(SYS_madvise, p, 2 * PG, MADV_POPULATE_READ));
	show("POPULATE_WRITE", syscall(SYS_madvise, p + 4 * PG, 2 * PG, MADV_POPULATE_WRITE));
	resident("after POPULATE", p, 8);
	p[7 * PG] = 42;
	show("COLD", syscall(SYS_madvise, p, 8 * PG, MADV_COLD));
	show("PAGEOUT", syscall(SYS_madvise, p, 8 * PG, MADV_PAGEOUT));
	printf("byte after PAGEOUT: %d\n", p[7 * PG]);
	show("unknown advice 99", syscall(SYS_madvise, p, PG, 99));
	show("unknown advice -1", syscall(SYS_madvise, p, PG, -1));
	show("unaligned", syscall(SYS_madvise, p + 1, PG, MADV_WILLNEED));
	show("unmapped WILLNEED", syscall(SYS_madvise, BAD_PTR, PG, MADV_WILLNEED));
	show("length 0", syscall(SYS_madvise, p, 0, MADV_DONTNEED));
	char *ro = map(2 * PG, PROT_READ, MAP_PRIVATE);
	show("POPULATE_WRITE read-only", syscall(SYS_madvise, ro, 2 * PG, MADV_POPULATE_WRITE));
	show("POPULATE_READ read-only", syscall(SYS_madvise, ro, 2 * PG, MADV_POPULATE_READ));
	char *wo = map(2 * PG, PROT_WRITE, MAP_PRIVATE);
	show("POPULATE_READ write-only", syscall(SYS_madvise, wo, 2 * PG, MADV_POPULATE_READ));
	show("POPULATE_WRITE write-only", syscall(SYS_madvise, wo, 2 * PG, MADV_POPULATE_WRITE));
	char *none = map(2 * PG, PROT_NONE, MAP_PRIVATE);
	show("POPULATE_READ PROT_NONE", syscall(SYS_madvise, none, 2 * PG, MADV_POPULATE_READ));
	show("POPULATE_READ unmapped", syscall(SYS_madvise, BAD_PTR, PG, MADV_POPULATE_READ));
	/* The program's own file, mapped one page past its end: the page
	 * beyond end of file is SIGBUS, which populate reports as EFAULT. */
	int fd = open(self_path, O_RDONLY);
	struct stat st;
	fstat(fd, &st);
	size_t in_file = (st.st_size + PG - 1) / PG * PG;
	char *f = mmap(NULL, in_file + PG, PROT_READ, MAP_PRIVATE, fd, 0);
	static char warm[4 * PG];
	if (pread(fd, warm, sizeof(warm), 0) < 0)	/* the page cache holds them, on any host */
		perror("pread");
	resident("own file, first pages untouched", f, 4);	/* the page cache's */
	volatile char first = f[0];
	(void)first;
	show("DONTNEED own file", syscall(SYS_madvise, f, PG, MADV_DONTNEED));
	resident("own file, first pages after DONTNEED", f, 4);
	show("POPULATE_READ beyond end of file", syscall(SYS_madvise, f + in_file - PG, 2 * PG, MADV_POPULATE_READ));
	resident("last file page and the one beyond", f + in_file - PG, 2);
	show("REMOVE private file", syscall(SYS_madvise, f, PG, MADV_REMOVE));
	close(fd);
	munmap(p + 3 * PG, PG);
	show("POPULATE_READ over a hole", syscall(SYS_madvise, p, 8 * PG, MADV_POPULATE_READ));
	show("WILLNEED over a hole", syscall(SYS_madvise, p, 8 * PG, MADV_WILLNEED));

	p[0] = 7;
	show("WIPEONFORK", syscall(SYS_madvise, p, PG, MADV_WIPEONFORK));
	smaps_facts("wiped on fork", p, " wf");
	fork_sees("wipeonfork", p);
	printf("parent still reads %d\n", p[0]);
	show("KEEPONFORK", syscall(SYS_madvise, p, PG, MADV_KEEPONFORK));
	fork_sees("keeponfork", p);
	show("WIPEONFORK on shared", syscall(SYS_madvise, s, PG, MADV_WIPEONFORK));
	show("DONTFORK", syscall(SYS_madvise, p, PG, MADV_DONTFORK));
	smaps_facts("not copied on fork", p, " dc");
	fork_sees("dontfork", p);
	show("DOFORK", syscall(SYS_madvise, p, PG, MADV_DOFORK));
	fork_sees("dofork", p);

	s[PG] = 9;
	show("REMOVE private", syscall(SYS_madvise, p, PG, MADV_REMOVE));
	show("REMOVE shared", syscall(SYS_madvise, s + PG, PG, MADV_REMOVE));
	printf("shared byte after REMOVE: %d\n", s[PG]);
	resident("shared after REMOVE and re-read", s, 4);
	s[2 * PG] = 1;
	show("DONTNEED shared", syscall(SYS_madvise, s + 2 * PG, PG, MADV_DONTNEED));
	resident("shared after DONTNEED (the object keeps it)", s, 4);
	printf("shared byte after DONTNEED: %d\n", s[2 * PG]);
	show("mlock", syscall(SYS_mlock, p + 4 * PG, PG));
	show("DONTNEED locked", syscall(SYS_madvise, p + 4 * PG, PG, MADV_DONTNEED));
	show("process_madvise bad pidfd", syscall(SYS_process_madvise, -1, NULL, 0, MADV_COLD, 0));
	process_advice(p);
}

static void section_mremap(void)
{
	char *p = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	char *s = map(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
	char *q;

	memset(p, 5, 4 * PG);
	q = (char *)syscall(SYS_mremap, p, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
	printf("DONTUNMAP moved: %s\n", q == (char *)-1 ? errname(errno) : q != p ? "yes" : "no");
	printf("new range reads %d, old range reads %d\n", q[0], p[0]);
	resident("old range after DONTUNMAP", p, 4);
	show("DONTUNMAP without MAYMOVE", syscall(SYS_mremap, p, PG, PG, MREMAP_DONTUNMAP, 0));
	show("DONTUNMAP growing", syscall(SYS_mremap, p, PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0));
	show("DONTUNMAP unmapped", syscall(SYS_mremap, BAD_PTR, PG, PG, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0));
	show("DONTUNMAP FIXED onto itself", syscall(SYS_mremap, p, PG, PG,
		MREMAP_MAYMOVE | MREMAP_DONTUNMAP | MREMAP_FIXED, p));
	show("DONTUNMAP FIXED unaligned", syscall(SYS_mremap, p, PG, PG,
		MREMAP_MAYMOVE | MREMAP_DONTUNMAP | MREMAP_FIXED, p + 1));
	show("unknown flag", syscall(SYS_mremap, p, PG, PG, 8, 0));
	s[0] = 3;
	q = (char *)syscall(SYS_mremap, s, 0, 2 * PG, MREMAP_MAYMOVE, 0);
	printf("old size 0 of shared: %s\n", q == (char *)-1 ? errname(errno) : q != s ? "a new copy" : "same");
	if (q != (char *)-1) {
		q[PG] = 4;
		printf("copy reads %d, original sees %d\n", q[0], s[PG]);
	}
	show("old size 0 of private", syscall(SYS_mremap, p + 2 * PG, 0, PG, MREMAP_MAYMOVE, 0));
	show("old size 0 without MAYMOVE", syscall(SYS_mremap, s, 0, PG, 0, 0));
	show("new size 0", syscall(SYS_mremap, p, PG, 0, MREMAP_MAYMOVE, 0));
}

/* Whether /proc/self/maps has `what`. */
static int maps_has(const char *what)
{
	static char buf[1 << 16];

	read_whole("/proc/self/maps", buf, sizeof(buf));
	return strstr(buf, what) != NULL;
}

static void section_shm(void)
{
	int id = shmget(IPC_PRIVATE, 3 * PG + 1, IPC_CREAT | 0600), id2;
	struct shmid_ds ds;
	char *a, *b;

	printf("shmget: %s\n", id >= 0 ? "ok" : errname(errno));
	a = shmat(id, NULL, 0);
	b = shmat(id, NULL, SHM_RDONLY);
	printf("two attaches: %s\n", a != (void *)-1 && b != (void *)-1 && a != b ? "ok" : errname(errno));
	a[PG] = 17;
	printf("the other attach reads %d\n", b[PG]);
	shmctl(id, IPC_STAT, &ds);
	printf("IPC_STAT size %lu nattch %lu mode %o\n", (unsigned long)ds.shm_segsz,
	       (unsigned long)ds.shm_nattch, ds.shm_perm.mode & 0777);
	ds.shm_perm.mode = 0640;
	show("IPC_SET", shmctl(id, IPC_SET, &ds));
	shmctl(id, IPC_STAT, &ds);
	printf("mode after IPC_SET %o\n", ds.shm_perm.mode & 0777);
	show("shmdt", shmdt(b));
	show("shmdt again", shmdt(b));
	show("shmdt unaligned", shmdt(a + 1));
	shmctl(id, IPC_STAT, &ds);
	printf("nattch %lu\n", (unsigned long)ds.shm_nattch);
	show("IPC_RMID while attached", shmctl(id, IPC_RMID, NULL));
	printf("still reads %d\n", a[PG]);
	show("shmat after RMID", (long)shmat(id, NULL, 0) == -1 ? -1 : 0);
	show("shmdt last", shmdt(a));
	show("IPC_STAT after last detach", shmctl(id, IPC_STAT, &ds));

	id = shmget(0x6d6d7573, PG, IPC_CREAT | IPC_EXCL | 0600);
	printf("keyed create: %s\n", id >= 0 ? "ok" : errname(errno));
	id2 = shmget(0x6d6d7573, PG, 0);
	printf("same key finds it: %s\n", id2 == id ? "yes" : "no");
	show("IPC_EXCL on existing", shmget(0x6d6d7573, PG, IPC_CREAT | IPC_EXCL | 0600));
	show("larger than segment", shmget(0x6d6d7573, 2 * PG, 0));
	show("missing key", shmget(0x6d6d7574, PG, 0));
	show("size 0 create", shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
	a = shmat(id, NULL, 0);
	a[0] = 1;
	shmdt(a);
	a = shmat(id, NULL, 0);
	printf("after detach and re-attach reads %d\n", a[0]);
	printf("maps names it: %s\n", maps_has("/SYSV6d6d7573 (deleted)") ? "yes" : "no");
	smaps_facts("attached segment", a, " sh");
	fork_sees("child of attached", a);
	shmdt(a);
	show("bad id shmat", (long)shmat(-5, NULL, 0) == -1 ? -1 : 0);
	show("bad id IPC_STAT", shmctl(-5, IPC_STAT, &ds));
	show("IPC_STAT bad buffer", shmctl(id, IPC_STAT, BAD_PTR));
	show("bad cmd", shmctl(id, 1234, &ds));
	show("shmat unaligned addr", (long)shmat(id, (void *)(0x20000000 + 1), 0) == -1 ? -1 : 0);
	show("shmat RND addr", (long)shmat(id, (void *)(0x20000000 + 1), SHM_RND) == -1 ? -1 : 0);
	show("IPC_RMID", shmctl(id, IPC_RMID, NULL));
	show("IPC_RMID again", shmctl(id, IPC_RMID, NULL));
}

static void section_mempolicy(void)
{
	unsigned long node0 = 1, node1 = 2, got = 0;
	int mode = -1;
	char *p = map(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	show("get_mempolicy", syscall(SYS_get_mempolicy, &mode, &got, 64, NULL, 0));
	printf("mode %d\n", mode);
	show("set BIND node 0", syscall(SYS_set_mempolicy, MPOL_BIND, &node0, 64));
	show("get_mempolicy", syscall(SYS_get_mempolicy, &mode, &got, 64, NULL, 0));
	printf("mode %d nodes %lu\n", mode, got);
	show("set BIND node 1", syscall(SYS_set_mempolicy, MPOL_BIND, &node1, 64));
	show("set BIND no nodes", syscall(SYS_set_mempolicy, MPOL_BIND, &got, 0));
	show("set PREFERRED node 0", syscall(SYS_set_mempolicy, MPOL_PREFERRED, &node0, 64));
	show("set INTERLEAVE node 0", syscall(SYS_set_mempolicy, MPOL_INTERLEAVE, &node0, 64));
	show("set bad mode", syscall(SYS_set_mempolicy, 77, &node0, 64));
	show("set DEFAULT", syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0));
	show("set DEFAULT with nodes", syscall(SYS_set_mempolicy, MPOL_DEFAULT, &node0, 64));
	show("set DEFAULT with a mask of maxnode 0", syscall(SYS_set_mempolicy, MPOL_DEFAULT, &node0, 0));
	show("set DEFAULT with a mask of maxnode 1", syscall(SYS_set_mempolicy, MPOL_DEFAULT, &node0, 1));
	show("set BIND bad pointer", syscall(SYS_set_mempolicy, MPOL_BIND, BAD_PTR, 64));
	show("mbind BIND node 0", syscall(SYS_mbind, p, 2 * PG, MPOL_BIND, &node0, 64, 0));
	show("mbind BIND node 1", syscall(SYS_mbind, p, 2 * PG, MPOL_BIND, &node1, 64, 0));
	show("mbind unaligned", syscall(SYS_mbind, p + 1, PG, MPOL_BIND, &node0, 64, 0));
	show("mbind unmapped", syscall(SYS_mbind, BAD_PTR, PG, MPOL_BIND, &node0, 64, 0));
	show("get_mempolicy of addr", syscall(SYS_get_mempolicy, &mode, NULL, 0, p, MPOL_F_ADDR));
	printf("mode %d\n", mode);
	show("get_mempolicy NODE of addr", syscall(SYS_get_mempolicy, &mode, NULL, 0, p, MPOL_F_ADDR | MPOL_F_NODE));
	printf("node %d\n", mode);
	show("get_mempolicy MEMS_ALLOWED", syscall(SYS_get_mempolicy, NULL, &got, 64, NULL, MPOL_F_MEMS_ALLOWED));
	printf("allowed %lu\n", got);
	show("get_mempolicy addr without F_ADDR", syscall(SYS_get_mempolicy, &mode, NULL, 0, p, 0));
	show("get_mempolicy unmapped addr", syscall(SYS_get_mempolicy, &mode, NULL, 0, BAD_PTR, MPOL_F_ADDR));
}

static void section_pkeys(void)
{
	char *p = map(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);

	show("pkey_alloc", syscall(SYS_pkey_alloc, 0, 0));
	show("pkey_alloc bad flags", syscall(SYS_pkey_alloc, 1, 0));
	show("pkey_alloc bad rights", syscall(SYS_pkey_alloc, 0, 4));
	show("pkey_free 0", syscall(SYS_pkey_free, 0));
	show("pkey_free 1", syscall(SYS_pkey_free, 1));
	show("pkey_mprotect -1", syscall(SYS_pkey_mprotect, p, PG, PROT_READ, -1));
	show("pkey_mprotect 0", syscall(SYS_pkey_mprotect, p, PG, PROT_READ, 0));
	show("pkey_mprotect 1", syscall(SYS_pkey_mprotect, p, PG, PROT_READ, 1));
}

/* VMAs: lines of /proc/self/maps but [vsyscall] (x86-64's gate page, not
 * a VMA). */
static long count_maps(void)
{
	static char buf[16 << 20];
	long lines = 0, len = read_whole("/proc/self/maps", buf, sizeof(buf));

	for (long i = 0; i < len; i++)
		lines += buf[i] == '\n';
	return lines - (strstr(buf, "[vsyscall]") != NULL);
}

#define SLOTS 70000L

/* MAP_FIXED at slot i of the reservation (counted from its top). */
static long map_slot(char *res, long i, int prot)
{
	void *p = mmap(res + (SLOTS - 1 - i) * PG, PG, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		       -1, 0);

	return p == MAP_FAILED ? -1 : 0;
}

/* vm.max_map_count: mmap refuses once the count is above 65530 (merging or
 * not); a split (mprotect, munmap punching a hole) once it is at 65530;
 * munmap of a whole VMA or of its end works at any count; mremap moves
 * need headroom.  Every mapping is MAP_FIXED in a PROT_NONE reservation,
 * below a guard page, so the layout is the same under every kernel. */
static void section_maxmap(void)
{
	char *res = map((SLOTS + 8) * PG, PROT_NONE, MAP_PRIVATE | MAP_NORESERVE) + 4 * PG, *p;
	long n = 0;

	printf("filling\n");	/* stdout's buffer, before memory runs out */
	for (; n < SLOTS; n++)
		if (map_slot(res, n, n % 2 ? PROT_READ : PROT_READ | PROT_WRITE))
			break;
	printf("mmap stops with %s at %ld VMAs\n", errname(errno), count_maps());
	munmap(res + (SLOTS - 2) * PG, 2 * PG);		/* slots 0 and 1 */
	p = mmap(res - 4 * PG, 3 * PG, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("a 3-page mapping: %s, %ld VMAs\n", p == MAP_FAILED ? errname(errno) : "ok", count_maps());
	show("mprotect its middle", mprotect(p + PG, PG, PROT_READ));
	show("munmap its middle", munmap(p + PG, PG));
	show("munmap its first page", munmap(p, PG));
	show("mprotect its last page", mprotect(p + 2 * PG, PG, PROT_READ));
	show("munmap slot 2", munmap(res + (SLOTS - 3) * PG, PG));
	show("mprotect its last page", mprotect(p + 2 * PG, PG, PROT_READ));
	printf("VMAs then: %ld\n", count_maps());
	show("mmap slot 0", map_slot(res, 0, PROT_READ | PROT_EXEC));
	show("mmap slot 1 (would merge)", map_slot(res, 1, PROT_READ | PROT_EXEC));
	printf("VMAs then: %ld\n", count_maps());
	show("mremap growing in place", (long)mremap(res + (SLOTS - 4) * PG, PG, 2 * PG, 0) == -1 ? -1 : 0);
	show("mremap that must move", (long)mremap(res + (SLOTS - 6) * PG, PG, 2 * PG, MREMAP_MAYMOVE) == -1 ? -1 : 0);
	for (long i = 7; i < 12; i++)
		munmap(res + (SLOTS - 1 - i) * PG, PG);
	printf("VMAs then: %ld\n", count_maps());
	show("mremap that must move", (long)mremap(res + (SLOTS - 6) * PG, PG, 2 * PG, MREMAP_MAYMOVE) == -1 ? -1 : 0);
	printf("VMAs then: %ld\n", count_maps());
}

int main(int argc, char **argv)
{
	static const struct { const char *name; void (*fn)(void); } sections[] = {
		{ "mlock", section_mlock }, { "mincore", section_mincore },
		{ "msync", section_msync }, { "madvise", section_madvise },
		{ "mremap", section_mremap }, { "shm", section_shm },
		{ "mempolicy", section_mempolicy }, { "pkeys", section_pkeys },
		{ "maxmap", section_maxmap },
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	self_path = argv[0];
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (argc > 1 && !strcmp(argv[1], sections[i].name)) {
			sections[i].fn();
			return 0;
		}
	fprintf(stderr, "usage: mmcalls SECTION\n");
	return 2;
}
