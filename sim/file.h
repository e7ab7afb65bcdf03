/*
 * file: an open file (an open file description, after Linux's struct file)
 * and what its kind does (struct file_ops).  Kinds: host files and the
 * console (sim/file_host), pipe ends (sim/pipe), files of simulator-served
 * file systems (sim/pseudo); sim/vfs opens them by path.  AF_UNIX sockets
 * (sim/unix), eventfd, epoll, signalfd and memfd files are made by their
 * own calls.
 */
#ifndef SIM_FILE_H
#define SIM_FILE_H

#include <fcntl.h>
#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>

struct file;
struct shmem;
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
	/* The shmem object a mapping of the file maps (a memfd), or NULL with
	 * *err set; a file with this op is mapped through it, not mmap. */
	struct shmem *(*mmap_shmem)(struct file *f, unsigned prot, unsigned flags, long *err);
	/* Map the file's object with vm_ops of its own (an mshare region) in
	 * t's address space, as mmap(2) asks (MM_MAP_* flags, VM_* prot): the
	 * address, or the errno; a file with this op is mapped only by it. */
	long (*mmap_object)(struct file *f, struct task *t, uint64_t addr, uint64_t len, unsigned prot,
			    unsigned flags, uint64_t offset);
	/* fcntl(2) commands of this kind (F_ADD_SEALS...). [EINVAL] */
	long (*fcntl)(struct file *f, int cmd, uint64_t arg);
	/* Attributes as statx(2) has them (at least STATX_BASIC_STATS).  Required. */
	int (*getattr)(struct file *f, struct statx *stx);
	/* linux_dirent64 records from the directory position on. [ENOTDIR] */
	long (*getdents)(struct file *f, void *buf, size_t len);
	/* Target of the symbolic link this (O_PATH) file is. [EINVAL] */
	long (*readlink)(struct file *f, char *buf, size_t len);
	/* access(2) mode bits (R_OK...). [root's answer from getattr's mode] */
	int (*access)(struct file *f, int mode);
	/* utimensat(2) times (no UTIME_NOW: the caller puts the simulated
	 * time there; UTIME_OMIT stays). [EPERM] */
	int (*utimens)(struct file *f, const struct timespec *times);
	/* Change the size of a regular file (open for writing, or an O_PATH
	 * file for truncate(2)). [EINVAL] */
	int (*truncate)(struct file *f, int64_t length);
	/* Attribute changes of the object, any kind (chmod: permission bits
	 * and S_ISUID/S_ISGID/S_ISVTX; chown: -1 keeps an id). [EPERM] */
	int (*chmod)(struct file *f, unsigned mode);
	int (*chown)(struct file *f, uint32_t uid, uint32_t gid);
	/* fallocate(2) modes 0 and G_FALLOC_FL_KEEP_SIZE, and PUNCH_HOLE (with
	 * KEEP_SIZE) where the file says so (memfd). [EOPNOTSUPP] */
	int (*fallocate)(struct file *f, int mode, int64_t offset, int64_t len);
	/* Write the file's data (and metadata unless `datasync`) out. [nothing to do] */
	int (*fsync)(struct file *f, bool datasync);
	/* statfs(2) of the file system the file is on. [ENOSYS] */
	int (*statfs)(struct file *f, struct statfs *st);
	/*
	 * Names in a directory `dir` (an O_PATH file).  `name` is one
	 * component (never "." or ".."), followed by "/" when the guest's path
	 * ended with slashes: the object must then be a directory.  [EPERM]
	 */
	int (*mkdir)(struct file *dir, const char *name, unsigned mode);
	int (*unlink)(struct file *dir, const char *name, bool rmdir);
	int (*symlink)(struct file *dir, const char *name, const char *target);
	/* A new name for the object `old` (an O_PATH file). */
	int (*link)(struct file *old, struct file *dir, const char *name);
	/* renameat2(2) flags RENAME_NOREPLACE, RENAME_EXCHANGE; `new_dir` is
	 * of the same kind as `dir` (else EXDEV before the call). */
	int (*rename)(struct file *dir, const char *name, struct file *new_dir,
		      const char *new_name, unsigned flags);
	/* Called after F_SETFL changed f_flags. [nothing to do] */
	int (*setfl)(struct file *f);
	/* The last reference is gone: free private_data. */
	void (*release)(struct file *f);
	/* What a task blocked on f_wait waits in, for the deadlock report. */
	const char *wait_read, *wait_write;
};

/* Someone told when a file's last reference goes, before its release:
 * an epoll item (Linux's eventpoll_release()), a flock lock
 * (locks_remove_file()). */
struct file_watch {
	void (*gone)(struct file_watch *w);
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
	GSList *watches;	/* struct file_watch * */
};

/* Status flags F_SETFL may change (Linux's SETFL_MASK). */
#define FILE_SETFL_MASK (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME)
/* fallocate(2)'s mode bit that keeps the size (<linux/falloc.h>). */
#define G_FALLOC_FL_KEEP_SIZE	0x01
#define G_FALLOC_FL_PUNCH_HOLE	0x02

/* A new file of kind `ops` (one reference). */
struct file *file_alloc(const struct file_ops *ops, int flags, const char *path, void *private_data);
struct file *file_get(struct file *file);
void file_put(struct file *file);
/* getattr of a file without an inode of its own (eventfd, epoll,
 * signalfd): Linux's anonymous inode, mode 0600 and no file type. */
int anon_inode_getattr(struct file *f, struct statx *stx);

#endif
