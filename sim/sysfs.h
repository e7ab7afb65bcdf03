/*
 * sysfs: the guest's /sys, served by mmusim from the simulated machine
 * (never the host's):
 *   devices/system/cpu/  online, possible, present ("0-N" for the
 *                        simulated CPUs), kernel_max, and a directory
 *                        cpuN per CPU (empty: no attributes are served)
 *   kernel/mm/           empty, as in a kernel built without transparent
 *                        huge pages, hugetlbfs, KSM, swap and NUMA (with
 *                        CONFIG_TRANSPARENT_HUGEPAGE=n there is no
 *                        transparent_hugepage directory at all)
 * Every file is read-only: opening one for writing answers EACCES, as
 * sysfs does for an attribute without a store method.
 */
#ifndef SIM_SYSFS_H
#define SIM_SYSFS_H

#include "sim/machine.h"

/* Serve /sys in m's guest file system. */
void sysfs_mount(struct machine *m);

#endif
