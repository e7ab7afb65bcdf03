/*
 * userfaultfd: the file of page faults resolved in user space, as Linux
 * 6.12's <linux/userfaultfd.h> defines it; the memory side (ranges,
 * waiters, installing pages) is mmu/userfault.
 *
 * userfaultfd(2) (arm64 number 282; flags O_CLOEXEC, O_NONBLOCK,
 * UFFD_USER_MODE_ONLY, else EINVAL) makes a read-only descriptor
 * "anon_inode:[userfaultfd]" for the calling thread's mm.  Its ioctls:
 * UFFDIO_API first (anything else before it, and a second one, EINVAL),
 * then UFFDIO_REGISTER (MISSING, WP and MINOR modes), UNREGISTER, WAKE, COPY (modes
 * DONTWAKE, WP), ZEROPAGE (mode DONTWAKE), MOVE (mmu/userfault/move.c;
 * modes DONTWAKE, ALLOW_SRC_HOLES), WRITEPROTECT (sim/userfaultfd_wp.c),
 * CONTINUE (sim/userfaultfd_minor.c; REGISTER's MINOR mode) and POISON
 * (sim/userfaultfd_poison.c);
 * any other command EINVAL.  A
 * struct the guest cannot read or write is EFAULT.  read(2) returns whole
 * struct uffd_msg records (a buffer shorter than one: EINVAL), blocking for
 * the first unless O_NONBLOCK (EAGAIN).  /dev/userfaultfd (a file system of
 * one character device node, mounted by the run) makes the same
 * descriptors with its USERFAULTFD_IOC_NEW ioctl.  poll: EPOLLERR before UFFDIO_API
 * and on a blocking descriptor (as Linux), else POLLIN while a message
 * waits.  The last close unregisters everything and wakes every blocked
 * fault, which then runs as if nothing were registered.
 *
 * The events (FORK, REMAP, REMOVE, UNMAP) are sim/userfaultfd_events.c's.
 *
 * A blocked fault sleeps in the simulated kernel on its waiter
 * (block_in_fault through VM_FAULT_RETRY), never on the host.  The work of
 * COPY and ZEROPAGE is charged to the agent running the call.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "mmu/userfault/modes.h"
#include "mmu/userfault/move.h"
#include "mmu/userfault/userfault.h"
#include "sim/userfaultfd.h"
#include "sim/userfaultfd_file.h"
#include "sim/userfaultfd_fill.h"

#include "sim/cred.h"
#include "sim/poll.h"
#include "sim/pseudo.h"
#include "sim/sched.h"
#include "sim/syscall.h"
#include "sim/vfs.h"

#define UFFD_USER_MODE_ONLY	1

/* <asm-generic/ioctl.h>: direction, size, type and number of a command. */
#define G_IOC(dir, nr, size)	(((unsigned)(dir) << 30) | ((unsigned)(size) << 16) | (0xaau << 8) | (nr))
#define G_IOC_WRITE	1u
#define G_IOC_READ	2u
#define UFFDIO_API		G_IOC(G_IOC_READ | G_IOC_WRITE, 0x3f, 24)
#define UFFDIO_REGISTER		G_IOC(G_IOC_READ | G_IOC_WRITE, 0x00, 32)
#define UFFDIO_UNREGISTER	G_IOC(G_IOC_READ, 0x01, 16)
#define UFFDIO_WAKE		G_IOC(G_IOC_READ, 0x02, 16)
#define UFFDIO_COPY		G_IOC(G_IOC_READ | G_IOC_WRITE, 0x03, 40)
#define UFFDIO_ZEROPAGE		G_IOC(G_IOC_READ | G_IOC_WRITE, 0x04, 32)
#define UFFDIO_MOVE		G_IOC(G_IOC_READ | G_IOC_WRITE, 0x05, 40)
#define UFFDIO_WRITEPROTECT	G_IOC(G_IOC_READ | G_IOC_WRITE, 0x06, 24)
#define UFFDIO_CONTINUE		G_IOC(G_IOC_READ | G_IOC_WRITE, 0x07, 32)
#define UFFDIO_POISON		G_IOC(G_IOC_READ | G_IOC_WRITE, 0x08, 32)
#define USERFAULTFD_IOC_NEW	G_IOC(0, 0x00, 0)

/* The bits of the ioctls UFFDIO_API and UFFDIO_REGISTER report (_UFFDIO_*). */
#define UFFD_API_IOCTLS		((UINT64_C(1) << 0x00) | (UINT64_C(1) << 0x01) | (UINT64_C(1) << 0x3f))
#define UFFD_RANGE_IOCTLS	((UINT64_C(1) << 0x02) | (UINT64_C(1) << 0x03) | (UINT64_C(1) << 0x04) | \
				 (UINT64_C(1) << 0x05) | (UINT64_C(1) << 0x08))
#define UFFDIO_MODE_DONTWAKE	UINT64_C(1)	/* COPY and ZEROPAGE */
#define UFFDIO_COPY_MODE_WP	UINT64_C(2)

static int current_tid(void *arg)
{
	const struct uffd_file *uf = arg;

	return uf->m->this_cpu->current->tid;
}

static void message_queued(void *arg)
{
	struct uffd_file *uf = arg;

	poll_notify(uf->m, uf);
}

static void wake_waiter(void *arg, const void *channel)
{
	struct uffd_file *uf = arg;

	sched_wake_channel(uf->m, channel, INT32_MAX, UINT64_MAX);
}

/* The next message read(2) returns: a page fault first, then the oldest
 * event (a FORK's gets a descriptor of the reader for the child's
 * context); -EAGAIN when none waits. */
static int uffd_next_msg(struct uffd_file *uf, struct uffd_msg *msg)
{
	struct userfault_event *e;
	int fd;

	if (!userfault_read(uf->ctx, msg))
		return 0;
	e = userfault_next_event(uf->ctx);
	if (!e)
		return -EAGAIN;
	*msg = e->msg;
	if (e->msg.event == UFFD_EVENT_FORK) {
		fd = uffd_file_install(uf->m->this_cpu->current, e->child->host.arg);
		if (fd < 0)
			e->child = NULL;	/* freed with its file */
		msg->arg[0] = (uint32_t)fd;
	} else {
		fd = 0;
	}
	userfault_event_done(e);
	return fd < 0 ? fd : 0;
}

static long uffd_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	struct uffd_file *uf = f->private_data;
	struct uffd_msg msg;
	long done = 0;

	(void)offset;
	if (!uf->ctx->api_done)
		return -EINVAL;
	while (len - (size_t)done >= sizeof(msg) && !uffd_next_msg(uf, &msg)) {
		memcpy((char *)buf + done, &msg, sizeof(msg));
		done += (long)sizeof(msg);
	}
	if (done)
		return done;
	return len < sizeof(msg) ? -EINVAL : -EAGAIN;
}

static short uffd_poll(struct file *f)
{
	const struct uffd_file *uf = f->private_data;

	if (!uf->ctx->api_done || !(f->f_flags & O_NONBLOCK))
		return POLLERR;
	return userfault_pending(uf->ctx) ? POLLIN : 0;
}

static long ioctl_api(struct userfault_ctx *ctx, struct task *t, uint64_t arg)
{
	struct mm *mm = t->mm;
	uint64_t api[3];	/* api, features, ioctls */
	int err;

	if (copy_from_user(mm, api, arg, sizeof(api)))
		return -EFAULT;
	if (api[0] == UFFD_API && (api[1] & UFFD_FEATURE_EVENT_FORK) &&
	    !cred_capable(task_cred(t), CAP_SYS_PTRACE))
		err = -EPERM;
	else
		err = userfault_api(ctx, api[0], api[1], &api[1]);
	if (err)
		memset(api, 0, sizeof(api));
	else
		api[2] = UFFD_API_IOCTLS;
	return copy_to_user(mm, arg, api, sizeof(api)) ? -EFAULT : err;
}

static long ioctl_register(struct userfault_ctx *ctx, struct mm *mm, uint64_t arg)
{
	uint64_t reg[3];	/* start, len, mode; then ioctls */
	uint64_t ioctls = UFFD_RANGE_IOCTLS;
	int err;

	if (copy_from_user(mm, reg, arg, sizeof(reg)))
		return -EFAULT;
	err = userfault_register(ctx, reg[0], reg[1], reg[2]);
	if (reg[2] & UFFDIO_REGISTER_MODE_WP)
		ioctls |= UINT64_C(1) << 0x06;	/* _UFFDIO_WRITEPROTECT */
	if (reg[2] & UFFDIO_REGISTER_MODE_MINOR)
		ioctls |= UINT64_C(1) << 0x07;	/* _UFFDIO_CONTINUE */
	if (!err && copy_to_user(mm, arg + sizeof(reg), &ioctls, sizeof(ioctls)))
		err = -EFAULT;
	return err;
}

/* UNREGISTER and WAKE take a struct uffdio_range. */
static long ioctl_range(struct userfault_ctx *ctx, struct mm *mm, uint64_t arg,
			int (*op)(struct userfault_ctx *, uint64_t, uint64_t))
{
	uint64_t range[2];

	if (copy_from_user(mm, range, arg, sizeof(range)))
		return -EFAULT;
	return op(ctx, range[0], range[1]);
}

static long ioctl_copy(struct machine *m, struct userfault_ctx *ctx, struct mm *mm, uint64_t arg)
{
	uint64_t c[4];		/* dst, src, len, mode; then copy */
	struct userfault_work work = { 0 };
	long ret;

	if (copy_from_user(mm, c, arg, sizeof(c)))
		return -EFAULT;
	if ((c[2] & ~PAGE_MASK) || !c[2] || c[1] >= TASK_SIZE || c[2] > TASK_SIZE - c[1])
		return -EINVAL;		/* Linux's validate_unaligned_range of src: any alignment */
	ret = userfault_validate_range(c[0], c[2]);
	if (ret)
		return ret;
	if (c[3] & ~(UFFDIO_MODE_DONTWAKE | UFFDIO_COPY_MODE_WP))
		return -EINVAL;
	ret = userfault_copy(ctx, c[0], mm, c[1], c[2],
			     (c[3] & UFFDIO_MODE_DONTWAKE ? 0 : USERFAULT_FILL_WAKE) |
				     (c[3] & UFFDIO_COPY_MODE_WP ? USERFAULT_FILL_WP : 0),
			     &work);
	uffd_charge_work(m, &work);
	return uffd_fill_result(mm, arg + sizeof(c), ret, c[2]);
}

static long ioctl_zeropage(struct machine *m, struct userfault_ctx *ctx, struct mm *mm, uint64_t arg)
{
	uint64_t z[3];		/* start, len, mode; then zeropage */
	struct userfault_work work = { 0 };
	long ret;

	if (copy_from_user(mm, z, arg, sizeof(z)))
		return -EFAULT;
	ret = userfault_validate_range(z[0], z[1]);
	if (ret)
		return ret;
	if (z[2] & ~UFFDIO_MODE_DONTWAKE)
		return -EINVAL;
	ret = userfault_zeropage(ctx, z[0], z[1], !(z[2] & UFFDIO_MODE_DONTWAKE), &work);
	uffd_charge_work(m, &work);
	return uffd_fill_result(mm, arg + sizeof(z), ret, z[1]);
}

/* UFFDIO_MOVE: struct uffdio_move { dst, src, len, mode; s64 move }. */
static long ioctl_move(struct machine *m, struct userfault_ctx *ctx, struct mm *mm, uint64_t arg)
{
	uint64_t mv[4];		/* dst, src, len, mode; then move */
	struct move_work work = { 0 };
	long ret;

	if (copy_from_user(mm, mv, arg, sizeof(mv)))
		return -EFAULT;
	if (mm != ctx->mm)
		return -EINVAL;		/* no cross-mm moves */
	ret = userfault_validate_range(mv[0], mv[2]);
	if (!ret)
		ret = userfault_validate_range(mv[1], mv[2]);
	if (ret)
		return ret;
	if (mv[3] & ~(UFFDIO_MOVE_MODE_DONTWAKE | UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES))
		return -EINVAL;
	ret = userfault_move(ctx, mv[0], mv[1], mv[2], mv[3], &work);
	uffd_charge_work(m, &(struct userfault_work){ .tables_allocated = work.tables_allocated,
						 .ptes_installed = work.pages_moved });
	return uffd_fill_result(mm, arg + sizeof(mv), ret, mv[2]);
}

static long uffd_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct uffd_file *uf = f->private_data;
	struct userfault_ctx *ctx = uf->ctx;

	if (cmd == UFFDIO_API)
		return ioctl_api(ctx, t, arg);
	if (!ctx->api_done)
		return -EINVAL;
	switch (cmd) {
	case UFFDIO_REGISTER:
		return ioctl_register(ctx, t->mm, arg);
	case UFFDIO_UNREGISTER:
		return ioctl_range(ctx, t->mm, arg, userfault_unregister);
	case UFFDIO_WAKE:
		return ioctl_range(ctx, t->mm, arg, userfault_wake);
	case UFFDIO_COPY:
		return ioctl_copy(uf->m, ctx, t->mm, arg);
	case UFFDIO_ZEROPAGE:
		return ioctl_zeropage(uf->m, ctx, t->mm, arg);
	case UFFDIO_MOVE:
		return ioctl_move(uf->m, ctx, t->mm, arg);
	case UFFDIO_WRITEPROTECT:
		return uffd_ioctl_writeprotect(ctx, t->mm, arg);
	case UFFDIO_CONTINUE:
		return uffd_ioctl_continue(uf->m, ctx, t->mm, arg);
	case UFFDIO_POISON:
		return uffd_ioctl_poison(uf->m, ctx, t->mm, arg);
	default:
		return -EINVAL;
	}
}

void uffd_file_free(struct uffd_file *uf)
{
	userfault_release(uf->ctx);
	g_free(uf);
}

static void uffd_release(struct file *f)
{
	uffd_file_free(f->private_data);
}

static const struct file_ops uffd_ops = {
	.read = uffd_read,
	.poll = uffd_poll,
	.ioctl = uffd_ioctl,
	.getattr = anon_inode_getattr,
	.release = uffd_release,
	.wait_read = "userfaultfd read",
};

struct uffd_file *uffd_file_new(struct machine *m, struct mm *mm, uint64_t flags)
{
	struct uffd_file *uf = g_new0(struct uffd_file, 1);

	uf->m = m;
	uf->flags = flags;
	uf->ctx = userfault_new(mm, &(struct userfault_host){ .arg = uf, .current_tid = current_tid,
							      .queued = message_queued, .wake = wake_waiter },
				&userfault_modes);
	uf->ctx->user_mode_only = flags & UFFD_USER_MODE_ONLY;
	return uf;
}

int uffd_file_install(struct task *t, struct uffd_file *uf)
{
	struct file *f = file_alloc(&uffd_ops, O_RDONLY | (uf->flags & G_O_NONBLOCK ? O_NONBLOCK : 0),
				    "anon_inode:[userfaultfd]", uf);

	f->f_wait = uf;
	return fd_install(&t->files->fdt, f, 0, uf->flags & G_O_CLOEXEC);
}

/* Linux's new_userfaultfd: a descriptor for t's mm. */
static long new_userfaultfd(struct machine *m, struct task *t, uint64_t flags)
{
	if (flags & ~(uint64_t)(G_O_CLOEXEC | G_O_NONBLOCK | UFFD_USER_MODE_ONLY))
		return -EINVAL;
	return uffd_file_install(t, uffd_file_new(m, t->mm, flags));
}

/* userfaultfd(flags) */
SYSCALL(userfaultfd)
{
	return new_userfaultfd(m, t, a[0]);
}

/* /dev/userfaultfd: USERFAULTFD_IOC_NEW makes a descriptor as
 * userfaultfd(2) does, with the ioctl's argument as the flags. */
static long dev_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	return cmd == USERFAULTFD_IOC_NEW ? new_userfaultfd(f->private_data, t, arg) : -EINVAL;
}

/* Linux's misc device: crw------- 10:MISC_DYNAMIC_MINOR (the first
 * dynamic minor, 255 counting down, as a machine with no other gets). */
static int dev_getattr(struct file *f, struct statx *stx)
{
	(void)f;
	*stx = (struct statx){ .stx_mask = STATX_BASIC_STATS, .stx_mode = S_IFCHR | 0600, .stx_nlink = 1,
			       .stx_blksize = 4096, .stx_ino = 1, .stx_rdev_major = 10,
			       .stx_rdev_minor = 255 };
	return 0;
}

static const struct file_ops dev_ops = {
	.ioctl = dev_ioctl,
	.getattr = dev_getattr,
};

static void dev_root(struct pseudo_node *out)
{
	*out = (struct pseudo_node){ .mode = S_IFCHR | 0600, .ino = 1 };
}

static int dev_lookup(void *data, struct task *t, const struct pseudo_node *dir, const char *name,
		      struct pseudo_node *out)
{
	(void)data, (void)t, (void)dir, (void)name, (void)out;
	return -ENOTDIR;
}

static void dev_readdir(void *data, const struct pseudo_node *dir,
			void (*emit)(void *arg, const char *name, const struct pseudo_node *node), void *arg)
{
	(void)data, (void)dir, (void)emit, (void)arg;
}

static int dev_readlink(void *data, struct task *t, const struct pseudo_node *link, GString *out)
{
	(void)data, (void)t, (void)link, (void)out;
	return -EINVAL;
}

static int dev_open(void *data, const struct pseudo_node *node, const char *path, int flags,
		    unsigned mode, struct file **out)
{
	(void)node, (void)mode;
	*out = file_alloc(&dev_ops, flags, path, data);
	return 0;
}

static const struct fs_type dev_fs = {
	.name = "userfaultfd",
	.root = dev_root,
	.lookup = dev_lookup,
	.readdir = dev_readdir,
	.readlink = dev_readlink,
	.open = dev_open,
};

void userfaultfd_mount(struct machine *m)
{
	vfs_mount(&m->vfs, "/dev/userfaultfd", &dev_fs, m);
}

const struct syscall_desc userfaultfd_syscalls[] = {
	SYSCALL_DESC(282, userfaultfd, "x"),
	{ 0 }
};
