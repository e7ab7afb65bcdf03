/*
 * pseudo: simulator-served file systems (struct fs_type) and the files of
 * their nodes (sim/pseudo.c says how); sim/vfs mounts them and resolves
 * paths into them.
 */
#ifndef SIM_PSEUDO_H
#define SIM_PSEUDO_H

#include <glib.h>
#include <stdint.h>

#include "sim/file.h"

struct task;

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

/* A node of a mounted file system as a file. */
int pseudo_open(const struct vfs_mount *mnt, struct task *t, const struct pseudo_node *node,
		const char *path, int flags, struct file **out);

#endif
