/*
 * sys_gmem: gmem's guest interface (guest/mmusim.h, docs/devices.md).
 */
#ifndef SIM_SYS_GMEM_H
#define SIM_SYS_GMEM_H

#include <stdbool.h>
#include <stdint.h>

struct machine;
struct task;

/* Whether an mmap with these guest flags is gmem's (MAP_PEER_SHARED under
 * --device-mm gmem with devices). */
bool gmem_peer_shared(struct machine *m, uint64_t gflags);
/* That mmap: private anonymous memory only (EINVAL), `flags` the MM_MAP_*
 * the guest's decoded to. */
long gmem_sys_mmap(struct machine *m, struct task *t, uint64_t addr, uint64_t len, unsigned prot,
		   uint64_t gflags, unsigned flags);

#endif
