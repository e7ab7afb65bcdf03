#include "sim/exit.h"

#include <errno.h>

#include "mmu/uaccess.h"
#include "sim/futex.h"
#include "sim/itimer.h"
#include "sim/poll.h"
#include "sim/sched.h"
#include "sim/sigqueue.h"
#include "sim/syscall.h"

#define G_WNOHANG	0x00000001
#define G_WUNTRACED	0x00000002
#define G_WEXITED	0x00000004
#define G_WCONTINUED	0x00000008
#define G_WNOWAIT	0x01000000
#define G_WALL		0x40000000
#define G_WCLONE	0x80000000u
#define G_P_ALL		0
#define G_P_PID		1
#define G_P_PGID	2

static void free_process(struct machine *m, struct process *p)
{
	m->processes = g_list_remove(m->processes, p);
	process_free(p);
}

/* A parent waited for zombie `z`: its CPU time becomes the parent's
 * children's time (times(2)), and it goes. */
static void reap_process(struct machine *m, struct process *parent, struct process *z)
{
	parent->cutime += z->utime + z->cutime;
	parent->cstime += z->stime + z->cstime;
	free_process(m, z);
}

/* Tell the parent; a parent that ignores SIGCHLD (or is gone) never sees a
 * zombie: the process is reaped at once. */
static void notify_parent(struct machine *m, struct process *p)
{
	struct process *parent = p->parent;
	struct task *any = parent && parent->threads ? parent->threads->data : NULL;
	int status = p->wait_status;
	struct sig_info info = {
		.signo = p->exit_signal, .pid = p->pid,
		.code = (status & 0x7f) == 0 ? G_CLD_EXITED : (status & 0x80) ? G_CLD_DUMPED : G_CLD_KILLED,
		.status = (status & 0x7f) == 0 ? (status >> 8) & 0xff : status & 0x7f,
	};
	bool autoreap = !any;

	if (any && p->exit_signal == G_SIGCHLD) {
		const struct guest_sigaction *act = &any->sighand->action[G_SIGCHLD];

		autoreap = act->handler == G_SIG_IGN || (act->flags & G_SA_NOCLDWAIT);
	}
	if (any && p->exit_signal)
		send_signal_to_process(m, parent, &info);
	if (parent)
		sched_wake_channel(m, parent, INT32_MAX, UINT64_MAX);	/* wait4 */
	if (autoreap && p != m->init)
		free_process(m, p);
}

/* Threads of `child` that asked for it (prctl PR_SET_PDEATHSIG) hear that
 * their parent `p` ended. */
static void send_pdeathsig(struct machine *m, struct process *p, struct process *child)
{
	for (GList *l = child->threads; l; l = l->next) {
		struct task *t = l->data;

		if (t->pdeathsig)
			send_signal_to_process(m, child, &(struct sig_info){ .signo = t->pdeathsig,
									     .code = G_SI_USER, .pid = p->pid });
	}
}

/* Children of an ending process: zombies go now, the rest are reaped when
 * they end. */
static void orphan_children(struct machine *m, struct process *p)
{
	for (GList *l = p->children, *next; l; l = next) {
		struct process *child = l->data;

		next = l->next;
		send_pdeathsig(m, p, child);
		child->parent = NULL;
		p->children = g_list_delete_link(p->children, l);
		if (child->zombie)
			free_process(m, child);
	}
}

static void end_process(struct machine *m, struct process *p)
{
	p->zombie = true;
	exit_itimers(m, p);
	poll_notify(m, p);	/* its pidfds (sim/pidfd.c) became readable */
	orphan_children(m, p);
	if (p == m->init) {
		int s = p->wait_status;

		machine_exit(m, (s & 0x7f) ? 128 + (s & 0x7f) : (s >> 8) & 0xff);
		return;
	}
	notify_parent(m, p);
}

void do_exit(struct machine *m, struct task *t)
{
	struct process *p = t->proc;
	uint32_t zero = 0;

	if (t->clear_child_tid && t->mm && t->mm->users > 1 &&
	    !copy_to_user(t->mm, t->clear_child_tid, &zero, sizeof(zero)))
		futex_wake_address(m, t, t->clear_child_tid, 1);
	if (t->vfork_parent) {
		sched_wake(m, t->vfork_parent);
		t->vfork_parent = NULL;
	}
	sched_remove(m, t);
	g_hash_table_remove(m->tasks, GINT_TO_POINTER(t->tid));
	m->nr_tasks--;
	machine_release_task(m, t);
	if (p->threads && !p->threads->next)
		cred_copy(&p->cred, &t->cred);	/* the zombie's ids */
	task_release(t);
	m->dead = g_list_append(m->dead, t);
	if (!p->threads && !p->zombie)
		end_process(m, p);
}

void do_group_exit(struct machine *m, struct process *p, int wait_status)
{
	if (p->exiting)
		return;
	p->exiting = true;
	p->wait_status = wait_status;
	/* The last thread's exit may free the process (an orphan is reaped at
	 * once): stop before looking at it again. */
	for (bool last = !p->threads; !last;) {
		last = !p->threads->next;
		do_exit(m, p->threads->data);
	}
}

SYSCALL(exit)
{
	if (!t->proc->exiting)
		t->proc->wait_status = (int)(a[0] & 0xff) << 8;
	do_exit(m, t);
	return SYSCALL_NORETURN;
}

SYSCALL(exit_group)
{
	do_group_exit(m, t->proc, (int)(a[0] & 0xff) << 8);
	return SYSCALL_NORETURN;
}

/* Whether child `c` is one that `pid` (wait4's encoding) asks for. */
static bool wanted(const struct task *t, const struct process *c, int pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == t->proc->pgid;
	if (pid < -1)
		return c->pgid == -pid;
	return true;
}

/* The first zombie child wanted, or NULL; *any says whether any child matches. */
static struct process *find_zombie(struct task *t, int pid, bool *any)
{
	*any = false;
	for (GList *l = t->proc->children; l; l = l->next) {
		struct process *c = l->data;

		if (!wanted(t, c, pid))
			continue;
		*any = true;
		if (c->zombie)
			return c;
	}
	return NULL;
}

SYSCALL(wait4)
{
	int pid = (int)a[0], options = (int)a[2];
	struct process *z;
	bool any;
	int reaped;

	if (options & ~(G_WNOHANG | G_WUNTRACED | G_WCONTINUED | G_WALL | (int)G_WCLONE))
		return -EINVAL;
	z = find_zombie(t, pid, &any);
	if (!any)
		return -ECHILD;
	if (!z) {
		if (options & G_WNOHANG)
			return 0;
		return block_on(m, t, t->proc, "wait4", 0);
	}
	if (a[1] && copy_to_user(t->mm, a[1], &z->wait_status, sizeof(int)))
		return -EFAULT;
	if (a[3]) {
		struct guest_rusage ru = rusage_of_times(z->utime + z->cutime, z->stime + z->cstime);

		if (copy_to_user(t->mm, a[3], &ru, sizeof(ru)))
			return -EFAULT;
	}
	reaped = z->pid;
	reap_process(m, t->proc, z);
	return reaped;
}

SYSCALL(waitid)
{
	int idtype = (int)a[0], id = (int)a[1], options = (int)a[3];
	int pid = idtype == G_P_ALL ? -1 : idtype == G_P_PID ? id : -id;
	struct process *z;
	bool any;
	struct {
		int32_t signo, errno_, code, pad;
		int32_t pid;
		uint32_t uid;
		int32_t status;
		uint8_t rest[100];
	} info = { 0 };

	if (idtype < G_P_ALL || idtype > G_P_PGID || !(options & G_WEXITED) ||
	    (options & ~(G_WNOHANG | G_WUNTRACED | G_WEXITED | G_WCONTINUED | G_WNOWAIT | G_WALL | (int)G_WCLONE)))
		return -EINVAL;
	if (idtype == G_P_PGID && id == 0)
		pid = 0;
	z = find_zombie(t, pid, &any);
	if (!any)
		return -ECHILD;
	if (!z && !(options & G_WNOHANG)) {
		return block_on(m, t, t->proc, "waitid", 0);
	}
	if (z) {
		int s = z->wait_status;

		info.signo = G_SIGCHLD;
		info.code = (s & 0x7f) == 0 ? G_CLD_EXITED : (s & 0x80) ? G_CLD_DUMPED : G_CLD_KILLED;
		info.pid = z->pid;
		info.status = (s & 0x7f) == 0 ? (s >> 8) & 0xff : s & 0x7f;
	}
	if (a[2] && copy_to_user(t->mm, a[2], &info, sizeof(info)))
		return -EFAULT;
	if (z && !(options & G_WNOWAIT))
		reap_process(m, t->proc, z);
	return 0;
}

const struct syscall_desc exit_syscalls[] = {
	SYSCALL_DESC(93, exit, "d"),
	SYSCALL_DESC(94, exit_group, "d"),
	SYSCALL_DESC(95, waitid, "ddpx"),
	SYSCALL_DESC(260, wait4, "dpxp"),
	{ 0 }
};
