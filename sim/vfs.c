#include "sim/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sim/pipe.h"

int vfs_init(struct vfs *vfs, const char *root, bool writable, GString *error)
{
	struct stat st;

	vfs->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (vfs->root_fd < 0 || fstat(vfs->root_fd, &st) < 0) {
		g_string_printf(error, "--root %s: %s", root, g_strerror(errno));
		if (vfs->root_fd >= 0)
			close(vfs->root_fd);
		return -errno;
	}
	vfs->root = g_strdup(root);
	vfs->writable = writable;
	return 0;
}

void vfs_fini(struct vfs *vfs)
{
	if (vfs->root_fd >= 0)
		close(vfs->root_fd);
	g_free(vfs->root);
}

char *vfs_join(const char *dir, const char *path)
{
	return path[0] == '/' ? g_strdup(path) : g_build_filename(dir, path, NULL);
}

static bool wants_write(int flags)
{
	return (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC)) ||
	       (flags & O_TMPFILE) == O_TMPFILE;	/* O_TMPFILE includes O_DIRECTORY's bit */
}


static long openat2_in_root(const struct vfs *vfs, const char *path, int flags, unsigned mode)
{
	struct open_how how = {
		.flags = (uint64_t)(flags | O_CLOEXEC),
		.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, vfs->root_fd, path, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

/* On a read-only root, as on a read-only mount, only files of the file
 * system itself are protected: devices, FIFOs and sockets stay writable. */
static int check_read_only(const struct vfs *vfs, const char *path, int flags)
{
	long fd;
	struct stat st;
	bool device;

	if (vfs->writable || !wants_write(flags))
		return 0;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EROFS;
	fd = openat2_in_root(vfs, path, O_PATH, 0);
	if (fd < 0)
		return (flags & O_CREAT) ? -EROFS : (int)fd;
	device = fstat((int)fd, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode) &&
		 !S_ISLNK(st.st_mode);
	close((int)fd);
	return device && !(flags & O_EXCL) ? 0 : -EROFS;
}

int vfs_open(const struct vfs *vfs, const char *path, int flags, unsigned mode)
{
	int err;

	/* An empty guest path is ENOENT, as in the kernel. */
	if (!path[0])
		return -ENOENT;
	err = check_read_only(vfs, path, flags);
	return err ? err : (int)openat2_in_root(vfs, path, flags, mode);
}

struct file *file_new(int host_fd, const char *path, bool is_dir)
{
	struct file *file = g_new0(struct file, 1);

	file->refs = 1;
	file->host_fd = host_fd;
	file->path = g_strdup(path);
	file->is_dir = is_dir;
	return file;
}

struct file *file_new_pipe(struct pipe *pipe, bool writer, int flags)
{
	struct file *file = file_new(-1, writer ? "pipe:[w]" : "pipe:[r]", false);

	file->pipe = pipe;
	file->writer = writer;
	file->pipe_flags = flags;
	return file;
}

struct file *file_get(struct file *file)
{
	file->refs++;
	return file;
}

void file_put(struct file *file)
{
	if (!file || --file->refs)
		return;
	if (file->pipe)
		pipe_close_end(file->pipe, file->writer);
	else
		close(file->host_fd);
	g_free(file->path);
	g_free(file);
}

static bool is_placeholder(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags < 0 || (flags & O_PATH);
}

void reserve_stdio(void)
{
	/* The lower ones are open by now: open() takes `fd`. */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0)
			open("/", O_PATH | O_DIRECTORY);
}

const char *host_fd_kind(int fd)
{
	struct stat st;

	if (is_placeholder(fd) || fstat(fd, &st) < 0)
		return "closed";
	if (S_ISFIFO(st.st_mode))
		return "pipe";
	if (S_ISREG(st.st_mode))
		return "file";
	if (S_ISSOCK(st.st_mode))
		return "socket";
	if (S_ISDIR(st.st_mode))
		return "directory";
	if (S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 && minor(st.st_rdev) == 3)
		return "/dev/null";
	return isatty(fd) ? "terminal" : "device";
}

void fdtable_init_stdio(struct fdtable *fdt)
{
	static const char *const names[] = { "<stdin>", "<stdout>", "<stderr>" };

	for (int fd = 0; fd < 3; fd++) {
		int host = is_placeholder(fd) ? -1 : fcntl(fd, F_DUPFD_CLOEXEC, 3);

		if (host >= 0)
			fdt->files[fd] = file_new(host, names[fd], false);
	}
}

void fdtable_close_all(struct fdtable *fdt)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		fd_close(fdt, fd);
}

int fd_install(struct fdtable *fdt, struct file *file, int min, bool cloexec)
{
	for (int fd = MAX(min, 0); fd < FD_MAX; fd++) {
		if (!fdt->files[fd]) {
			fdt->files[fd] = file;
			fdt->cloexec[fd] = cloexec;
			return fd;
		}
	}
	file_put(file);
	return -EMFILE;
}

struct file *fd_get(struct fdtable *fdt, int fd)
{
	return fd >= 0 && fd < FD_MAX ? fdt->files[fd] : NULL;
}

int fd_close(struct fdtable *fdt, int fd)
{
	struct file *file = fd_get(fdt, fd);

	if (!file)
		return -EBADF;
	fdt->files[fd] = NULL;
	fdt->cloexec[fd] = false;
	file_put(file);
	return 0;
}
