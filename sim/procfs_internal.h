/*
 * procfs_internal: what the files of the guest's /proc share.  sim/procfs.c
 * is the tree (names, directories, links); the text of a process's files is
 * sim/procfs_pid.c, of its memory reports sim/procfs_mem.c, of the
 * system-wide files sim/procfs_sys.c.
 */
#ifndef SIM_PROCFS_INTERNAL_H
#define SIM_PROCFS_INTERNAL_H

#include <glib.h>

#include "sim/machine.h"
#include "sim/pseudo.h"

/* A regular file of a process's directory: its text. */
typedef int (*pid_show_fn)(struct machine *m, struct task *t, GString *out);

/* Per-process files (sim/procfs_pid.c). */
int proc_pid_status(struct machine *m, struct task *t, GString *out);
int proc_pid_stat(struct machine *m, struct task *t, GString *out);
int proc_pid_statm(struct machine *m, struct task *t, GString *out);
int proc_pid_cmdline(struct machine *m, struct task *t, GString *out);
int proc_pid_environ(struct machine *m, struct task *t, GString *out);
int proc_pid_comm(struct machine *m, struct task *t, GString *out);
int proc_pid_mounts(struct machine *m, struct task *t, GString *out);
/* A zombie's stat and status (the process is all that is left). */
int proc_zombie_stat(struct machine *m, struct process *proc, GString *out);
int proc_zombie_status(struct machine *m, struct process *proc, GString *out);
/* fdinfo/N of descriptor `fd`: -ENOENT once it is closed. */
int proc_fdinfo(struct task *t, int fd, GString *out);
/* mem: read or write bytes at guest address `addr`, through t's tables;
 * -EIO if the first page cannot be had. */
long proc_mem_rw(struct task *t, void *buf, size_t len, uint64_t addr, bool write);

/* Memory reports (sim/procfs_mem.c). */
int proc_pid_maps(struct machine *m, struct task *t, GString *out);
int proc_pid_smaps(struct machine *m, struct task *t, GString *out);
int proc_pid_smaps_rollup(struct machine *m, struct task *t, GString *out);
/* pagemap: 64-bit entries from entry offset/8; -EINVAL unless offset and
 * len are multiples of 8. */
long proc_pagemap_read(struct task *t, void *buf, size_t len, int64_t offset);

/* The system-wide files (sim/procfs_sys.c), as a table of paths below
 * /proc: "meminfo", "sys", "sys/vm/max_map_count", ... */
extern const struct pseudo_entry proc_sys_entries[];
extern const size_t proc_sys_nr_entries;

#endif
