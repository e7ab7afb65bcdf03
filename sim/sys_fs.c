/*
 * sys_fs: files and descriptors.  Data moves through a host buffer: one host
 * call per guest call, so pipes and terminals see the same short reads and
 * atomic writes they would see natively.  A single call moves at most
 * IO_MAX bytes (a short count, which POSIX allows).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mmu/uaccess.h"
#include "sim/pipe.h"
#include "sim/signal.h"
#include "sim/syscall.h"

#define IO_MAX (UINT64_C(1) << 20)
#define PATH_MAX_GUEST 4096
#define IOV_MAX_GUEST 1024

static struct file *file_of(struct task *t, uint64_t fd)
{
	return fd_get(&t->files->fdt, (int)fd);
}

/* The guest path `upath` seen from directory descriptor `dirfd`.  An empty
 * path names nothing (ENOENT); AT_EMPTY_PATH is the caller's business. */
static long resolve_path(struct task *t, uint64_t dirfd, uint64_t upath, char **out)
{
	char path[PATH_MAX_GUEST];
	long len = strncpy_from_user(t->mm, path, upath, sizeof(path));
	const char *dir = t->fs->cwd;

	if (len <= 0)
		return len ? len : -ENOENT;
	if (path[0] != '/' && (int)dirfd != G_AT_FDCWD) {
		struct file *f = file_of(t, dirfd);

		if (!f)
			return -EBADF;
		if (!f->is_dir)
			return -ENOTDIR;
		dir = f->path;
	}
	*out = vfs_join(dir, path);
	return 0;
}

/* Open a guest path relative to dirfd; host fd or -errno. */
static int open_at(struct machine *m, struct task *t, uint64_t dirfd, uint64_t upath,
		   int host_flags, unsigned mode, char **path_out)
{
	char *path;
	long err = resolve_path(t, dirfd, upath, &path);
	int fd;

	if (err)
		return (int)err;
	fd = vfs_open(&m->vfs, path, host_flags, mode);
	if (path_out && fd >= 0)
		*path_out = path;
	else
		g_free(path);
	return fd;
}

static long finish_io(long n)
{
	return n < 0 ? -errno : n;
}

/* One read from `f` into `buf`: the host file, or a pipe (which may block). */
static long file_read(struct machine *m, struct task *t, struct file *f, void *buf, size_t len,
		      int64_t offset)
{
	long n;

	if (!f->pipe)
		return finish_io(offset < 0 ? read(f->host_fd, buf, len) : pread(f->host_fd, buf, len, offset));
	if (f->writer)
		return -EBADF;
	if (offset >= 0)
		return -ESPIPE;
	n = pipe_read(f->pipe, buf, len);
	if (n == -EAGAIN && !(f->pipe_flags & G_O_NONBLOCK))
		return block_on(m, t, f->pipe, "pipe read", 0);
	return n;
}

/* The result `n` of a write: one that found no reader (a guest pipe, or a
 * host pipe or socket such as mmusim's standard output read by `head`)
 * raises SIGPIPE in the writer as well, as Linux does. */
static long check_broken_pipe(struct machine *m, struct task *t, long n)
{
	struct sig_info sigpipe = { .signo = G_SIGPIPE, .code = G_SI_USER, .pid = t->proc->pid };

	if (n == -EPIPE)
		send_signal_to_task(m, t, &sigpipe);
	return n;
}

/* One write of `buf` to `f`. */
static long file_write(struct machine *m, struct task *t, struct file *f, const void *buf, size_t len,
		       int64_t offset)
{
	long n;

	if (!f->pipe)
		return check_broken_pipe(m, t, finish_io(offset < 0 ? write(f->host_fd, buf, len) :
							 pwrite(f->host_fd, buf, len, offset)));
	if (!f->writer)
		return -EBADF;
	if (offset >= 0)
		return -ESPIPE;
	n = check_broken_pipe(m, t, pipe_write(f->pipe, buf, len));
	if (n == -EAGAIN && !(f->pipe_flags & G_O_NONBLOCK))
		return block_on(m, t, f->pipe, "pipe write", 0);
	return n;
}

static long read_into_user(struct machine *m, struct task *t, struct file *f, uint64_t ubuf,
			   uint64_t count, int64_t offset)
{
	size_t len = (size_t)MIN(count, IO_MAX);
	uint8_t *buf = g_malloc(MAX(len, 1));
	long n = file_read(m, t, f, buf, len, offset);

	if (n > 0 && copy_to_user(t->mm, ubuf, buf, (size_t)n))
		n = -EFAULT;
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

static long check_rw_file(struct file *f)
{
	if (!f)
		return -EBADF;
	return f->is_dir ? -EISDIR : 0;
}

SYSCALL(read)
{
	struct file *f = file_of(t, a[0]);
	long err = check_rw_file(f);

	return err ? err : read_into_user(m, t, f, a[1], a[2], -1);
}

SYSCALL(write)
{
	struct file *f = file_of(t, a[0]);

	return f ? write_from_user(m, t, f, a[1], a[2], -1) : -EBADF;
}

SYSCALL(pread64)
{
	struct file *f = file_of(t, a[0]);
	long err = check_rw_file(f);

	if ((int64_t)a[3] < 0)
		return -EINVAL;
	return err ? err : read_into_user(m, t, f, a[1], a[2], (int64_t)a[3]);
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

SYSCALL(readv)
{
	struct file *f = file_of(t, a[0]);
	struct guest_iovec *iov;
	uint64_t total, done = 0;
	long n = check_rw_file(f);
	uint8_t *buf;

	if (n || (n = read_iovecs(t, a[1], a[2], &iov, &total)))
		return n;
	buf = g_malloc(MAX(total, 1));
	n = file_read(m, t, f, buf, total, -1);
	for (uint64_t i = 0; n > 0 && done < (uint64_t)n && i < a[2]; i++) {
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

SYSCALL(writev)
{
	struct file *f = file_of(t, a[0]);
	struct guest_iovec *iov;
	uint64_t total, done = 0;
	long n = f ? 0 : -EBADF;
	uint8_t *buf;

	if (n || (n = read_iovecs(t, a[1], a[2], &iov, &total)))
		return n;
	buf = g_malloc(MAX(total, 1));
	for (uint64_t i = 0; i < a[2] && done < total; i++) {
		uint64_t part = MIN(iov[i].len, total - done);

		if (copy_from_user(t->mm, buf + done, iov[i].base, part)) {
			n = -EFAULT;
			break;
		}
		done += part;
	}
	if (!n)
		n = file_write(m, t, f, buf, total, -1);
	g_free(buf);
	g_free(iov);
	return n;
}

SYSCALL(sendfile)
{
	struct file *out = file_of(t, a[0]), *in = file_of(t, a[1]);
	size_t count = (size_t)MIN(a[3], IO_MAX);
	int64_t offset;
	long n;

	if (!out || !in)
		return -EBADF;
	if (out->pipe || in->pipe)
		return -EINVAL;	/* callers fall back to read and write */
	if (!a[2])
		return check_broken_pipe(m, t, finish_io(sendfile(out->host_fd, in->host_fd, NULL, count)));
	if (copy_from_user(t->mm, &offset, a[2], sizeof(offset)))
		return -EFAULT;
	if (offset < 0)
		return -EINVAL;
	n = check_broken_pipe(m, t, finish_io(sendfile(out->host_fd, in->host_fd, (off_t *)&offset, count)));
	if (n >= 0 && copy_to_user(t->mm, a[2], &offset, sizeof(offset)))
		return -EFAULT;
	return n;
}

SYSCALL(openat)
{
	int guest_flags = (int)a[2], host_flags = guest_open_flags_to_host(guest_flags);
	char *path = NULL;
	int fd = open_at(m, t, a[0], a[1], host_flags & ~O_CLOEXEC, (unsigned)a[3] & ~t->fs->umask, &path);
	struct stat st;

	if (fd < 0)
		return fd;
	fstat(fd, &st);
	fd = fd_install(&t->files->fdt, file_new(fd, path, S_ISDIR(st.st_mode)), 0,
			guest_flags & G_O_CLOEXEC);
	g_free(path);
	return fd;
}

SYSCALL(close)
{
	return fd_close(&t->files->fdt, (int)a[0]);
}

SYSCALL(lseek)
{
	struct file *f = file_of(t, a[0]);

	if (!f)
		return -EBADF;
	if (f->pipe)
		return -ESPIPE;
	if (a[2] > SEEK_HOLE)	/* SEEK_SET ... SEEK_HOLE have the same values everywhere */
		return -EINVAL;
	return finish_io(lseek(f->host_fd, (off_t)a[1], (int)a[2]));
}

static long put_stat(struct task *t, uint64_t ubuf, const struct stat *st)
{
	struct guest_stat g = {
		.st_dev = st->st_dev, .st_ino = st->st_ino, .st_mode = st->st_mode,
		.st_nlink = (uint32_t)st->st_nlink, .st_uid = st->st_uid, .st_gid = st->st_gid,
		.st_rdev = st->st_rdev, .st_size = st->st_size, .st_blksize = (int32_t)st->st_blksize,
		.st_blocks = st->st_blocks,
		.st_atime_sec = st->st_atim.tv_sec, .st_atime_nsec = (uint64_t)st->st_atim.tv_nsec,
		.st_mtime_sec = st->st_mtim.tv_sec, .st_mtime_nsec = (uint64_t)st->st_mtim.tv_nsec,
		.st_ctime_sec = st->st_ctim.tv_sec, .st_ctime_nsec = (uint64_t)st->st_ctim.tv_nsec,
	};

	return copy_to_user(t->mm, ubuf, &g, sizeof(g)) ? -EFAULT : 0;
}

SYSCALL(fstat)
{
	struct file *f = file_of(t, a[0]);
	struct stat st;

	if (!f)
		return -EBADF;
	if (f->pipe) {
		memset(&st, 0, sizeof(st));
		st.st_mode = S_IFIFO | 0600;
		st.st_nlink = 1;
		st.st_blksize = PIPE_BUF;
		st.st_ino = (ino_t)(uintptr_t)f->pipe;
		return put_stat(t, a[1], &st);
	}
	return fstat(f->host_fd, &st) < 0 ? -errno : put_stat(t, a[1], &st);
}

/* A host descriptor for the object a *at() call names: the directory fd
 * itself for AT_EMPTY_PATH with "", else an O_PATH open of the path. */
static int open_object(struct machine *m, struct task *t, uint64_t dirfd, uint64_t upath,
		       uint64_t at_flags, bool *temporary)
{
	char first;
	struct file *f;

	*temporary = false;
	if ((at_flags & G_AT_EMPTY_PATH) && !copy_from_user(t->mm, &first, upath, 1) && !first) {
		if ((int)dirfd == G_AT_FDCWD)
			return vfs_open(&m->vfs, t->fs->cwd, O_PATH, 0);
		f = file_of(t, dirfd);
		return f ? f->host_fd : -EBADF;
	}
	*temporary = true;
	return open_at(m, t, dirfd, upath,
		       O_PATH | (at_flags & G_AT_SYMLINK_NOFOLLOW ? O_NOFOLLOW : 0), 0, NULL);
}

static void close_object(int fd, bool temporary)
{
	if (temporary && fd >= 0)
		close(fd);
}

SYSCALL(newfstatat)
{
	bool temporary;
	struct stat st;
	int fd;
	long ret;

	if (a[3] & ~(uint64_t)(G_AT_SYMLINK_NOFOLLOW | G_AT_EMPTY_PATH | 0x800 /* NO_AUTOMOUNT */))
		return -EINVAL;
	fd = open_object(m, t, a[0], a[1], a[3], &temporary);
	if (fd < 0)
		return fd;
	ret = fstat(fd, &st) < 0 ? -errno : put_stat(t, a[2], &st);
	close_object(fd, temporary);
	return ret;
}

SYSCALL(statx)
{
	bool temporary;
	struct statx stx;
	int fd = open_object(m, t, a[0], a[1], a[2], &temporary);
	long ret;

	if (fd < 0)
		return fd;
	/* struct statx is the same on every architecture. */
	ret = statx(fd, "", AT_EMPTY_PATH | (int)(a[2] & 0x6000 /* AT_STATX_SYNC_TYPE */),
		    (unsigned)a[3], &stx) < 0 ? -errno :
	      copy_to_user(t->mm, a[4], &stx, sizeof(stx)) ? -EFAULT : 0;
	close_object(fd, temporary);
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
	if (!f->is_dir)
		return -ENOTDIR;
	buf = g_malloc(MAX(len, 1));
	/* struct linux_dirent64 is the same on every architecture. */
	n = finish_io(syscall(SYS_getdents64, f->host_fd, buf, len));
	if (n > 0 && copy_to_user(t->mm, a[1], buf, (size_t)n))
		n = -EFAULT;
	g_free(buf);
	return n;
}

SYSCALL(readlinkat)
{
	char target[PATH_MAX_GUEST], *path;
	long n;
	int fd;

	if ((int64_t)a[3] <= 0)
		return -EINVAL;
	n = resolve_path(t, a[0], a[1], &path);
	if (n)
		return n;
	if (!strcmp(path, "/proc/self/exe")) {
		n = (long)g_strlcpy(target, t->proc->exe, sizeof(target));
	} else {
		fd = vfs_open(&m->vfs, path, O_PATH | O_NOFOLLOW, 0);
		n = fd < 0 ? fd : finish_io(readlinkat(fd, "", target, sizeof(target)));
		if (fd >= 0)
			close(fd);
	}
	g_free(path);
	if (n < 0)
		return n;
	n = MIN(n, (long)a[3]);
	return copy_to_user(t->mm, a[2], target, (size_t)n) ? -EFAULT : n;
}

static long access_at(struct machine *m, struct task *t, const uint64_t *a, uint64_t flags)
{
	bool temporary;
	int fd;
	long ret;

	if ((a[2] & ~(uint64_t)7) || (flags & ~(uint64_t)(G_AT_EACCESS | G_AT_SYMLINK_NOFOLLOW |
							  G_AT_EMPTY_PATH)))
		return -EINVAL;
	fd = open_object(m, t, a[0], a[1], flags, &temporary);
	if (fd < 0)
		return fd;
	ret = faccessat(fd, "", (int)a[2], AT_EMPTY_PATH) < 0 ? -errno : 0;
	if (!ret && (a[2] & W_OK) && !m->vfs.writable)
		ret = -EROFS;
	close_object(fd, temporary);
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

#define G_UTIME_NOW	((1L << 30) - 1)
#define G_UTIME_OMIT	((1L << 30) - 2)

/* utimensat(dirfd, path or NULL for dirfd itself, times[2], flags) */
SYSCALL(utimensat)
{
	struct guest_timespec times[2];
	struct timespec host[2];
	bool temporary = false;
	char proc[64];
	int fd;
	long ret;

	if (a[3] & ~(uint64_t)(G_AT_SYMLINK_NOFOLLOW | G_AT_EMPTY_PATH))
		return -EINVAL;
	if (a[2] && copy_from_user(t->mm, times, a[2], sizeof(times)))
		return -EFAULT;
	for (int i = 0; a[2] && i < 2; i++) {
		if (times[i].tv_nsec != G_UTIME_NOW && times[i].tv_nsec != G_UTIME_OMIT &&
		    (times[i].tv_nsec < 0 || times[i].tv_nsec >= 1000000000))
			return -EINVAL;
		host[i] = (struct timespec){ times[i].tv_sec, times[i].tv_nsec };	/* same markers */
	}
	if (a[1]) {
		fd = open_object(m, t, a[0], a[1], a[3], &temporary);
	} else {
		struct file *f = file_of(t, a[0]);

		fd = f ? f->host_fd : -EBADF;
	}
	if (fd < 0)
		return fd;
	/* The object exists: only now does a read-only root say so. */
	if (!m->vfs.writable) {
		close_object(fd, temporary);
		return -EROFS;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ret = utimensat(AT_FDCWD, proc, a[2] ? host : NULL, 0) < 0 ? -errno : 0;
	close_object(fd, temporary);
	return ret;
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
	int fd;

	if (err)
		return err;
	fd = vfs_open(&m->vfs, path, O_PATH | O_DIRECTORY, 0);
	if (fd < 0) {
		g_free(path);
		return fd;
	}
	close(fd);
	g_free(t->fs->cwd);
	t->fs->cwd = g_canonicalize_filename(path, "/");
	g_free(path);
	return 0;
}

SYSCALL(fchdir)
{
	struct file *f = file_of(t, a[0]);

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
	struct file *f = file_of(t, a[0]);
	int fd = (int)a[0], host_flags;

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
		if (f->pipe)
			return (f->writer ? 1 /* O_WRONLY */ : 0) | f->pipe_flags;
		host_flags = fcntl(f->host_fd, F_GETFL);
		return host_flags < 0 ? -errno : host_open_flags_to_guest(host_flags & ~O_CLOEXEC);
	case G_F_SETFL:
		if (f->pipe) {
			f->pipe_flags = (int)a[2] & (G_O_NONBLOCK | G_O_APPEND);
			return 0;
		}
		return fcntl(f->host_fd, F_SETFL, guest_open_flags_to_host((int)a[2])) < 0 ? -errno : 0;
	case G_F_GETLK:
	case G_F_SETLK:
	case G_F_SETLKW:
		return 0;	/* one process: every lock is granted */
	default:
		return -EINVAL;
	}
}

SYSCALL(dup)
{
	struct file *f = file_of(t, a[0]);

	return f ? dup_to(t, f, 0, false) : -EBADF;
}

SYSCALL(dup3)
{
	struct file *f = file_of(t, a[0]);
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

#define G_FIONREAD 0x541b

SYSCALL(ioctl)
{
	struct file *f = file_of(t, a[0]);
	int32_t avail;

	if (!f)
		return -EBADF;
	if (a[1] == G_FIONREAD && f->pipe) {
		avail = (int32_t)f->pipe->len;
		return copy_to_user(t->mm, a[2], &avail, sizeof(avail)) ? -EFAULT : 0;
	}
	/* No guest descriptor is a terminal: terminal queries (TCGETS,
	 * TIOCGWINSZ, TIOCGPGRP, ...) answer as on a pipe or a file. */
	return -ENOTTY;
}

SYSCALL(umask)
{
	unsigned old = t->fs->umask;

	t->fs->umask = (unsigned)a[0] & 0777;
	return old;
}
