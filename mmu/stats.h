/*
 * stats: counters the memory model keeps while it runs.  Every mm of one
 * simulation points at the same struct vm_stats; the simulator prints it.
 */
#ifndef MMU_STATS_H
#define MMU_STATS_H

#include <stdint.h>

enum fault_kind {
	FAULT_KIND_ANON,	/* demand-zero anonymous page */
	FAULT_KIND_ZERO_PAGE,	/* read of untouched anonymous memory: the shared zero page */
	FAULT_KIND_FILE,	/* private file page read on first touch */
	FAULT_KIND_SHMEM,	/* shared anonymous page found or created */
	FAULT_KIND_COW_COPY,	/* write to a shared private page: copied */
	FAULT_KIND_COW_REUSE,	/* write to a private page nobody else maps */
	FAULT_KIND_COW_ZERO,	/* write to the zero page: a fresh zeroed frame */
	FAULT_KIND_SPURIOUS,	/* the tables already allowed the access */
	FAULT_KIND_MAPERR,	/* no VMA: SIGSEGV/SEGV_MAPERR */
	FAULT_KIND_ACCERR,	/* VMA forbids the access: SIGSEGV/SEGV_ACCERR */
	FAULT_KIND_SIGBUS,	/* file page beyond end of file */
	FAULT_KIND_OOM,		/* no free frame */
	FAULT_KIND_RETRY,	/* the task sleeps until someone resolves it (a design's ops) */
	FAULT_KIND_LINK,	/* a shared page-table subtree linked in (mshare) */
	FAULT_KIND_DEVICE,	/* a page a device held migrated back (gmem) */
	FAULT_KIND_DEVICE_EXCLUSIVE,	/* a device's exclusive hold revoked, the entry restored */
	NR_FAULT_KINDS
};

struct vm_stats {
	uint64_t faults[NR_FAULT_KINDS];
	uint64_t fault_around_pages;	/* neighbours mapped by fault-around */
	uint64_t tlb_flushes;		/* flush_tlb_mm_range() calls that reached a CPU */
	uint64_t mms_created;		/* also the id of the newest mm */
};

const char *fault_kind_name(enum fault_kind kind);
/* "fault:" and its name: the kind its latencies are recorded under. */
const char *fault_latency_kind(enum fault_kind kind);

#endif
