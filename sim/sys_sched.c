/*
 * sys_sched: what the scheduler is told about a task: its CPU affinity
 * (honoured: a task runs only on the simulated CPUs of its mask), its nice
 * value and its scheduling policy and priority (recorded and reported, with
 * Linux's permission rules, but the scheduler treats every task alike),
 * which CPU it is on (getcpu), and membarrier on the simulated CPUs.
 */
#include <errno.h>

#include "mmu/uaccess.h"
#include "sim/sched.h"
#include "sim/syscall.h"

#define PRIO_PROCESS	0
#define PRIO_PGRP	1
#define PRIO_USER	2
#define MIN_NICE	(-20)
#define MAX_NICE	19
#define RLIMIT_NICE	13
#define RLIMIT_RTPRIO	14
#define SCHED_OTHER	0
#define SCHED_FIFO	1
#define SCHED_RR	2
#define SCHED_BATCH	3
#define SCHED_IDLE	5
#define SCHED_DEADLINE	6
#define SCHED_RESET_ON_FORK 0x40000000
#define MAX_RT_PRIO	100
#define CPUMASK_SIZE	8	/* bytes: up to 64 simulated CPUs */

/* The task `pid` names (0: the caller), as find_process_by_pid(). */
static struct task *task_of(struct machine *m, struct task *t, int pid)
{
	return pid ? g_hash_table_lookup(m->tasks, GINT_TO_POINTER(pid)) : t;
}

/* check_same_owner(): the caller's euid is the target's uid or euid. */
static bool same_owner(const struct task *t, const struct task *p)
{
	return t->cred.euid == p->cred.euid || t->cred.euid == p->cred.uid;
}

/* can_nice(): RLIMIT_NICE allows going down to `nice`, or CAP_SYS_NICE. */
static bool can_nice(const struct task *t, int nice)
{
	return (uint64_t)(20 - nice) <= t->proc->rlimits[RLIMIT_NICE].cur ||
	       cred_capable(&t->cred, CAP_SYS_NICE);
}

static uint64_t online_cpus(const struct machine *m)
{
	return m->opt.cpus == 64 ? UINT64_MAX : (UINT64_C(1) << m->opt.cpus) - 1;
}

SYSCALL(sched_setaffinity)
{
	uint64_t mask = 0;
	struct task *p;

	if (copy_from_user(t->mm, &mask, a[2], MIN(a[1], CPUMASK_SIZE)))
		return -EFAULT;
	p = task_of(m, t, (int)a[0]);
	if (!p)
		return -ESRCH;
	if (!same_owner(t, p) && !cred_capable(&t->cred, CAP_SYS_NICE))
		return -EPERM;
	mask &= online_cpus(m);
	if (!mask)
		return -EINVAL;
	p->cpus_allowed = mask;
	sched_migrate(m, p);
	return 0;
}

SYSCALL(sched_getaffinity)
{
	struct task *p;
	uint64_t mask;

	if (a[1] < CPUMASK_SIZE || (a[1] & 7))
		return -EINVAL;
	p = task_of(m, t, (int)a[0]);
	if (!p)
		return -ESRCH;
	mask = p->cpus_allowed & online_cpus(m);
	return copy_to_user(t->mm, a[2], &mask, sizeof(mask)) ? -EFAULT : CPUMASK_SIZE;
}

/* set_one_prio(): `err` is what the call says so far (-ESRCH: no task yet). */
static long set_one_prio(struct task *t, struct task *p, int nice, long err)
{
	if (p->cred.uid != t->cred.euid && p->cred.euid != t->cred.euid &&
	    !cred_capable(&t->cred, CAP_SYS_NICE))
		return -EPERM;
	if (nice < p->nice && !can_nice(t, nice))
		return -EACCES;
	p->nice = nice;
	return err == -ESRCH ? 0 : err;
}

/* Whether `p` is among the tasks `which`/`who` name for the caller `t`. */
static bool prio_match(struct task *t, struct task *p, int which, int who)
{
	switch (which) {
	case PRIO_PROCESS:
		return p->tid == (who ? who : t->tid);
	case PRIO_PGRP:
		return p->proc->pgid == (who ? who : t->proc->pgid);
	default:
		return p->cred.uid == (who ? (uint32_t)who : t->cred.uid);
	}
}

/* The tasks `which`/`who` name, in tid order (deterministic). */
static GList *prio_tasks(struct machine *m, struct task *t, int which, int who)
{
	GList *all = g_hash_table_get_values(m->tasks), *chosen = NULL;

	for (GList *l = all; l; l = l->next)
		if (prio_match(t, l->data, which, who))
			chosen = g_list_prepend(chosen, l->data);
	g_list_free(all);
	return chosen;
}

static gint by_tid(gconstpointer a, gconstpointer b)
{
	return ((const struct task *)a)->tid - ((const struct task *)b)->tid;
}

SYSCALL(setpriority)
{
	int which = (int)a[0], nice = CLAMP((int)a[2], MIN_NICE, MAX_NICE);
	long err = -ESRCH;
	GList *tasks;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	tasks = g_list_sort(prio_tasks(m, t, which, (int)a[1]), by_tid);
	for (GList *l = tasks; l; l = l->next)
		err = set_one_prio(t, l->data, nice, err);
	g_list_free(tasks);
	return err;
}

/* The highest priority (lowest nice) of the tasks named, as 20 - nice. */
SYSCALL(getpriority)
{
	int which = (int)a[0];
	long ret = -ESRCH;
	GList *tasks;

	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	tasks = prio_tasks(m, t, which, (int)a[1]);
	for (GList *l = tasks; l; l = l->next)
		ret = MAX(ret, 20 - ((struct task *)l->data)->nice);
	g_list_free(tasks);
	return ret;
}

static bool rt_policy(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

/* __sched_setscheduler()'s checks for a caller without CAP_SYS_NICE. */
static long may_setscheduler(struct task *t, struct task *p, int policy, uint32_t prio,
			     bool reset_on_fork)
{
	uint64_t rtprio = p->proc->rlimits[RLIMIT_RTPRIO].cur;

	if (cred_capable(&t->cred, CAP_SYS_NICE))
		return 0;
	if (rt_policy(policy) && ((policy != p->policy && !rtprio) ||
				  (prio > (uint32_t)p->rt_priority && prio > rtprio)))
		return -EPERM;
	if (policy == SCHED_DEADLINE || (p->policy == SCHED_IDLE && policy != SCHED_IDLE &&
					 !can_nice(p, p->nice)))
		return -EPERM;
	if (!same_owner(t, p) || (p->reset_on_fork && !reset_on_fork))
		return -EPERM;
	return 0;
}

/* sched_setscheduler(pid, policy, param), and sched_setparam with policy
 * -1 (the task's own). */
static long set_scheduler(struct machine *m, struct task *t, int pid, int policy, uint64_t uparam)
{
	bool reset_on_fork;
	uint32_t prio;
	struct task *p;
	long err;

	if (!uparam || pid < 0)
		return -EINVAL;
	if (copy_from_user(t->mm, &prio, uparam, sizeof(prio)))
		return -EFAULT;
	p = task_of(m, t, pid);
	if (!p)
		return -ESRCH;
	reset_on_fork = policy < 0 ? p->reset_on_fork : policy & SCHED_RESET_ON_FORK;
	policy = policy < 0 ? p->policy : policy & ~SCHED_RESET_ON_FORK;
	if ((policy > SCHED_BATCH && policy != SCHED_IDLE) || prio > MAX_RT_PRIO - 1 ||
	    policy == SCHED_DEADLINE || rt_policy(policy) != (prio != 0))
		return -EINVAL;
	err = may_setscheduler(t, p, policy, prio, reset_on_fork);
	if (err)
		return err;
	p->policy = policy;
	p->rt_priority = (int)prio;
	p->reset_on_fork = reset_on_fork;
	return 0;
}

SYSCALL(sched_setscheduler)
{
	if ((int)a[1] < 0)
		return -EINVAL;
	return set_scheduler(m, t, (int)a[0], (int)a[1], a[2]);
}

SYSCALL(sched_setparam)
{
	return set_scheduler(m, t, (int)a[0], -1, a[1]);
}

SYSCALL(sched_getscheduler)
{
	struct task *p = (int)a[0] < 0 ? NULL : task_of(m, t, (int)a[0]);

	if ((int)a[0] < 0)
		return -EINVAL;
	if (!p)
		return -ESRCH;
	return p->policy | (p->reset_on_fork ? SCHED_RESET_ON_FORK : 0);
}

SYSCALL(sched_getparam)
{
	struct task *p;
	int32_t prio;

	if (!a[1] || (int)a[0] < 0)
		return -EINVAL;
	p = task_of(m, t, (int)a[0]);
	if (!p)
		return -ESRCH;
	prio = rt_policy(p->policy) ? p->rt_priority : 0;
	return copy_to_user(t->mm, a[1], &prio, sizeof(prio)) ? -EFAULT : 0;
}

static long priority_bound(uint64_t policy, int rt_bound)
{
	switch (policy) {
	case SCHED_FIFO:
	case SCHED_RR:
		return rt_bound;
	case SCHED_OTHER:
	case SCHED_BATCH:
	case SCHED_IDLE:
	case SCHED_DEADLINE:
		return 0;
	default:
		return -EINVAL;
	}
}

/* getcpu(cpu, node, cache): the simulated CPU the caller runs on; one node. */
SYSCALL(getcpu)
{
	uint32_t cpu = (uint32_t)t->cpu, node = 0;

	if (a[0] && copy_to_user(t->mm, a[0], &cpu, sizeof(cpu)))
		return -EFAULT;
	return a[1] && copy_to_user(t->mm, a[1], &node, sizeof(node)) ? -EFAULT : 0;
}

SYSCALL(sched_get_priority_max) { return priority_bound(a[0], MAX_RT_PRIO - 1); }
SYSCALL(sched_get_priority_min) { return priority_bound(a[0], 1); }

/*
 * membarrier: every simulated CPU runs on the one engine, one slice at a
 * time, and a slice boundary orders all memory accesses: any barrier is
 * already there.  What the expedited commands cost is modelled: an IPI to
 * each other CPU running a thread of the caller's process (or, GLOBAL, of
 * any registered process), their handling, and the wait for them.
 */
#define MEMBARRIER_CMD_QUERY				0
#define MEMBARRIER_CMD_GLOBAL				(1 << 0)
#define MEMBARRIER_CMD_GLOBAL_EXPEDITED			(1 << 1)
#define MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED	(1 << 2)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED		(1 << 3)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED	(1 << 4)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE	(1 << 5)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE (1 << 6)
#define MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ		(1 << 7)
#define MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ	(1 << 8)
#define MEMBARRIER_SUPPORTED				0x1ff
#define MEMBARRIER_CMD_FLAG_CPU				(1 << 0)

/* IPIs to the other CPUs whose task `wanted` says, paid as a shootdown's. */
static void membarrier_ipis(struct machine *m, struct task *t, bool global)
{
	struct event_cost handle = { 0 };
	int sent = 0;

	event_charge(&handle, &m->profile, COST_IPI_HANDLE, 1);
	for (int i = 0; i < m->opt.cpus; i++) {
		struct task *p = m->cpus[i].current;

		if (!p || p == t || !(global ? p->proc->membarrier & MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED :
				      p->proc == t->proc))
			continue;
		agent_pay(m->cpus[i].agent, &handle);
		sent++;
	}
	agent_charge(machine_agent(m), COST_IPI_SEND, (uint64_t)sent);
	agent_charge(machine_agent(m), COST_ACK_WAIT, sent ? 1 : 0);
}

/* The registration an expedited private command needs. */
static int registration_for(int cmd)
{
	return cmd << 1;
}

SYSCALL(membarrier)
{
	int cmd = (int)a[0];
	unsigned flags = (unsigned)a[1];
	struct process *p = t->proc;

	if (flags & ~(cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ ? MEMBARRIER_CMD_FLAG_CPU : 0u))
		return -EINVAL;
	switch (cmd) {
	case MEMBARRIER_CMD_QUERY:
		return MEMBARRIER_SUPPORTED;
	case MEMBARRIER_CMD_GLOBAL:
		return 0;
	case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
		membarrier_ipis(m, t, true);
		return 0;
	case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ:
		p->membarrier |= cmd;
		return 0;
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE:
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ:
		if (!(p->membarrier & registration_for(cmd)))
			return -EPERM;
		membarrier_ipis(m, t, false);
		return 0;
	default:
		return -EINVAL;
	}
}

const struct syscall_desc sched_syscalls[] = {
	SYSCALL_DESC(118, sched_setparam, "dp"),
	SYSCALL_DESC(119, sched_setscheduler, "ddp"),
	SYSCALL_DESC(120, sched_getscheduler, "d"),
	SYSCALL_DESC(121, sched_getparam, "dp"),
	SYSCALL_DESC(122, sched_setaffinity, "dup"),
	SYSCALL_DESC(123, sched_getaffinity, "dup"),
	SYSCALL_DESC(125, sched_get_priority_max, "d"),
	SYSCALL_DESC(126, sched_get_priority_min, "d"),
	SYSCALL_DESC(140, setpriority, "ddd"),
	SYSCALL_DESC(141, getpriority, "dd"),
	SYSCALL_DESC(168, getcpu, "ppp"),
	SYSCALL_DESC(283, membarrier, "xxd"),
	{ 0 }
};
