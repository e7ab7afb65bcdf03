/*
 * memfd: memfd_create(2), an anonymous file in simulated memory.  Its bytes
 * are a shmem object (mmu/shmem.h): read and write copy to and from its
 * frames, ftruncate sets the size (dropping pages past it), and mmap maps
 * the object itself, so a MAP_SHARED mapping, write(2) and every other
 * mapping see the same frames (a MAP_PRIVATE one copies on write).
 *
 * Seals (fcntl F_ADD_SEALS, F_GET_SEALS), after Linux's mm/memfd.c: a memfd
 * made without MFD_ALLOW_SEALING starts sealed with F_SEAL_SEAL; adding
 * seals needs a descriptor open for writing (EPERM) and no F_SEAL_SEAL
 * (EPERM); F_SEAL_WRITE needs no shared mapping (EBUSY).  Under
 * F_SEAL_WRITE or F_SEAL_FUTURE_WRITE writes and new writable shared
 * mappings are EPERM; F_SEAL_SHRINK and F_SEAL_GROW refuse size changes
 * (EPERM).
 *
 * Shrinking takes the pages past the new size from every mapping, a
 * private mapping's copies too, and a mapping's access to a page wholly
 * past the size is SIGBUS, as Linux's shmem (mmu/shmem.h shmem_resize).
 *
 * Not modelled: a read-only shared mapping of a sealed memfd may still be
 * mprotect()ed writable.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "mmu/shmem.h"
#include "mmu/uaccess.h"
#include "sim/syscall.h"

#define MFD_CLOEXEC		0x1u
#define MFD_ALLOW_SEALING	0x2u
#define MEMFD_NAME_MAX		249	/* NAME_MAX - strlen("memfd:") */
#define G_F_ADD_SEALS		1033
#define G_F_GET_SEALS		1034
#define G_F_SEAL_SEAL		0x1u
#define G_F_SEAL_SHRINK		0x2u
#define G_F_SEAL_GROW		0x4u
#define G_F_SEAL_WRITE		0x8u
#define G_F_SEAL_FUTURE_WRITE	0x10u
#define ALL_SEALS (G_F_SEAL_SEAL | G_F_SEAL_SHRINK | G_F_SEAL_GROW | G_F_SEAL_WRITE | G_F_SEAL_FUTURE_WRITE)
#define MEMFD_MAX_SIZE		INT64_MAX

struct memfd {
	struct shmem *sh;	/* the bytes, and the size (shmem_size) */
	unsigned seals;
};

static long memfd_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	struct memfd *mf = f->private_data;
	uint64_t pos = offset < 0 ? (uint64_t)f->f_pos : (uint64_t)offset, size = shmem_size(mf->sh);
	size_t n = pos >= size ? 0 : (size_t)MIN(len, size - pos);

	shmem_read(mf->sh, pos, buf, n);
	if (offset < 0)
		f->f_pos += (int64_t)n;
	return (long)n;
}

static long memfd_write(struct file *f, const void *buf, size_t len, int64_t offset)
{
	struct memfd *mf = f->private_data;
	uint64_t pos = offset < 0 ? (uint64_t)f->f_pos : (uint64_t)offset;
	int err;

	if (offset < 0 && (f->f_flags & O_APPEND))
		pos = shmem_size(mf->sh);
	if (mf->seals & (G_F_SEAL_WRITE | G_F_SEAL_FUTURE_WRITE))
		return -EPERM;
	if (pos + len > shmem_size(mf->sh) && (mf->seals & G_F_SEAL_GROW))
		return -EPERM;
	if (pos > MEMFD_MAX_SIZE - len)
		return -EFBIG;
	err = shmem_write(mf->sh, pos, buf, len);
	if (err)
		return err;
	shmem_resize(mf->sh, MAX(shmem_size(mf->sh), pos + len));
	if (offset < 0)
		f->f_pos = (int64_t)(pos + len);
	return (long)len;
}

static long memfd_llseek(struct file *f, int64_t offset, int whence)
{
	const struct memfd *mf = f->private_data;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->f_pos :
		       whence == SEEK_END ? (int64_t)shmem_size(mf->sh) : -1;

	if (base < 0 || (offset > 0 && base > INT64_MAX - offset) || base + offset < 0)
		return -EINVAL;
	f->f_pos = base + offset;
	return f->f_pos;
}

static int memfd_truncate(struct file *f, int64_t length)
{
	struct memfd *mf = f->private_data;
	uint64_t size = (uint64_t)length, old = shmem_size(mf->sh);

	if ((size < old && (mf->seals & G_F_SEAL_SHRINK)) || (size > old && (mf->seals & G_F_SEAL_GROW)))
		return -EPERM;
	if (size > MEMFD_MAX_SIZE)
		return -EFBIG;
	shmem_resize(mf->sh, size);
	return 0;
}

/* Zero [from, to), inside one page, if the object holds that page. */
static void zero_partial_page(struct memfd *mf, uint64_t from, uint64_t to)
{
	static const uint8_t zeroes[PAGE_SIZE];

	if (from < to && shmem_holds(mf->sh, from >> PAGE_SHIFT))
		shmem_write(mf->sh, from, zeroes, to - from);
}

/* FALLOC_FL_PUNCH_HOLE: the whole pages of the range leave the object and
 * every mapping of it (shmem_punch_hole), the partial ones at its ends
 * read zeroes there (shmem_truncate_range); refused under F_SEAL_WRITE. */
static int memfd_punch_hole(struct memfd *mf, uint64_t offset, uint64_t end)
{
	uint64_t first = PAGE_ALIGN(offset), last;

	if (mf->seals & (G_F_SEAL_WRITE | G_F_SEAL_FUTURE_WRITE))
		return -EPERM;
	end = MIN(end, shmem_size(mf->sh));
	last = end & PAGE_MASK;
	if (first > last) {	/* inside one page */
		zero_partial_page(mf, offset, end);
		return 0;
	}
	zero_partial_page(mf, offset, first);
	zero_partial_page(mf, last, end);
	shmem_punch_hole(mf->sh, first >> PAGE_SHIFT, (last - first) >> PAGE_SHIFT);
	return 0;
}

/* fallocate(2): the pages of the range are allocated (zeroed), and the
 * size grows to its end unless FALLOC_FL_KEEP_SIZE; a range past the end
 * is refused under F_SEAL_GROW, as shmem_fallocate does.  PUNCH_HOLE
 * drops them instead. */
static int memfd_fallocate(struct file *f, int mode, int64_t offset, int64_t len)
{
	struct memfd *mf = f->private_data;
	uint64_t end = (uint64_t)offset + (uint64_t)len;

	if (mode & G_FALLOC_FL_PUNCH_HOLE)
		return memfd_punch_hole(mf, (uint64_t)offset, end);
	if (end > MEMFD_MAX_SIZE)
		return -EFBIG;
	if (end > shmem_size(mf->sh) && (mf->seals & G_F_SEAL_GROW))	/* even with KEEP_SIZE */
		return -EPERM;
	for (uint64_t pg = (uint64_t)offset >> PAGE_SHIFT; pg < PAGE_ALIGN(end) >> PAGE_SHIFT; pg++)
		if (shmem_fallocate_page(mf->sh, pg) < 0)
			return -ENOSPC;
	if (!(mode & G_FALLOC_FL_KEEP_SIZE))
		shmem_resize(mf->sh, MAX(shmem_size(mf->sh), end));
	return 0;
}

static struct shmem *memfd_mmap_shmem(struct file *f, unsigned prot, unsigned flags, long *err)
{
	struct memfd *mf = f->private_data;

	*err = 0;
	if ((flags & MM_MAP_SHARED) && (prot & VM_WRITE) &&
	    (mf->seals & (G_F_SEAL_WRITE | G_F_SEAL_FUTURE_WRITE))) {
		*err = -EPERM;
		return NULL;
	}
	return mf->sh;
}

static long add_seals(struct file *f, uint64_t seals)
{
	struct memfd *mf = f->private_data;

	if (seals & ~(uint64_t)ALL_SEALS)
		return -EINVAL;
	if ((f->f_flags & O_ACCMODE) == O_RDONLY)
		return -EPERM;
	if (mf->seals & G_F_SEAL_SEAL)
		return -EPERM;
	if ((seals & G_F_SEAL_WRITE) && !(mf->seals & G_F_SEAL_WRITE) && shmem_shared_mappings(mf->sh))
		return -EBUSY;
	mf->seals |= (unsigned)seals;
	return 0;
}

static long memfd_fcntl(struct file *f, int cmd, uint64_t arg)
{
	switch (cmd) {
	case G_F_ADD_SEALS:
		return add_seals(f, arg);
	case G_F_GET_SEALS:
		return ((struct memfd *)f->private_data)->seals;
	default:
		return -EINVAL;
	}
}

static int memfd_getattr(struct file *f, struct statx *stx)
{
	const struct memfd *mf = f->private_data;
	uint64_t size = shmem_size(mf->sh);

	*stx = (struct statx){
		.stx_mask = STATX_BASIC_STATS, .stx_mode = S_IFREG | 0777, .stx_nlink = 1,
		.stx_blksize = PAGE_SIZE, .stx_size = size, .stx_blocks = (size + 511) / 512,
		.stx_ino = (uint64_t)(uintptr_t)mf,
	};
	return 0;
}

static void memfd_release(struct file *f)
{
	struct memfd *mf = f->private_data;

	shmem_put(mf->sh);
	g_free(mf);
}

static const struct file_ops memfd_ops = {
	.read = memfd_read,
	.write = memfd_write,
	.llseek = memfd_llseek,
	.mmap_shmem = memfd_mmap_shmem,
	.truncate = memfd_truncate,
	.fallocate = memfd_fallocate,
	.fcntl = memfd_fcntl,
	.getattr = memfd_getattr,
	.release = memfd_release,
};

/* memfd_create(name, flags) */
SYSCALL(memfd_create)
{
	char name[MEMFD_NAME_MAX + 1], *path;
	long len;
	struct memfd *mf;
	struct file *f;

	if (a[1] & ~(uint64_t)(MFD_CLOEXEC | MFD_ALLOW_SEALING))
		return -EINVAL;	/* MFD_HUGETLB, MFD_NOEXEC_SEAL, MFD_EXEC are not modelled */
	len = strncpy_from_user(t->mm, name, a[0], sizeof(name));
	if (len < 0)
		return len == -ENAMETOOLONG ? -EINVAL : len;
	mf = g_new0(struct memfd, 1);
	mf->sh = shmem_new(m->phys);
	shmem_resize(mf->sh, 0);
	mf->seals = a[1] & MFD_ALLOW_SEALING ? 0 : G_F_SEAL_SEAL;
	path = g_strdup_printf("/memfd:%s (deleted)", name);
	f = file_alloc(&memfd_ops, O_RDWR | O_LARGEFILE, path, mf);
	g_free(path);
	return fd_install(&t->files->fdt, f, 0, a[1] & MFD_CLOEXEC);
}

const struct syscall_desc memfd_syscalls[] = {
	SYSCALL_DESC(279, memfd_create, "sx"),
	{ 0 }
};
