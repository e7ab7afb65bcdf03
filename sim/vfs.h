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
 * symlinks and absolute paths never leave it, as under chroot; a host
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

struct file;
struct task;
struct vm_file;

/* What a kind of file does.  A NULL member gives the answer Linux gives
 * for a file without that operation (in brackets). */
struct file_ops {
	/* Read or write at `offset`, or at the file position if it is -1. [EINVAL] */
	long (*read)(struct file *f, void *buf, size_t len, int64_t offset);
	long (*write)(struct file *f, const void *buf, size_t len, int64_t offset);
	/* New file position. [ESPIPE] */
	long (*llseek)(struct file *f, int64_t offset, int whence);
	/* `arg` is a guest address in t's address space. [ENOTTY] */
	long (*ioctl)(struct file *f, struct task *t, unsigned cmd, uint64_t arg);
	/* Which of POLLIN/POLLOUT/POLLHUP/POLLERR hold now. [always readable and writable] */
	short (*poll)(struct file *f);
	/* The object a private mapping reads (VM_READ...; MM_MAP_SHARED), or
	 * NULL with *err set; NULL with *err 0 maps anonymous memory. [ENODEV] */
	struct vm_file *(*mmap)(struct file *f, unsigned prot, unsigned flags, long *err);
	/* Attributes as statx(2) has them (at least STATX_BASIC_STATS).  Required. */
	int (*getattr)(struct file *f, struct statx *stx);
	/* linux_dirent64 records from the directory position on. [ENOTDIR] */
	long (*getdents)(struct file *f, void *buf, size_t len);
	/* Target of the symbolic link this (O_PATH) file is. [EINVAL] */
	long (*readlink)(struct file *f, char *buf, size_t len);
	/* access(2) mode bits (R_OK...). [root's answer from getattr's mode] */
	int (*access)(struct file *f, int mode);
	/* utimensat(2) times, or NULL for now. [EPERM] */
	int (*utimens)(struct file *f, const struct timespec *times);
	/* Called after F_SETFL changed f_flags. [nothing to do] */
	int (*setfl)(struct file *f);
	/* The last reference is gone: free private_data. */
	void (*release)(struct file *f);
	/* What a task blocked on f_wait waits in, for the deadlock report. */
	const char *wait_read, *wait_write;
};

struct file {
	int refs;
	const struct file_ops *f_op;
	int f_flags;		/* host open flags: access mode, O_NONBLOCK, O_APPEND, O_PATH */
	int64_t f_pos;		/* position, for files mmusim positions itself */
	const void *f_wait;	/* channel to block on when an op says -EAGAIN */
	char *path;		/* guest path it was opened by, for *at() and messages */
	bool is_dir;
	void *private_data;	/* the kind's own */
};

/* Status flags F_SETFL may change (Linux's SETFL_MASK). */
#define FILE_SETFL_MASK (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)

/* A node of a simulator-served file system: what a lookup finds. */
struct pseudo_node {
	unsigned mode;		/* S_IFDIR, S_IFREG or S_IFLNK, and permissions */
	uint64_t ino;
	int entry;		/* the fs's own: which kind of node */
	int id;			/* the fs's own: which instance (a pid) */
};

/* A simulator-served file system (see sim/pseudo.c for how its nodes
 * become files).  `data` is what it was mounted with; `t` is the task
 * looking (for names like /proc/self). */
struct fs_type {
	const char *name;
	void (*root)(struct pseudo_node *out);
	/* The entry `name` of directory `dir`: 0 or -ENOENT. */
	int (*lookup)(void *data, struct task *t, const struct pseudo_node *dir, const char *name,
		      struct pseudo_node *out);
	/* Every entry of `dir` ("." and ".." aside), in order. */
	void (*readdir)(void *data, const struct pseudo_node *dir,
			void (*emit)(void *arg, const char *name, const struct pseudo_node *node),
			void *arg);
	/* A symbolic link's target, relative to its directory or absolute. */
	int (*readlink)(void *data, struct task *t, const struct pseudo_node *link, GString *out);
	/* A regular file's contents, generated when it is first read. */
	int (*show)(void *data, const struct pseudo_node *node, GString *out);
};

struct vfs_mount {
	char *point;		/* absolute guest path, folded: "/proc" */
	const struct fs_type *type;
	void *data;
};

struct vfs {
	int root_fd;		/* O_PATH descriptor of the root directory */
	char *root;		/* its host path, for messages */
	bool writable;
	GPtrArray *mounts;	/* struct vfs_mount * */
};

#define FD_MAX 1024

struct fdtable {
	struct file *files[FD_MAX];
	bool cloexec[FD_MAX];
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

/* A new file of kind `ops` (one reference). */
struct file *file_alloc(const struct file_ops *ops, int flags, const char *path, void *private_data);
struct file *file_get(struct file *file);
void file_put(struct file *file);
/* The host descriptor behind a host file or the console, else -1. */
int file_host_fd(const struct file *file);

/* file_host.c: a host descriptor (taken over) as a file; the console. */
struct file *host_file_new(int host_fd, const char *path, bool read_only);
struct file *console_file_new(int host_fd, const char *name);

/* pseudo.c: a node of a mounted file system as a file. */
int pseudo_open(const struct vfs_mount *mnt, struct task *t, const struct pseudo_node *node,
		const char *path, int flags, struct file **out);

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
