#include "sim/permission.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

/* The class of mode bits that applies to `c`, shifted down to rwx. */
static unsigned class_bits(const struct cred *c, unsigned mode, uint32_t uid, uint32_t gid)
{
	if (c->fsuid == uid)
		return (mode >> 6) & 7;
	if (c->fsgid == gid || cred_in_group(c, gid))
		return (mode >> 3) & 7;
	return mode & 7;
}

/* What capabilities let through once the mode bits did not (Linux's
 * capable_wrt_inode_uidgid checks in generic_permission). */
static bool capable_override(const struct cred *c, unsigned mode, int mask)
{
	bool dir = S_ISDIR(mode);

	if (cred_capable(c, CAP_DAC_OVERRIDE) && (dir || !(mask & MAY_EXEC) || (mode & 0111)))
		return true;
	if (!cred_capable(c, CAP_DAC_READ_SEARCH))
		return false;
	return dir ? !(mask & MAY_WRITE) : mask == MAY_READ;
}

int generic_permission(const struct cred *c, unsigned mode, uint32_t uid, uint32_t gid, int mask)
{
	unsigned granted = class_bits(c, mode, uid, gid);

	if (((unsigned)mask & ~granted) == 0)
		return 0;
	return capable_override(c, mode, mask) ? 0 : -EACCES;
}

bool permission_bypassed(const struct cred *c)
{
	return cred_capable(c, CAP_DAC_OVERRIDE) && cred_capable(c, CAP_DAC_READ_SEARCH);
}

int open_mask(int flags)
{
	int acc = flags & O_ACCMODE, mask = 0;

	if (flags & O_PATH)
		return 0;
	if (acc == O_RDONLY || acc == O_RDWR)
		mask |= MAY_READ;
	if (acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC))
		mask |= MAY_WRITE;
	return mask;
}

int check_sticky(const struct cred *c, unsigned dir_mode, uint32_t dir_uid, uint32_t uid)
{
	if (!(dir_mode & S_ISVTX) || c->fsuid == uid || c->fsuid == dir_uid ||
	    cred_capable(c, CAP_FOWNER))
		return 0;
	return -EPERM;
}

/* Whether `f` is on a read-only file system: writing there is EROFS,
 * which Linux answers before a permission check (inode_permission). */
static bool on_read_only_fs(struct file *f)
{
	struct statfs sfs;

	return f->f_op->statfs && !f->f_op->statfs(f, &sfs) && (sfs.f_flags & ST_RDONLY);
}

int file_permission(const struct cred *c, struct file *f, int mask)
{
	struct statx stx;
	int err = f->f_op->getattr(f, &stx);

	if (err || !mask || ((mask & MAY_WRITE) && on_read_only_fs(f)))
		return err;	/* the call's own EROFS comes first */
	return generic_permission(c, stx.stx_mode, stx.stx_uid, stx.stx_gid, mask);
}

int check_owner(const struct cred *c, struct file *f, struct statx *stx)
{
	int err = f->f_op->getattr(f, stx);

	if (err || on_read_only_fs(f))
		return err;
	return c->fsuid == stx->stx_uid || cred_capable(c, CAP_FOWNER) ? 0 : -EPERM;
}

int may_chown(const struct cred *c, struct file *f, uint32_t uid, uint32_t gid)
{
	struct statx stx;
	bool owner, chown_ok, chgrp_ok;
	int err = f->f_op->getattr(f, &stx);

	if (err || on_read_only_fs(f))
		return err;
	owner = c->fsuid == stx.stx_uid;
	chown_ok = uid == (uint32_t)-1 || (owner && uid == stx.stx_uid);
	chgrp_ok = gid == (uint32_t)-1 ||
		   (owner && (gid == stx.stx_gid || gid == c->fsgid || cred_in_group(c, gid)));
	return (chown_ok && chgrp_ok) || cred_capable(c, CAP_CHOWN) ? 0 : -EPERM;
}
