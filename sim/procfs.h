/*
 * procfs: the guest's /proc, served by mmusim from the simulated processes
 * (never the host's).  /proc/self is a link to the caller's pid; each
 * process (and, unlisted, each thread id) has a directory with
 *   cmdline  its argv strings, read from its memory (mm->arg_start..arg_end)
 *   exe      a link to the program it runs
 *   maps     its VMAs, as Linux prints them (mm_format_maps)
 * Any other name answers ENOENT.  A new file is one line in the table of
 * sim/procfs.c and a function that writes its text.
 */
#ifndef SIM_PROCFS_H
#define SIM_PROCFS_H

#include "sim/machine.h"

/* Serve /proc in m's guest file system. */
void procfs_mount(struct machine *m);

#endif
