/*
 * pidfd: process file descriptors (pidfd_open) and process_mrelease.
 *
 * A pidfd names a process by its pid (mmusim never reuses a pid), so it
 * outlives the process: it polls readable (POLLIN) once the process has
 * exited, with POLLHUP too once it has been reaped, as Linux's pidfd_poll;
 * sim/exit wakes pollers when a process ends.  It reads nothing
 * (EINVAL), as Linux's.  PIDFD_THREAD (a pidfd naming one thread) is not
 * modelled: it answers EINVAL.
 *
 * process_mrelease(pidfd, 0) frees at once the private memory of a process
 * that is dying (a SIGKILL pending, or its exit under way), as the OOM
 * reaper does (mm_oom_reap); a live process that is not dying is EINVAL,
 * one with no address space left (exited) ESRCH, as mm/oom_kill.c has it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>

#include "sim/abi.h"
#include "sim/pidfd.h"
#include "sim/sigqueue.h"
#include "sim/syscall.h"

#define G_PIDFD_NONBLOCK G_O_NONBLOCK

struct pidfd {
	struct machine *m;
	int pid;
};

/* The process with this pid, a zombie included, or NULL once reaped. */
static struct process *pid_process(struct machine *m, int pid)
{
	for (GList *l = m->processes; l; l = l->next) {
		struct process *p = l->data;

		if (p->pid == pid)
			return p;
	}
	return NULL;
}

static short pidfd_poll(struct file *f)
{
	struct pidfd *pf = f->private_data;
	struct process *p = pid_process(pf->m, pf->pid);

	if (!p)
		return POLLIN | POLLRDNORM | POLLHUP;
	return p->zombie ? POLLIN | POLLRDNORM : 0;
}

static int pidfd_getattr(struct file *f, struct statx *stx)
{
	struct pidfd *pf = f->private_data;

	*stx = (struct statx){
		.stx_mask = STATX_BASIC_STATS, .stx_mode = 0700, .stx_nlink = 1,
		.stx_blksize = 4096, .stx_ino = (uint64_t)pf->pid,
	};
	return 0;
}

static void pidfd_release(struct file *f)
{
	g_free(f->private_data);
}

static const struct file_ops pidfd_ops = {
	.poll = pidfd_poll,
	.getattr = pidfd_getattr,
	.release = pidfd_release,
};

SYSCALL(pidfd_open)
{
	int pid = (int)a[0];
	struct process *p;
	struct pidfd *pf;

	if (a[1] & ~(uint64_t)G_PIDFD_NONBLOCK || pid <= 0)
		return -EINVAL;
	p = pid_process(m, pid);
	if (!p)
		return -ESRCH;
	pf = g_new(struct pidfd, 1);
	pf->m = m;
	pf->pid = p->pid;
	return fd_install(&t->files->fdt,
			  file_alloc(&pidfd_ops, O_RDWR | (a[1] & G_PIDFD_NONBLOCK ? O_NONBLOCK : 0),
				     "anon_inode:[pidfd]", pf),
			  0, true);
}

long pidfd_process(struct machine *m, struct task *t, int fd, struct process **out, struct mm **mm)
{
	struct file *f = fd_get(&t->files->fdt, fd);

	if (!f || f->f_op != &pidfd_ops)
		return -EBADF;
	*out = pid_process(m, ((struct pidfd *)f->private_data)->pid);
	if (!*out || !(*out)->threads)
		return -ESRCH;
	*mm = ((struct task *)(*out)->threads->data)->mm;
	return 0;
}

/* Whether the process is on its way out (Linux's SIGNAL_GROUP_EXIT: set
 * as soon as a SIGKILL is sent). */
static bool process_dying(const struct process *p)
{
	uint64_t kill = sigmask_of(G_SIGKILL);

	if (p->exiting || (p->shared_pending.set & kill))
		return true;
	for (GList *l = p->threads; l; l = l->next)
		if (((struct task *)l->data)->pending.set & kill)
			return true;
	return false;
}

SYSCALL(process_mrelease)
{
	struct process *p;
	struct mm *mm;
	long err;

	if (a[1])
		return -EINVAL;
	err = pidfd_process(m, t, (int)a[0], &p, &mm);
	if (err)
		return err;
	/* Its memory goes only if every user of the mm is dying with it. */
	if (!process_dying(p) || mm->users > (int)g_list_length(p->threads) ||
	    (mm->flags & MMF_OOM_SKIP))
		return mm->flags & MMF_OOM_SKIP ? 0 : -EINVAL;
	mm_oom_reap(mm);
	return 0;
}

const struct syscall_desc pidfd_syscalls[] = {
	SYSCALL_DESC(434, pidfd_open, "dx"),
	SYSCALL_DESC(448, process_mrelease, "dx"),
	{ 0 }
};
