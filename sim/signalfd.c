/*
 * signalfd: signalfd4(2), the pending signals of a mask read as records
 * (struct signalfd_siginfo, 128 bytes each).  A read takes the lowest
 * pending signals of the mask from the reading task (its own queue first,
 * then its process's) as delivery would, so they are not delivered
 * afterwards; none pending is EAGAIN, and the task sleeps on the channel
 * sim/sigqueue notifies whenever a signal is queued.  Readable while one
 * is pending for the task that polls.  SIGKILL and SIGSTOP are never in
 * the mask.  The reading or polling task is the one on the CPU now.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/signal.h"
#include "sim/syscall.h"

#define SFD_CLOEXEC	G_O_CLOEXEC
#define SFD_NONBLOCK	G_O_NONBLOCK

struct signalfd_siginfo_g {
	uint32_t ssi_signo;
	int32_t ssi_errno, ssi_code;
	uint32_t ssi_pid, ssi_uid;
	int32_t ssi_fd;
	uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
	int32_t ssi_status, ssi_int;
	uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
	uint16_t ssi_addr_lsb;
	uint8_t pad[46];
};
_Static_assert(sizeof(struct signalfd_siginfo_g) == 128, "struct signalfd_siginfo is 128 bytes");

struct signalfd {
	struct machine *m;
	uint64_t mask;
};

static const struct file_ops signalfd_ops;

static uint64_t allowed_mask(uint64_t mask)
{
	return mask & ~(sigmask_of(G_SIGKILL) | sigmask_of(G_SIGSTOP));
}

static long signalfd_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	struct signalfd *sfd = f->private_data;
	struct task *t = sfd->m->this_cpu->current;
	struct signalfd_siginfo_g *out = buf;
	size_t n = 0;
	struct sig_info info;

	if (offset >= 0)
		return -ESPIPE;
	if (len < sizeof(*out))
		return -EINVAL;
	while (n < len / sizeof(*out) && dequeue_signal(t, sfd->mask, &info)) {
		out[n] = (struct signalfd_siginfo_g){
			.ssi_signo = (uint32_t)info.signo, .ssi_code = info.code,
			.ssi_pid = (uint32_t)info.pid, .ssi_uid = (uint32_t)info.uid,
			.ssi_status = info.status, .ssi_addr = info.addr,
		};
		n++;
	}
	return n ? (long)(n * sizeof(*out)) : -EAGAIN;
}

static short signalfd_poll(struct file *f)
{
	const struct signalfd *sfd = f->private_data;
	const struct task *t = sfd->m->this_cpu->current;
	uint64_t pending = t->pending.set | t->proc->shared_pending.set;

	return pending & sfd->mask ? POLLIN : 0;
}

static void signalfd_release(struct file *f)
{
	g_free(f->private_data);
}

static const struct file_ops signalfd_ops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.getattr = anon_inode_getattr,
	.release = signalfd_release,
	.wait_read = "signalfd read",
};

/* signalfd4(fd or -1, mask, sizeof mask, flags) */
SYSCALL(signalfd4)
{
	struct signalfd *sfd;
	struct file *f;
	uint64_t mask;

	if (a[3] & ~(uint64_t)(SFD_CLOEXEC | SFD_NONBLOCK) || a[2] != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(t->mm, &mask, a[1], sizeof(mask)))
		return -EFAULT;
	if ((int)a[0] != -1) {
		f = fd_get(&t->files->fdt, (int)a[0]);
		if (!f || (f->f_flags & O_PATH))
			return -EBADF;
		if (f->f_op != &signalfd_ops)
			return -EINVAL;
		((struct signalfd *)f->private_data)->mask = allowed_mask(mask);
		return (long)a[0];
	}
	sfd = g_new0(struct signalfd, 1);
	sfd->m = m;
	sfd->mask = allowed_mask(mask);
	f = file_alloc(&signalfd_ops, O_RDWR | (a[3] & SFD_NONBLOCK ? O_NONBLOCK : 0),
		       "anon_inode:[signalfd]", sfd);
	f->f_wait = &sigqueue_channel;
	return fd_install(&t->files->fdt, f, 0, a[3] & SFD_CLOEXEC);
}

const struct syscall_desc signalfd_syscalls[] = {
	SYSCALL_DESC(74, signalfd4, "dpux"),
	{ 0 }
};
