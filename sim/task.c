/*
 * task: lifetimes of tasks, processes and what they share.
 */
#include "sim/task.h"

#include <string.h>

struct fs_struct *fs_new(const char *cwd)
{
	struct fs_struct *fs = g_new0(struct fs_struct, 1);

	fs->refs = 1;
	fs->cwd = g_strdup(cwd);
	fs->umask = 022;
	return fs;
}

struct fs_struct *fs_copy(const struct fs_struct *fs)
{
	struct fs_struct *copy = fs_new(fs->cwd);

	copy->umask = fs->umask;
	return copy;
}

void fs_put(struct fs_struct *fs)
{
	if (!fs || --fs->refs)
		return;
	g_free(fs->cwd);
	g_free(fs);
}

struct files_struct *files_new(void)
{
	struct files_struct *files = g_new0(struct files_struct, 1);

	files->refs = 1;
	return files;
}

struct files_struct *files_copy(const struct files_struct *files)
{
	struct files_struct *copy = files_new();

	for (int fd = 0; fd < FD_MAX; fd++) {
		if (!files->fdt.files[fd])
			continue;
		copy->fdt.files[fd] = file_get(files->fdt.files[fd]);
		copy->fdt.cloexec[fd] = files->fdt.cloexec[fd];
	}
	return copy;
}

void files_put(struct files_struct *files)
{
	if (!files || --files->refs)
		return;
	fdtable_close_all(&files->fdt);
	g_free(files);
}

struct sighand *sighand_new(void)
{
	struct sighand *sh = g_new0(struct sighand, 1);

	sh->refs = 1;
	return sh;
}

struct sighand *sighand_copy(const struct sighand *sh)
{
	struct sighand *copy = sighand_new();

	memcpy(copy->action, sh->action, sizeof(copy->action));
	return copy;
}

void sighand_put(struct sighand *sh)
{
	if (sh && --sh->refs == 0)
		g_free(sh);
}

struct process *process_new(int pid, struct process *parent, const char *exe)
{
	struct process *proc = g_new0(struct process, 1);

	proc->pid = pid;
	proc->exit_signal = G_SIGCHLD;
	proc->parent = parent;
	proc->pgid = parent ? parent->pgid : pid;
	proc->sid = parent ? parent->sid : pid;
	for (int r = 0; r < NR_RLIMITS; r++)
		proc->rlimits[r] = parent ? parent->rlimits[r]
					  : (struct rlimit64_pair){ UINT64_MAX, UINT64_MAX };
	if (!parent) {
		proc->rlimits[3] = (struct rlimit64_pair){ STACK_SIZE, UINT64_MAX };	/* RLIMIT_STACK */
		proc->rlimits[7] = (struct rlimit64_pair){ FD_MAX, FD_MAX };		/* RLIMIT_NOFILE */
		proc->rlimits[13] = (struct rlimit64_pair){ 0, 0 };			/* RLIMIT_NICE */
		proc->rlimits[14] = (struct rlimit64_pair){ 0, 0 };			/* RLIMIT_RTPRIO */
	}
	proc->dumpable = parent ? parent->dumpable : true;
	process_set_exe(proc, exe);
	if (parent)
		parent->children = g_list_append(parent->children, proc);
	return proc;
}

void process_set_exe(struct process *proc, const char *exe)
{
	const char *base = strrchr(exe, '/');

	g_free(proc->exe);
	proc->exe = g_strdup(exe);
	g_strlcpy(proc->comm, base ? base + 1 : exe, sizeof(proc->comm));
}

void process_free(struct process *proc)
{
	if (proc->parent)
		proc->parent->children = g_list_remove(proc->parent->children, proc);
	for (GList *l = proc->children; l; l = l->next)
		((struct process *)l->data)->parent = NULL;
	g_list_free(proc->children);
	g_list_free(proc->threads);
	if (proc->posix_timers)
		g_ptr_array_unref(proc->posix_timers);
	g_free(proc->exe);
	cred_release(&proc->cred);
	g_free(proc);
}

struct task *task_alloc(int tid, struct process *proc, struct cpu *cpu)
{
	struct task *t = g_new0(struct task, 1);

	t->tid = tid;
	t->proc = proc;
	t->mms = g_ptr_array_new();
	t->ctx = cpu_context_new(cpu);
	t->syscall_nr = -1;
	t->cpu = -1;
	t->cpus_allowed = UINT64_MAX;
	cred_init_root(&t->cred);	/* clone replaces it with the parent's */
	t->timer_slack_ns = 50000;	/* Linux's default (PR_SET_TIMERSLACK 0 goes back to it) */
	proc->threads = g_list_append(proc->threads, t);
	return t;
}

void task_attach_mm(struct task *t, struct mm *mm)
{
	g_ptr_array_add(t->mms, mmget(mm));
}

void task_switch_mm(struct task *t, struct mm *mm)
{
	g_assert(g_ptr_array_find(t->mms, mm, NULL));
	t->mm = mm;
}

static void drop_mms(struct task *t)
{
	for (guint i = 0; i < t->mms->len; i++)
		mmput(g_ptr_array_index(t->mms, i));
	g_ptr_array_set_size(t->mms, 0);
	t->mm = NULL;
}

void task_exec_mm(struct task *t, struct mm *mm)
{
	drop_mms(t);
	task_attach_mm(t, mm);
	t->mm = mm;
}

void task_release(struct task *t)
{
	drop_mms(t);
	fs_put(t->fs);
	files_put(t->files);
	sighand_put(t->sighand);
	cred_release(&t->cred);
	t->fs = NULL;
	t->files = NULL;
	t->sighand = NULL;
	t->proc->threads = g_list_remove(t->proc->threads, t);
	t->state = TASK_DEAD;
}

void task_free(struct task *t)
{
	if (!t)
		return;
	if (t->state != TASK_DEAD)
		task_release(t);
	g_ptr_array_free(t->mms, TRUE);
	cpu_context_free(t->ctx);
	g_free(t->strace_line);
	g_free(t->copy_out);
	g_free(t);
}

bool signal_pending(const struct task *t)
{
	return ((t->pending.set | t->proc->shared_pending.set) & ~t->blocked) != 0;
}

bool task_is_group_leader(const struct task *t)
{
	return t->tid == t->proc->pid;
}

const struct cred *task_cred(const struct task *t)
{
	return &t->cred;
}
