/*
 * shm: System V shared memory (sim/sys_shm.c), the machine's segments.
 */
#ifndef SIM_SHM_H
#define SIM_SHM_H

struct shm_ids;

/* Free the segments left at the end of a run (after every mm is gone). */
void shm_ids_free(struct shm_ids *ids);

#endif
