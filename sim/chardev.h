/*
 * chardev: a character device file mmusim serves itself at one guest path
 * (/dev/accelN, /dev/hmm_dmirrorN): a one-node file system whose open
 * gives a file with the device's file_ops and its data as private_data.
 */
#ifndef SIM_CHARDEV_H
#define SIM_CHARDEV_H

#include <linux/stat.h>

struct file_ops;
struct vfs;

struct chardev {
	const struct file_ops *ops;
	void *data;			/* each open file's private_data */
	unsigned mode;			/* permission bits */
	unsigned major, minor;
};

/* Serve `cd` (which must outlive the mount) at `path`. */
void chardev_mount(struct vfs *vfs, const char *path, const struct chardev *cd);
/* What stat says of it, for the ops' getattr. */
void chardev_getattr(const struct chardev *cd, struct statx *stx);

#endif
