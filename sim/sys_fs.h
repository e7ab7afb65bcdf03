/*
 * sys_fs: what the file calls of sys_fs.c share with the other files of
 * file calls (sys_fswrite.c): descriptors to open files, guest paths to
 * files.
 */
#ifndef SIM_SYS_FS_H
#define SIM_SYS_FS_H

#include <stdint.h>

struct file;
struct machine;
struct task;

/* The open file behind descriptor `fd`, or NULL.  As Linux's fdget(), an
 * O_PATH descriptor is none for reading, writing and the like. */
struct file *file_of(struct task *t, uint64_t fd);
/* Any open file, O_PATH ones too (fdget_raw): for fstat, *at(), fchdir. */
struct file *file_of_raw(struct task *t, uint64_t fd);
/* The guest path `upath` seen from directory descriptor `dirfd` (g_free
 * *out).  An empty path names nothing (ENOENT); AT_EMPTY_PATH is the
 * caller's business. */
long resolve_path(struct task *t, uint64_t dirfd, uint64_t upath, char **out);
/* The file a *at() call names, with a reference to put: the directory
 * descriptor's own for AT_EMPTY_PATH with "", else an O_PATH open that
 * follows a last symbolic link unless AT_SYMLINK_NOFOLLOW. */
long open_object(struct machine *m, struct task *t, uint64_t dirfd, uint64_t upath,
		 uint64_t at_flags, struct file **out);

#endif
