/*
 * fork: clone(2) and clone3(2), after Linux's kernel/fork.c.  What the flags
 * do not share is copied: the address space copy-on-write (mm_dup), the
 * descriptor table, cwd/umask, the signal handlers.  The child starts as a
 * copy of the caller's registers at the return from the call, with x0 = 0.
 */
#include "sim/fork.h"

#include <errno.h>

#include "mmu/uaccess.h"
#include "sim/sched.h"
#include "sim/sigqueue.h"
#include "sim/syscall.h"
#include "sim/userfaultfd_file.h"

#define G_CSIGNAL			0x000000ffu
#define G_CLONE_VM		0x00000100u
#define G_CLONE_FS		0x00000200u
#define G_CLONE_FILES		0x00000400u
#define G_CLONE_SIGHAND		0x00000800u
#define G_CLONE_PIDFD		0x00001000u
#define G_CLONE_PTRACE		0x00002000u
#define G_CLONE_VFORK		0x00004000u
#define G_CLONE_PARENT		0x00008000u
#define G_CLONE_THREAD		0x00010000u
#define G_CLONE_NEWNS		0x00020000u
#define G_CLONE_SYSVSEM		0x00040000u
#define G_CLONE_SETTLS		0x00080000u
#define G_CLONE_PARENT_SETTID	0x00100000u
#define G_CLONE_CHILD_CLEARTID	0x00200000u
#define G_CLONE_DETACHED		0x00400000u
#define G_CLONE_UNTRACED		0x00800000u
#define G_CLONE_CHILD_SETTID	0x01000000u
#define G_CLONE_IO		0x80000000u

#define SUPPORTED_CLONE_FLAGS (G_CSIGNAL | G_CLONE_VM | G_CLONE_FS | G_CLONE_FILES | G_CLONE_SIGHAND | \
			       G_CLONE_VFORK | G_CLONE_PARENT | G_CLONE_THREAD | G_CLONE_SYSVSEM | \
			       G_CLONE_SETTLS | G_CLONE_PARENT_SETTID | G_CLONE_CHILD_CLEARTID | \
			       G_CLONE_DETACHED | G_CLONE_UNTRACED | G_CLONE_CHILD_SETTID | G_CLONE_IO | \
			       G_CLONE_PTRACE)

struct clone_request {
	uint64_t flags, stack, parent_tid, tls, child_tid;
	int exit_signal;
};

static long check_flags(struct machine *m, uint64_t flags)
{
	if ((flags & G_CLONE_THREAD) && !(flags & G_CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & G_CLONE_SIGHAND) && !(flags & G_CLONE_VM))
		return -EINVAL;
	if (flags & ~(uint64_t)SUPPORTED_CLONE_FLAGS) {
		machine_warn_once(m, "clone flags", "clone flags %#" PRIx64 " are not modelled (EINVAL)",
				  flags & ~(uint64_t)SUPPORTED_CLONE_FLAGS);
		return -EINVAL;
	}
	return 0;
}

struct task *task_create(struct machine *m, struct process *group, struct process *parent,
			 const char *exe)
{
	int tid = m->next_pid++;
	struct process *proc = group;
	struct task *t;

	if (!proc) {
		proc = process_new(tid, parent, exe);
		m->processes = g_list_append(m->processes, proc);
	}
	t = task_alloc(tid, proc, m->cpu);
	g_hash_table_insert(m->tasks, GINT_TO_POINTER(tid), t);
	m->nr_tasks++;
	return t;
}

/* The address spaces of a new task.  A thread (CLONE_VM) shares every mm
 * the caller holds and runs in the same one.  A fork child gets a
 * copy-on-write duplicate of the caller's original mm (mms[0]) alone, even
 * when the caller runs in another: attached address spaces are not
 * inherited (the VAS RFC's rule).  The duplicate is made before the child
 * exists, so a failure leaves nothing to undo. */
static long dup_original_mm(struct machine *m, struct task *parent, uint64_t flags, struct mm **copy)
{
	*copy = NULL;
	return flags & G_CLONE_VM ? 0 : machine_dup_mm(m, g_ptr_array_index(parent->mms, 0), copy);
}

static void copy_mm(struct task *parent, struct task *child, struct mm *copy)
{
	if (copy) {
		task_attach_mm(child, copy);
		mmput(copy);	/* the child's reference is the one left */
		child->mm = copy;
		return;
	}
	for (guint i = 0; i < parent->mms->len; i++)
		task_attach_mm(child, g_ptr_array_index(parent->mms, i));
	child->mm = parent->mm;
}

static void copy_shared(struct task *parent, struct task *child, uint64_t flags)
{
	child->fs = flags & G_CLONE_FS ? parent->fs : fs_copy(parent->fs);
	child->files = flags & G_CLONE_FILES ? parent->files : files_copy(parent->files);
	child->sighand = flags & G_CLONE_SIGHAND ? parent->sighand : sighand_copy(parent->sighand);
	if (flags & G_CLONE_FS)
		parent->fs->refs++;
	if (flags & G_CLONE_FILES)
		parent->files->refs++;
	if (flags & G_CLONE_SIGHAND)
		parent->sighand->refs++;
	child->blocked = parent->blocked;
	cred_release(&child->cred);
	cred_copy(&child->cred, &parent->cred);
	child->nice = parent->nice;
	child->policy = parent->policy;
	child->rt_priority = parent->rt_priority;
	if (parent->reset_on_fork) {	/* SCHED_RESET_ON_FORK: back to SCHED_OTHER, nice >= 0 */
		child->policy = child->rt_priority = 0;
		child->nice = MAX(child->nice, 0);
	}
	child->cpus_allowed = parent->cpus_allowed;
	child->timer_slack_ns = parent->timer_slack_ns;
	child->no_new_privs = parent->no_new_privs;
	child->mempolicy = parent->mempolicy;
	if (!(flags & G_CLONE_VM) || (flags & G_CLONE_VFORK)) {
		child->altstack_sp = parent->altstack_sp;
		child->altstack_size = parent->altstack_size;
	}
}

/* The child's registers: the caller's, returning 0 on its own stack and TLS. */
static void copy_registers(struct machine *m, struct task *child, const struct clone_request *req)
{
	cpu_save_context(m->cpu, child->ctx);
	cpu_context_set_reg(child->ctx, 0, 0);
	if (req->stack)
		cpu_context_set_reg(child->ctx, CPU_REG_SP, req->stack);
	if (req->flags & G_CLONE_SETTLS)
		cpu_context_set_reg(child->ctx, CPU_REG_TPIDR, req->tls);
}

static long do_clone(struct machine *m, struct task *t, const struct clone_request *req)
{
	uint64_t flags = req->flags;
	struct userfault_events ev = { 0 };
	struct mm *copy;
	int tid;
	struct task *child;
	long err = check_flags(m, flags);

	if (err)
		return err;
	if (m->nr_tasks >= m->opt.max_tasks) {
		machine_warn_once(m, "max tasks", "task limit reached (--max-tasks %d): clone fails with EAGAIN",
				  m->opt.max_tasks);
		return -EAGAIN;
	}
	err = dup_original_mm(m, t, flags, &copy);
	if (err)
		return err;
	if (copy)
		uffd_prep_fork(&ev, g_ptr_array_index(t->mms, 0), copy);
	child = task_create(m, flags & G_CLONE_THREAD ? t->proc : NULL,
			    flags & G_CLONE_PARENT ? t->proc->parent : t->proc, t->proc->exe);
	tid = child->tid;
	if (!(flags & G_CLONE_THREAD)) {
		child->proc->exit_signal = req->exit_signal;
		child->proc->pgid = t->proc->pgid;
		child->proc->sid = t->proc->sid;
	}
	copy_mm(t, child, copy);
	copy_shared(t, child, flags);
	copy_registers(m, child, req);
	if (flags & G_CLONE_PARENT_SETTID)
		copy_to_user(t->mm, req->parent_tid, &tid, sizeof(tid));
	if (flags & G_CLONE_CHILD_SETTID)
		copy_to_user(child->mm, req->child_tid, &tid, sizeof(tid));
	if (flags & G_CLONE_CHILD_CLEARTID)
		child->clear_child_tid = req->child_tid;
	if (flags & G_CLONE_THREAD)
		m->sched.threads_created++;
	else
		m->sched.forks++;
	sched_add_new(m, child);
	uffd_events_finish(m, t, &ev, tid);
	if (flags & G_CLONE_VFORK) {
		/* The parent has its answer and waits, killable only, until the
		 * child execs or exits: nothing to retry. */
		child->vfork_parent = t;
		block_killable(m, t, child, "vfork");
	}
	return tid;
}

/* clone(flags, stack, parent_tid, tls, child_tid) on arm64 */
SYSCALL(clone)
{
	struct clone_request req = { a[0] & ~(uint64_t)G_CSIGNAL, a[1], a[2], a[3], a[4],
				     (int)(a[0] & G_CSIGNAL) };

	if (req.exit_signal > G_NSIG)
		return -EINVAL;
	return do_clone(m, t, &req);
}

/* clone3(struct clone_args *, size) */
SYSCALL(clone3)
{
	struct {
		uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
		uint64_t set_tid, set_tid_size, cgroup;
	} args = { 0 };
	struct clone_request req;

	if (a[1] < 64 || a[1] > 4096)	/* CLONE_ARGS_SIZE_VER0 */
		return -EINVAL;
	if (copy_from_user(t->mm, &args, a[0], MIN(a[1], sizeof(args))))
		return -EFAULT;
	if (args.exit_signal > G_NSIG || (args.flags & G_CSIGNAL) || args.set_tid_size ||
	    (!args.stack != !args.stack_size))
		return -EINVAL;
	req = (struct clone_request){ args.flags, args.stack ? args.stack + args.stack_size : 0,
				      args.parent_tid, args.tls, args.child_tid, (int)args.exit_signal };
	return do_clone(m, t, &req);
}

const struct syscall_desc fork_syscalls[] = {
	SYSCALL_DESC(220, clone, "xppxp"),
	SYSCALL_DESC(435, clone3, "pu"),
	{ 0 }
};
