/*
 * pseudo: simulator-served file systems (struct fs_type) and the files of
 * their nodes (sim/pseudo.c says how); sim/vfs mounts them and resolves
 * paths into them.
 */
#ifndef SIM_PSEUDO_H
#define SIM_PSEUDO_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "sim/file.h"

struct task;

/* A node of a simulator-served file system: what a lookup finds. */
struct pseudo_node {
	unsigned mode;		/* S_IFDIR, S_IFREG or S_IFLNK, and permissions */
	uint64_t ino;
	int entry;		/* the fs's own: which kind of node */
	int id;			/* the fs's own: which instance (a pid) */
	int index;		/* the fs's own: which item of the instance (a descriptor) */
	bool in_place;		/* a regular file the fs's read() reads, not show() */
	uint32_t uid, gid;	/* the owner (0: root) */
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
	/* A regular file with `in_place` set, read where it is instead (one
	 * too large to generate, such as a process's memory). */
	long (*read)(void *data, const struct pseudo_node *node, void *buf, size_t len, int64_t offset);
	/* Whether `node` may be opened for writing: 0 or the errno.  NULL:
	 * EACCES for every node (read-only, as a file of mode 0444 is to root
	 * where the kernel checks the mode, sysfs and sysctl). */
	int (*may_write)(void *data, const struct pseudo_node *node);
	/* Write to a node opened for writing: bytes written or the errno. */
	long (*write)(void *data, const struct pseudo_node *node, const void *buf, size_t len,
		      int64_t offset);
	/* Optional, for a file system whose files are its own (tmpfs): the
	 * file of a node (`mode`, umask applied, for an O_TMPFILE file made in
	 * it), instead of the text files sim/pseudo.c makes; a new regular
	 * file `name` in `dir` for O_CREAT; and the end of the mount (its data
	 * freed when the machine goes). */
	int (*open)(void *data, const struct pseudo_node *node, const char *path, int flags,
		    unsigned mode, struct file **out);
	int (*create)(void *data, const struct pseudo_node *dir, const char *name, unsigned mode,
		      struct pseudo_node *out);
	void (*kill)(void *data);
};

struct vfs_mount {
	char *point;		/* absolute guest path, folded: "/proc" */
	const struct fs_type *type;
	void *data;
};

/* A fixed part of a file system as a table: each entry named by its path
 * below the mount point ("sys/vm/max_map_count"). */
struct pseudo_entry {
	const char *path;
	unsigned mode;				/* S_IFDIR or S_IFREG, and permissions */
	int (*show)(void *data, GString *out);	/* a regular file's text */
};

/* The index of the entry `name` in directory `dir` (an index, or -1 for
 * the mount point), or -1. */
int pseudo_table_lookup(const struct pseudo_entry *table, size_t n, int dir, const char *name);
/* emit() each entry directly in `dir`, in table order, as the node
 * node_of() makes of its index. */
void pseudo_table_list(const struct pseudo_entry *table, size_t n, int dir,
		       struct pseudo_node (*node_of)(int index),
		       void (*emit)(void *arg, const char *name, const struct pseudo_node *node), void *arg);

/* Put one struct linux_dirent64 record at `buf` (`space` bytes free):
 * its length, or 0 when it does not fit. */
size_t pseudo_put_dirent(void *buf, size_t space, uint64_t ino, int64_t next_pos, unsigned mode,
			 const char *name);
/* A node of a mounted file system as a file. */
int pseudo_open(const struct vfs_mount *mnt, struct task *t, const struct pseudo_node *node,
		const char *path, int flags, struct file **out);

#endif
