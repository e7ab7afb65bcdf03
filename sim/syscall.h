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

/* What a handler may return besides a result or -errno: */
#define SYSCALL_BLOCKED  (-100000L)	/* the task blocked; call again when it wakes */
#define SYSCALL_NORETURN (-100001L)	/* registers already set (execve, sigreturn, exit) */

typedef long (*syscall_fn)(struct machine *m, struct task *t, const uint64_t *a);

extern const char *const syscall_names[NR_SYSCALLS];

/* The task (loaded in the engine) made a system call. */
void do_syscall(struct machine *m, struct task *t);
/* The task was blocked in a call and has been woken: try it again. */
void retry_syscall(struct machine *m, struct task *t);
/* Block in the current call on `channel` (see sched_block), unless this is
 * a retry that a signal caused: then -ERESTARTSYS. */
long block_on(struct machine *m, struct task *t, const void *channel, const char *what,
	      uint64_t wake_at);

/* strace: the arguments are decoded when the call starts (the memory they
 * point to may be gone when it ends: execve), the line printed when it ends. */
void strace_start(struct machine *m, struct task *t, unsigned nr, const char *fmt);
void strace_finish(struct machine *m, struct task *t, long ret, bool no_result);

#define SYSCALL(name) long sys_##name(struct machine *m, struct task *t, const uint64_t *a)

/* sys_fs.c */
SYSCALL(read); SYSCALL(write); SYSCALL(readv); SYSCALL(writev);
SYSCALL(pread64); SYSCALL(pwrite64); SYSCALL(openat); SYSCALL(close);
SYSCALL(lseek); SYSCALL(fstat); SYSCALL(newfstatat); SYSCALL(statx);
SYSCALL(getdents64); SYSCALL(readlinkat); SYSCALL(faccessat); SYSCALL(faccessat2);
SYSCALL(getcwd); SYSCALL(chdir); SYSCALL(fchdir); SYSCALL(fcntl); SYSCALL(dup); SYSCALL(dup3);
SYSCALL(ioctl); SYSCALL(umask); SYSCALL(sendfile); SYSCALL(utimensat); SYSCALL(getpeername);
/* sys_mm.c */
SYSCALL(brk); SYSCALL(mmap); SYSCALL(munmap); SYSCALL(mprotect); SYSCALL(mremap);
SYSCALL(madvise);
/* sys_proc.c */
SYSCALL(set_tid_address); SYSCALL(set_robust_list);
SYSCALL(rseq); SYSCALL(uname); SYSCALL(getpid); SYSCALL(getppid); SYSCALL(gettid);
SYSCALL(getuid); SYSCALL(prlimit64); SYSCALL(sched_getaffinity); SYSCALL(sched_yield);
SYSCALL(getrandom); SYSCALL(prctl); SYSCALL(sysinfo); SYSCALL(setpgid); SYSCALL(getpgid);
SYSCALL(getsid); SYSCALL(setsid); SYSCALL(getrusage);
/* exit.c, fork.c, exec.c */
SYSCALL(exit); SYSCALL(exit_group); SYSCALL(wait4); SYSCALL(waitid);
SYSCALL(clone); SYSCALL(clone3); SYSCALL(execve);
/* signal.c */
SYSCALL(rt_sigaction); SYSCALL(rt_sigprocmask); SYSCALL(rt_sigreturn); SYSCALL(rt_sigpending);
SYSCALL(rt_sigsuspend); SYSCALL(rt_sigtimedwait); SYSCALL(sigaltstack); SYSCALL(kill);
SYSCALL(tgkill); SYSCALL(tkill);
/* futex.c, poll.c */
SYSCALL(futex); SYSCALL(pipe2); SYSCALL(ppoll); SYSCALL(pselect6);
/* sys_time.c */
SYSCALL(clock_gettime); SYSCALL(clock_getres); SYSCALL(gettimeofday); SYSCALL(nanosleep);
SYSCALL(clock_nanosleep);

#endif
