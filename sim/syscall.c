/*
 * syscall: the dispatch table.  Argument formats for --strace, one letter
 * per argument:
 *   d int   u unsigned   x hex   p pointer   s string   b buffer (length in
 *   the next argument)   F directory fd   o open flags   m octal mode
 *   P mmap prot   M mmap flags   S signal number
 * A leading '>' marks a call whose result is an address (printed in hex).
 */
#include "sim/syscall.h"

#include <errno.h>

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
	CALL(56, openat, "Fsom"),
	CALL(57, close, "d"),
	CALL(61, getdents64, "dpu"),
	CALL(62, lseek, "ddd"),
	CALL(63, read, "dpu"),
	CALL(64, write, "dbu"),
	CALL(65, readv, "dpd"),
	CALL(66, writev, "dpd"),
	CALL(67, pread64, "dpuu"),
	CALL(68, pwrite64, "dbuu"),
	CALL(71, sendfile, "ddpu"),
	CALL(78, readlinkat, "Fspu"),
	CALL(79, newfstatat, "Fspx"),
	CALL(80, fstat, "dp"),
	CALL(88, utimensat, "Fspx"),
	CALL(93, exit, "d"),
	CALL(94, exit_group, "d"),
	CALL(96, set_tid_address, "p"),
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
	CALL(134, rt_sigaction, "Sppu"),
	CALL(135, rt_sigprocmask, "dppu"),
	CALL(160, uname, "p"),
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
	CALL(214, brk, ">p"),
	CALL(215, munmap, "pu"),
	CALL(216, mremap, ">puuxp"),
	CALL(222, mmap, ">puPMdx"),
	CALL(226, mprotect, "puP"),
	CALL(233, madvise, "pud"),
	CALL(261, prlimit64, "ddpp"),
	CALL(278, getrandom, "pux"),
	CALL(291, statx, "Fsxxp"),
	CALL(293, rseq, "puxx"),
	CALL(439, faccessat2, "Fsdx"),
};

void do_syscall(struct machine *m, struct task *t)
{
	uint64_t a[6];
	unsigned nr = (unsigned)cpu_reg(m->cpu, 8);
	const struct syscall_desc *desc = nr < NR_SYSCALLS ? &syscall_table[nr] : NULL;
	long ret;

	for (int i = 0; i < 6; i++)
		a[i] = cpu_reg(m->cpu, i);
	if (nr < NR_SYSCALLS)
		m->syscall_counts[nr]++;
	if (desc && desc->fn) {
		ret = desc->fn(m, t, a);
	} else {
		char key[32];

		snprintf(key, sizeof(key), "syscall %u", nr);
		machine_warn_once(m, key, "unimplemented system call %s (%u) answers ENOSYS",
				  nr < NR_SYSCALLS && syscall_names[nr] ? syscall_names[nr] : "?", nr);
		ret = -ENOSYS;
	}
	if (m->opt.strace)
		strace_call(m, t, nr, desc && desc->fn ? desc->fmt : "xxxxxx", a, ret);
	if (!m->exited)
		cpu_set_reg(m->cpu, 0, (uint64_t)ret);
}
