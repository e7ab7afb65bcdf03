/*
 * explain: --explain, each selected page fault of a run told step by step
 * for a student to follow (docs/explain.md): the instruction that faulted,
 * the address split into its table indices, the walk level by level with
 * each descriptor decoded and where and why it stopped, the VMA, the path
 * the fault handler took and the entries it wrote, the TLB of the CPU
 * before and after, and the cost charged step by step.  Designs add their
 * own steps to a fault's story with vm_fault_note() (mmu/fault.h).
 *
 * Selections: "all"; "first=N" (the first N faults of the run); "addr=A"
 * (faults in the page of A); "range=A-B" (faults at A <= address < B).
 * Formats: "text" (blocks) or "json" (one JSON object per line).  Faults
 * are numbered in the order the CPUs take them, selected or not.
 *
 * Explaining reads the tables and the TLB model without changing them: a
 * run with --explain gives the same results as one without.
 */
#ifndef SIM_EXPLAIN_H
#define SIM_EXPLAIN_H

#include <glib.h>

#include "mmu/walk_trace.h"
#include "sim/cpu.h"
#include "sim/machine.h"

struct explainer;
struct fault_story;

/* The explainer of `select` in `format` writing to `path` (NULL: the
 * machine's log).  -EINVAL with `error` naming the option and the cause. */
int explainer_open(const char *select, const char *format, const char *path,
		   struct explainer **out, GString *error);
void explainer_close(struct explainer *x);

/* Before handle_mm_fault(): NULL when the fault is not selected (or no
 * --explain); else the story so far, with vmf->notes collecting the
 * designs' steps. */
struct fault_story *explain_fault_begin(struct machine *m, struct task *t,
					const struct cpu_exit *e, struct vm_fault *vmf);
/* After it: the rest of the story, written out and freed.  NULL: nothing. */
void explain_fault_end(struct machine *m, struct fault_story *story, const struct vm_fault *vmf);

/* A walk as a fault's story tells it: the address's table indices, then
 * each level read with its descriptor decoded, and the verdict (also the
 * gdb stub's `monitor walk`). */
void explain_write_walk(GString *out, const struct walk_trace *w);

#endif
