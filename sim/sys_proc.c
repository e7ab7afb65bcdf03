/*
 * sys_proc: the process's identity, limits, signal dispositions and exit.
 * One process of one thread for now: ids are fixed, every user id is 0.
 */
#include <errno.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/syscall.h"

SYSCALL(exit_group)
{
	machine_exit(m, (int)(a[0] & 0xff));
	return 0;
}

SYSCALL(exit)
{
	return sys_exit_group(m, t, a);	/* the only thread ends the process */
}

SYSCALL(set_tid_address)
{
	t->clear_child_tid = a[0];
	return t->tid;
}

SYSCALL(set_robust_list)
{
	if (a[1] != 24)	/* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = a[0];
	return 0;
}

/* struct rseq: cpu_id_start (u32), cpu_id (u32), rseq_cs (u64), flags
 * (u32), node_id, mm_cid.  One CPU: both cpu ids are 0 from registration on. */
#define RSEQ_SIG_SIZE 32
#define RSEQ_FLAG_UNREGISTER 1

SYSCALL(rseq)
{
	uint32_t ids[2] = { 0, 0 };

	if (a[2] & ~(uint64_t)RSEQ_FLAG_UNREGISTER)
		return -EINVAL;
	if (a[2] & RSEQ_FLAG_UNREGISTER) {
		if (!t->rseq || t->rseq != a[0])
			return -EINVAL;
		t->rseq = 0;
		return 0;
	}
	if (t->rseq)
		return t->rseq == a[0] ? -EBUSY : -EINVAL;
	if (a[1] < RSEQ_SIG_SIZE || (a[0] & 31))
		return -EINVAL;
	if (copy_to_user(t->mm, a[0], ids, sizeof(ids)))
		return -EFAULT;
	t->rseq = a[0];
	return 0;
}

#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define TASK_COMM_LEN 16

SYSCALL(prctl)
{
	char comm[TASK_COMM_LEN] = { 0 };

	switch (a[0]) {
	case PR_SET_NAME:
		if (strncpy_from_user(t->mm, comm, a[1], sizeof(comm)) == -EFAULT)
			return -EFAULT;
		comm[TASK_COMM_LEN - 1] = 0;
		memcpy(t->comm, comm, sizeof(comm));
		return 0;
	case PR_GET_NAME:
		return copy_to_user(t->mm, a[1], t->comm, sizeof(t->comm)) ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
}

SYSCALL(uname)
{
	static const char fields[6][65] = {
		"Linux", "mmusim", "6.1.0-mmusim", "#1 SMP mmusim", "aarch64", "(none)",
	};

	return copy_to_user(t->mm, a[0], fields, sizeof(fields)) ? -EFAULT : 0;
}

/* struct sysinfo, 64-bit layout (include/uapi/linux/sysinfo.h) */
struct guest_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char reserved[4];
};
_Static_assert(sizeof(struct guest_sysinfo) == 112, "64-bit struct sysinfo is 112 bytes");

SYSCALL(sysinfo)
{
	uint64_t used = 0;
	struct guest_sysinfo info = {
		.uptime = (int64_t)(machine_now_ns(m) / 1000000000),
		.totalram = phys_size(m->phys),
		.procs = 1,
		.mem_unit = 1,
	};

	for (int kind = FRAME_DATA; kind < FRAME_NR_KINDS; kind++)
		used += phys_in_use(m->phys, kind);
	info.freeram = info.totalram - used * PAGE_SIZE;
	return copy_to_user(t->mm, a[0], &info, sizeof(info)) ? -EFAULT : 0;
}

SYSCALL(getpid) { return t->pid; }
SYSCALL(getppid) { return t->ppid; }
SYSCALL(gettid) { return t->tid; }
SYSCALL(getuid) { return 0; }

SYSCALL(prlimit64)
{
	unsigned resource = (unsigned)a[1];
	struct rlimit64_pair new;

	if (a[0] && (int)a[0] != t->pid)
		return -ESRCH;
	if (resource >= NR_RLIMITS)
		return -EINVAL;
	if (a[2] && copy_from_user(t->mm, &new, a[2], sizeof(new)))
		return -EFAULT;
	if (a[2] && new.cur > new.max)
		return -EINVAL;
	if (a[3] && copy_to_user(t->mm, a[3], &t->rlimits[resource], sizeof(new)))
		return -EFAULT;
	if (a[2])
		t->rlimits[resource] = new;
	return 0;
}

SYSCALL(rt_sigaction)
{
	int sig = (int)a[0];
	struct guest_sigaction act;

	if (a[3] != 8 || sig < 1 || sig > G_NSIG)
		return -EINVAL;
	if (a[1] && (sig == G_SIGKILL || sig == G_SIGSTOP))
		return -EINVAL;
	if (a[1] && copy_from_user(t->mm, &act, a[1], sizeof(act)))
		return -EFAULT;
	if (a[2] && copy_to_user(t->mm, a[2], &t->sigactions[sig], sizeof(act)))
		return -EFAULT;
	if (a[1])
		t->sigactions[sig] = act;
	return 0;
}

SYSCALL(rt_sigprocmask)
{
	const uint64_t unblockable = UINT64_C(1) << (G_SIGKILL - 1) | UINT64_C(1) << (G_SIGSTOP - 1);
	uint64_t set, old = t->sigmask;

	if (a[3] != 8)
		return -EINVAL;
	if (a[1]) {
		if (copy_from_user(t->mm, &set, a[1], sizeof(set)))
			return -EFAULT;
		switch (a[0]) {
		case 0: t->sigmask |= set; break;	/* SIG_BLOCK */
		case 1: t->sigmask &= ~set; break;	/* SIG_UNBLOCK */
		case 2: t->sigmask = set; break;	/* SIG_SETMASK */
		default: return -EINVAL;
		}
		t->sigmask &= ~unblockable;
	}
	if (a[2] && copy_to_user(t->mm, a[2], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL(sched_getaffinity)
{
	uint64_t mask = 1;	/* one CPU */

	if (a[0] && (int)a[0] != t->tid)
		return -ESRCH;
	if (a[1] < sizeof(mask) || (a[1] & 7))
		return -EINVAL;
	return copy_to_user(t->mm, a[2], &mask, sizeof(mask)) ? -EFAULT : (long)sizeof(mask);
}

SYSCALL(sched_yield)
{
	return 0;
}

/* A signal sent to ourselves takes its default action: handlers are not
 * delivered yet (see docs/design.md). */
static long signal_self(struct machine *m, struct task *t, int sig)
{
	const struct guest_sigaction *act;

	if (sig < 0 || sig > G_NSIG)
		return -EINVAL;
	if (sig == 0)
		return 0;
	act = &t->sigactions[sig];
	if (act->handler == G_SIG_IGN || sig == G_SIGCHLD || sig == G_SIGCONT || sig == G_SIGURG ||
	    sig == G_SIGWINCH)
		return 0;
	if (act->handler != G_SIG_DFL)
		machine_warn_once(m, "signal handlers", "signal handlers are not delivered yet; "
				  "%s takes its default action", guest_signal_name(sig));
	machine_kill(m, sig, 0, 0, "sent by the program itself");
	return 0;
}

SYSCALL(kill)
{
	if ((int)a[0] != t->pid && (int)a[0] != 0 && (int)a[0] != -1)
		return -ESRCH;
	return signal_self(m, t, (int)a[1]);
}

SYSCALL(tgkill)
{
	if ((int)a[0] != t->pid || (int)a[1] != t->tid)
		return (int)a[0] <= 0 || (int)a[1] <= 0 ? -EINVAL : -ESRCH;
	return signal_self(m, t, (int)a[2]);
}

SYSCALL(tkill)
{
	if ((int)a[0] != t->tid)
		return (int)a[0] <= 0 ? -EINVAL : -ESRCH;
	return signal_self(m, t, (int)a[1]);
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4

/* Deterministic: drawn from the machine's generator, seeded by --seed. */
SYSCALL(getrandom)
{
	size_t len = (size_t)MIN(a[1], UINT64_C(1) << 25);
	uint8_t *buf;
	long ret;

	if ((a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) ||
	    (a[2] & (GRND_RANDOM | GRND_INSECURE)) == (GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	buf = g_malloc(MAX(len, 1));
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)g_rand_int_range(m->rand, 0, 256);
	ret = copy_to_user(t->mm, a[0], buf, len) ? -EFAULT : (long)len;
	g_free(buf);
	return ret;
}
