/*
 * sys_mm: the memory-management calls, decoded from the guest ABI into the
 * mm operations of mmu/mm.
 */
#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>

#include "mmu/agent.h"
#include "mmu/vm_file.h"
#include "sim/record.h"
#include "sim/sys_gmem.h"
#include "sim/syscall.h"
#include "sim/userfaultfd_file.h"

#define KNOWN_PROT (G_PROT_READ | G_PROT_WRITE | G_PROT_EXEC)
#define KNOWN_MAP_FLAGS (G_MAP_TYPE | G_MAP_FIXED | G_MAP_ANONYMOUS | G_MAP_GROWSDOWN | \
			 G_MAP_DENYWRITE | G_MAP_EXECUTABLE | G_MAP_LOCKED | G_MAP_NORESERVE | \
			 G_MAP_POPULATE | G_MAP_NONBLOCK | G_MAP_STACK | G_MAP_FIXED_NOREPLACE)

SYSCALL(brk)
{
	uint64_t brk = mm_brk(t->mm, a[0]);

	recorder_mm_op(m->recorder, TRACE_BRK, (uint64_t[]){ t->mm->id, brk });
	return (long)brk;
}

static unsigned decode_map_flags(uint64_t flags)
{
	return ((flags & G_MAP_TYPE) == G_MAP_PRIVATE ? 0 : MM_MAP_SHARED) |
	       (flags & (G_MAP_FIXED | G_MAP_FIXED_NOREPLACE) ? MM_MAP_FIXED : 0) |
	       (flags & G_MAP_FIXED_NOREPLACE ? MM_MAP_NOREPLACE : 0) |
	       (flags & G_MAP_POPULATE ? MM_MAP_POPULATE : 0) |
	       (flags & G_MAP_GROWSDOWN ? MM_MAP_GROWSDOWN : 0) |
	       (flags & G_MAP_NORESERVE ? MM_MAP_NORESERVE : 0) |
	       (flags & G_MAP_LOCKED ? MM_MAP_LOCKED : 0);
}

/* The vm_file for a file mapping, or NULL with *err set; NULL with *err 0
 * maps anonymous memory (a /dev/zero style device). */
static struct vm_file *mapping_file(struct machine *m, struct task *t, uint64_t fd,
				    unsigned prot, unsigned flags, long *err)
{
	struct file *f = fd_get(&t->files->fdt, (int)fd);
	struct vm_file *file;

	*err = 0;
	if (!f || (f->f_flags & O_PATH)) {
		*err = -EBADF;
		return NULL;
	}
	if (!f->f_op->mmap) {
		*err = -ENODEV;
		return NULL;
	}
	file = f->f_op->mmap(f, prot, flags, err);
	if (*err == -ENODEV && (flags & MM_MAP_SHARED) && (prot & VM_WRITE))
		machine_warn_once(m, "shared file mapping",
				  "writable MAP_SHARED file mappings are not modelled (ENODEV)");
	return file;
}

static long map_range(struct machine *m, struct task *t, const uint64_t *a)
{
	uint64_t addr = a[0], len = a[1], prot = a[2], gflags = a[3], off = a[5], out;
	unsigned flags = decode_map_flags(gflags);
	struct vm_file *file = NULL;
	long err;

	if ((prot & ~(uint64_t)KNOWN_PROT) || (off & ~PAGE_MASK))
		return -EINVAL;
	if ((gflags & G_MAP_TYPE) == G_MAP_SHARED_VALIDATE && (gflags & ~(uint64_t)KNOWN_MAP_FLAGS))
		return -EOPNOTSUPP;
	if ((gflags & G_MAP_TYPE) < G_MAP_SHARED || (gflags & G_MAP_TYPE) > G_MAP_SHARED_VALIDATE ||
	    (gflags & G_MAP_HUGETLB))
		return -EINVAL;
	if (gmem_peer_shared(m, gflags))
		return gmem_sys_mmap(m, t, addr, len, (unsigned)prot, gflags, flags);
	if (!(gflags & G_MAP_ANONYMOUS)) {
		struct file *f = fd_get(&t->files->fdt, (int)a[4]);

		if (f && !(f->f_flags & O_PATH) && f->f_op->mmap_object)
			return f->f_op->mmap_object(f, t, addr, len, (unsigned)prot, flags, off);
		if (f && !(f->f_flags & O_PATH) && f->f_op->mmap_shmem) {
			struct shmem *sh = f->f_op->mmap_shmem(f, (unsigned)prot, flags, &err);

			if (!err)
				err = mm_mmap_shmem(t->mm, addr, len, (unsigned)prot, flags, sh, off, &out);
			return err ? err : (long)out;
		}
		file = mapping_file(m, t, a[4], (unsigned)prot, flags, &err);
		if (err)
			return err;
		/* A read-only shared file mapping behaves as a private one as
		 * long as nobody writes the file. */
		if (file)
			flags &= ~MM_MAP_SHARED;
	}
	err = mm_mmap(t->mm, addr, len, (unsigned)prot, flags, file, file ? off : 0, &out);
	vm_file_put(file);
	return err ? err : (long)out;
}

/* MAP_FIXED unmaps what it replaces: a registered range there raises
 * userfaultfd's UNMAP event as munmap does (Linux's do_vmi_munmap with the
 * mmap's unmap list). */
SYSCALL(mmap)
{
	struct userfault_events ev = { 0 };
	long ret;

	if ((a[3] & G_MAP_FIXED) && !(a[3] & G_MAP_FIXED_NOREPLACE) && a[1] <= TASK_SIZE)
		userfault_prep_unmap(&ev, t->mm, a[0], a[0] + PAGE_ALIGN(a[1]));
	ret = map_range(m, t, a);
	recorder_mm_op(m->recorder, TRACE_MMAP,
		       (uint64_t[]){ t->mm->id, a[0], a[1], a[2], a[3], (uint64_t)ret });
	return uffd_events_finish(m, t, &ev, ret);
}

SYSCALL(munmap)
{
	struct userfault_events ev = { 0 };
	long ret;

	userfault_prep_unmap(&ev, t->mm, a[0], a[0] + PAGE_ALIGN(a[1]));
	if (!(ret = mm_munmap(t->mm, a[0], a[1])))
		recorder_mm_op(m->recorder, TRACE_MUNMAP, (uint64_t[]){ t->mm->id, a[0], a[1] });
	return uffd_events_finish(m, t, &ev, ret);
}

/* A call that changed protections pays vma_modify for its VMA work. */
SYSCALL(mprotect)
{
	long err;

	if (a[2] & ~(uint64_t)KNOWN_PROT)
		return -EINVAL;
	err = mm_mprotect(t->mm, a[0], a[1], (unsigned)a[2]);
	if (!err && a[1])
		agent_charge(machine_agent(m), COST_VMA_MODIFY, 1);
	if (!err)
		recorder_mm_op(m->recorder, TRACE_MPROTECT, (uint64_t[]){ t->mm->id, a[0], a[1], a[2] });
	return err;
}

SYSCALL(mremap)
{
	struct userfault_events ev = { 0 };
	uint64_t out;
	unsigned flags = (a[3] & G_MREMAP_MAYMOVE ? MM_REMAP_MAYMOVE : 0) |
			 (a[3] & G_MREMAP_FIXED ? MM_REMAP_FIXED : 0) |
			 (a[3] & G_MREMAP_DONTUNMAP ? MM_REMAP_DONTUNMAP : 0);
	long err;

	if (a[3] & ~(uint64_t)(G_MREMAP_MAYMOVE | G_MREMAP_FIXED | G_MREMAP_DONTUNMAP))
		return -EINVAL;
	userfault_prep_mremap(&ev, t->mm, a[0], a[1], a[2], flags, a[4]);
	err = mm_mremap(t->mm, a[0], a[1], a[2], flags, a[4], &out);
	if (!err && out != a[0])
		userfault_remap_done(&ev, t->mm, out, PAGE_ALIGN(a[2]));
	recorder_mm_op(m->recorder, TRACE_MREMAP, (uint64_t[]){ t->mm->id, a[0], a[1], a[2], a[3],
								err ? (uint64_t)err : out });
	return uffd_events_finish(m, t, &ev, err ? err : (long)out);
}

/* Advice that would discard contents but has no effect here: a seal
 * still refuses it on read-only private anonymous memory (mm/mseal.c's
 * is_madv_discard; DONTNEED and FREE are mm_madvise_dontneed's). */
static bool madvise_discard_hint(uint64_t advice)
{
	return advice == G_MADV_REMOVE || advice == G_MADV_DONTFORK || advice == G_MADV_WIPEONFORK;
}

SYSCALL(madvise)
{
	struct userfault_events ev = { 0 };
	uint64_t end = a[0] + PAGE_ALIGN(a[1]);
	long ret;

	if (madvise_discard_hint(a[2]) && !(a[0] & ~PAGE_MASK) && end >= a[0] &&
	    mm_discard_limit(t->mm, a[0], end) < end)
		return -EPERM;
	userfault_prep_madvise(&ev, t->mm, a[0], a[1], (int)a[2]);
	/* the advice numbers are Linux's */
	if (!(ret = mm_madvise(t->mm, a[0], a[1], (int)a[2])))
		recorder_mm_op(m->recorder, TRACE_MADVISE, (uint64_t[]){ t->mm->id, a[0], a[1], a[2] });
	return uffd_events_finish(m, t, &ev, ret);
}

SYSCALL(mseal)
{
	if (a[2])
		return -EINVAL;	/* flags: reserved */
	return mm_mseal(t->mm, a[0], a[1]);
}

const struct syscall_desc mm_syscalls[] = {
	SYSCALL_DESC(214, brk, ">p"),
	SYSCALL_DESC(215, munmap, "pu"),
	SYSCALL_DESC(216, mremap, ">puuxp"),
	SYSCALL_DESC(222, mmap, ">puPMdx"),
	SYSCALL_DESC(226, mprotect, "puP"),
	SYSCALL_DESC(233, madvise, "pud"),
	SYSCALL_DESC(462, mseal, "pux"),
	{ 0 }
};
