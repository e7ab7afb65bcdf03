/*
 * vfs: the guest's files, after Linux's fs/.  Every open file, whatever it
 * is, is a `struct file` whose `f_op` table does the work: host files and
 * the console (sim/file_host.c), pipe ends (sim/pipe.c), and the files of
 * simulator-served file systems (sim/pseudo.c).  The system calls
 * (sys_fs.c, poll.c, sys_mm.c) only ever go through f_op.
 *
 * Paths.  A guest path is first matched, lexically ("//", "." and ".."
 * folded), against the mount table: a path at or below a mount point is
 * looked up in that mount's file system (struct fs_type), one component at
 * a time, following its symbolic links (which may lead back out, as
 * /proc/self/exe does).  Any other path resolves below the host root
 * directory (--root) with openat2(RESOLVE_IN_ROOT), so "..", absolute
 * symlinks and absolute paths never leave it, as under chroot (on a host
 * without openat2, before Linux 5.6, by a walk of the same rules, one name
 * at a time with O_NOFOLLOW opens from the root descriptor); a host
 * object on the host's procfs (reached through a host symlink such as
 * /dev/fd) answers ENOENT, so the host's /proc never shows through.
 * Unless the machine is writable (--writable), anything that would change
 * the host file system answers -EROFS.
 *
 * Files never block: an operation that would wait says -EAGAIN, and the
 * system-call layer blocks the task on `f_wait` unless the file is
 * O_NONBLOCK.  A write that says -EPIPE raises SIGPIPE there too.
 *
 * An open file (an open file description) is shared by reference count
 * between descriptors (dup, fork); a descriptor table maps guest descriptor
 * numbers to open files, with the close-on-exec bit.
 */
#ifndef SIM_VFS_H
#define SIM_VFS_H

#include <fcntl.h>
#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "sim/file.h"
#include "sim/file_host.h"
#include "sim/pseudo.h"

struct task;

struct vfs {
	int root_fd;		/* O_PATH descriptor of the root directory */
	char *root;		/* its host path, for messages */
	dev_t root_dev;		/* and its identity, for ".." there */
	ino_t root_ino;
	bool writable;
	bool by_hand;		/* no openat2 on this host: paths are walked one name at a time */
	GPtrArray *mounts;	/* struct vfs_mount * */
};

int vfs_init(struct vfs *vfs, const char *root, bool writable, GString *error);
void vfs_fini(struct vfs *vfs);
/* Serve the guest path `point` (absolute) from `type`. */
void vfs_mount(struct vfs *vfs, const char *point, const struct fs_type *type, void *data);

/* Absolute guest path of `path` seen from directory `dir` (a guest path). */
char *vfs_join(const char *dir, const char *path);
/* Open a guest path (absolute, already joined) for task `t`: a new file or
 * -errno.  Flags are host open flags; O_PATH opens only a reference. */
int vfs_open(const struct vfs *vfs, struct task *t, const char *path, int flags, unsigned mode,
	     struct file **out);

/* What the last component of a path is (Linux's LAST_NORM...). */
enum last_type { LAST_NORM, LAST_ROOT, LAST_DOT, LAST_DOTDOT };

/* For calls that create, remove or rename the last component of `path`
 * (absolute, already joined): its directory, opened O_PATH (following
 * links), and the component, with "/" after it when `path` ended with
 * slashes (g_free it).  *type says whether the component is "." or ".."
 * (or there is none: "/"); the caller answers those itself, as Linux does,
 * and never hands them to the directory. */
int vfs_open_parent(const struct vfs *vfs, struct task *t, const char *path, struct file **dir,
		    char **name, enum last_type *type);

#endif
