/*
 * figures: the domain's figures as report sections (see figures.c), with
 * the JSON keys and --stats labels of docs/report-format.md.
 */
#ifndef MMU_FIGURES_H
#define MMU_FIGURES_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/agent.h"
#include "report/model.h"

/* "faults": the count of each kind of fault (NR_FAULT_KINDS of them). */
void figures_faults(struct report_node *root, const uint64_t *faults);
/* The counters of one TLB, or of a sum, into `s`. */
void figures_tlb_counters(struct report_node *s, const struct tlb_stats *t);
/* "tlb": mode (exact, or off: no TLBs), ASIDs, the total and each agent's. */
void figures_tlb(struct report_node *root, const struct domain *d, bool off);
/* "shootdowns", by the domain profile's mechanism. */
void figures_shootdowns(struct report_node *root, const struct domain *d,
			const struct shootdown_stats *sd);
/* "latencies": every kind `recorder` holds, costed by the domain's profile. */
void figures_latencies(struct report_node *root, const struct domain *d,
		       struct latency_recorder *recorder);

#endif
