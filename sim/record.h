/*
 * record: the recording hook of `mmusim run --record FILE` (traces/ writes
 * the file, docs/trace-format.md).  The run tells the recorder what the
 * replay needs as it happens: sim/cpu every guest access and instruction
 * fetch (the stream the --tlb exact model looks up), sim/machine every
 * address space it makes or copies; the domain's and the memory's journals
 * the cost and switch calls, the instructions each run slice paid for, the
 * flushes and the page-table stores (the devices' agents' calls too);
 * sim/accel each device's figures at the end.  The recorder subscribes to each such mm's notifier chain, so the
 * switches of a CPU into an mm (agent_switch_mm) and an mm's end are heard
 * where mmu/ makes them.  Recording reads the run and never changes it.
 * The accesses that the model's recent hit answers inline (sim/cpu's
 * fetches, sim/fastpath's direct loads and stores) go into the writer's
 * access log instead (recorder_log), which the writer writes before any
 * other record: the trace's order is the run's.
 */
#ifndef SIM_RECORD_H
#define SIM_RECORD_H

#include <glib.h>
#include <stdint.h>

#include "mmu/agent.h"
#include "mmu/mm.h"
#include "traces/trace.h"

struct device_figures;
struct recorder;

/* Create the trace `path` with its header, and journal `d`'s calls and
 * `phys`'s page-table stores into it (traces/journal.h).  NULL with the
 * cause in `error`. */
struct recorder *recorder_open(const char *path, const struct trace_header *h, struct domain *d,
			       struct phys *phys, GString *error);
/* `mm` was made (`parent` NULL) or copied from `parent` by fork. */
void recorder_attach_mm(struct recorder *r, struct mm *mm, const struct mm *parent);
void recorder_access(struct recorder *r, int cpu, enum trace_kind kind, uint64_t va,
		     uint64_t size);
/* The writer's access log (traces/trace.h) for `cpu`'s accesses from now
 * on, or NULL once the trace is finished. */
struct trace_log *recorder_log(struct recorder *r, int cpu);
/* A system call's operation on an address space (TRACE_MMAP ... TRACE_EXEC),
 * with the fields docs/trace-format.md lists, the mm's number first.  Nothing
 * when `r` is NULL (not recording). */
void recorder_mm_op(struct recorder *r, enum trace_type type, const uint64_t *args);
/* The run's figures no journal record gives (fault-around pages, TLB
 * flushes, "memory"), as its report shows them: just before the end. */
void recorder_write_totals(struct recorder *r, const struct vm_stats *vs);
/* Device `dev`'s figures at the end of the run (its dev-counts record). */
void recorder_write_device(struct recorder *r, int dev, const struct device_figures *f);
/* End the trace: nothing is recorded after this.  0, or -1 with the cause
 * (a write that failed) in `error`. */
int recorder_finish(struct recorder *r, GString *error);
/* After the last mm it watched is gone. */
void recorder_free(struct recorder *r);

#endif
