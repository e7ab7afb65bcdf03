/*
 * dmirror: /dev/hmm_dmirror0 to 3, Linux's test_hmm driver over the HMM
 * mirror (sim/dmirror.c, guest/test_hmm_uapi.h): 0 and 1 with
 * device-private memory, 2 and 3 with device-coherent memory, over the
 * devices of /dev/accel0 to 3.
 */
#ifndef SIM_DMIRROR_H
#define SIM_DMIRROR_H

struct machine;
struct options;

#define DMIRROR_PRIVATE_FILES 2		/* hmm_dmirror0, 1 */
#define DMIRROR_FILES 4			/* and the coherent 2, 3 */

/* The memory nodes (a bit each, phys_create_coherent) that are coherent:
 * under the HMM design, test_hmm's layout, the nodes of the third and
 * fourth devices (/dev/hmm_dmirror2 and 3); none under gmem. */
unsigned dmirror_coherent_nodes(const struct options *opt);
/* Mount the files (nothing unless --devices under --device-mm hmm). */
void dmirror_mount(struct machine *m);

#endif
