/*
 * syscall: the dispatch table.  Argument formats for --strace, one letter
 * per argument:
 *   d int   u unsigned   x hex   p pointer   s string   b buffer (length in
 *   the next argument)   F directory fd   o open flags   m octal mode
 *   P mmap prot   M mmap flags   S signal number
 * A leading '>' marks a call whose result is an address (printed in hex).
 */
#include "sim/syscall.h"

#include "sim/sched.h"
#include "sim/signal.h"

#include <errno.h>
#include <stdio.h>

struct syscall_desc {
	syscall_fn fn;
	const char *fmt;
};

#define CALL(nr, name, fmt) [nr] = { sys_##name, fmt }

static const struct syscall_desc syscall_table[NR_SYSCALLS] = {
	CALL(17, getcwd, "pu"),
	CALL(23, dup, "d"),
	CALL(24, dup3, "ddo"),
	CALL(25, fcntl, "ddx"),
	CALL(29, ioctl, "dxp"),
	CALL(48, faccessat, "Fsd"),
	CALL(49, chdir, "s"),
	CALL(50, fchdir, "d"),
	CALL(56, openat, "Fsom"),
	CALL(57, close, "d"),
	CALL(59, pipe2, "px"),
	CALL(61, getdents64, "dpu"),
	CALL(62, lseek, "ddd"),
	CALL(63, read, "dpu"),
	CALL(64, write, "dbu"),
	CALL(65, readv, "dpd"),
	CALL(66, writev, "dpd"),
	CALL(67, pread64, "dpuu"),
	CALL(68, pwrite64, "dbuu"),
	CALL(71, sendfile, "ddpu"),
	CALL(72, pselect6, "dppppp"),
	CALL(73, ppoll, "pupp"),
	CALL(78, readlinkat, "Fspu"),
	CALL(79, newfstatat, "Fspx"),
	CALL(80, fstat, "dp"),
	CALL(88, utimensat, "Fspx"),
	CALL(93, exit, "d"),
	CALL(94, exit_group, "d"),
	CALL(95, waitid, "ddpx"),
	CALL(96, set_tid_address, "p"),
	CALL(98, futex, "pxdpx"),
	CALL(99, set_robust_list, "pu"),
	CALL(101, nanosleep, "pp"),
	CALL(113, clock_gettime, "dp"),
	CALL(114, clock_getres, "dp"),
	CALL(115, clock_nanosleep, "dxpp"),
	CALL(123, sched_getaffinity, "dup"),
	CALL(124, sched_yield, ""),
	CALL(129, kill, "dS"),
	CALL(130, tkill, "dS"),
	CALL(131, tgkill, "ddS"),
	CALL(132, sigaltstack, "pp"),
	CALL(133, rt_sigsuspend, "pu"),
	CALL(134, rt_sigaction, "Sppu"),
	CALL(135, rt_sigprocmask, "dppu"),
	CALL(136, rt_sigpending, "pu"),
	CALL(137, rt_sigtimedwait, "pppu"),
	CALL(139, rt_sigreturn, ""),
	CALL(154, setpgid, "dd"),
	CALL(155, getpgid, "d"),
	CALL(156, getsid, "d"),
	CALL(157, setsid, ""),
	CALL(160, uname, "p"),
	CALL(165, getrusage, "dp"),
	CALL(166, umask, "m"),
	CALL(167, prctl, "dxxxx"),
	CALL(172, getpid, ""),
	CALL(173, getppid, ""),
	CALL(174, getuid, ""),
	CALL(175, getuid, ""),	/* geteuid */
	CALL(176, getuid, ""),	/* getgid */
	CALL(177, getuid, ""),	/* getegid */
	CALL(178, gettid, ""),
	CALL(179, sysinfo, "p"),
	CALL(205, getpeername, "dpp"),
	CALL(214, brk, ">p"),
	CALL(215, munmap, "pu"),
	CALL(220, clone, "xppxp"),
	CALL(221, execve, "spp"),
	CALL(216, mremap, ">puuxp"),
	CALL(222, mmap, ">puPMdx"),
	CALL(226, mprotect, "puP"),
	CALL(233, madvise, "pud"),
	CALL(260, wait4, "dpxp"),
	CALL(261, prlimit64, "ddpp"),
	CALL(278, getrandom, "pux"),
	CALL(291, statx, "Fsxxp"),
	CALL(293, rseq, "puxx"),
	CALL(435, clone3, "pu"),
	CALL(439, faccessat2, "Fsdx"),
};

long block_on(struct machine *m, struct task *t, const void *channel, const char *what,
	      uint64_t wake_at)
{
	/* A signal that came before the sleep (while the task ran, or while it
	 * was woken but not yet back) must not be slept through. */
	if (signal_pending(t) || (t->retrying && !t->woken && !t->timed_out))
		return -ERESTARTSYS;
	sched_block(m, t, channel, what, wake_at);
	return SYSCALL_BLOCKED;
}

static void warn_unknown(struct machine *m, unsigned nr)
{
	char key[32];

	snprintf(key, sizeof(key), "syscall %u", nr);
	machine_warn_once(m, key, "unimplemented system call %s (%u) answers ENOSYS",
			  nr < NR_SYSCALLS && syscall_names[nr] ? syscall_names[nr] : "?", nr);
}

/* The name a call's latency is recorded under. */
static void syscall_kind(unsigned nr, char *kind, size_t size)
{
	snprintf(kind, size, "syscall:%s", nr < NR_SYSCALLS && syscall_names[nr] ? syscall_names[nr] : "?");
}

/* Run the call the task is in (t->syscall_nr, t->syscall_args) as an event
 * of the running agent: a call that blocks has its work so far paid; a
 * finished one adds entry and exit and is recorded (so a retried call's time
 * asleep is not part of its latency). */
static void run_syscall(struct machine *m, struct task *t)
{
	unsigned nr = (unsigned)t->syscall_nr;
	const struct syscall_desc *desc = nr < NR_SYSCALLS ? &syscall_table[nr] : NULL;
	struct agent *a = machine_agent(m);
	struct event_cost ev;
	char kind[64];
	long ret;

	agent_begin_event(a, &ev);
	if (desc && desc->fn) {
		ret = desc->fn(m, t, t->syscall_args);
	} else {
		warn_unknown(m, nr);
		ret = -ENOSYS;
	}
	t->retrying = false;
	if (ret == SYSCALL_BLOCKED) {
		agent_end_event(a, NULL);
		return;
	}
	t->syscall_nr = -1;
	if (ret == -ERESTARTSYS) {
		t->restart_syscall = true;	/* do_signal decides: restart or EINTR */
		ret = -EINTR;
	}
	if (m->opt.strace)
		strace_finish(m, t, ret == SYSCALL_NORETURN ? 0 : ret, ret == SYSCALL_NORETURN);
	agent_charge(a, COST_SYSCALL_ENTRY, 1);
	agent_charge(a, COST_SYSCALL_EXIT, 1);
	syscall_kind(nr, kind, sizeof(kind));
	agent_end_event(a, kind);
	/* A call may finish with the task asleep (the vfork parent): it
	 * wakes up with its answer and nothing to retry. */
	if (ret != SYSCALL_NORETURN && t->state != TASK_DEAD)
		cpu_set_reg(m->cpu, 0, (uint64_t)ret);
}

void do_syscall(struct machine *m, struct task *t)
{
	unsigned nr = (unsigned)cpu_reg(m->cpu, 8);

	for (int i = 0; i < 6; i++)
		t->syscall_args[i] = cpu_reg(m->cpu, i);
	if (nr < NR_SYSCALLS)
		m->syscall_counts[nr]++;
	t->syscall_nr = (int)nr;
	t->retrying = false;
	if (m->opt.strace)
		strace_start(m, t, nr, nr < NR_SYSCALLS && syscall_table[nr].fn ? syscall_table[nr].fmt
										: "xxxxxx");
	run_syscall(m, t);
}

void retry_syscall(struct machine *m, struct task *t)
{
	t->retrying = true;
	run_syscall(m, t);
}
