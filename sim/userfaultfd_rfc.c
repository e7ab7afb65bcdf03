/*
 * userfaultfd_rfc: the 2014 userfault RFC's calls on mmusim's own numbers
 * (guest/mmusim.h; the model is mmu/userfault/rfc):
 *
 *  - userfaultfd_rfc(flags) (MMUSIM_SYSCALL_BASE + 40): flags O_CLOEXEC
 *    and O_NONBLOCK only, else EINVAL; a read-write descriptor
 *    "anon_inode:[userfaultfd]" for the calling thread's mm, several per
 *    mm.  Its protocol, through read(2) and write(2):
 *      handshake: write the 8-byte protocol (0xaa), read it back (-1ULL
 *      for another value: write again); a read before the write, or a
 *      write while the answer waits, EINVAL.
 *      running: write u64 range[2] = { start | 1 (register), start | 2
 *      (unregister), or start (wake); end }: 16, or EINVAL for stray low
 *      bits or an unaligned end, ERANGE for start >= end, ENOMEM for an
 *      end past user space or a range without a VMA, EBUSY for a range
 *      another descriptor owns, ENOENT for a wake of nobody (only faults
 *      read and not woken are woken); read one fault address (8 bytes),
 *      blocking unless O_NONBLOCK (EAGAIN).  Buffers shorter than 8 (16
 *      for a range) are EINVAL.
 *    poll: POLLIN while a fault waits to be read (or the answer), POLLOUT
 *    while one was read and not woken.  The last close wakes every
 *    blocked fault; its retry then finds no one to serve it: SIGBUS.
 *  - remap_anon_pages(dst, src, len, flags) (MMUSIM_SYSCALL_BASE + 41):
 *    flags RAP_ALLOW_SRC_HOLES; the bytes moved, short when a later page
 *    fails, never 0; EINVAL (unaligned, empty, not inside one VMA each,
 *    shared, different protections), EEXIST, ENOENT, EBUSY as
 *    mmu/userfault/move.h.  It does not wake: the handler writes the range.
 *
 * MADV_USERFAULT / MADV_NOUSERFAULT are madvise(2) advice (mmu/madvise.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>

#include "mmu/agent.h"
#include "mmu/userfault/rfc.h"

#include "sim/poll.h"
#include "sim/sched.h"
#include "sim/syscall.h"
#include "sim/vfs.h"

struct rfc_file {
	struct machine *m;
	struct rfc_ctx *ctx;
};

static int current_tid(void *arg)
{
	const struct rfc_file *rf = arg;

	return rf->m->this_cpu->current->tid;
}

static void fault_queued(void *arg)
{
	struct rfc_file *rf = arg;

	poll_notify(rf->m, rf);
}

static void wake_channel(void *arg, const void *channel)
{
	struct rfc_file *rf = arg;

	sched_wake_channel(rf->m, channel, INT32_MAX, UINT64_MAX);
	poll_notify(rf->m, rf);		/* POLLOUT may have gone */
}

static long rfc_file_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	struct rfc_file *rf = f->private_data;
	uint64_t v;
	int err;

	(void)offset;
	if (len < sizeof(v))
		return -EINVAL;
	err = rfc_read(rf->ctx, &v);
	if (err)
		return err;
	memcpy(buf, &v, sizeof(v));
	poll_notify(rf->m, rf);		/* POLLIN may have gone, POLLOUT come */
	return sizeof(v);
}

static long rfc_file_write(struct file *f, const void *buf, size_t len, int64_t offset)
{
	struct rfc_file *rf = f->private_data;
	uint64_t v[2];
	int err;

	(void)offset;
	if (len < sizeof(v[0]))
		return -EINVAL;
	memcpy(v, buf, sizeof(v[0]));
	if (rf->ctx->state != RFC_RUNNING) {
		err = rfc_handshake(rf->ctx, v[0]);
		if (!err)
			poll_notify(rf->m, rf);
		return err ? err : (long)sizeof(v[0]);
	}
	if (len < sizeof(v))
		return -EINVAL;
	memcpy(v, buf, sizeof(v));
	err = rfc_range_write(rf->ctx, v[0], v[1]);
	return err ? err : (long)sizeof(v);
}

static short rfc_file_poll(struct file *f)
{
	const struct rfc_file *rf = f->private_data;

	return (rfc_fault_pending(rf->ctx) ? POLLIN : 0) | (rfc_wake_pending(rf->ctx) ? POLLOUT : 0);
}

static void rfc_file_release(struct file *f)
{
	struct rfc_file *rf = f->private_data;

	rfc_release(rf->ctx);
	g_free(rf);
}

static const struct file_ops rfc_file_ops = {
	.read = rfc_file_read,
	.write = rfc_file_write,
	.poll = rfc_file_poll,
	.getattr = anon_inode_getattr,
	.release = rfc_file_release,
	.wait_read = "userfaultfd (RFC) read",
};

/* userfaultfd_rfc(flags) */
SYSCALL(userfaultfd_rfc)
{
	struct rfc_file *rf;
	struct file *f;

	if (a[0] & ~(uint64_t)(G_O_CLOEXEC | G_O_NONBLOCK))
		return -EINVAL;
	rf = g_new0(struct rfc_file, 1);
	rf->m = m;
	rf->ctx = rfc_new(t->mm, &(struct userfault_host){ .arg = rf, .current_tid = current_tid,
							   .queued = fault_queued, .wake = wake_channel });
	f = file_alloc(&rfc_file_ops, O_RDWR | (a[0] & G_O_NONBLOCK ? O_NONBLOCK : 0),
		       "anon_inode:[userfaultfd]", rf);
	f->f_wait = rf;
	return fd_install(&t->files->fdt, f, 0, a[0] & G_O_CLOEXEC);
}

/* remap_anon_pages(dst, src, len, flags): the work is the caller's. */
SYSCALL(remap_anon_pages)
{
	struct move_work work = { 0 };
	struct event_cost ev = { 0 };
	long ret = rfc_remap_anon_pages(t->mm, a[0], a[1], a[2], a[3], &work);

	event_charge(&ev, &m->profile, COST_PGTABLE_ALLOC, work.tables_allocated);
	event_charge(&ev, &m->profile, COST_PTE_INSTALL, work.pages_moved);
	agent_charge_cost(machine_agent(m), &ev);
	return ret;
}

/* MMUSIM_SYSCALL_BASE + 40, + 41 (guest/mmusim.h) */
const struct syscall_desc userfaultfd_rfc_syscalls[] = {
	SYSCALL_DESC(1040, userfaultfd_rfc, "x"),
	SYSCALL_DESC(1041, remap_anon_pages, "xxxx"),
	{ 0 }
};
