/*
 * fdtable: the descriptors of a process (Linux's files_struct): each a
 * counted reference to a `struct file` (sim/file.h) and its close-on-exec
 * bit, the lowest free one handed out first.  Also how the host's
 * descriptors 0-2 become the guest's standard input, output and error.
 */
#ifndef SIM_FDTABLE_H
#define SIM_FDTABLE_H

#include <stdbool.h>

#include "sim/file.h"

#define FD_MAX 1024

struct fdtable {
	struct file *files[FD_MAX];
	bool cloexec[FD_MAX];
};

/* Hold each of descriptors 0-2 that mmusim was started without with an
 * O_PATH placeholder, before anything else is opened: no file mmusim opens
 * (the root, a report) may land there, and the guest still finds them
 * closed.  Call first. */
void reserve_stdio(void);
/* What host descriptor `fd` is, in the report's words: "terminal", "pipe",
 * "file", "/dev/null", "socket", "directory", "device" (another character
 * or block device), or "closed" (a reserve_stdio() placeholder too). */
const char *host_fd_kind(int fd);
/* Standard input, output and error on descriptors 0-2, but for closed ones. */
void fdtable_init_stdio(struct fdtable *fdt);
void fdtable_close_all(struct fdtable *fdt);
/* Install at the lowest free descriptor >= `min`: the descriptor or -EMFILE.
 * Takes the caller's reference. */
int fd_install(struct fdtable *fdt, struct file *file, int min, bool cloexec);
struct file *fd_get(struct fdtable *fdt, int fd);	/* borrowed, or NULL */
int fd_close(struct fdtable *fdt, int fd);

#endif
