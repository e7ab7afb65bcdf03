#include "sim/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim/permission.h"

#define MAX_SYMLINKS 40		/* Linux's MAXSYMLINKS */

/* `path` (absolute) with "//", "." and ".." folded, lexically.  GLib keeps
 * a leading "//" (POSIX lets systems give it a meaning); Linux does not. */
static char *fold_path(const char *path)
{
	while (path[0] == '/' && path[1] == '/')
		path++;
	return g_canonicalize_filename(path, "/");
}

static void free_mount(struct vfs_mount *mnt)
{
	if (mnt->type->kill)
		mnt->type->kill(mnt->data);
	g_free(mnt->point);
	g_free(mnt);
}

/* Whether this host has openat2 with RESOLVE_IN_ROOT (Linux 5.6). */
static bool has_openat2(int root_fd)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
	long fd = syscall(SYS_openat2, root_fd, ".", &how, sizeof(how));

	if (fd >= 0)
		close((int)fd);
	return fd >= 0 || errno != ENOSYS;
}

int vfs_init(struct vfs *vfs, const char *root, bool writable, GString *error)
{
	struct stat st;

	vfs->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (vfs->root_fd < 0 || fstat(vfs->root_fd, &st) < 0) {
		g_string_printf(error, "--root %s: %s", root, g_strerror(errno));
		if (vfs->root_fd >= 0)
			close(vfs->root_fd);
		return -errno;
	}
	vfs->root = g_strdup(root);
	vfs->root_dev = st.st_dev;
	vfs->root_ino = st.st_ino;
	vfs->writable = writable;
	vfs->by_hand = !has_openat2(vfs->root_fd);
	vfs->mounts = g_ptr_array_new_with_free_func((GDestroyNotify)free_mount);
	return 0;
}

void vfs_fini(struct vfs *vfs)
{
	if (vfs->root_fd >= 0)
		close(vfs->root_fd);
	g_free(vfs->root);
	if (vfs->mounts)
		g_ptr_array_free(vfs->mounts, TRUE);
}

void vfs_mount(struct vfs *vfs, const char *point, const struct fs_type *type, void *data)
{
	struct vfs_mount *mnt = g_new0(struct vfs_mount, 1);

	mnt->point = fold_path(point);
	mnt->type = type;
	mnt->data = data;
	g_ptr_array_add(vfs->mounts, mnt);
}

char *vfs_join(const char *dir, const char *path)
{
	return path[0] == '/' ? g_strdup(path) : g_build_filename(dir, path, NULL);
}

/* The mount serving the folded path `path` (the deepest), and the rest of
 * the path below its mount point. */
static const struct vfs_mount *mount_of(const struct vfs *vfs, const char *path, const char **rest)
{
	const struct vfs_mount *best = NULL;
	size_t best_len = 0;

	for (guint i = 0; i < vfs->mounts->len; i++) {
		const struct vfs_mount *mnt = g_ptr_array_index(vfs->mounts, i);
		size_t len = strlen(mnt->point);

		if (len == 1)
			len = 0;	/* mounted on "/" */
		if (strncmp(path, mnt->point, len) || (path[len] && path[len] != '/') ||
		    (best && len <= best_len))
			continue;
		best = mnt;
		best_len = len;
		*rest = path + len + (path[len] == '/');
	}
	return best;
}

/* The path at which to go on after the symbolic link `parts[i]`: its
 * target, seen from the link's directory, then the parts after it. */
static char *follow_link(const struct vfs_mount *mnt, char **parts, int i, const char *target)
{
	GString *next = g_string_new(target[0] == '/' ? "" : mnt->point);

	for (int j = 0; target[0] != '/' && j < i; j++)
		g_string_append_printf(next, "/%s", parts[j]);
	g_string_append_printf(next, "/%s", target);
	for (int j = i + 1; parts[j]; j++)
		g_string_append_printf(next, "/%s", parts[j]);
	return g_string_free(next, FALSE);
}

/* The credentials whose search permission a walk checks: NULL when there
 * is nothing to check (no task, or one that bypasses the checks). */
static const struct cred *checked_cred(const struct task *t)
{
	return t && !permission_bypassed(task_cred(t)) ? task_cred(t) : NULL;
}

/* Look `rest` up in a mounted file system.  A symbolic link on the way
 * (or at the end, with `follow`) ends the walk with *next, the path to
 * resolve instead.  Each directory searched needs MAY_EXEC. */
static int walk(const struct vfs_mount *mnt, struct task *t, const char *rest, bool follow,
		struct pseudo_node *node, char **next)
{
	char **parts = g_strsplit(rest, "/", -1);
	int err = 0;

	*next = NULL;
	mnt->type->root(node);
	for (int i = 0; parts[i] && !err && !*next; i++) {
		struct pseudo_node child;

		if (!S_ISDIR(node->mode)) {
			err = -ENOTDIR;
			break;
		}
		if (checked_cred(t))
			err = generic_permission(checked_cred(t), node->mode, node->uid, node->gid, MAY_EXEC);
		if (err)
			break;
		err = mnt->type->lookup(mnt->data, t, node, parts[i], &child);
		if (!err && S_ISLNK(child.mode) && (parts[i + 1] || follow)) {
			GString *target = g_string_new(NULL);

			err = mnt->type->readlink(mnt->data, t, &child, target);
			if (!err)
				*next = follow_link(mnt, parts, i, target->str);
			g_string_free(target, TRUE);
		}
		*node = child;
	}
	g_strfreev(parts);
	return err;
}

/* O_CREAT in a file system that creates files: make `rest` (below the
 * mount point) if its directory exists and it does not.  1 when it was
 * made, 0 when there is nothing to do here (it exists, or a link on the
 * way leads elsewhere: the walk follows it), or -errno. */
static int create_in_mount(const struct vfs_mount *mnt, struct task *t, const char *rest, int flags,
			   unsigned mode, bool dir_only)
{
	const char *slash = strrchr(rest, '/');
	char *dir_rest = g_strndup(rest, slash ? (size_t)(slash - rest) : 0), *next;
	const char *name = slash ? slash + 1 : rest;
	struct pseudo_node dir, node;
	int err;

	if (!name[0]) {
		g_free(dir_rest);
		return 0;	/* the mount's root */
	}
	err = walk(mnt, t, dir_rest, true, &dir, &next);
	g_free(dir_rest);
	if (err || next) {
		g_free(next);
		return err;
	}
	if (!S_ISDIR(dir.mode))
		return -ENOTDIR;
	err = mnt->type->lookup(mnt->data, t, &dir, name, &node);
	if (!err)
		return (flags & O_EXCL) ? -EEXIST : 0;
	if (err != -ENOENT)
		return err;
	if (dir_only)
		return -EISDIR;
	err = mnt->type->create(mnt->data, &dir, name, mode, &node);
	return err ? err : 1;
}

static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) ||
	       (flags & O_TMPFILE) == O_TMPFILE;	/* O_TMPFILE includes O_DIRECTORY's bit */
}

/* Replace directory descriptor *dir by `next` (a descriptor or -errno). */
static int step(int *dir, int next)
{
	int err = next < 0 ? -errno : 0;

	close(*dir);
	*dir = next;
	return err;
}

/* The names of `path` before those already in `names`. */
static void push_names(GQueue *names, const char *path)
{
	char **parts = g_strsplit(path, "/", -1);

	for (int i = (int)g_strv_length(parts) - 1; i >= 0; i--) {
		if (parts[i][0] && strcmp(parts[i], "."))
			g_queue_push_head(names, parts[i]);
		else
			g_free(parts[i]);
	}
	g_free(parts);
}

/* 0 or -EACCES: may `cred` (NULL: anyone) search host directory `dir`. */
static int may_search(const struct cred *cred, int dir)
{
	struct stat st;

	if (!cred)
		return 0;
	if (fstat(dir, &st) < 0)
		return -errno;
	return generic_permission(cred, st.st_mode, st.st_uid, st.st_gid, MAY_EXEC);
}

/* openat2(RESOLVE_IN_ROOT) by hand: each name is opened O_NOFOLLOW from
 * its directory's descriptor, ".." of the root is the root, and a link
 * (but the last with O_NOFOLLOW, or O_CREAT|O_EXCL) is read and its names
 * walked instead, from the root when absolute.  Nothing is ever looked up
 * from a host path, so the walk cannot leave the root.  With `cred`, each
 * directory a name is looked up in needs its search permission (the walk
 * the host's openat2 would do as the host's root cannot tell). */
static long walk_in_root(const struct vfs *vfs, const char *path, int flags, unsigned mode,
			 const struct cred *cred)
{
	bool slash = g_str_has_suffix(path, "/"), follow_last = !(flags & O_NOFOLLOW) &&
			(flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	int dir = fcntl(vfs->root_fd, F_DUPFD_CLOEXEC, 3), links = 0, err = dir < 0 ? -errno : 0;
	GQueue *names = g_queue_new();
	char *name = NULL;

	push_names(names, path);
	while (!err && (name = g_queue_pop_head(names))) {
		bool last = g_queue_is_empty(names);
		struct stat st;
		char target[4096];
		long len;

		err = may_search(cred, dir);
		if (err) {
			g_free(name);
			break;
		}
		if (!strcmp(name, "..")) {
			if (fstat(dir, &st) == 0 && (st.st_dev != vfs->root_dev || st.st_ino != vfs->root_ino))
				err = step(&dir, openat(dir, "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
		} else if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode) &&
			   (!last || slash || follow_last)) {
			len = readlinkat(dir, name, target, sizeof(target) - 1);
			err = len < 0 ? -errno : ++links > MAX_SYMLINKS ? -ELOOP : 0;
			if (!err && target[0] == '/')
				err = step(&dir, fcntl(vfs->root_fd, F_DUPFD_CLOEXEC, 3));
			if (!err) {
				target[len] = 0;
				push_names(names, target);
			}
		} else if (!last) {
			err = step(&dir, openat(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
		} else {
			err = step(&dir, openat(dir, name, flags | O_NOFOLLOW | O_CLOEXEC |
							   (slash ? O_DIRECTORY : 0), mode));
			g_free(name);
			g_queue_free_full(names, g_free);
			return err ? err : dir;
		}
		g_free(name);
	}
	g_queue_free_full(names, g_free);
	/* No name left to open (the root, or a path ending in ".."): the
	 * directory reached, opened as asked. */
	if (!err)
		err = step(&dir, openat(dir, ".", flags | O_CLOEXEC, mode));
	else if (dir >= 0)
		close(dir);
	return err ? err : dir;
}

/* `path` is passed relative to the root directory: RESOLVE_IN_ROOT treats
 * both alike, and a path that never names the host's "/" cannot reach it
 * through a leading slash whatever else goes wrong. */
static long openat2_in_root(const struct vfs *vfs, const char *path, int flags, unsigned mode,
			    const struct cred *cred)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd;

	if (vfs->by_hand || cred)
		return walk_in_root(vfs, path, flags, how.mode, cred);
	while (path[0] == '/')
		path++;
	fd = syscall(SYS_openat2, vfs->root_fd, path[0] ? path : ".", &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* On a read-only root, as on a read-only mount, only files of the file
 * system itself are protected: devices, FIFOs and sockets stay writable. */
static int check_read_only(const struct vfs *vfs, const char *path, int flags, const struct cred *cred)
{
	long fd;
	struct stat st;
	bool device;

	if (vfs->writable || !wants_write(flags))
		return 0;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EROFS;
	fd = openat2_in_root(vfs, path, O_PATH, 0, cred);
	if (fd < 0)
		return (flags & O_CREAT) ? -EROFS : (int)fd;
	device = fstat((int)fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
		 !S_ISLNK(st.st_mode);
	close((int)fd);
	return device && !(flags & O_EXCL) ? 0 : -EROFS;
}

/* Open a path below the host root as a host file. */
static int open_host(const struct vfs *vfs, const char *path, int flags, unsigned mode,
		     const struct cred *cred, struct file **out)
{
	int err = check_read_only(vfs, path, flags, cred);
	struct statfs sfs;
	long fd;

	if (err)
		return err;
	fd = openat2_in_root(vfs, path, flags, mode, cred);
	if (fd < 0)
		return (int)fd;
	if (fstatfs((int)fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC) {
		close((int)fd);
		return -ENOENT;	/* the host's /proc, through a host symlink */
	}
	*out = host_file_new((int)fd, path, !vfs->writable);
	return 0;
}

int vfs_open(const struct vfs *vfs, struct task *t, const char *path, int flags, unsigned mode,
	     struct file **out)
{
	/* A trailing "/", "/." or "/.." follows the last link and wants a
	 * directory (folding would lose it). */
	bool dir_only = g_str_has_suffix(path, "/") || g_str_has_suffix(path, "/.") ||
			g_str_has_suffix(path, "/..");
	char *cur = g_strdup(path);
	int err = -ENOENT, links = 0;	/* an empty guest path is ENOENT, as in the kernel */

	while (path[0]) {
		char *folded = fold_path(cur), *next;
		const char *rest;
		const struct vfs_mount *mnt = mount_of(vfs, folded, &rest);
		struct pseudo_node node;

		if (!mnt) {
			g_free(folded);
			if (dir_only && !g_str_has_suffix(cur, "/")) {
				char *slashed = g_strconcat(cur, "/", NULL);

				g_free(cur);
				cur = slashed;
			}
			err = open_host(vfs, cur, flags, mode, checked_cred(t), out);
			break;
		}
		err = 0;
		if ((flags & O_CREAT) && mnt->type->create) {
			err = create_in_mount(mnt, t, rest, flags, mode, dir_only);
			if (err > 0)
				flags &= ~O_EXCL;	/* made now: open it */
		}
		if (err >= 0)
			err = walk(mnt, t, rest, !(flags & O_NOFOLLOW) || dir_only, &node, &next);
		if (!err && !next && dir_only && !S_ISDIR(node.mode))
			err = -ENOTDIR;
		if (!err && !next && mnt->type->open)
			err = mnt->type->open(mnt->data, &node, folded, flags, mode, out);
		else if (!err && !next)
			err = pseudo_open(mnt, t, &node, folded, flags, out);
		g_free(folded);
		if (err || !next)
			break;
		g_free(cur);
		cur = next;
		if (++links > MAX_SYMLINKS) {
			err = -ELOOP;
			break;
		}
	}
	g_free(cur);
	return err;
}

int vfs_open_parent(const struct vfs *vfs, struct task *t, const char *path, struct file **dir,
		    char **name, enum last_type *type)
{
	size_t end = strlen(path), start;
	char *parent;
	int err;

	*name = NULL;
	while (end > 0 && path[end - 1] == '/')
		end--;
	if (end == 0) {
		*type = LAST_ROOT;
		return vfs_open(vfs, t, "/", O_PATH | O_DIRECTORY, 0, dir);
	}
	for (start = end; start > 0 && path[start - 1] != '/';)
		start--;
	*name = g_strndup(path + start, end - start);
	*type = !strcmp(*name, ".") ? LAST_DOT : !strcmp(*name, "..") ? LAST_DOTDOT : LAST_NORM;
	if (path[end]) {
		char *slashed = g_strconcat(*name, "/", NULL);

		g_free(*name);
		*name = slashed;
	}
	parent = g_strndup(path, start);
	err = vfs_open(vfs, t, parent, O_PATH | O_DIRECTORY, 0, dir);
	g_free(parent);
	if (err)
		g_clear_pointer(name, g_free);
	return err;
}
