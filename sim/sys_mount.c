/*
 * sys_mount: mount(2) for the file systems mmusim serves.  Each is served
 * once, where it is mounted before the first task starts (/proc, /sys,
 * /sys/fs/mshare, the --tmpfs points), so mounting one there again succeeds
 * and changes nothing: the guest sees the same instance (Linux would stack
 * a new, empty one).  A type mmusim serves at another place is EBUSY, any
 * other type ENODEV (the kernel knows no such file system); the target
 * must exist (ENOENT) and be a directory (ENOTDIR).  Flags and data are
 * not looked at.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/sys_fs.h"
#include "sim/syscall.h"

/* mount(source, target, filesystemtype, mountflags, data) */
SYSCALL(mount)
{
	char type[64];
	long len = strncpy_from_user(t->mm, type, a[2], sizeof(type));
	struct file *dir;
	long err;
	bool served = false;

	if (len < 0)
		return len == -ENAMETOOLONG ? -ENODEV : len;
	err = open_object(m, t, G_AT_FDCWD, a[1], 0, &dir);
	if (err)
		return err;
	for (guint i = 0; !err && i < m->vfs.mounts->len; i++) {
		const struct vfs_mount *mnt = g_ptr_array_index(m->vfs.mounts, i);

		if (strcmp(mnt->type->name, type))
			continue;
		served = true;
		if (!strcmp(mnt->point, dir->path))
			err = 1;
	}
	if (err <= 0)
		err = !dir->is_dir ? -ENOTDIR : served ? -EBUSY : -ENODEV;
	file_put(dir);
	return err < 0 ? err : 0;
}

const struct syscall_desc mount_syscalls[] = {
	SYSCALL_DESC(40, mount, "sssxp"),
	{ 0 }
};
