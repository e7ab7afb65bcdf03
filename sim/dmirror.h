/*
 * dmirror: /dev/hmm_dmirror0 and 1, Linux's test_hmm driver over the HMM
 * mirror (sim/dmirror.c, guest/test_hmm_uapi.h).
 */
#ifndef SIM_DMIRROR_H
#define SIM_DMIRROR_H

struct machine;

/* Mount the files (nothing unless --devices under --device-mm hmm). */
void dmirror_mount(struct machine *m);

#endif
