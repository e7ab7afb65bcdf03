/*
 * dmirror: Linux's test_hmm driver (lib/test_hmm.c) as the guest sees it,
 * over the HMM mirror (mmu/hmm/mirror): /dev/hmm_dmirror0 and 1 use the
 * devices of /dev/accel0 and 1, with device-private memory; 2 and 3 those
 * of /dev/accel2 and 3, with device-coherent memory (mmu/phys: nodes the
 * CPU reaches).  The driver's semantics (guest/test_hmm_uapi.h):
 *
 *  - every ioctl copies the command in (EFAULT), wants a page-aligned addr
 *    and a range that neither is empty nor wraps (EINVAL), zeroes cpages
 *    and faults, and copies the command back out on success;
 *  - READ copies the pages from the device's table into ptr; a page the
 *    table lacks makes the device fault the rest of the range in through
 *    the CPU's table (one fault per round: faults), EFAULT where that is
 *    impossible; cpages counts the pages read;
 *  - WRITE copies ptr into the device's pages, faulting them writable;
 *  - MIGRATE_TO_DEV moves the range's private anonymous pages into device
 *    memory (EINVAL: a page without a readable VMA; a page already in some
 *    device's memory stays), then reads the range
 *    back through the device's table into ptr as READ does without faulting
 *    (ENOENT for a page the device does not map);
 *  - MIGRATE_TO_SYS moves the device's pages of the range back; cpages
 *    counts them.  Device-private pages sit behind device-private entries
 *    (a CPU access faults them back); device-coherent ones are mapped by
 *    the CPU's table as they are, and the CPU reads and writes them in
 *    place until MIGRATE_TO_SYS (or RELEASE) brings them back;
 *  - SNAPSHOT writes one byte per page into ptr (HMM_DMIRROR_PROT_*), what
 *    hmm_range_fault sees without faulting: ERROR for no VMA or an
 *    unreadable one, NONE for nothing mapped or another device's private
 *    page, else ZERO, DEV_PRIVATE_LOCAL, DEV_COHERENT_LOCAL or _REMOTE, or
 *    nothing, with WRITE or READ; cpages counts the pages;
 *  - EXCLUSIVE makes the range's pages exclusive to the device
 *    (make_device_exclusive_range: the CPU's entries become device-exclusive
 *    ones, a CPU access revokes them; EBUSY where a page cannot be), then
 *    reads them back into ptr as MIGRATE_TO_DEV does; CHECK_EXCLUSIVE is
 *    EPERM while the device still holds a page of the range exclusively;
 *  - RELEASE moves every page of the device's memory back to the CPU (the
 *    driver frees its chunks); cpages stays 0.
 *
 * The device mirrors the address space of the process that first uses
 * the file (the driver binds at open).  Not served yet: the PMD and PUD
 * bits of a snapshot.
 */
#include "sim/dmirror.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest/test_hmm_uapi.h"
#include "mmu/hmm/mirror.h"
#include "mmu/pgtable.h"
#include "mmu/uaccess.h"
#include "sim/accel.h"
#include "sim/chardev.h"
#include "sim/file.h"
#include "sim/machine.h"
#include "sim/task.h"

#define DMIRROR_MAX_BYTES (UINT64_C(1) << 30)	/* one command's buffer */

struct dmirror {
	struct device *dev;
	struct chardev cdev;
};

struct dmirror_state {
	struct dmirror mirrors[DMIRROR_FILES];
};

/* The device's frame for each page of [start, end) from `start`, into
 * `buf`; writable ones for a write.  -ENOENT at the first it lacks, with
 * *done the pages before it. */
static int copy_pages(struct device *dev, uint64_t start, uint64_t end, uint8_t *buf, bool write,
		      uint64_t *done)
{
	for (uint64_t va = start; va < end; va += PAGE_SIZE, (*done)++) {
		uint8_t *page = buf + (va - start);
		phys_addr_t pa;
		unsigned prot;

		if (!pgtable_translate(dev->phys, dev->pgd, va, &pa, &prot) || (write && !(prot & VM_WRITE)))
			return -ENOENT;
		if (write)
			memcpy(phys_to_host(dev->phys, pa), page, PAGE_SIZE);
		else
			memcpy(page, phys_to_host(dev->phys, pa), PAGE_SIZE);
	}
	return 0;
}

/* dmirror_read / dmirror_write: copy, and fault the rest in when a page is
 * missing. */
static int read_write(struct device *dev, struct hmm_dmirror_cmd *cmd, uint8_t *buf, bool write)
{
	uint64_t end = cmd->addr + (cmd->npages << PAGE_SHIFT);

	for (;;) {
		uint64_t done = cmd->cpages, from = cmd->addr + (done << PAGE_SHIFT);
		int err = copy_pages(dev, from, end, buf + (done << PAGE_SHIFT), write, &done);

		cmd->cpages = done;
		if (err != -ENOENT)
			return err;
		from = cmd->addr + (done << PAGE_SHIFT);
		device_pay(dev, dev->costs->fault);
		dev->counters.faults++;
		err = hmm_range_fault(dev, from, end, write);
		if (err)
			return err;
		cmd->faults++;
	}
}

/* One page's byte of a snapshot (the driver's dmirror_mkentry). */
static uint8_t snapshot_byte(struct device *dev, uint64_t va)
{
	phys_addr_t pa;
	unsigned flags = hmm_snapshot_page(dev, va, &pa);
	uint8_t perm;

	if (flags & HMM_PFN_ERROR)
		return HMM_DMIRROR_PROT_ERROR;
	if (!(flags & HMM_PFN_VALID))
		return HMM_DMIRROR_PROT_NONE;
	int node = phys_node_of(dev->phys, pa);

	if (node && phys_node_coherent(dev->phys, node))
		perm = node == dev->node ? HMM_DMIRROR_PROT_DEV_COHERENT_LOCAL
					 : HMM_DMIRROR_PROT_DEV_COHERENT_REMOTE;
	else if (node)		/* only this device's private pages are valid */
		perm = HMM_DMIRROR_PROT_DEV_PRIVATE_LOCAL;
	else if (phys_is_zero_page(dev->phys, pa))
		perm = HMM_DMIRROR_PROT_ZERO;
	else
		perm = HMM_DMIRROR_PROT_NONE;
	return perm | (flags & HMM_PFN_WRITE ? HMM_DMIRROR_PROT_WRITE : HMM_DMIRROR_PROT_READ);
}

/* dmirror_snapshot: the range's state bytes into ptr, 64 pages at a time
 * as the driver copies them out; cpages counts the bytes written. */
static long snapshot(struct device *dev, struct task *t, struct hmm_dmirror_cmd *cmd)
{
	uint64_t end = cmd->addr + (cmd->npages << PAGE_SHIFT);

	for (uint64_t va = cmd->addr; va < end;) {
		uint8_t perm[64];
		unsigned n = 0;

		for (; n < sizeof(perm) && va < end; n++, va += PAGE_SIZE)
			perm[n] = snapshot_byte(dev, va);
		if (copy_to_user(t->mm, cmd->ptr + cmd->cpages, perm, n))
			return -EFAULT;
		cmd->cpages += n;
	}
	return 0;
}

static long run_command(struct device *dev, struct task *t, unsigned cmd_nr, struct hmm_dmirror_cmd *cmd)
{
	uint64_t size = cmd->npages << PAGE_SHIFT, end = cmd->addr + size, done = 0;
	uint8_t *buf = NULL;
	long err;

	if (cmd_nr == HMM_DMIRROR_SNAPSHOT)
		return snapshot(dev, t, cmd);
	if (cmd_nr == HMM_DMIRROR_CHECK_EXCLUSIVE)
		return hmm_check_exclusive(dev, cmd->addr, end);
	if (cmd_nr == HMM_DMIRROR_RELEASE)
		return hmm_evict_device(dev, &done);	/* cpages stays 0 */
	if (cmd_nr == HMM_DMIRROR_MIGRATE_TO_SYS) {
		err = hmm_migrate_to_system(dev, cmd->addr, end, &done);
		cmd->cpages = done;
		return err;
	}
	if (size > DMIRROR_MAX_BYTES || !(buf = g_try_malloc(size)))
		return -ENOMEM;		/* the driver's vmalloc of the bounce buffer */
	switch (cmd_nr) {
	case HMM_DMIRROR_READ:
		err = read_write(dev, cmd, buf, false);
		break;
	case HMM_DMIRROR_WRITE:
		err = copy_from_user(t->mm, buf, cmd->ptr, size) ? -EFAULT : read_write(dev, cmd, buf, true);
		break;
	default:	/* MIGRATE_TO_DEV, EXCLUSIVE: then read back without faulting */
		if (cmd_nr == HMM_DMIRROR_EXCLUSIVE)
			err = hmm_make_exclusive(dev, cmd->addr, end);
		else
			err = hmm_migrate_to_device(dev, cmd->addr, end, &done);
		done = 0;
		if (!err)
			err = copy_pages(dev, cmd->addr, end, buf, false, &done);
		cmd->cpages = done;
		break;
	}
	if (!err && cmd_nr != HMM_DMIRROR_WRITE && copy_to_user(t->mm, cmd->ptr, buf, size))
		err = -EFAULT;
	g_free(buf);
	return err;
}

static long dmirror_ioctl(struct file *f, struct task *t, unsigned cmd_nr, uint64_t arg)
{
	struct dmirror *d = f->private_data;
	struct hmm_dmirror_cmd cmd;
	long err;

	if (copy_from_user(t->mm, &cmd, arg, sizeof(cmd)))
		return -EFAULT;
	if (cmd.addr & ~PAGE_MASK || cmd.addr >= cmd.addr + (cmd.npages << PAGE_SHIFT))
		return -EINVAL;
	cmd.cpages = 0;
	cmd.faults = 0;
	switch (cmd_nr) {
	case HMM_DMIRROR_READ:
	case HMM_DMIRROR_WRITE:
	case HMM_DMIRROR_MIGRATE_TO_DEV:
	case HMM_DMIRROR_MIGRATE_TO_SYS:
	case HMM_DMIRROR_SNAPSHOT:
	case HMM_DMIRROR_EXCLUSIVE:
	case HMM_DMIRROR_CHECK_EXCLUSIVE:
	case HMM_DMIRROR_RELEASE:
		break;
	default:
		return -EINVAL;
	}
	device_bind(d->dev, t->mm);
	err = run_command(d->dev, t, cmd_nr, &cmd);
	if (err)
		return err;
	return copy_to_user(t->mm, arg, &cmd, sizeof(cmd)) ? -EFAULT : 0;
}

/* The driver's: crw-rw-rw-, a dynamic major (mmusim: 241), minor N. */
static int dmirror_getattr(struct file *f, struct statx *stx)
{
	chardev_getattr(&((struct dmirror *)f->private_data)->cdev, stx);
	return 0;
}

static const struct file_ops dmirror_ops = {
	.ioctl = dmirror_ioctl,
	.getattr = dmirror_getattr,
};

static const struct design_ops dmirror_design = {
	.name = "dmirror",
	.destroy = g_free,
};

unsigned dmirror_coherent_nodes(const struct options *opt)
{
	unsigned nodes = 0;

	if (opt->device_mm && strcmp(opt->device_mm, "hmm"))
		return 0;
	for (int i = DMIRROR_PRIVATE_FILES; i < MIN(opt->devices, DMIRROR_FILES); i++)
		nodes |= 1u << (i + 1);	/* /dev/accelN's memory is node N + 1 */
	return nodes;
}

void dmirror_mount(struct machine *m)
{
	struct dmirror_state *s;

	if (!accel_device_of_node(m, 1) || accel_gmem_stats(m))
		return;		/* no device, or not the HMM design */
	s = g_new0(struct dmirror_state, 1);
	for (int i = 0; i < DMIRROR_FILES && accel_device_of_node(m, i + 1); i++) {
		char path[32];

		s->mirrors[i].dev = accel_device_of_node(m, i + 1);
		s->mirrors[i].cdev = (struct chardev){ &dmirror_ops, &s->mirrors[i], 0666, 241, (unsigned)i };
		snprintf(path, sizeof(path), "/dev/hmm_dmirror%d", i);
		chardev_mount(&m->vfs, path, &s->mirrors[i].cdev);
	}
	machine_add_design(m, &dmirror_design, s);
}
