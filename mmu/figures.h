/*
 * figures: the domain's figures as report sections (see figures.c), with
 * the JSON keys and --stats labels of docs/report-format.md.
 */
#ifndef MMU_FIGURES_H
#define MMU_FIGURES_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/agent.h"
#include "mmu/device/device.h"
#include "mmu/phys.h"
#include "report/model.h"

/* What "memory" shows: frames in use at the end by kind, and peaks. */
struct memory_figures {
	uint64_t data, page_tables, simulator;	/* in use */
	uint64_t peak, peak_page_tables, peak_cpu_page_tables;
};

/* "faults": the count of each kind of fault (NR_FAULT_KINDS of them). */
void figures_faults(struct report_node *root, const uint64_t *faults);
/* The counters of one TLB, or of a sum, into `s`. */
void figures_tlb_counters(struct report_node *s, const struct tlb_stats *t);
/* "tlb": mode (exact, or off: no TLBs), ASIDs, the total and each agent's. */
void figures_tlb(struct report_node *root, const struct domain *d, bool off);
/* "shootdowns", by the domain profile's mechanism. */
void figures_shootdowns(struct report_node *root, const struct domain *d,
			const struct shootdown_stats *sd);
/* "cpus": the simulated clock of each of the first `n` agents (the CPUs). */
struct report_node *figures_cpus(struct report_node *root, const struct domain *d, int n);
/* "fault_around_pages" and "tlb_flushes" of `vs`. */
void figures_vm_counts(struct report_node *s, const struct vm_stats *vs);
/* The figures of `phys` now (inline: the recorder reads them without the
 * report code); "memory" of them. */
static inline void memory_figures_read(const struct phys *phys, struct memory_figures *out)
{
	*out = (struct memory_figures){
		.data = phys_in_use(phys, FRAME_DATA),
		.page_tables = phys_in_use(phys, FRAME_PGTABLE),
		.simulator = phys_in_use(phys, FRAME_KERNEL),
		.peak = phys_peak(phys),
		.peak_page_tables = phys_kind_peak(phys, FRAME_PGTABLE),
		.peak_cpu_page_tables = phys_node_pgtable_peak(phys, 0),
	};
}
void figures_memory(struct report_node *root, const struct memory_figures *mf);
/* One device's row of "devices": "accelerators": its counters, what its
 * TLB model and clock give (figures_device_agent), the peaks of its
 * memory node.  A live run reads them from its devices (sim/accel), an
 * exact replay from its records and its own device agents. */
struct device_figures {
	struct device_counters counters;
	uint64_t tlb_hits, tlb_misses, clock_ns;
	uint64_t peak_frames, peak_pt_frames;
};
/* The TLB hits (L1 and L2), misses (walks) and clock of device agent `a`. */
void figures_device_agent(const struct agent *a, struct device_figures *f);
/* The list "accelerators" of the `n` devices of `f`, accel0 first, into `sec`. */
void figures_accelerators(struct report_node *sec, const struct device_figures *f, int n);
/* "latencies": every kind `recorder` holds, costed by the domain's profile. */
void figures_latencies(struct report_node *root, const struct domain *d,
		       struct latency_recorder *recorder);

#endif
