/*
 * sys_fs: files and descriptors, on the open files' f_op (sim/vfs.h).  Data
 * moves through a host buffer: one file operation per guest call, so pipes
 * and terminals see the same short reads and atomic writes they would see
 * natively.  A single call moves at most IO_MAX bytes (a short count, which
 * POSIX allows).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mmu/uaccess.h"
#include "sim/copyout.h"
#include "sim/permission.h"
#include "sim/sigqueue.h"
#include "sim/sys_fs.h"
#include "sim/syscall.h"

#define IO_MAX (UINT64_C(1) << 20)
#define PATH_MAX_GUEST 4096
#define IOV_MAX_GUEST 1024

/* The open file behind descriptor `fd`, or NULL.  As Linux's fdget(), an
 * O_PATH descriptor is none for reading, writing and the like. */
struct file *file_of(struct task *t, uint64_t fd)
{
	struct file *f = fd_get(&t->files->fdt, (int)fd);

	return f && !(f->f_flags & O_PATH) ? f : NULL;
}

/* Any open file, O_PATH ones too (fdget_raw): for fstat, *at(), fchdir. */
struct file *file_of_raw(struct task *t, uint64_t fd)
{
	return fd_get(&t->files->fdt, (int)fd);
}

/* The guest path `upath` seen from directory descriptor `dirfd`.  An empty
 * path names nothing (ENOENT); AT_EMPTY_PATH is the caller's business. */
long resolve_path(struct task *t, uint64_t dirfd, uint64_t upath, char **out)
{
	char path[PATH_MAX_GUEST];
	long len = strncpy_from_user(t->mm, path, upath, sizeof(path));
	const char *dir = t->fs->cwd;

	if (len <= 0)
		return len ? len : -ENOENT;
	if (path[0] != '/' && (int)dirfd != G_AT_FDCWD) {
		struct file *f = file_of_raw(t, dirfd);

		if (!f)
			return -EBADF;
		if (!f->is_dir)
			return -ENOTDIR;
		dir = f->path;
	}
	*out = vfs_join(dir, path);
	return 0;
}

/* Open a guest path relative to dirfd (host open flags). */
/* O_CREAT of a missing file: writing and searching its directory. */
static long may_create(struct machine *m, struct task *t, const char *path)
{
	struct file *dir;
	char *name;
	enum last_type type;
	long err = vfs_open_parent(&m->vfs, t, path, &dir, &name, &type);

	if (err)
		return err;
	err = file_permission(&t->cred, dir, MAY_WRITE | MAY_EXEC);
	file_put(dir);
	g_free(name);
	return err;
}

/* What open checks of the task's credentials before anything changes
 * (may_open, may_o_create): an existing object's permission for the
 * access asked (O_TRUNC writes), or for a file O_CREAT makes, its
 * directory's; *created says the file is to be made. */
static long may_open_path(struct machine *m, struct task *t, const char *path, int flags, bool *created)
{
	bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	struct file *f;
	long err = vfs_open(&m->vfs, t, path, O_PATH | (excl || (flags & O_NOFOLLOW) ? O_NOFOLLOW : 0), 0, &f);

	*created = false;
	if (!err) {
		err = excl ? 0 : file_permission(&t->cred, f, open_mask(flags));
		file_put(f);
		return err;
	}
	if (err != -ENOENT || !(flags & O_CREAT))
		return err;
	err = may_create(m, t, path);
	*created = !err;
	return err;
}

static long open_at(struct machine *m, struct task *t, uint64_t dirfd, uint64_t upath,
		    int host_flags, unsigned mode, struct file **out)
{
	char *path;
	long err = resolve_path(t, dirfd, upath, &path);
	bool created = false;

	if (err)
		return err;
	if (!permission_bypassed(&t->cred))
		err = may_open_path(m, t, path, host_flags, &created);
	if (!err)
		err = vfs_open(&m->vfs, t, path, host_flags, mode, out);
	/* A new file belongs to its maker's fs ids (root's are the host's). */
	if (!err && created && (*out)->f_op->chown)
		(*out)->f_op->chown(*out, t->cred.fsuid, t->cred.fsgid);
	g_free(path);
	return err;
}

static long finish_io(long n)
{
	return n < 0 ? -errno : n;
}

/* A file that would wait blocks the task, unless it is non-blocking. */
static long wait_if_needed(struct machine *m, struct task *t, struct file *f, long n, const char *what)
{
	if (n == -EAGAIN && f->f_wait && !(f->f_flags & O_NONBLOCK))
		return block_on(m, t, f->f_wait, what, 0);
	return n;
}

/* One read from `f` into `buf`, at `offset` (-1: the file position). */
static long file_read(struct machine *m, struct task *t, struct file *f, void *buf, size_t len,
		      int64_t offset)
{
	if ((f->f_flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	if (!f->f_op->read)
		return -EINVAL;
	return wait_if_needed(m, t, f, f->f_op->read(f, buf, len, offset), f->f_op->wait_read);
}

/* The result `n` of a write: one that found no reader (a guest pipe, or a
 * host pipe or socket such as mmusim's standard output read by `head`)
 * raises SIGPIPE in the writer as well, as Linux does. */
static long check_broken_pipe(struct machine *m, struct task *t, long n)
{
	struct sig_info sigpipe = { .signo = G_SIGPIPE, .code = G_SI_USER, .pid = t->proc->pid,
				    .uid = (int)t->cred.uid };

	if (n == -EPIPE)
		send_signal_to_task(m, t, &sigpipe);
	return n;
}

/* One write of `buf` to `f`. */
static long file_write(struct machine *m, struct task *t, struct file *f, const void *buf, size_t len,
		       int64_t offset)
{
	long n;

	if ((f->f_flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (!f->f_op->write)
		return -EINVAL;
	n = check_broken_pipe(m, t, f->f_op->write(f, buf, len, offset));
	return wait_if_needed(m, t, f, n, f->f_op->wait_write);
}

static long read_into_user(struct machine *m, struct task *t, struct file *f, uint64_t ubuf,
			   uint64_t count, int64_t offset)
{
	size_t len = (size_t)MIN(count, IO_MAX);
	uint8_t *buf;
	long n;

	if (copy_out_resume(m, t, f, ubuf, &n))	/* the copy waited for a user fault */
		return n;
	buf = g_malloc(MAX(len, 1));
	n = file_read(m, t, f, buf, len, offset);
	if (n > 0)
		n = copy_out_read(m, t, f, ubuf, buf, n);
	g_free(buf);
	return n;
}

static long write_from_user(struct machine *m, struct task *t, struct file *f, uint64_t ubuf,
			    uint64_t count, int64_t offset)
{
	size_t len = (size_t)MIN(count, IO_MAX);
	uint8_t *buf = g_malloc(MAX(len, 1));
	long ret = copy_from_user(t->mm, buf, ubuf, len) ? -EFAULT : file_write(m, t, f, buf, len, offset);

	g_free(buf);
	return ret;
}

SYSCALL(read)
{
	struct file *f = file_of(t, a[0]);

	return f ? read_into_user(m, t, f, a[1], a[2], -1) : -EBADF;
}

SYSCALL(write)
{
	struct file *f = file_of(t, a[0]);

	return f ? write_from_user(m, t, f, a[1], a[2], -1) : -EBADF;
}

SYSCALL(pread64)
{
	struct file *f = file_of(t, a[0]);

	if (!f)
		return -EBADF;
	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return read_into_user(m, t, f, a[1], a[2], (int64_t)a[3]);
}

SYSCALL(pwrite64)
{
	struct file *f = file_of(t, a[0]);

	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return f ? write_from_user(m, t, f, a[1], a[2], (int64_t)a[3]) : -EBADF;
}

/* Read a guest iovec array and the total length it describes. */
static long read_iovecs(struct task *t, uint64_t uiov, uint64_t cnt, struct guest_iovec **iov,
			uint64_t *total)
{
	if (cnt > IOV_MAX_GUEST)
		return -EINVAL;
	*iov = g_new(struct guest_iovec, MAX(cnt, 1));
	*total = 0;
	if (copy_from_user(t->mm, *iov, uiov, cnt * sizeof(**iov))) {
		g_free(*iov);
		return -EFAULT;
	}
	for (uint64_t i = 0; i < cnt; i++) {
		if ((int64_t)(*iov)[i].len < 0 || *total + (*iov)[i].len < *total) {
			g_free(*iov);
			return -EINVAL;
		}
		*total += (*iov)[i].len;
	}
	*total = MIN(*total, IO_MAX);
	return 0;
}

/* readv at `offset` (-1: the file position): one read, scattered. */
static long read_vector(struct machine *m, struct task *t, struct file *f, uint64_t uiov, uint64_t cnt,
			int64_t offset)
{
	struct guest_iovec *iov;
	uint64_t total, done = 0;
	long n = f ? 0 : -EBADF;
	uint8_t *buf;

	if (n || (n = read_iovecs(t, uiov, cnt, &iov, &total)))
		return n;
	buf = g_malloc(MAX(total, 1));
	n = file_read(m, t, f, buf, total, offset);
	for (uint64_t i = 0; n > 0 && done < (uint64_t)n && i < cnt; i++) {
		uint64_t part = MIN(iov[i].len, (uint64_t)n - done);

		if (copy_to_user(t->mm, iov[i].base, buf + done, part)) {
			n = -EFAULT;
			break;
		}
		done += part;
	}
	g_free(buf);
	g_free(iov);
	return n;
}

/* writev at `offset` (-1: the file position): gathered, one write. */
static long write_vector(struct machine *m, struct task *t, struct file *f, uint64_t uiov, uint64_t cnt,
			 int64_t offset)
{
	struct guest_iovec *iov;
	uint64_t total, done = 0;
	long n = f ? 0 : -EBADF;
	uint8_t *buf;

	if (n || (n = read_iovecs(t, uiov, cnt, &iov, &total)))
		return n;
	buf = g_malloc(MAX(total, 1));
	for (uint64_t i = 0; i < cnt && done < total; i++) {
		uint64_t part = MIN(iov[i].len, total - done);

		if (copy_from_user(t->mm, buf + done, iov[i].base, part)) {
			n = -EFAULT;
			break;
		}
		done += part;
	}
	if (!n)
		n = file_write(m, t, f, buf, total, offset);
	g_free(buf);
	g_free(iov);
	return n;
}

SYSCALL(readv)
{
	return read_vector(m, t, file_of(t, a[0]), a[1], a[2], -1);
}

SYSCALL(writev)
{
	return write_vector(m, t, file_of(t, a[0]), a[1], a[2], -1);
}

#define G_RWF_HIPRI	0x1
#define G_RWF_DSYNC	0x2
#define G_RWF_SYNC	0x4
#define G_RWF_NOWAIT	0x8

/* preadv, pwritev, preadv2 and pwritev2 (fd, iov, cnt, pos_l, pos_h,
 * flags): on arm64 pos_l is the whole offset.  Of the RWF_ flags, HIPRI,
 * DSYNC and SYNC change nothing here and NOWAIT never waits; the others
 * (APPEND, NOAPPEND, ATOMIC, DONTCACHE, unknown ones) are EOPNOTSUPP.  The
 * version-2 calls take offset -1 as the file position. */
static long positioned_vector(struct machine *m, struct task *t, const uint64_t *a, uint64_t flags,
			      bool v2, bool write)
{
	struct file *f = file_of(t, a[0]);
	int64_t offset = (int64_t)a[3];
	int saved;
	long n;

	if (!f)
		return -EBADF;
	if (offset < 0 && !(v2 && offset == -1))
		return -EINVAL;
	if (flags & ~(uint64_t)(G_RWF_HIPRI | G_RWF_DSYNC | G_RWF_SYNC | G_RWF_NOWAIT))
		return -EOPNOTSUPP;
	saved = f->f_flags;
	if (flags & G_RWF_NOWAIT)
		f->f_flags |= O_NONBLOCK;
	n = write ? write_vector(m, t, f, a[1], a[2], offset) : read_vector(m, t, f, a[1], a[2], offset);
	f->f_flags = saved;
	return n;
}

SYSCALL(preadv)
{
	return positioned_vector(m, t, a, 0, false, false);
}

SYSCALL(pwritev)
{
	return positioned_vector(m, t, a, 0, false, true);
}

SYSCALL(preadv2)
{
	return positioned_vector(m, t, a, a[5], true, false);
}

SYSCALL(pwritev2)
{
	return positioned_vector(m, t, a, a[5], true, true);
}

/* Between two host files only: others answer EINVAL, and callers fall
 * back to read and write. */
SYSCALL(sendfile)
{
	struct file *out = file_of(t, a[0]), *in = file_of(t, a[1]);
	size_t count = (size_t)MIN(a[3], IO_MAX);
	int out_fd, in_fd;
	int64_t offset;
	long n;

	if (!out || !in)
		return -EBADF;
	out_fd = file_host_fd(out);
	in_fd = file_host_fd(in);
	if (out_fd < 0 || in_fd < 0)
		return -EINVAL;
	if (!a[2])
		return check_broken_pipe(m, t, finish_io(sendfile(out_fd, in_fd, NULL, count)));
	if (copy_from_user(t->mm, &offset, a[2], sizeof(offset)))
		return -EFAULT;
	if (offset < 0)
		return -EINVAL;
	n = check_broken_pipe(m, t, finish_io(sendfile(out_fd, in_fd, (off_t *)&offset, count)));
	if (n >= 0 && copy_to_user(t->mm, a[2], &offset, sizeof(offset)))
		return -EFAULT;
	return n;
}

SYSCALL(openat)
{
	int guest_flags = (int)a[2], host_flags = guest_open_flags_to_host(guest_flags);
	struct file *f;
	long err = open_at(m, t, a[0], a[1], host_flags & ~O_CLOEXEC, (unsigned)a[3] & ~t->fs->umask, &f);

	return err ? err : fd_install(&t->files->fdt, f, 0, guest_flags & G_O_CLOEXEC);
}

SYSCALL(close)
{
	return fd_close(&t->files->fdt, (int)a[0]);
}

#define G_CLOSE_RANGE_UNSHARE	0x2
#define G_CLOSE_RANGE_CLOEXEC	0x4

/* close_range(first, last, flags): UNSHARE gives the task a table of its
 * own first; CLOEXEC marks instead of closing. */
SYSCALL(close_range)
{
	unsigned first = (unsigned)a[0], last = (unsigned)MIN(a[1], (uint64_t)FD_MAX - 1);

	if ((a[2] & ~(uint64_t)(G_CLOSE_RANGE_UNSHARE | G_CLOSE_RANGE_CLOEXEC)) || a[0] > a[1])
		return -EINVAL;
	if ((a[2] & G_CLOSE_RANGE_UNSHARE) && t->files->refs > 1) {
		struct files_struct *own = files_copy(t->files);

		files_put(t->files);
		t->files = own;
	}
	for (unsigned fd = first; fd <= last && fd < FD_MAX; fd++) {
		if (a[2] & G_CLOSE_RANGE_CLOEXEC)
			t->files->fdt.cloexec[fd] = t->files->fdt.files[fd] != NULL;
		else
			fd_close(&t->files->fdt, (int)fd);
	}
	return 0;
}

SYSCALL(lseek)
{
	struct file *f = file_of(t, a[0]);

	if (!f)
		return -EBADF;
	return f->f_op->llseek ? f->f_op->llseek(f, (int64_t)a[1], (int)a[2]) : -ESPIPE;
}

static long put_stat(struct task *t, uint64_t ubuf, const struct statx *stx)
{
	struct guest_stat g = {
		.st_dev = makedev(stx->stx_dev_major, stx->stx_dev_minor), .st_ino = stx->stx_ino,
		.st_mode = stx->stx_mode, .st_nlink = stx->stx_nlink, .st_uid = stx->stx_uid,
		.st_gid = stx->stx_gid, .st_rdev = makedev(stx->stx_rdev_major, stx->stx_rdev_minor),
		.st_size = (int64_t)stx->stx_size, .st_blksize = (int32_t)stx->stx_blksize,
		.st_blocks = (int64_t)stx->stx_blocks,
		.st_atime_sec = stx->stx_atime.tv_sec, .st_atime_nsec = stx->stx_atime.tv_nsec,
		.st_mtime_sec = stx->stx_mtime.tv_sec, .st_mtime_nsec = stx->stx_mtime.tv_nsec,
		.st_ctime_sec = stx->stx_ctime.tv_sec, .st_ctime_nsec = stx->stx_ctime.tv_nsec,
	};

	return copy_to_user(t->mm, ubuf, &g, sizeof(g)) ? -EFAULT : 0;
}

static long stat_file(struct task *t, struct file *f, uint64_t ubuf)
{
	struct statx stx;
	int err = f->f_op->getattr(f, &stx);

	return err ? err : put_stat(t, ubuf, &stx);
}

SYSCALL(fstat)
{
	struct file *f = file_of_raw(t, a[0]);

	return f ? stat_file(t, f, a[1]) : -EBADF;
}

/* The file a *at() call names, with a reference to put: the directory
 * descriptor's own for AT_EMPTY_PATH with "", else an O_PATH open. */
long open_object(struct machine *m, struct task *t, uint64_t dirfd, uint64_t upath,
			uint64_t at_flags, struct file **out)
{
	char first;
	struct file *f;

	if ((at_flags & G_AT_EMPTY_PATH) && !copy_from_user(t->mm, &first, upath, 1) && !first) {
		if ((int)dirfd == G_AT_FDCWD)
			return vfs_open(&m->vfs, t, t->fs->cwd, O_PATH, 0, out);
		f = file_of_raw(t, dirfd);
		if (!f)
			return -EBADF;
		*out = file_get(f);
		return 0;
	}
	return open_at(m, t, dirfd, upath, O_PATH | (at_flags & G_AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0),
		       0, out);
}

SYSCALL(newfstatat)
{
	struct file *f;
	long ret;

	if (a[3] & ~(uint64_t)(G_AT_SYMLINK_NOFOLLOW | G_AT_EMPTY_PATH | 0x800 /* NO_AUTOMOUNT */))
		return -EINVAL;
	ret = open_object(m, t, a[0], a[1], a[3], &f);
	if (ret)
		return ret;
	ret = stat_file(t, f, a[2]);
	file_put(f);
	return ret;
}

SYSCALL(statx)
{
	struct statx stx;
	struct file *f;
	long ret = open_object(m, t, a[0], a[1], a[2], &f);

	if (ret)
		return ret;
	/* struct statx is the same on every architecture. */
	ret = f->f_op->getattr(f, &stx);
	if (!ret && copy_to_user(t->mm, a[4], &stx, sizeof(stx)))
		ret = -EFAULT;
	file_put(f);
	return ret;
}

SYSCALL(getdents64)
{
	struct file *f = file_of(t, a[0]);
	size_t len = (size_t)MIN(a[2], IO_MAX);
	uint8_t *buf;
	long n;

	if (!f)
		return -EBADF;
	if (!f->is_dir || !f->f_op->getdents)
		return -ENOTDIR;
	buf = g_malloc(MAX(len, 1));
	n = f->f_op->getdents(f, buf, len);
	if (n > 0 && copy_to_user(t->mm, a[1], buf, (size_t)n))
		n = -EFAULT;
	g_free(buf);
	return n;
}

SYSCALL(readlinkat)
{
	char target[PATH_MAX_GUEST];
	struct file *f;
	long n;

	if ((int64_t)a[3] <= 0)
		return -EINVAL;
	n = open_at(m, t, a[0], a[1], O_PATH | O_NOFOLLOW, 0, &f);
	if (n)
		return n;
	n = f->f_op->readlink ? f->f_op->readlink(f, target, sizeof(target)) : -EINVAL;
	file_put(f);
	if (n < 0)
		return n;
	n = MIN(n, (long)a[3]);
	return copy_to_user(t->mm, a[2], target, (size_t)n) ? -EFAULT : n;
}

/* access(2) for root, without an opinion of the file's kind: reading and
 * writing are allowed, executing needs an x bit (or a directory). */
static int default_access(struct file *f, int mode)
{
	struct statx stx;
	int err = f->f_op->getattr(f, &stx);

	if (err)
		return err;
	return (mode & X_OK) && !S_ISDIR(stx.stx_mode) && !(stx.stx_mode & 0111) ? -EACCES : 0;
}

/* The credentials access(2) checks with (do_faccessat's override): the
 * real ids as fs ids, and (unless the real id is root) no capability;
 * AT_EACCESS keeps the task's own. */
static struct cred access_cred(const struct cred *c, uint64_t flags)
{
	struct cred as = *c;	/* shares the group list: not released */

	if (flags & G_AT_EACCESS)
		return as;
	as.fsuid = c->uid;
	as.fsgid = c->gid;
	as.cap_effective = c->uid ? 0 : c->cap_permitted;
	return as;
}

static long access_at(struct machine *m, struct task *t, const uint64_t *a, uint64_t flags)
{
	struct cred own = t->cred;
	struct file *f;
	long ret;

	if ((a[2] & ~(uint64_t)7) || (flags & ~(uint64_t)(G_AT_EACCESS | G_AT_SYMLINK_NOFOLLOW |
							  G_AT_EMPTY_PATH)))
		return -EINVAL;
	t->cred = access_cred(&own, flags);	/* the lookup too searches with them */
	ret = open_object(m, t, a[0], a[1], flags, &f);
	if (!ret) {
		ret = file_permission(&t->cred, f, (int)a[2]);
		if (!ret)
			ret = f->f_op->access ? f->f_op->access(f, (int)a[2]) : default_access(f, (int)a[2]);
		file_put(f);
	}
	t->cred = own;
	return ret;
}

SYSCALL(faccessat)
{
	return access_at(m, t, a, 0);
}

SYSCALL(faccessat2)
{
	return access_at(m, t, a, a[3]);
}

SYSCALL(getcwd)
{
	size_t len = strlen(t->fs->cwd) + 1;

	if (a[1] < len)
		return -ERANGE;
	return copy_to_user(t->mm, a[0], t->fs->cwd, len) ? -EFAULT : (long)len;
}

SYSCALL(chdir)
{
	char *path;
	long err = resolve_path(t, (uint64_t)G_AT_FDCWD, a[0], &path);
	struct file *f;

	if (err)
		return err;
	err = vfs_open(&m->vfs, t, path, O_PATH | O_DIRECTORY, 0, &f);
	if (err) {
		g_free(path);
		return err;
	}
	file_put(f);
	g_free(t->fs->cwd);
	t->fs->cwd = g_canonicalize_filename(path, "/");
	g_free(path);
	return 0;
}

SYSCALL(fchdir)
{
	struct file *f = file_of_raw(t, a[0]);

	if (!f)
		return -EBADF;
	if (!f->is_dir)
		return -ENOTDIR;
	g_free(t->fs->cwd);
	t->fs->cwd = g_strdup(f->path);
	return 0;
}

static long dup_to(struct task *t, struct file *f, int min, bool cloexec)
{
	return fd_install(&t->files->fdt, file_get(f), min, cloexec);
}

SYSCALL(fcntl)
{
	struct file *f = file_of_raw(t, a[0]);
	int fd = (int)a[0];

	if (!f)
		return -EBADF;
	switch ((int)a[1]) {
	case G_F_DUPFD:
	case G_F_DUPFD_CLOEXEC:
		if ((int)a[2] < 0 || (int)a[2] >= FD_MAX)
			return -EINVAL;
		return dup_to(t, f, (int)a[2], (int)a[1] == G_F_DUPFD_CLOEXEC);
	case G_F_GETFD:
		return t->files->fdt.cloexec[fd] ? G_FD_CLOEXEC : 0;
	case G_F_SETFD:
		t->files->fdt.cloexec[fd] = a[2] & G_FD_CLOEXEC;
		return 0;
	case G_F_GETFL:
		return host_open_flags_to_guest(f->f_flags);
	case G_F_SETFL:
		if (f->f_flags & O_PATH)
			return -EBADF;
		f->f_flags = (f->f_flags & ~FILE_SETFL_MASK) |
			     (guest_open_flags_to_host((int)a[2]) & FILE_SETFL_MASK);
		return f->f_op->setfl ? f->f_op->setfl(f) : 0;
	case G_F_GETLK:
	case G_F_SETLK:
	case G_F_SETLKW:
		return 0;	/* one process: every lock is granted */
	default:
		return f->f_op->fcntl && !(f->f_flags & O_PATH) ? f->f_op->fcntl(f, (int)a[1], a[2]) : -EINVAL;
	}
}

SYSCALL(dup)
{
	struct file *f = file_of_raw(t, a[0]);

	return f ? dup_to(t, f, 0, false) : -EBADF;
}

SYSCALL(dup3)
{
	struct file *f = file_of_raw(t, a[0]);
	int newfd = (int)a[1];

	if (a[2] & ~(uint64_t)G_O_CLOEXEC)
		return -EINVAL;
	if (!f || newfd < 0 || newfd >= FD_MAX)
		return -EBADF;
	if ((int)a[0] == newfd)
		return -EINVAL;
	fd_close(&t->files->fdt, newfd);
	return dup_to(t, f, newfd, a[2] & G_O_CLOEXEC);
}

SYSCALL(ioctl)
{
	struct file *f = file_of(t, a[0]);

	if (!f)
		return -EBADF;
	/* No guest descriptor is a terminal: terminal queries (TCGETS,
	 * TIOCGWINSZ, TIOCGPGRP, ...) answer as on a pipe or a file. */
	return f->f_op->ioctl ? f->f_op->ioctl(f, t, (unsigned)a[1], a[2]) : -ENOTTY;
}

SYSCALL(umask)
{
	unsigned old = t->fs->umask;

	t->fs->umask = (unsigned)a[0] & 0777;
	return old;
}

const struct syscall_desc fs_syscalls[] = {
	SYSCALL_DESC(17, getcwd, "pu"),
	SYSCALL_DESC(23, dup, "d"),
	SYSCALL_DESC(24, dup3, "ddo"),
	SYSCALL_DESC(25, fcntl, "ddx"),
	SYSCALL_DESC(29, ioctl, "dxp"),
	SYSCALL_DESC(48, faccessat, "Fsd"),
	SYSCALL_DESC(49, chdir, "s"),
	SYSCALL_DESC(50, fchdir, "d"),
	SYSCALL_DESC(56, openat, "Fsom"),
	SYSCALL_DESC(57, close, "d"),
	SYSCALL_DESC(61, getdents64, "dpu"),
	SYSCALL_DESC(62, lseek, "ddd"),
	SYSCALL_DESC(63, read, "dpu"),
	SYSCALL_DESC(64, write, "dbu"),
	SYSCALL_DESC(65, readv, "dpd"),
	SYSCALL_DESC(66, writev, "dpd"),
	SYSCALL_DESC(67, pread64, "dpuu"),
	SYSCALL_DESC(68, pwrite64, "dbuu"),
	SYSCALL_DESC(69, preadv, "dpdu"),
	SYSCALL_DESC(70, pwritev, "dpdu"),
	SYSCALL_DESC(71, sendfile, "ddpu"),
	SYSCALL_DESC(78, readlinkat, "Fspu"),
	SYSCALL_DESC(79, newfstatat, "Fspx"),
	SYSCALL_DESC(80, fstat, "dp"),
	SYSCALL_DESC(166, umask, "m"),
	SYSCALL_DESC(291, statx, "Fsxxp"),
	SYSCALL_DESC(439, faccessat2, "Fsdx"),
	SYSCALL_DESC(286, preadv2, "dpduux"),
	SYSCALL_DESC(287, pwritev2, "dpduux"),
	SYSCALL_DESC(436, close_range, "uux"),
	{ 0 }
};
