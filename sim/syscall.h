/*
 * syscall: the Linux arm64 system-call ABI.  The number arrives in x8, the
 * arguments in x0-x5, the result (or -errno) goes back in x0.  Each call is
 * one small function `sys_NAME` in the file of its family (sys_fs.c,
 * sys_mm.c, sys_proc.c, sys_time.c); the table in syscall.c maps numbers to
 * them together with the argument formats --strace prints.  A number with no
 * function answers -ENOSYS and is reported once by name.
 */
#ifndef SIM_SYSCALL_H
#define SIM_SYSCALL_H

#include <stdint.h>

#include "sim/machine.h"

#define NR_SYSCALLS 512

typedef long (*syscall_fn)(struct machine *m, struct task *t, const uint64_t *a);

extern const char *const syscall_names[NR_SYSCALLS];

void do_syscall(struct machine *m, struct task *t);

/* strace: print a call before (arguments) and after (result). */
void strace_call(struct machine *m, struct task *t, unsigned nr, const char *fmt,
		 const uint64_t *a, long ret);

#define SYSCALL(name) long sys_##name(struct machine *m, struct task *t, const uint64_t *a)

/* sys_fs.c */
SYSCALL(read); SYSCALL(write); SYSCALL(readv); SYSCALL(writev);
SYSCALL(pread64); SYSCALL(pwrite64); SYSCALL(openat); SYSCALL(close);
SYSCALL(lseek); SYSCALL(fstat); SYSCALL(newfstatat); SYSCALL(statx);
SYSCALL(getdents64); SYSCALL(readlinkat); SYSCALL(faccessat); SYSCALL(faccessat2);
SYSCALL(getcwd); SYSCALL(chdir); SYSCALL(fcntl); SYSCALL(dup); SYSCALL(dup3);
SYSCALL(ioctl); SYSCALL(umask); SYSCALL(sendfile); SYSCALL(utimensat);
/* sys_mm.c */
SYSCALL(brk); SYSCALL(mmap); SYSCALL(munmap); SYSCALL(mprotect); SYSCALL(mremap);
SYSCALL(madvise);
/* sys_proc.c */
SYSCALL(exit); SYSCALL(exit_group); SYSCALL(set_tid_address); SYSCALL(set_robust_list);
SYSCALL(rseq); SYSCALL(uname); SYSCALL(getpid); SYSCALL(getppid); SYSCALL(gettid);
SYSCALL(getuid); SYSCALL(prlimit64); SYSCALL(rt_sigaction); SYSCALL(rt_sigprocmask);
SYSCALL(sched_getaffinity); SYSCALL(sched_yield); SYSCALL(kill); SYSCALL(tgkill);
SYSCALL(tkill); SYSCALL(getrandom); SYSCALL(prctl); SYSCALL(sysinfo);
/* sys_time.c */
SYSCALL(clock_gettime); SYSCALL(clock_getres); SYSCALL(gettimeofday); SYSCALL(nanosleep);
SYSCALL(clock_nanosleep);

#endif
