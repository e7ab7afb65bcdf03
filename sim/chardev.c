/*
 * chardev: one node, no directory, no links.
 */
#include "sim/chardev.h"

#include <errno.h>
#include <sys/stat.h>

#include "sim/file.h"
#include "sim/pseudo.h"
#include "sim/vfs.h"

void chardev_getattr(const struct chardev *cd, struct statx *stx)
{
	*stx = (struct statx){ .stx_mask = STATX_BASIC_STATS, .stx_mode = S_IFCHR | cd->mode,
			       .stx_nlink = 1, .stx_blksize = 4096, .stx_ino = 1,
			       .stx_rdev_major = cd->major, .stx_rdev_minor = cd->minor };
}

static void cd_root(struct pseudo_node *out)
{
	*out = (struct pseudo_node){ .mode = S_IFCHR | 0666, .ino = 1 };
}

static int cd_lookup(void *data, struct task *t, const struct pseudo_node *dir, const char *name,
		     struct pseudo_node *out)
{
	(void)data, (void)t, (void)dir, (void)name, (void)out;
	return -ENOTDIR;
}

static void cd_readdir(void *data, const struct pseudo_node *dir,
		       void (*emit)(void *arg, const char *name, const struct pseudo_node *node), void *arg)
{
	(void)data, (void)dir, (void)emit, (void)arg;
}

static int cd_readlink(void *data, struct task *t, const struct pseudo_node *link, GString *out)
{
	(void)data, (void)t, (void)link, (void)out;
	return -EINVAL;
}

static int cd_open(void *data, const struct pseudo_node *node, const char *path, int flags,
		   unsigned mode, struct file **out)
{
	const struct chardev *cd = data;

	(void)node, (void)mode;
	*out = file_alloc(cd->ops, flags, path, cd->data);
	return 0;
}

static const struct fs_type chardev_fs = {
	.name = "chardev",
	.root = cd_root,
	.lookup = cd_lookup,
	.readdir = cd_readdir,
	.readlink = cd_readlink,
	.open = cd_open,
};

void chardev_mount(struct vfs *vfs, const char *path, const struct chardev *cd)
{
	vfs_mount(vfs, path, &chardev_fs, (void *)cd);
}
