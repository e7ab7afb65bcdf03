/*
 * sys_fswrite: the calls that change the file system, after Linux's
 * fs/namei.c (mkdirat, unlinkat, symlinkat, linkat, renameat2), fs/open.c
 * (truncate, fallocate, chmod and chown families), fs/utimes.c, fs/sync.c
 * and fs/statfs.c.
 *
 * This layer does what Linux does before a file system is asked: argument
 * and flag checks, the answers for a last component that is "." or ".."
 * (which a directory's operations never see), EXDEV between files of
 * different kinds, UTIME_NOW as the simulated time.  The rest is the
 * file's f_op (sim/file.h): a NULL member gives Linux's answer for a file
 * system without that operation.  Host files confine every name to the
 * root and answer EROFS below a read-only root (sim/file_host.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "mmu/uaccess.h"
#include "sim/permission.h"
#include "sim/sys_fs.h"
#include "sim/syscall.h"

#define PATH_MAX_GUEST 4096
#define NSEC_PER_SEC INT64_C(1000000000)

#define G_RENAME_NOREPLACE	(1 << 0)
#define G_RENAME_EXCHANGE	(1 << 1)
#define G_RENAME_WHITEOUT	(1 << 2)
#define G_AT_SYMLINK_FOLLOW	0x400
#define G_UTIME_NOW		((1L << 30) - 1)
#define G_UTIME_OMIT		((1L << 30) - 2)

/* A name to create, remove or rename: the directory and the last component
 * of the guest path `upath` seen from `dirfd`. */
struct last {
	struct file *dir;
	char *name;
	enum last_type type;
	char *path;		/* the whole path */
};

static void put_last(struct last *last)
{
	file_put(last->dir);
	g_free(last->name);
	g_free(last->path);
}

/* What a call does to the entry it names, for the checks of its
 * directory (may_create, may_delete): the call's own EEXIST or ENOENT
 * comes before them. */
enum entry_change {
	ENTRY_CREATE,	/* checked unless the name exists */
	ENTRY_DELETE,	/* checked if it exists */
	ENTRY_REPLACE,	/* checked always (a rename's target) */
};

/* Whether the task may change the entry `last` names: writing and
 * searching its directory, and in a sticky directory owning the entry or
 * the directory (or CAP_FOWNER). */
static long may_change_entry(struct machine *m, struct task *t, const struct last *last,
			     enum entry_change how)
{
	struct statx dir, entry;
	struct file *f;
	long err;
	bool exists = !vfs_open(&m->vfs, t, last->path, O_PATH | O_NOFOLLOW, 0, &f);

	if (exists) {
		err = f->f_op->getattr(f, &entry);
		file_put(f);
		if (err)
			return err;
	}
	if (exists ? how == ENTRY_CREATE : how == ENTRY_DELETE)
		return 0;
	err = file_permission(&t->cred, last->dir, MAY_WRITE | MAY_EXEC);
	if (err || !exists || how == ENTRY_CREATE)
		return err;
	err = last->dir->f_op->getattr(last->dir, &dir);
	return err ? err : check_sticky(&t->cred, dir.stx_mode, dir.stx_uid, entry.stx_uid);
}

static long get_last(struct machine *m, struct task *t, uint64_t dirfd, uint64_t upath,
		     enum entry_change how, struct last *last)
{
	long err = resolve_path(t, dirfd, upath, &last->path);

	if (err)
		return err;
	err = vfs_open_parent(&m->vfs, t, last->path, &last->dir, &last->name, &last->type);
	if (err) {
		g_clear_pointer(&last->path, g_free);
		return err;
	}
	if (last->type == LAST_NORM && !permission_bypassed(&t->cred))
		err = may_change_entry(m, t, last, how);
	if (err)
		put_last(last);
	return err;
}

/* A new entry belongs to its maker's fs ids (root's are the host's). */
static void own_new_entry(struct machine *m, struct task *t, const char *path)
{
	struct file *f;

	if (permission_bypassed(&t->cred) || vfs_open(&m->vfs, t, path, O_PATH | O_NOFOLLOW, 0, &f))
		return;
	if (f->f_op->chown)
		f->f_op->chown(f, t->cred.fsuid, t->cred.fsgid);
	file_put(f);
}

SYSCALL(mkdirat)
{
	struct last last;
	long err = get_last(m, t, a[0], a[1], ENTRY_CREATE, &last);

	if (err)
		return err;
	if (last.type != LAST_NORM)
		err = -EEXIST;
	else if (!last.dir->f_op->mkdir)
		err = -EPERM;
	else
		err = last.dir->f_op->mkdir(last.dir, last.name, (unsigned)a[2] & 01777 & ~t->fs->umask);
	if (!err)
		own_new_entry(m, t, last.path);
	put_last(&last);
	return err;
}

/* unlinkat(dirfd, path, 0 or AT_REMOVEDIR) */
SYSCALL(unlinkat)
{
	bool rmdir = a[2] & G_AT_REMOVEDIR;
	struct last last;
	long err;

	if (a[2] & ~(uint64_t)G_AT_REMOVEDIR)
		return -EINVAL;
	err = get_last(m, t, a[0], a[1], ENTRY_DELETE, &last);
	if (err)
		return err;
	if (last.type != LAST_NORM && !rmdir)
		err = -EISDIR;
	else if (last.type != LAST_NORM)
		err = last.type == LAST_DOT ? -EINVAL : last.type == LAST_DOTDOT ? -ENOTEMPTY : -EBUSY;
	else if (!last.dir->f_op->unlink)
		err = -EPERM;
	else
		err = last.dir->f_op->unlink(last.dir, last.name, rmdir);
	put_last(&last);
	return err;
}

/* symlinkat(target, dirfd, path) */
SYSCALL(symlinkat)
{
	char target[PATH_MAX_GUEST];
	long len = strncpy_from_user(t->mm, target, a[0], sizeof(target));
	struct last last;
	long err;

	if (len <= 0)
		return len ? len : -ENOENT;
	err = get_last(m, t, a[1], a[2], ENTRY_CREATE, &last);
	if (err)
		return err;
	if (last.type != LAST_NORM)
		err = -EEXIST;
	else if (!last.dir->f_op->symlink)
		err = -EPERM;
	else
		err = last.dir->f_op->symlink(last.dir, last.name, target);
	if (!err)
		own_new_entry(m, t, last.path);
	put_last(&last);
	return err;
}

/* linkat(olddirfd, oldpath, newdirfd, newpath, AT_SYMLINK_FOLLOW |
 * AT_EMPTY_PATH): the old path's last link is followed only when asked. */
SYSCALL(linkat)
{
	uint64_t flags = a[4], at_flags;
	struct file *old;
	struct last last;
	long err;

	if (flags & ~(uint64_t)(G_AT_SYMLINK_FOLLOW | G_AT_EMPTY_PATH))
		return -EINVAL;
	at_flags = (flags & G_AT_EMPTY_PATH) | (flags & G_AT_SYMLINK_FOLLOW ? 0 : G_AT_SYMLINK_NOFOLLOW);
	err = open_object(m, t, a[0], a[1], at_flags, &old);
	if (err)
		return err;
	err = get_last(m, t, a[2], a[3], ENTRY_CREATE, &last);
	if (err) {
		file_put(old);
		return err;
	}
	if (last.type != LAST_NORM)
		err = -EEXIST;
	else if (last.dir->f_op != old->f_op)
		err = -EXDEV;
	else if (!last.dir->f_op->link)
		err = -EPERM;
	else
		err = last.dir->f_op->link(old, last.dir, last.name);
	put_last(&last);
	file_put(old);
	return err;
}

static long rename_at(struct machine *m, struct task *t, const uint64_t *a, uint64_t flags)
{
	struct last from, to;
	long err;

	if ((flags & ~(uint64_t)(G_RENAME_NOREPLACE | G_RENAME_EXCHANGE | G_RENAME_WHITEOUT)) ||
	    ((flags & (G_RENAME_NOREPLACE | G_RENAME_WHITEOUT)) && (flags & G_RENAME_EXCHANGE)))
		return -EINVAL;
	err = get_last(m, t, a[0], a[1], ENTRY_DELETE, &from);
	if (err)
		return err;
	err = get_last(m, t, a[2], a[3], ENTRY_REPLACE, &to);
	if (err) {
		put_last(&from);
		return err;
	}
	if (from.dir->f_op != to.dir->f_op)
		err = -EXDEV;
	else if (from.type != LAST_NORM)
		err = -EBUSY;
	else if (to.type != LAST_NORM)
		err = flags & G_RENAME_NOREPLACE ? -EEXIST : -EBUSY;
	else if (!from.dir->f_op->rename)
		err = -EPERM;
	else
		err = from.dir->f_op->rename(from.dir, from.name, to.dir, to.name, (unsigned)flags);
	put_last(&to);
	put_last(&from);
	return err;
}

SYSCALL(renameat)
{
	return rename_at(m, t, a, 0);
}

SYSCALL(renameat2)
{
	return rename_at(m, t, a, a[4]);
}

/* What a call does to the object a path names, with the call's `arg`. */
typedef long (*object_fn)(struct task *t, struct file *f, const void *arg);

/* Run `fn` on the object `upath` names from `dirfd` (with AT_* flags). */
static long on_object(struct machine *m, struct task *t, uint64_t dirfd, uint64_t upath,
		      uint64_t at_flags, object_fn fn, const void *arg)
{
	struct file *f;
	long err = open_object(m, t, dirfd, upath, at_flags, &f);

	if (err)
		return err;
	err = fn(t, f, arg);
	file_put(f);
	return err;
}

/* Only the owner (or CAP_FOWNER) changes a mode (setattr_prepare). */
static long do_chmod(struct task *t, struct file *f, uint64_t mode)
{
	struct statx stx;
	int err = check_owner(&t->cred, f, &stx);

	if (err)
		return err;
	return f->f_op->chmod ? f->f_op->chmod(f, (unsigned)mode & 07777) : -EPERM;
}

SYSCALL(fchmod)
{
	struct file *f = file_of(t, a[0]);

	return f ? do_chmod(t, f, a[1]) : -EBADF;
}

/* fchmodat(dirfd, path, mode) and fchmodat2(..., flags): `mode` is a[2]. */
static long chmod_object(struct task *t, struct file *f, const void *mode)
{
	return do_chmod(t, f, *(const uint64_t *)mode);
}

SYSCALL(fchmodat)
{
	return on_object(m, t, a[0], a[1], 0, chmod_object, &a[2]);
}

SYSCALL(fchmodat2)
{
	if (a[3] & ~(uint64_t)(G_AT_SYMLINK_NOFOLLOW | G_AT_EMPTY_PATH))
		return -EINVAL;
	return on_object(m, t, a[0], a[1], a[3], chmod_object, &a[2]);
}

/* Changing an owner needs CAP_CHOWN (changing only the group to one of the
 * caller's own does not): sim/permission's may_chown. */
static long do_chown(struct task *t, struct file *f, uint64_t uid, uint64_t gid)
{
	int err = may_chown(&t->cred, f, (uint32_t)uid, (uint32_t)gid);

	if (err)
		return err;
	return f->f_op->chown ? f->f_op->chown(f, (uint32_t)uid, (uint32_t)gid) : -EPERM;
}

SYSCALL(fchown)
{
	struct file *f = file_of(t, a[0]);

	return f ? do_chown(t, f, a[1], a[2]) : -EBADF;
}

/* fchownat(dirfd, path, uid, gid, flags): `ids` is &a[2]. */
static long chown_object(struct task *t, struct file *f, const void *ids)
{
	return do_chown(t, f, ((const uint64_t *)ids)[0], ((const uint64_t *)ids)[1]);
}

SYSCALL(fchownat)
{
	if (a[4] & ~(uint64_t)(G_AT_SYMLINK_NOFOLLOW | G_AT_EMPTY_PATH))
		return -EINVAL;
	return on_object(m, t, a[0], a[1], a[4], chown_object, &a[2]);
}

static long do_truncate(struct file *f, int64_t length)
{
	return f->f_op->truncate ? f->f_op->truncate(f, length) : -EINVAL;
}

/* truncate(path, length) */
static long truncate_object(struct task *t, struct file *f, const void *length)
{
	(void)t;
	return f->is_dir ? -EISDIR : do_truncate(f, *(const int64_t *)length);
}

SYSCALL(truncate)
{
	if ((int64_t)a[1] < 0)
		return -EINVAL;
	return on_object(m, t, (uint64_t)G_AT_FDCWD, a[0], 0, truncate_object, &a[1]);
}

/* A descriptor not open for writing, or a directory, is EINVAL. */
SYSCALL(ftruncate)
{
	struct file *f = file_of(t, a[0]);

	if ((int64_t)a[1] < 0)
		return -EINVAL;
	if (!f)
		return -EBADF;
	if ((f->f_flags & O_ACCMODE) == O_RDONLY || f->is_dir)
		return -EINVAL;
	return do_truncate(f, (int64_t)a[1]);
}

/* fallocate(fd, mode, offset, len): modes 0 and FALLOC_FL_KEEP_SIZE;
 * PUNCH_HOLE (only with KEEP_SIZE) where the file supports it. */
SYSCALL(fallocate)
{
	struct file *f = file_of(t, a[0]);
	int64_t offset = (int64_t)a[2], len = (int64_t)a[3];

	if (offset < 0 || len <= 0)
		return -EINVAL;
	if ((a[1] & ~(uint64_t)(G_FALLOC_FL_KEEP_SIZE | G_FALLOC_FL_PUNCH_HOLE)) ||
	    ((a[1] & G_FALLOC_FL_PUNCH_HOLE) && !(a[1] & G_FALLOC_FL_KEEP_SIZE)))
		return -EOPNOTSUPP;
	if (!f || (f->f_flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	if (offset > INT64_MAX - len)
		return -EFBIG;
	return f->f_op->fallocate ? f->f_op->fallocate(f, (int)a[1], offset, len) : -EOPNOTSUPP;
}

static long do_fsync(struct task *t, uint64_t fd, bool datasync)
{
	struct file *f = file_of(t, fd);

	if (!f)
		return -EBADF;
	return f->f_op->fsync ? f->f_op->fsync(f, datasync) : -EINVAL;
}

SYSCALL(fsync)
{
	return do_fsync(t, a[0], false);
}

SYSCALL(fdatasync)
{
	return do_fsync(t, a[0], true);
}

/* The host file system below the root is the only one with anything to
 * write out (simulator-served ones live in memory). */
SYSCALL(sync)
{
	(void)t, (void)a;
	syncfs(m->vfs.root_fd);
	return 0;
}

SYSCALL(syncfs)
{
	struct file *f = file_of(t, a[0]);
	int fd;

	if (!f)
		return -EBADF;
	fd = file_host_fd(f);
	return fd >= 0 && syncfs(fd) < 0 ? -errno : 0;
}

static long put_statfs(struct task *t, uint64_t ubuf, struct file *f)
{
	struct statfs st;
	struct guest_statfs g;
	int err = f->f_op->statfs ? f->f_op->statfs(f, &st) : -ENOSYS;

	if (err)
		return err;
	g = (struct guest_statfs){
		.f_type = st.f_type, .f_bsize = st.f_bsize, .f_blocks = st.f_blocks,
		.f_bfree = st.f_bfree, .f_bavail = st.f_bavail, .f_files = st.f_files,
		.f_ffree = st.f_ffree, .f_namelen = st.f_namelen, .f_frsize = st.f_frsize,
		.f_flags = st.f_flags,
	};
	memcpy(g.f_fsid, &st.f_fsid, sizeof(g.f_fsid));
	return copy_to_user(t->mm, ubuf, &g, sizeof(g)) ? -EFAULT : 0;
}

/* statfs(path, buf) */
static long statfs_object(struct task *t, struct file *f, const void *ubuf)
{
	return put_statfs(t, *(const uint64_t *)ubuf, f);
}

SYSCALL(statfs)
{
	return on_object(m, t, (uint64_t)G_AT_FDCWD, a[0], 0, statfs_object, &a[1]);
}

SYSCALL(fstatfs)
{
	struct file *f = file_of_raw(t, a[0]);

	return f ? put_statfs(t, a[1], f) : -EBADF;
}

/* The guest's times[2] as host timespecs, UTIME_NOW made the simulated
 * CLOCK_REALTIME: 1 when both are UTIME_OMIT (nothing to do). */
static long get_times(struct machine *m, struct task *t, uint64_t utimes, struct timespec host[2])
{
	int64_t now = SIM_EPOCH * NSEC_PER_SEC + (int64_t)machine_now_ns(m);
	struct guest_timespec times[2] = { { 0, G_UTIME_NOW }, { 0, G_UTIME_NOW } };

	if (utimes && copy_from_user(t->mm, times, utimes, sizeof(times)))
		return -EFAULT;
	if (times[0].tv_nsec == G_UTIME_OMIT && times[1].tv_nsec == G_UTIME_OMIT)
		return 1;
	for (int i = 0; i < 2; i++) {
		if (times[i].tv_nsec != G_UTIME_NOW && times[i].tv_nsec != G_UTIME_OMIT &&
		    (times[i].tv_nsec < 0 || times[i].tv_nsec >= NSEC_PER_SEC))
			return -EINVAL;
		if (times[i].tv_nsec == G_UTIME_NOW)
			host[i] = (struct timespec){ now / NSEC_PER_SEC, now % NSEC_PER_SEC };
		else	/* UTIME_OMIT has the same value on the host */
			host[i] = (struct timespec){ times[i].tv_sec, times[i].tv_nsec };
	}
	return 0;
}

static long do_utimens(struct task *t, struct file *f, const void *times)
{
	(void)t;
	return f->f_op->utimens ? f->f_op->utimens(f, times) : -EPERM;
}

/* utimensat(dirfd, path or NULL for dirfd itself, times[2] or NULL, flags).
 * Both times UTIME_OMIT: nothing to do, the path is not even looked at. */
SYSCALL(utimensat)
{
	struct timespec times[2];
	long ret = get_times(m, t, a[2], times);
	struct file *f;

	if (ret)
		return ret < 0 ? ret : 0;
	if (a[1]) {
		if (a[3] & ~(uint64_t)(G_AT_SYMLINK_NOFOLLOW | G_AT_EMPTY_PATH))
			return -EINVAL;
		return on_object(m, t, a[0], a[1], a[3], do_utimens, times);
	}
	if ((int)a[0] == G_AT_FDCWD)
		return -EFAULT;
	if (a[3])
		return -EINVAL;
	f = file_of(t, a[0]);
	return f ? do_utimens(t, f, times) : -EBADF;
}

const struct syscall_desc fswrite_syscalls[] = {
	SYSCALL_DESC(34, mkdirat, "Fsm"),
	SYSCALL_DESC(35, unlinkat, "Fsx"),
	SYSCALL_DESC(36, symlinkat, "sFs"),
	SYSCALL_DESC(37, linkat, "FsFsx"),
	SYSCALL_DESC(38, renameat, "FsFs"),
	SYSCALL_DESC(43, statfs, "sp"),
	SYSCALL_DESC(44, fstatfs, "dp"),
	SYSCALL_DESC(45, truncate, "sd"),
	SYSCALL_DESC(46, ftruncate, "dd"),
	SYSCALL_DESC(47, fallocate, "dxdd"),
	SYSCALL_DESC(52, fchmod, "dm"),
	SYSCALL_DESC(53, fchmodat, "Fsm"),
	SYSCALL_DESC(54, fchownat, "Fsddx"),
	SYSCALL_DESC(55, fchown, "ddd"),
	SYSCALL_DESC(81, sync, ""),
	SYSCALL_DESC(82, fsync, "d"),
	SYSCALL_DESC(83, fdatasync, "d"),
	SYSCALL_DESC(88, utimensat, "Fspx"),
	SYSCALL_DESC(267, syncfs, "d"),
	SYSCALL_DESC(276, renameat2, "FsFsx"),
	SYSCALL_DESC(452, fchmodat2, "Fsmx"),
	{ 0 }
};
