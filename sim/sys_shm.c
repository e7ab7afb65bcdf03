/*
 * sys_shm: System V shared memory (shmget, shmat, shmdt, shmctl), after
 * Linux's ipc/shm.c, on the simulator's shared memory objects (mmu/shmem).
 *
 * A segment is a shmem object plus its ipc permissions and times.  It is
 * found by id (Linux's idr index and sequence number: (seq << 15) + index)
 * or by key.  Each VMA mapping it counts as one attach (shm_nattch), as in
 * Linux: a fork or a split adds one, an unmap takes one away.  IPC_RMID
 * marks a segment for destruction (SHM_DEST; its key becomes IPC_PRIVATE:
 * no shmget finds it again) and it goes with its last attach; until then
 * its id still works (shmat, IPC_STAT, IPC_RMID), as in Linux.  The guest is root: every
 * permission check passes.  Sizes beyond simulated memory are ENOMEM (the
 * shmem accounting of heuristic overcommit).
 */
#include <errno.h>
#include <string.h>

#include "mmu/shmem.h"
#include "mmu/uaccess.h"
#include "sim/syscall.h"

/* <uapi/linux/ipc.h>, <uapi/linux/shm.h> */
#define G_IPC_PRIVATE	0
#define G_IPC_CREAT	01000
#define G_IPC_EXCL	02000
#define G_IPC_RMID	0
#define G_IPC_SET	1
#define G_IPC_STAT	2
#define G_IPC_INFO	3
#define G_SHM_STAT	13
#define G_SHM_INFO	14
#define G_SHM_STAT_ANY	15
#define G_SHM_LOCK	11
#define G_SHM_UNLOCK	12
#define G_SHM_RDONLY	010000
#define G_SHM_RND	020000
#define G_SHM_REMAP	040000
#define G_SHM_EXEC	0100000
#define G_SHM_DEST	01000	/* in shm_perm.mode: marked for destruction */
#define G_SHM_LOCKED	02000
#define SHMMNI		4096
#define SHMMIN		1
#define SHMMAX		(UINT64_MAX - (UINT64_C(1) << 24))
#define SHMALL		(UINT64_MAX - (UINT64_C(1) << 24))
#define IPCMNI_SHIFT	15
#define IPCID_SEQ_MAX	(INT32_MAX >> IPCMNI_SHIFT)

struct shm_segment {
	struct shm_ids *ids;
	int index, seq;
	int32_t key;
	unsigned mode;		/* permission bits | SHM_DEST | SHM_LOCKED */
	uint64_t size;
	int64_t atime, dtime, ctime;
	int cpid, lpid;
	uint64_t nattch;
	uint32_t uid, gid;	/* owner (IPC_SET); the creator is root */
	char name[32];		/* in maps listings: "/SYSV<key> (deleted)" */
	struct shmem *sh;
};

struct shm_ids {
	struct machine *m;
	struct shm_segment *slot[SHMMNI];
	int in_use, next_index, seq;
	uint64_t total_pages;
};

static int64_t now_seconds(struct machine *m)
{
	return SIM_EPOCH + (int64_t)(machine_now_ns(m) / 1000000000);
}

static void shm_ids_free(void *state);

/* The machine keeps the segments as a room's state (machine_add_design):
 * they are freed with the machine, after every mm is gone. */
static const struct design_ops shm_ops = {
	.name = "sysv-shm",
	.destroy = shm_ids_free,
};

static struct shm_ids *ids_of(struct machine *m)
{
	struct shm_ids *ids = machine_design(m, &shm_ops);

	if (!ids) {
		ids = g_new0(struct shm_ids, 1);
		ids->m = m;
		machine_add_design(m, &shm_ops, ids);
	}
	return ids;
}

static int segment_id(const struct shm_segment *seg)
{
	return (seg->seq << IPCMNI_SHIFT) + seg->index;
}

static void segment_destroy(struct shm_segment *seg)
{
	seg->ids->slot[seg->index] = NULL;
	seg->ids->in_use--;
	seg->ids->total_pages -= PAGE_ALIGN(seg->size) >> PAGE_SHIFT;
	shmem_put(seg->sh);
	g_free(seg);
}

/* IPC_RMID: no key finds it any more; it goes with its last attach. */
static void segment_remove(struct shm_segment *seg)
{
	seg->mode |= G_SHM_DEST;
	seg->key = G_IPC_PRIVATE;
	if (!seg->nattch)
		segment_destroy(seg);
}

static void shm_ids_free(void *state)
{
	struct shm_ids *ids = state;

	for (int i = 0; i < SHMMNI; i++)
		if (ids->slot[i])
			segment_destroy(ids->slot[i]);
	g_free(ids);
}

/* The segment with this id, or NULL (a stale sequence number included). */
static struct shm_segment *segment_by_id(struct shm_ids *ids, int id)
{
	unsigned index = (unsigned)id & ((1u << IPCMNI_SHIFT) - 1);
	struct shm_segment *seg = id >= 0 && index < SHMMNI ? ids->slot[index] : NULL;

	return seg && segment_id(seg) == id ? seg : NULL;
}

static struct shm_segment *segment_by_key(struct shm_ids *ids, int32_t key)
{
	for (int i = 0; i < SHMMNI; i++)
		if (ids->slot[i] && ids->slot[i]->key == key)
			return ids->slot[i];
	return NULL;
}

/* ------------------------------------------------------------------ vm_ops */

static int segment_fault(struct vm_fault *vmf)
{
	struct shm_segment *seg = vmf->vma->vm_private_data;

	return shmem_fault_page(seg->sh, vmf);
}

/* A VMA more maps the segment (attach, fork, split): one more attach. */
static void segment_vma_dup(struct vma *copy, const struct vma *vma)
{
	struct shm_segment *seg = vma->vm_private_data;

	(void)copy;
	seg->nattch++;
}

static void segment_vma_close(struct vma *vma)
{
	struct shm_segment *seg = vma->vm_private_data;

	seg->dtime = now_seconds(seg->ids->m);
	if (--seg->nattch == 0 && (seg->mode & G_SHM_DEST))
		segment_destroy(seg);
}

static const char *segment_vma_name(const struct vma *vma)
{
	const struct shm_segment *seg = vma->vm_private_data;

	return seg->name;
}

static int segment_vma_access(const struct vma *vma, uint64_t addr, void *buf, size_t len)
{
	struct shm_segment *seg = vma->vm_private_data;

	shmem_read(seg->sh, (linear_page_index(vma, addr) << PAGE_SHIFT) + (addr & ~PAGE_MASK), buf, len);
	return 0;
}

static bool segment_vma_resident(const struct vma *vma, uint64_t addr)
{
	struct shm_segment *seg = vma->vm_private_data;

	return shmem_holds(seg->sh, linear_page_index(vma, addr));
}

static const struct vm_ops segment_vm_ops = {
	.fault = segment_fault,
	.dup = segment_vma_dup,
	.close = segment_vma_close,
	.name = segment_vma_name,
	.access = segment_vma_access,
	.resident = segment_vma_resident,
	.backing = BACKING_SHMEM,
	.object_page_refs = 1,	/* the shmem object's own */
};

/* ------------------------------------------------------------------ calls */

static long new_segment(struct machine *m, struct task *t, int32_t key, uint64_t size,
			unsigned mode)
{
	struct shm_ids *ids = ids_of(m);
	uint64_t pages = (size >> PAGE_SHIFT) + ((size & ~PAGE_MASK) != 0);
	struct shm_segment *seg;
	int index;

	if (size < SHMMIN || size > SHMMAX)
		return -EINVAL;
	if (ids->total_pages + pages < ids->total_pages || ids->total_pages + pages > SHMALL)
		return -ENOSPC;
	if (ids->in_use >= SHMMNI)
		return -ENOSPC;
	if (size > phys_size(m->phys))
		return -ENOMEM;
	for (index = ids->next_index; ids->slot[index]; index = (index + 1) % SHMMNI)
		;
	seg = g_new0(struct shm_segment, 1);
	seg->ids = ids;
	seg->index = index;
	seg->seq = ids->seq;
	ids->seq = ids->seq == IPCID_SEQ_MAX ? 0 : ids->seq + 1;
	ids->next_index = (index + 1) % SHMMNI;
	seg->key = key;
	g_snprintf(seg->name, sizeof(seg->name), "/SYSV%08x (deleted)", (uint32_t)key);
	seg->mode = mode & 0777;
	seg->size = size;
	seg->ctime = now_seconds(m);
	seg->cpid = t->proc->pid;
	seg->sh = shmem_new(m->phys);
	ids->slot[index] = seg;
	ids->in_use++;
	ids->total_pages += pages;
	return segment_id(seg);
}

SYSCALL(shmget)
{
	int32_t key = (int32_t)a[0];
	uint64_t size = a[1];
	unsigned flags = (unsigned)a[2];
	struct shm_segment *seg;

	if (key == G_IPC_PRIVATE)
		return new_segment(m, t, key, size, flags);
	seg = segment_by_key(ids_of(m), key);
	if (!seg)
		return flags & G_IPC_CREAT ? new_segment(m, t, key, size, flags) : -ENOENT;
	if ((flags & G_IPC_CREAT) && (flags & G_IPC_EXCL))
		return -EEXIST;
	if (seg->size < size)
		return -EINVAL;
	return segment_id(seg);
}

SYSCALL(shmat)
{
	struct shm_segment *seg = segment_by_id(ids_of(m), (int)a[0]);
	uint64_t addr = a[1], out;
	unsigned shmflg = (unsigned)a[2], flags = MM_MAP_SHARED, prot = VM_READ;
	int err;

	if (addr) {
		if (addr & ~PAGE_MASK) {	/* SHMLBA is PAGE_SIZE on arm64 */
			if (!(shmflg & G_SHM_RND))
				return -EINVAL;
			addr &= PAGE_MASK;
			if (!addr && (shmflg & G_SHM_REMAP))
				return -EINVAL;
		}
		flags |= MM_MAP_FIXED;
	} else if (shmflg & G_SHM_REMAP) {
		return -EINVAL;
	}
	if (!seg)
		return -EINVAL;
	if (!(shmflg & G_SHM_RDONLY))
		prot |= VM_WRITE;
	if (shmflg & G_SHM_EXEC)
		prot |= VM_EXEC;
	if (addr && !(shmflg & G_SHM_REMAP)) {
		struct vma *vma = find_vma(t->mm, addr);
		uint64_t len = PAGE_ALIGN(seg->size);

		if (addr + len < addr || (vma && vma->start < addr + len))
			return -EINVAL;
	}
	err = mm_mmap_object(t->mm, addr, seg->size, prot, flags, &segment_vm_ops, seg, &out);
	if (err)
		return err;
	seg->atime = now_seconds(m);
	seg->lpid = t->proc->pid;
	return (long)out;
}

/* Detach the segment attached at addr: every VMA of it from addr on, up to
 * the segment's size (Linux's shmdt walk). */
SYSCALL(shmdt)
{
	uint64_t addr = a[0], end;
	struct vma *vma = vma_lookup(t->mm, addr);
	struct shm_segment *seg;

	if (addr & ~PAGE_MASK)
		return -EINVAL;
	if (!vma || vma->start != addr || vma->vm_ops != &segment_vm_ops || vma->pgoff)
		return -EINVAL;
	seg = vma->vm_private_data;
	seg->lpid = t->proc->pid;
	end = addr + PAGE_ALIGN(seg->size);
	while (vma && vma->start < end && vma->vm_private_data == seg) {
		uint64_t from = vma->start, to = vma->end;

		vma = vma_next(t->mm, vma);
		mm_munmap(t->mm, from, to - from);
	}
	return 0;
}

/* struct shmid64_ds (asm-generic/shmbuf.h, 64-bit) with its ipc64_perm. */
struct g_shmid64_ds {
	int32_t key;
	uint32_t uid, gid, cuid, cgid, mode;
	uint16_t seq, pad2;
	uint64_t unused1, unused2;
	uint64_t segsz;
	int64_t atime, dtime, ctime;
	int32_t cpid, lpid;
	uint64_t nattch, unused4, unused5;
};
G_STATIC_ASSERT(sizeof(struct g_shmid64_ds) == 112);

/* struct shminfo64 and struct shm_info. */
struct g_shminfo64 {
	uint64_t shmmax, shmmin, shmmni, shmseg, shmall, unused[4];
};
struct g_shm_info {
	int32_t used_ids, pad;
	uint64_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

static void fill_stat(const struct shm_segment *seg, struct g_shmid64_ds *ds)
{
	*ds = (struct g_shmid64_ds){
		.key = seg->key, .uid = seg->uid, .gid = seg->gid, .mode = seg->mode, .seq = (uint16_t)seg->seq, .segsz = seg->size,
		.atime = seg->atime, .dtime = seg->dtime, .ctime = seg->ctime,
		.cpid = seg->cpid, .lpid = seg->lpid, .nattch = seg->nattch,
	};
}

/* The highest index in use (IPC_INFO, SHM_INFO), 0 when none. */
static long max_index(const struct shm_ids *ids)
{
	for (int i = SHMMNI - 1; i >= 0; i--)
		if (ids->slot[i])
			return i;
	return 0;
}

static long shm_info(struct machine *m, struct task *t, int cmd, uint64_t buf)
{
	struct shm_ids *ids = ids_of(m);

	if (cmd == G_IPC_INFO) {
		struct g_shminfo64 info = { SHMMAX, SHMMIN, SHMMNI, SHMMNI, SHMALL, { 0 } };

		if (copy_to_user(t->mm, buf, &info, sizeof(info)))
			return -EFAULT;
	} else {
		struct g_shm_info info = { .used_ids = ids->in_use, .shm_tot = ids->total_pages };

		for (int i = 0; i < SHMMNI; i++)
			if (ids->slot[i])
				info.shm_rss += shmem_nr_pages(ids->slot[i]->sh);
		if (copy_to_user(t->mm, buf, &info, sizeof(info)))
			return -EFAULT;
	}
	return max_index(ids);
}

SYSCALL(shmctl)
{
	int id = (int)a[0], cmd = (int)a[1];
	uint64_t buf = a[2];
	struct shm_ids *ids = ids_of(m);
	struct shm_segment *seg;
	struct g_shmid64_ds ds;

	if (cmd < 0 || id < 0)
		return -EINVAL;
	switch (cmd) {
	case G_IPC_INFO:
	case G_SHM_INFO:
		return shm_info(m, t, cmd, buf);
	case G_SHM_STAT:
	case G_SHM_STAT_ANY:	/* by index, answering the id */
		seg = id < SHMMNI ? ids->slot[id] : NULL;
		if (!seg)
			return -EINVAL;
		fill_stat(seg, &ds);
		return copy_to_user(t->mm, buf, &ds, sizeof(ds)) ? -EFAULT : segment_id(seg);
	case G_IPC_SET:
		if (copy_from_user(t->mm, &ds, buf, sizeof(ds)))
			return -EFAULT;
		break;
	case G_IPC_STAT:
	case G_IPC_RMID:
	case G_SHM_LOCK:
	case G_SHM_UNLOCK:
		break;
	default:
		return -EINVAL;
	}
	seg = segment_by_id(ids, id);
	if (!seg)
		return -EINVAL;
	switch (cmd) {
	case G_IPC_STAT:
		fill_stat(seg, &ds);
		return copy_to_user(t->mm, buf, &ds, sizeof(ds)) ? -EFAULT : 0;
	case G_IPC_SET:
		seg->uid = ds.uid;
		seg->gid = ds.gid;
		seg->mode = (seg->mode & ~0777u) | (ds.mode & 0777u);
		seg->ctime = now_seconds(m);
		return 0;
	case G_SHM_LOCK:
		seg->mode |= G_SHM_LOCKED;
		return 0;
	case G_SHM_UNLOCK:
		seg->mode &= ~(unsigned)G_SHM_LOCKED;
		return 0;
	default:
		segment_remove(seg);
		return 0;
	}
}

const struct syscall_desc shm_syscalls[] = {
	SYSCALL_DESC(194, shmget, "xux"),
	SYSCALL_DESC(195, shmctl, "ddp"),
	SYSCALL_DESC(196, shmat, ">dpx"),
	SYSCALL_DESC(197, shmdt, "p"),
	{ 0 }
};
