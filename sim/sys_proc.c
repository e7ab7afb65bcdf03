/*
 * sys_proc: identity (ids, process groups, sessions), limits, and the odds
 * and ends glibc asks for.  User and group ids are sim/sys_cred.c's, the
 * CPUs a task may run on sim/sys_sched.c's.
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

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_GET_KEEPCAPS 7
#define PR_SET_KEEPCAPS 8
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_CAPBSET_READ 23
#define PR_SET_TIMERSLACK 29
#define PR_GET_TIMERSLACK 30
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define PR_GET_TID_ADDRESS 40
#define TASK_COMM_LEN 16
#define DEFAULT_TIMER_SLACK_NS 50000

#define PR_SET_MDWE 65
#define PR_GET_MDWE 66
#define PR_MDWE_REFUSE_EXEC_GAIN 0x1ul
#define PR_MDWE_NO_INHERIT 0x2ul

/* Memory-deny-write-execute (kernel/sys.c): the bits in force, as
 * PR_GET_MDWE reports them. */
static long get_mdwe(const struct mm *mm)
{
	return (mm->flags & MMF_HAS_MDWE ? PR_MDWE_REFUSE_EXEC_GAIN : 0) |
	       (mm->flags & MMF_HAS_MDWE_NO_INHERIT ? PR_MDWE_NO_INHERIT : 0);
}

/* Once set, MDWE can only be set again to the same bits. */
static long set_mdwe(struct mm *mm, const uint64_t *a)
{
	uint64_t bits = a[1];

	if (a[2] || a[3] || a[4] || (bits & ~(PR_MDWE_REFUSE_EXEC_GAIN | PR_MDWE_NO_INHERIT)))
		return -EINVAL;
	if ((bits & PR_MDWE_NO_INHERIT) && !(bits & PR_MDWE_REFUSE_EXEC_GAIN))
		return -EINVAL;
	if (get_mdwe(mm) && (uint64_t)get_mdwe(mm) != bits)
		return -EPERM;
	mm->flags |= (bits & PR_MDWE_REFUSE_EXEC_GAIN ? MMF_HAS_MDWE : 0) |
		     (bits & PR_MDWE_NO_INHERIT ? MMF_HAS_MDWE_NO_INHERIT : 0);
	return 0;
}

static long set_comm(struct task *t, uint64_t name)
{
	char comm[TASK_COMM_LEN] = { 0 };

	if (strncpy_from_user(t->mm, comm, name, sizeof(comm)) == -EFAULT)
		return -EFAULT;
	comm[TASK_COMM_LEN - 1] = 0;
	memcpy(t->proc->comm, comm, sizeof(comm));
	return 0;
}

/* The options that take a flag and no further argument (Linux checks the
 * unused ones are 0). */
static long prctl_flag(struct task *t, const uint64_t *a)
{
	if (a[2] || a[3] || a[4])
		return -EINVAL;
	switch (a[0]) {
	case PR_SET_KEEPCAPS:
		if (a[1] > 1)
			return -EINVAL;
		t->cred.keep_caps = a[1];
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a[1] != 1)
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	default:	/* PR_GET_NO_NEW_PRIVS */
		return a[1] ? -EINVAL : t->no_new_privs;
	}
}

SYSCALL(prctl)
{
	int sig = t->pdeathsig;

	switch (a[0]) {
	case PR_SET_PDEATHSIG:
		if (a[1] > G_NSIG)
			return -EINVAL;
		t->pdeathsig = (int)a[1];
		return 0;
	case PR_GET_PDEATHSIG:
		return copy_to_user(t->mm, a[1], &sig, sizeof(sig)) ? -EFAULT : 0;
	case PR_GET_DUMPABLE:
		return t->proc->dumpable;
	case PR_SET_DUMPABLE:
		if (a[1] > 1)
			return -EINVAL;
		t->proc->dumpable = a[1];
		return 0;
	case PR_GET_KEEPCAPS:
		return t->cred.keep_caps;
	case PR_SET_KEEPCAPS:
	case PR_SET_NO_NEW_PRIVS:
	case PR_GET_NO_NEW_PRIVS:
		return prctl_flag(t, a);
	case PR_SET_NAME:
		return set_comm(t, a[1]);
	case PR_GET_NAME:
		return copy_to_user(t->mm, a[1], t->proc->comm, sizeof(t->proc->comm)) ? -EFAULT : 0;
	case PR_CAPBSET_READ:	/* the bounding set is full */
		return a[1] <= CAP_LAST_CAP ? 1 : -EINVAL;
	case PR_SET_TIMERSLACK:
		t->timer_slack_ns = a[1] ? a[1] : DEFAULT_TIMER_SLACK_NS;
		return 0;
	case PR_GET_TIMERSLACK:
		return (long)t->timer_slack_ns;
	case PR_GET_TID_ADDRESS:
		return copy_to_user(t->mm, a[1], &t->clear_child_tid, sizeof(uint64_t)) ? -EFAULT : 0;
	case PR_SET_MDWE:
		return set_mdwe(t->mm, a);
	case PR_GET_MDWE:
		return a[1] || a[2] || a[3] || a[4] ? -EINVAL : get_mdwe(t->mm);
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
	SYSCALL_DESC(124, sched_yield, ""),
	SYSCALL_DESC(154, setpgid, "dd"),
	SYSCALL_DESC(155, getpgid, "d"),
	SYSCALL_DESC(156, getsid, "d"),
	SYSCALL_DESC(157, setsid, ""),
	SYSCALL_DESC(160, uname, "p"),
	SYSCALL_DESC(167, prctl, "dxxxx"),
	SYSCALL_DESC(172, getpid, ""),
	SYSCALL_DESC(173, getppid, ""),
	SYSCALL_DESC(178, gettid, ""),
	SYSCALL_DESC(179, sysinfo, "p"),
	SYSCALL_DESC(261, prlimit64, "ddpp"),
	SYSCALL_DESC(278, getrandom, "pux"),
	SYSCALL_DESC(293, rseq, "puxx"),
	{ 0 }
};
