/*
 * procfs: the guest's /proc, served by mmusim from the simulated machine
 * (never the host's).  The root lists the system-wide files (meminfo,
 * cpuinfo, stat, uptime, loadavg, sys/vm/, sys/kernel/: sim/procfs_sys.c),
 * `self` (a link to the caller's pid), `thread-self` (pid/task/tid) and a
 * directory per live simulated process; each thread id has one too,
 * unlisted, as in Linux.  A process's directory holds
 *   cmdline environ comm status stat statm fdinfo/N  (sim/procfs_pid.c)
 *   maps smaps smaps_rollup pagemap                   (sim/procfs_mem.c)
 *   mem      its memory at offset = guest address, read and written
 *            through the simulated tables (unmapped: EIO)
 *   exe cwd  links to its program and working directory
 *   fd/N     links to the guest paths its descriptors were opened by
 *   task/    a directory per live thread
 *   NAME/    a design's directory (struct design_ops proc_dir, e.g. vas/
 *            of sim/sys_vas_fs.c), its nodes served by the design's hooks
 * Any other name answers ENOENT.  Root may open a process's files for
 * writing, but only mem takes writes (others: EINVAL); the system-wide
 * files answer writes EIO and the sysctls are read-only (EACCES), as in
 * Linux.  Zombies (exited, not yet reaped) have no directory.
 */
#ifndef SIM_PROCFS_H
#define SIM_PROCFS_H

#include "sim/machine.h"

/* Serve /proc in m's guest file system. */
void procfs_mount(struct machine *m);

#endif
