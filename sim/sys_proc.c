/*
 * sys_proc: identity (ids, process groups, sessions), limits, the CPUs a
 * task may run on, and the odds and ends glibc asks for.  Every user id is 0.
 */
#include <errno.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/sched.h"
#include "sim/syscall.h"

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
 * (u32), node_id, mm_cid.  The ids are set at registration; tasks are not
 * told when they move between simulated CPUs (rseq_cs is not honoured). */
#define RSEQ_SIG_SIZE 32
#define RSEQ_FLAG_UNREGISTER 1

SYSCALL(rseq)
{
	uint32_t ids[2] = { (uint32_t)t->cpu, (uint32_t)t->cpu };

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
		memcpy(t->proc->comm, comm, sizeof(comm));
		return 0;
	case PR_GET_NAME:
		return copy_to_user(t->mm, a[1], t->proc->comm, sizeof(t->proc->comm)) ? -EFAULT : 0;
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
		.procs = (uint16_t)MIN(m->nr_tasks, UINT16_MAX),
		.mem_unit = 1,
	};

	for (int kind = FRAME_DATA; kind < FRAME_NR_KINDS; kind++)
		used += phys_in_use(m->phys, kind);
	info.freeram = info.totalram - used * PAGE_SIZE;
	return copy_to_user(t->mm, a[0], &info, sizeof(info)) ? -EFAULT : 0;
}

SYSCALL(getpid) { return t->proc->pid; }
SYSCALL(getppid) { return t->proc->parent ? t->proc->parent->pid : 1; }
SYSCALL(gettid) { return t->tid; }
SYSCALL(getuid) { return 0; }

/* The process `pid` names (0: the caller's), or NULL. */
static struct process *process_of(struct machine *m, struct task *t, int pid)
{
	struct task *leader = pid ? g_hash_table_lookup(m->tasks, GINT_TO_POINTER(pid)) : t;

	return leader ? leader->proc : NULL;
}

SYSCALL(setpgid)
{
	struct process *p = process_of(m, t, (int)a[0]);
	int pgid = (int)a[1];

	if (pgid < 0)
		return -EINVAL;
	if (!p || (p != t->proc && p->parent != t->proc))
		return -ESRCH;
	if (p->pid == p->sid)
		return -EPERM;
	p->pgid = pgid ? pgid : p->pid;
	return 0;
}

SYSCALL(getpgid)
{
	struct process *p = process_of(m, t, (int)a[0]);

	return p ? p->pgid : -ESRCH;
}

SYSCALL(getsid)
{
	struct process *p = process_of(m, t, (int)a[0]);

	return p ? p->sid : -ESRCH;
}

SYSCALL(setsid)
{
	struct process *p = t->proc;

	for (GList *l = m->processes; l; l = l->next)
		if (((struct process *)l->data)->pgid == p->pid)
			return -EPERM;
	p->sid = p->pgid = p->pid;
	return p->sid;
}

SYSCALL(prlimit64)
{
	unsigned resource = (unsigned)a[1];
	struct rlimit64_pair new;

	if (a[0] && (int)a[0] != t->proc->pid)
		return -ESRCH;
	if (resource >= NR_RLIMITS)
		return -EINVAL;
	if (a[2] && copy_from_user(t->mm, &new, a[2], sizeof(new)))
		return -EFAULT;
	if (a[2] && new.cur > new.max)
		return -EINVAL;
	if (a[3] && copy_to_user(t->mm, a[3], &t->proc->rlimits[resource], sizeof(new)))
		return -EFAULT;
	if (a[2])
		t->proc->rlimits[resource] = new;
	return 0;
}

SYSCALL(sched_getaffinity)
{
	uint64_t mask = m->opt.cpus == 64 ? UINT64_MAX : (UINT64_C(1) << m->opt.cpus) - 1;

	if (a[0] && !g_hash_table_contains(m->tasks, GINT_TO_POINTER((int)a[0])))
		return -ESRCH;
	if (a[1] < sizeof(mask) || (a[1] & 7))
		return -EINVAL;
	return copy_to_user(t->mm, a[2], &mask, sizeof(mask)) ? -EFAULT : (long)sizeof(mask);
}

/* getrusage(who, usage): RUSAGE_SELF 0, RUSAGE_CHILDREN -1, RUSAGE_THREAD 1.
 * Only ru_minflt is accounted: for SELF and THREAD, the faults resolved in
 * the caller's address space since it was created (fork or exec; Linux
 * counts per thread and keeps the count across exec); every other field is
 * zero. */
#define RUSAGE_MINFLT_INDEX 8	/* ru_minflt: after two timevals and six longs */

SYSCALL(getrusage)
{
	uint64_t usage[18] = { 0 };	/* struct rusage, 64-bit: 144 bytes */

	if ((int)a[0] < -1 || (int)a[0] > 1)
		return -EINVAL;
	if ((int)a[0] != -1)
		usage[RUSAGE_MINFLT_INDEX] = t->mm->min_flt;
	return copy_to_user(t->mm, a[1], usage, sizeof(usage)) ? -EFAULT : 0;
}

SYSCALL(sched_yield)
{
	sched_preempt(m, m->this_cpu);
	return 0;
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

const struct syscall_desc proc_syscalls[] = {
	SYSCALL_DESC(96, set_tid_address, "p"),
	SYSCALL_DESC(99, set_robust_list, "pu"),
	SYSCALL_DESC(123, sched_getaffinity, "dup"),
	SYSCALL_DESC(124, sched_yield, ""),
	SYSCALL_DESC(154, setpgid, "dd"),
	SYSCALL_DESC(155, getpgid, "d"),
	SYSCALL_DESC(156, getsid, "d"),
	SYSCALL_DESC(157, setsid, ""),
	SYSCALL_DESC(160, uname, "p"),
	SYSCALL_DESC(165, getrusage, "dp"),
	SYSCALL_DESC(167, prctl, "dxxxx"),
	SYSCALL_DESC(172, getpid, ""),
	SYSCALL_DESC(173, getppid, ""),
	SYSCALL_DESC(174, getuid, ""),
	SYSCALL_DESC(175, getuid, ""),	/* geteuid */
	SYSCALL_DESC(176, getuid, ""),	/* getgid */
	SYSCALL_DESC(177, getuid, ""),	/* getegid */
	SYSCALL_DESC(178, gettid, ""),
	SYSCALL_DESC(179, sysinfo, "p"),
	SYSCALL_DESC(261, prlimit64, "ddpp"),
	SYSCALL_DESC(278, getrandom, "pux"),
	SYSCALL_DESC(293, rseq, "puxx"),
	{ 0 }
};
