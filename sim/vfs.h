/*
 * vfs: the guest's files.  Guest paths resolve below a host root directory
 * (--root) with openat2(RESOLVE_IN_ROOT), so "..", absolute symlinks and
 * absolute paths never leave it, as under chroot.  Unless the machine is
 * writable (--writable), anything that would change the host file system
 * answers -EROFS.
 *
 * An open file is shared by reference count between descriptors (dup) and
 * keeps the host descriptor it reads and writes; a descriptor table maps
 * guest descriptor numbers to open files, with the close-on-exec bit.
 */
#ifndef SIM_VFS_H
#define SIM_VFS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct vfs {
	int root_fd;		/* O_PATH descriptor of the root directory */
	char *root;		/* its host path, for messages */
	bool writable;
};

struct pipe;

struct file {
	int refs;
	int host_fd;		/* -1 for a pipe end */
	struct pipe *pipe;	/* a pipe end: read end unless `writer` */
	bool writer;
	int pipe_flags;		/* guest status flags of a pipe end (O_NONBLOCK) */
	char *path;		/* guest path it was opened by, for *at() and messages */
	bool is_dir;
};

#define FD_MAX 1024

struct fdtable {
	struct file *files[FD_MAX];
	bool cloexec[FD_MAX];
};

int vfs_init(struct vfs *vfs, const char *root, bool writable, GString *error);
void vfs_fini(struct vfs *vfs);

/* Absolute guest path of `path` seen from directory `dir` (a guest path). */
char *vfs_join(const char *dir, const char *path);
/* Open a guest path (absolute, already joined): host fd or -errno.  Flags are
 * host open flags; O_PATH opens only a reference. */
int vfs_open(const struct vfs *vfs, const char *path, int flags, unsigned mode);

struct file *file_new(int host_fd, const char *path, bool is_dir);
struct file *file_new_pipe(struct pipe *pipe, bool writer, int flags);
struct file *file_get(struct file *file);
void file_put(struct file *file);

/* Hold each of descriptors 0-2 that mmusim was started without with an
 * O_PATH placeholder, before anything else is opened: no file mmusim opens
 * (the root, a report) may land there, and the guest still finds them
 * closed.  Call first. */
void reserve_stdio(void);
/* What host descriptor `fd` is, in the report's words: "terminal", "pipe",
 * "file", "/dev/null", "socket", "directory", "device" (another character
 * or block device), or "closed" (a reserve_stdio() placeholder too). */
const char *host_fd_kind(int fd);
/* Standard input, output and error on descriptors 0-2, but for closed ones. */
void fdtable_init_stdio(struct fdtable *fdt);
void fdtable_close_all(struct fdtable *fdt);
/* Install at the lowest free descriptor >= `min`: the descriptor or -EMFILE.
 * Takes the caller's reference. */
int fd_install(struct fdtable *fdt, struct file *file, int min, bool cloexec);
struct file *fd_get(struct fdtable *fdt, int fd);	/* borrowed, or NULL */
int fd_close(struct fdtable *fdt, int fd);

#endif
