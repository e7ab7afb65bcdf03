/*
 * permission: whether a task's credentials let it at a file, after Linux's
 * generic_permission() (fs/namei.c) and may_delete's sticky rule.  The
 * mode bits of the owner, group or other class apply (the first that
 * matches fsuid, then fsgid or a supplementary group); CAP_DAC_OVERRIDE
 * passes every check but executing a file without any x bit, and
 * CAP_DAC_READ_SEARCH reading anything and searching directories.
 * sim/vfs asks it for each directory a path walk searches, the calls for
 * the object itself (open, access, execve) and for the directory whose
 * entries they change (mkdir, unlink, rename, link, symlink, creation).
 */
#ifndef SIM_PERMISSION_H
#define SIM_PERMISSION_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/cred.h"
#include "sim/file.h"

#define MAY_EXEC	1	/* the bits of access(2)'s X_OK, W_OK, R_OK */
#define MAY_WRITE	2
#define MAY_READ	4

/* 0 or -EACCES: may `c` do `mask` (MAY_*) to an object of `mode`, `uid`, `gid`. */
int generic_permission(const struct cred *c, unsigned mode, uint32_t uid, uint32_t gid, int mask);
/* Whether every check but exec's x bit passes for `c` (CAP_DAC_OVERRIDE
 * and CAP_DAC_READ_SEARCH): the walks skip their checks then. */
bool permission_bypassed(const struct cred *c);
/* The MAY_* an open with host `flags` asks of an existing object: its
 * access mode, and writing for O_TRUNC; nothing for O_PATH. */
int open_mask(int flags);
/* 0 or the errno of `mask` (MAY_*) on the open file's object for `c`
 * (its getattr); a write on a read-only file system is left to the call,
 * whose EROFS comes first. */
int file_permission(const struct cred *c, struct file *f, int mask);
/* chmod, utimes and the like: 0 if `c` owns the open file's object (or
 * has CAP_FOWNER; a read-only file system leaves it to the call's EROFS),
 * else -EPERM; *stx is its getattr. */
int check_owner(const struct cred *c, struct file *f, struct statx *stx);
/* chown (chown_ok, chgrp_ok): CAP_CHOWN, or the owner keeping the owner
 * and giving the file one of its own groups (-1 keeps an id); -EPERM. */
int may_chown(const struct cred *c, struct file *f, uint32_t uid, uint32_t gid);
/* In a sticky directory (of `dir_mode`, `dir_uid`), only the owner of the
 * entry or of the directory, or CAP_FOWNER, may remove or rename it:
 * 0 or -EPERM. */
int check_sticky(const struct cred *c, unsigned dir_mode, uint32_t dir_uid, uint32_t uid);

#endif
