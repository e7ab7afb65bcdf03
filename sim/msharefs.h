/*
 * msharefs: the mshare regions' file system at /sys/fs/mshare (the mshare
 * RFC v3; the model is mmu/mshare).
 */
#ifndef SIM_MSHAREFS_H
#define SIM_MSHAREFS_H

struct machine;

/* Serve msharefs at /sys/fs/mshare, empty but for mshare_info. */
void msharefs_mount(struct machine *m);

#endif
