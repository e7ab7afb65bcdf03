/*
 * file_host: files that are host descriptors.  A host file is an object
 * below the host root (vfs_open); reads, writes, positions and attributes
 * are the host's, one host call per guest call.  The console is mmusim's
 * own standard input, output and error, handed to the guest on descriptors
 * 0-2: a stream, whatever the host made of it, so it is never mapped nor
 * listed, and never a terminal (no descriptor answers terminal ioctls).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mmu/mm.h"
#include "mmu/vm_file.h"
#include "sim/hostsig.h"
#include "sim/file_host.h"

struct host_file {
	int fd;
	bool read_only;		/* below a read-only root: no changes but data to devices */
};

static const struct file_ops host_file_ops, console_ops;

static int fd_of(struct file *f)
{
	return ((struct host_file *)f->private_data)->fd;
}

static long result(long n)
{
	return n < 0 ? -errno : n;
}

/* Wait until a stream read would not block, or a host stop request came
 * (-EINTR: the slice ends and the run loop stops).  The wait is cut in
 * slices of 100 ms, so that a request that arrived just before it began is
 * still seen; a descriptor the guest made non-blocking is not waited on. */
static int wait_readable(struct file *f)
{
	struct pollfd p = { .fd = fd_of(f), .events = POLLIN };

	if (f->f_flags & O_NONBLOCK)
		return 0;
	while (!hostsig_pending()) {
		int n = poll(&p, 1, 100);

		if (n > 0 || (n < 0 && errno != EINTR))
			return 0;	/* readable, or an error the read will report */
	}
	return -EINTR;
}

static long host_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	int err = offset < 0 ? wait_readable(f) : 0;

	if (err)
		return err;
	return result(offset < 0 ? read(fd_of(f), buf, len) : pread(fd_of(f), buf, len, offset));
}

static long host_write(struct file *f, const void *buf, size_t len, int64_t offset)
{
	return result(offset < 0 ? write(fd_of(f), buf, len) : pwrite(fd_of(f), buf, len, offset));
}

static long host_llseek(struct file *f, int64_t offset, int whence)
{
	if (whence > SEEK_HOLE)	/* SEEK_SET ... SEEK_HOLE have the same values everywhere */
		return -EINVAL;
	return result(lseek(fd_of(f), (off_t)offset, whence));
}

/* A regular file maps as itself; a /dev/zero style character device as
 * anonymous memory. */
static struct vm_file *host_mmap(struct file *f, unsigned prot, unsigned flags, long *err)
{
	int acc = f->f_flags & O_ACCMODE;
	struct stat st;

	*err = 0;
	if (fstat(fd_of(f), &st) < 0 || S_ISDIR(st.st_mode))
		*err = -ENODEV;
	else if (acc == O_WRONLY)
		*err = -EACCES;
	else if (S_ISCHR(st.st_mode))
		return NULL;
	else if (!S_ISREG(st.st_mode))
		*err = -ENODEV;
	else if ((flags & MM_MAP_SHARED) && (prot & VM_WRITE))
		*err = acc == O_RDONLY ? -EACCES : -ENODEV;	/* not modelled */
	if (*err)
		return NULL;
	return vm_file_new(fcntl(fd_of(f), F_DUPFD_CLOEXEC, 3), f->path);
}

static int host_getattr(struct file *f, struct statx *stx)
{
	/* struct statx is the same on every architecture. */
	return statx(fd_of(f), "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_BTIME, stx) < 0 ? -errno : 0;
}

static long host_getdents(struct file *f, void *buf, size_t len)
{
	/* struct linux_dirent64 is the same on every architecture. */
	return result(syscall(SYS_getdents64, fd_of(f), buf, len));
}

/* readlinkat(fd, "") says ENOENT for what is not a link; readlink(2) of
 * such a path says EINVAL. */
static long host_readlink(struct file *f, char *buf, size_t len)
{
	struct stat st;

	if (fstat(fd_of(f), &st) == 0 && !S_ISLNK(st.st_mode))
		return -EINVAL;
	return result(readlinkat(fd_of(f), "", buf, len));
}

/* Whether the object is part of the file system itself: on a read-only
 * mount such objects are not writable, devices, FIFOs and sockets are. */
static bool is_fs_object(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode) || S_ISLNK(st.st_mode));
}

static int host_access(struct file *f, int mode)
{
	struct host_file *hf = f->private_data;

	if (faccessat(hf->fd, "", mode, AT_EMPTY_PATH) < 0)
		return -errno;
	return (mode & W_OK) && hf->read_only && is_fs_object(hf->fd) ? -EROFS : 0;
}

/* The magic link naming host descriptor `fd`: calls that take a path reach
 * the object itself through it, whatever happens to its names. */
#define PROC_FD_PATH_LEN 32
static void proc_fd_path(char path[PROC_FD_PATH_LEN], int fd)
{
	snprintf(path, PROC_FD_PATH_LEN, "/proc/self/fd/%d", fd);
}

/* Attribute changes: EROFS on a read-only root, for every kind. */
static int host_utimens(struct file *f, const struct timespec *times)
{
	struct host_file *hf = f->private_data;
	char proc[PROC_FD_PATH_LEN];

	if (hf->read_only)
		return -EROFS;
	proc_fd_path(proc, hf->fd);
	return utimensat(AT_FDCWD, proc, times, 0) < 0 ? -errno : 0;
}

static int host_chmod(struct file *f, unsigned mode)
{
	struct host_file *hf = f->private_data;
	char proc[PROC_FD_PATH_LEN];

	if (hf->read_only)
		return -EROFS;
	proc_fd_path(proc, hf->fd);
	return chmod(proc, mode) < 0 ? -errno : 0;
}

static int host_chown(struct file *f, uint32_t uid, uint32_t gid)
{
	struct host_file *hf = f->private_data;

	if (hf->read_only)
		return -EROFS;
	return fchownat(hf->fd, "", uid, gid, AT_EMPTY_PATH) < 0 ? -errno : 0;
}

/* truncate(2) reaches the object through an O_PATH file: a directory is
 * EISDIR and another non-regular file EINVAL before the mount's EROFS. */
static int host_truncate(struct file *f, int64_t length)
{
	struct host_file *hf = f->private_data;
	char proc[PROC_FD_PATH_LEN];

	if (!(f->f_flags & O_PATH))
		return ftruncate(hf->fd, (off_t)length) < 0 ? -errno : 0;
	if (hf->read_only) {
		struct stat st;

		if (fstat(hf->fd, &st) < 0)
			return -errno;
		return S_ISDIR(st.st_mode) ? -EISDIR : !S_ISREG(st.st_mode) ? -EINVAL : -EROFS;
	}
	proc_fd_path(proc, hf->fd);
	return truncate(proc, (off_t)length) < 0 ? -errno : 0;
}

static int host_fallocate(struct file *f, int mode, int64_t offset, int64_t len)
{
	if (mode & G_FALLOC_FL_PUNCH_HOLE)
		return -EOPNOTSUPP;
	return fallocate(fd_of(f), mode, (off_t)offset, (off_t)len) < 0 ? -errno : 0;
}

static int host_fsync(struct file *f, bool datasync)
{
	return (datasync ? fdatasync(fd_of(f)) : fsync(fd_of(f))) < 0 ? -errno : 0;
}

static int host_statfs(struct file *f, struct statfs *st)
{
	struct host_file *hf = f->private_data;

	if (fstatfs(hf->fd, st) < 0)
		return -errno;
	if (hf->read_only)
		st->f_flags |= ST_RDONLY;
	return 0;
}

/* On a read-only root a name that exists is EEXIST before EROFS, as in
 * Linux's filename_create(). */
static int refuse_create(struct host_file *dir, const char *name)
{
	struct stat st;

	return fstatat(dir->fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? -EEXIST : -EROFS;
}

static int host_mkdir(struct file *dir, const char *name, unsigned mode)
{
	struct host_file *hd = dir->private_data;

	if (hd->read_only)
		return refuse_create(hd, name);
	return mkdirat(hd->fd, name, mode) < 0 ? -errno : 0;
}

static int host_unlink(struct file *dir, const char *name, bool rmdir)
{
	struct host_file *hd = dir->private_data;

	if (hd->read_only)
		return -EROFS;
	return unlinkat(hd->fd, name, rmdir ? AT_REMOVEDIR : 0) < 0 ? -errno : 0;
}

static int host_symlink(struct file *dir, const char *name, const char *target)
{
	struct host_file *hd = dir->private_data;

	if (hd->read_only)
		return refuse_create(hd, name);
	return symlinkat(target, hd->fd, name) < 0 ? -errno : 0;
}

static int host_link(struct file *old, struct file *dir, const char *name)
{
	struct host_file *hd = dir->private_data;
	char proc[PROC_FD_PATH_LEN];

	if (hd->read_only)
		return refuse_create(hd, name);
	proc_fd_path(proc, fd_of(old));
	return linkat(AT_FDCWD, proc, hd->fd, name, AT_SYMLINK_FOLLOW) < 0 ? -errno : 0;
}

static int host_rename(struct file *dir, const char *name, struct file *new_dir, const char *new_name,
		       unsigned flags)
{
	struct host_file *hd = dir->private_data;

	if (hd->read_only)
		return -EROFS;
	return renameat2(hd->fd, name, fd_of(new_dir), new_name, flags) < 0 ? -errno : 0;
}

/* The host keeps the status flags that matter (O_NONBLOCK, O_APPEND):
 * pass them on, and keep what the host accepted. */
static int host_setfl(struct file *f)
{
	int flags;

	if (fcntl(fd_of(f), F_SETFL, f->f_flags) < 0 || (flags = fcntl(fd_of(f), F_GETFL)) < 0)
		return -errno;
	f->f_flags = flags & ~O_CLOEXEC;
	return 0;
}

static void host_release(struct file *f)
{
	close(fd_of(f));
	g_free(f->private_data);
}

static const struct file_ops host_file_ops = {
	.read = host_read,
	.write = host_write,
	.llseek = host_llseek,
	.mmap = host_mmap,
	.getattr = host_getattr,
	.getdents = host_getdents,
	.readlink = host_readlink,
	.access = host_access,
	.utimens = host_utimens,
	.truncate = host_truncate,
	.chmod = host_chmod,
	.chown = host_chown,
	.fallocate = host_fallocate,
	.fsync = host_fsync,
	.statfs = host_statfs,
	.mkdir = host_mkdir,
	.unlink = host_unlink,
	.symlink = host_symlink,
	.link = host_link,
	.rename = host_rename,
	.setfl = host_setfl,
	.release = host_release,
};

static const struct file_ops console_ops = {
	.read = host_read,
	.write = host_write,
	.llseek = host_llseek,
	.getattr = host_getattr,
	.access = host_access,
	.utimens = host_utimens,
	.fsync = host_fsync,
	.statfs = host_statfs,
	.setfl = host_setfl,
	.release = host_release,
};

static struct file *wrap(const struct file_ops *ops, int host_fd, const char *path, bool read_only)
{
	struct host_file *hf = g_new0(struct host_file, 1);
	int flags = fcntl(host_fd, F_GETFL);
	struct stat st = { 0 };
	struct file *f;

	fstat(host_fd, &st);
	hf->fd = host_fd;
	hf->read_only = read_only;
	f = file_alloc(ops, flags < 0 ? O_RDONLY : flags & ~O_CLOEXEC, path, hf);
	f->is_dir = S_ISDIR(st.st_mode);
	return f;
}

struct file *host_file_new(int host_fd, const char *path, bool read_only)
{
	return wrap(&host_file_ops, host_fd, path, read_only);
}

struct file *console_file_new(int host_fd, const char *name)
{
	return wrap(&console_ops, host_fd, name, false);
}

int file_host_fd(const struct file *file)
{
	if (file->f_op != &host_file_ops && file->f_op != &console_ops)
		return -1;
	return ((struct host_file *)file->private_data)->fd;
}
