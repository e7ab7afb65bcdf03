/*
 * syscall: the protocol between the dispatcher and the files that implement
 * system calls.  The Linux arm64 ABI: the number arrives in x8, the
 * arguments in x0-x5, the result (or -errno) goes back in x0.
 *
 * Each call is one static function `sys_NAME` in the file of its family
 * (sys_fs.c, sys_mm.c, sys_proc.c, sys_time.c, exit.c, fork.c, exec.c,
 * signal.c, futex.c, poll.c, roi.c), and each such file ends with its table:
 *
 *	const struct syscall_desc fs_syscalls[] = {
 *		SYSCALL_DESC(63, read, "dpu"),
 *		...
 *		{ 0 }
 *	};
 *
 * which sim/dispatch.c lists.  Linux's numbers go up to 511; mmusim's own
 * calls start at MMUSIM_SYSCALL_BASE (1000, guest/mmusim.h).
 *
 * A call that must wait sleeps with block_on() and returns what it returns
 * (SYSCALL_BLOCKED); it runs again when woken and reads why from t->wait
 * (the state machine of sim/wait.h).  A page fault that must wait for
 * another task sleeps with block_in_fault().
 */
#ifndef SIM_SYSCALL_H
#define SIM_SYSCALL_H

#include <stdint.h>

#include "sim/machine.h"
#include "sim/wait.h"

struct vm_fault;

/* What a handler may return besides a result or -errno: */
#define SYSCALL_BLOCKED  (-100000L)	/* the task blocked; call again when it wakes */
#define SYSCALL_NORETURN (-100001L)	/* registers already set (execve, sigreturn, exit) */
#define ERESTARTSYS 512			/* kernel-internal: never reaches the guest */

typedef long (*syscall_fn)(struct machine *m, struct task *t, const uint64_t *a);

/*
 * One registration.  Argument formats for --strace, one letter per argument:
 *   d int   u unsigned   x hex   p pointer   s string   b buffer (length in
 *   the next argument)   F directory fd   o open flags   m octal mode
 *   P mmap prot   M mmap flags   S signal number
 * A leading '>' marks a call whose result is an address (printed in hex).
 * A table ends with an entry whose fn is NULL.
 */
struct syscall_desc {
	unsigned nr;
	syscall_fn fn;
	const char *name;	/* for numbers Linux does not name (mmusim's own) */
	const char *fmt;
};

#define SYSCALL(name) static long sys_##name(struct machine *m, struct task *t, const uint64_t *a)
#define SYSCALL_DESC(nr, name, fmt) { nr, sys_##name, #name, fmt }

/* Sleep in the current call on `channel` (NULL: only the timer) until
 * simulated time `wake_at` (0: no timeout): returns SYSCALL_BLOCKED, which
 * the call returns.  A signal pending (or one that ended the sleep this is
 * a retry of) answers -ERESTARTSYS instead. */
long block_on(struct machine *m, struct task *t, const void *channel, const char *what,
	      uint64_t wake_at);
/* Sleep, killable only, after a call that already has its answer (vfork). */
void block_killable(struct machine *m, struct task *t, const void *channel, const char *what);
/* The task faulted on an access another task must make possible
 * (VM_FAULT_RETRY): it sleeps on vmf->wait_channel with its PC on the
 * faulting instruction; woken, the fault is retried (resume_after_wait) and
 * the instruction runs again.  With a signal pending it does not sleep: the
 * signal is delivered and the instruction re-executed after the handler. */
void block_in_fault(struct machine *m, struct task *t, const struct vm_fault *vmf);

#endif
