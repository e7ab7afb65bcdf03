/*
 * abi: the Linux arm64 user ABI as the guest sees it: flag values and struct
 * layouts that may differ from the host's (open flags, struct stat), written
 * out here so that no host header decides what a guest value means.  Values
 * from the kernel's uapi headers (asm-generic/fcntl.h, asm-generic/stat.h,
 * asm-generic/mman-common.h, asm-generic/signal.h).
 *
 * errno values are not translated: x86-64 and arm64 share asm-generic's.
 */
#ifndef SIM_ABI_H
#define SIM_ABI_H

#include <stdbool.h>
#include <stdint.h>

/* open(2) flags, asm-generic (arm64) values */
#define G_O_ACCMODE	00000003
#define G_O_CREAT	00000100
#define G_O_EXCL	00000200
#define G_O_NOCTTY	00000400
#define G_O_TRUNC	00001000
#define G_O_APPEND	00002000
#define G_O_NONBLOCK	00004000
#define G_O_DSYNC	00010000
#define G_O_DIRECTORY	00040000	/* x86-64: 0200000 */
#define G_O_NOFOLLOW	00100000	/* x86-64: 0400000 */
#define G_O_DIRECT	00200000	/* x86-64: 040000 */
#define G_O_LARGEFILE	00400000	/* x86-64: 0100000 */
#define G_O_NOATIME	01000000
#define G_O_CLOEXEC	02000000
#define G_O_SYNC	04010000
#define G_O_PATH	010000000
#define G_O_TMPFILE	(020000000 | G_O_DIRECTORY)

#define G_AT_FDCWD		(-100)
#define G_AT_SYMLINK_NOFOLLOW	0x100
#define G_AT_EACCESS		0x200
#define G_AT_REMOVEDIR		0x200
#define G_AT_EMPTY_PATH		0x1000

#define G_F_DUPFD		0
#define G_F_GETFD		1
#define G_F_SETFD		2
#define G_F_GETFL		3
#define G_F_SETFL		4
#define G_F_GETLK		5
#define G_F_SETLK		6
#define G_F_SETLKW		7
#define G_F_DUPFD_CLOEXEC	1030
#define G_FD_CLOEXEC		1

/* mmap(2) */
#define G_PROT_READ		0x1
#define G_PROT_WRITE		0x2
#define G_PROT_EXEC		0x4
#define G_MAP_SHARED		0x01
#define G_MAP_PRIVATE		0x02
#define G_MAP_SHARED_VALIDATE	0x03
#define G_MAP_TYPE		0x0f
#define G_MAP_FIXED		0x10
#define G_MAP_ANONYMOUS		0x20
#define G_MAP_GROWSDOWN		0x0100
#define G_MAP_DENYWRITE		0x0800
#define G_MAP_EXECUTABLE	0x1000
#define G_MAP_LOCKED		0x2000
#define G_MAP_NORESERVE		0x4000
#define G_MAP_POPULATE		0x8000
#define G_MAP_NONBLOCK		0x10000
#define G_MAP_STACK		0x20000
#define G_MAP_HUGETLB		0x40000
#define G_MAP_FIXED_NOREPLACE	0x100000
#define G_MREMAP_MAYMOVE	1
#define G_MREMAP_FIXED		2
#define G_MREMAP_DONTUNMAP	4
#define G_MADV_DONTNEED		4
#define G_MADV_FREE		8
#define G_MADV_REMOVE		9
#define G_MADV_DONTFORK		10
#define G_MADV_WIPEONFORK	18

/* struct stat for arm64 (asm-generic/stat.h), 128 bytes */
struct guest_stat {
	uint64_t st_dev;
	uint64_t st_ino;
	uint32_t st_mode;
	uint32_t st_nlink;
	uint32_t st_uid;
	uint32_t st_gid;
	uint64_t st_rdev;
	uint64_t pad1;
	int64_t st_size;
	int32_t st_blksize;
	int32_t pad2;
	int64_t st_blocks;
	int64_t st_atime_sec;
	uint64_t st_atime_nsec;
	int64_t st_mtime_sec;
	uint64_t st_mtime_nsec;
	int64_t st_ctime_sec;
	uint64_t st_ctime_nsec;
	uint32_t unused[2];
};
_Static_assert(sizeof(struct guest_stat) == 128, "arm64 struct stat is 128 bytes");

struct guest_timespec {
	int64_t tv_sec;
	int64_t tv_nsec;
};

/* struct statfs of arm64 (asm-generic/statfs.h: every word 64 bits) */
struct guest_statfs {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags;
	int64_t f_spare[4];
};
_Static_assert(sizeof(struct guest_statfs) == 120, "arm64 struct statfs is 120 bytes");

/* struct itimerspec (timer_settime, timerfd_settime) */
struct guest_itimerspec {
	struct guest_timespec interval, value;
};

struct guest_iovec {
	uint64_t base;
	uint64_t len;
};

/* struct sigaction as the arm64 kernel takes it */
struct guest_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

#define G_SIG_DFL	0
#define G_SIG_IGN	1
#define G_NSIG		64

/* Signals (asm-generic/signal.h) */
enum {
	G_SIGHUP = 1, G_SIGINT, G_SIGQUIT, G_SIGILL, G_SIGTRAP, G_SIGABRT, G_SIGBUS, G_SIGFPE,
	G_SIGKILL, G_SIGUSR1, G_SIGSEGV, G_SIGUSR2, G_SIGPIPE, G_SIGALRM, G_SIGTERM, G_SIGSTKFLT,
	G_SIGCHLD, G_SIGCONT, G_SIGSTOP, G_SIGTSTP, G_SIGTTIN, G_SIGTTOU, G_SIGURG, G_SIGXCPU,
	G_SIGXFSZ, G_SIGVTALRM, G_SIGPROF, G_SIGWINCH, G_SIGIO, G_SIGPWR, G_SIGSYS,
};
#define G_SEGV_MAPERR	1
#define G_SEGV_ACCERR	2
#define G_SEGV_MTESERR	9
#define G_BUS_ADRALN	1
#define G_BUS_ADRERR	2
#define G_BUS_OBJERR	3
#define G_BUS_MCEERR_AR	4	/* si_addr_lsb gives the lost range's size */
#define G_ILL_ILLOPC	1
#define G_TRAP_BRKPT	1

/* A duration in ns as a timespec. */
struct guest_timespec guest_timespec_of_ns(uint64_t ns);
/* A timespec in ns (past ~146 years saturates at INT64_MAX); false for one
 * Linux's timespec64_valid() refuses (negative, nsec not below 1 s). */
bool guest_timespec_to_ns(const struct guest_timespec *ts, uint64_t *ns);
int guest_open_flags_to_host(int guest);
int host_open_flags_to_guest(int host);
const char *guest_signal_name(int sig);

#endif
