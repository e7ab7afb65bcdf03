/*
 * explain_story: what sim/explain gathers about one fault, shared by its
 * two writers (text in sim/explain.c, JSON lines in sim/explain_json.c),
 * and the words both use for it (sim/explain_story.c).  Private to them.
 */
#ifndef SIM_EXPLAIN_STORY_H
#define SIM_EXPLAIN_STORY_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mmu/tlb.h"
#include "mmu/walk_trace.h"

/* The TLB of the CPU that took the fault, as a probe sees it. */
struct tlb_view {
	bool modelled;			/* false under --tlb off */
	bool tagged;
	uint16_t asid;
	struct tlb_probe probe;
};

struct fault_story {
	uint64_t number;		/* of the run's faults, from 1 */
	int tid, cpu;
	uint64_t pc;
	GString *insn;			/* the instruction at pc */
	uint64_t address;		/* the byte accessed */
	enum fault_access access;
	uint32_t syndrome;		/* ESR */
	struct walk_trace before, after;
	struct tlb_view tlb_before, tlb_after;
	GString *vma;			/* its /proc/PID/maps line, empty: none */
	GString *notes;			/* the designs' steps (vm_fault_note) */
	double frequency_ghz;
};

/* "read", "write", "exec". */
const char *fault_access_name(enum fault_access access);
/* The handler's path, for people: "demand-zero: a zeroed frame". */
const char *fault_path_describe(const struct vm_fault *vmf);
/* What the syndrome says: "data abort from EL0, write, FSC 0x07:
 * translation fault at level 3". */
void syndrome_describe(uint32_t esr, GString *out);
/* The signal the fault ends in ("SIGSEGV (SEGV_MAPERR)"), or NULL. */
const char *fault_signal_name(const struct vm_fault *vmf);

void explain_write_json(FILE *out, const struct fault_story *s, const struct vm_fault *vmf);

#endif
