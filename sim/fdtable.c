/*
 * fdtable: a process's open descriptors (Linux's files_struct), and the
 * host's descriptors 0-2 that become the guest's standard ones (contract in
 * fdtable.h).
 */
#include "sim/fdtable.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sim/file_host.h"

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
			fdt->files[fd] = console_file_new(host, names[fd]);
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
