/*
 * accel: the simulated accelerators of a run (--devices N, mmu/device) as
 * the guest sees them: /dev/accel0 ... and their ioctls (guest/accel.h),
 * with the device-memory design --device-mm names, and their member of
 * --stats and --report.
 */
#ifndef SIM_ACCEL_H
#define SIM_ACCEL_H

#include <stdbool.h>

struct device;
struct device_mm_ops;
struct gmem_stats;
struct machine;
struct recorder;

/* The design named `name` ("hmm", "gmem"), or NULL. */
const struct device_mm_ops *accel_design_named(const char *name);
/* Make the devices and mount their files (nothing without --devices). */
void accel_mount(struct machine *m);
/* The device whose memory is node `node` (1 ...), or NULL. */
struct device *accel_device_of_node(struct machine *m, int node);
/* gmem's figures when it is the design in force with devices, else NULL. */
struct gmem_stats *accel_gmem_stats(struct machine *m);
/* Each device's figures into the recording `r` (its end: dev-counts). */
void accel_record_totals(struct machine *m, struct recorder *r);

#endif
