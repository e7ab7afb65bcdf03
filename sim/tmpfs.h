/*
 * tmpfs: a writable file system in simulated memory (--tmpfs PATH).
 */
#ifndef SIM_TMPFS_H
#define SIM_TMPFS_H

struct machine;

/* Mount an empty tmpfs at the guest path `point` (absolute).  Its files'
 * pages are frames of the machine's simulated memory; everything goes
 * when the machine does. */
void tmpfs_mount(struct machine *m, const char *point);

#endif
