/*
 * roi: the region of interest of a run, as gem5's m5ops mark it.  The guest
 * calls mmusim_roi_begin() and mmusim_roi_end() (guest/mmusim.h) around the
 * phase it measures, and --stats and --report show that phase's figures
 * beside the whole run's (sim/region.h holds them).
 *
 * A region runs from the return of the begin call to the entry of the end
 * call: neither call is part of it.  A guest may open and close it several
 * times; its figures add up over every interval.  mmusim_reset_stats() sets
 * the region's figures to zero from its return on (an open region goes on
 * from there; the reset call is no part of it).  A
 * region still open when the run ends is closed there.  Begin with a region
 * open, or end with none, is EINVAL and changes nothing.
 *
 * The machine's plain totals (instructions, faults, TLB, shootdowns,
 * switches, simulated time) are read when an interval opens and when it
 * closes; system calls (sim/dispatch) and latencies (a tee of the domain's
 * recorder) are counted into the region's own tables while it is open.
 */
#ifndef SIM_ROI_H
#define SIM_ROI_H

#include "sim/machine.h"
#include "sim/region.h"

/* The machine's totals now. */
void run_counters_read(const struct machine *m, struct run_counters *out);

/* The dispatcher's hooks: call `nr` enters (before it is counted); call
 * `nr` returned `ret` (its latency recorded).  The region closes when an
 * end call enters, opens when a begin call returns 0, and is reset when a
 * reset call returns. */
void roi_syscall_entry(struct machine *m, unsigned nr);
void roi_syscall_exit(struct machine *m, unsigned nr, long ret);
/* The end of the run: close a region still open. */
void roi_finish(struct machine *m);
/* The region's figures so far (an open interval included); the machine
 * must have a region (m->region). */
void roi_counters(const struct machine *m, struct run_counters *out);

#endif
