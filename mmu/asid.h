/*
 * asid: handing out address-space identifiers, the way arm64 Linux does
 * (arch/arm64/mm/context.c): one allocator for all CPUs, ASIDs of `bits`
 * bits (ASID 0 is never handed out), and generations.
 *
 * An mm's context id is its ASID with the generation above it.  When an mm
 * is switched to and its generation is not the current one, it gets a new
 * ASID: its old number if that is still free in this generation, else the
 * next free one.  When none is free the generation rolls over: every ASID
 * is released except those running on a CPU right now (they stay
 * "reserved" to their mm), and every CPU must flush its TLB before it next
 * switches, since entries tagged with recycled numbers may be stale.
 *
 * With at most 2^bits - 1 live ASIDs, a workload with more address spaces
 * than that pays roll-overs and flushes; one with fewer never flushes on a
 * switch.
 */
#ifndef MMU_ASID_H
#define MMU_ASID_H

#include <stdbool.h>
#include <stdint.h>

#define ASID_MAX_CPUS 64

struct asid_allocator {
	unsigned bits;			/* 1..16 */
	uint64_t generation;		/* a multiple of 2^bits, from 2^bits up */
	uint64_t *used;			/* bitmap of ASIDs taken in this generation */
	unsigned next;			/* where the search for a free ASID resumes */
	int nr_cpus;
	uint64_t active[ASID_MAX_CPUS];		/* context id running on each CPU (0: none) */
	uint64_t reserved[ASID_MAX_CPUS];	/* kept across the last roll-over */
	uint64_t flush_pending;			/* CPUs that must flush at their next switch */
	uint64_t rollovers;
};

void asid_allocator_init(struct asid_allocator *a, unsigned bits, int nr_cpus);
void asid_allocator_fini(struct asid_allocator *a);

/* CPU `cpu` switches to the mm whose context id is `*context_id` (0: never
 * had one); updates it and returns the ASID to run with.  `*flush` is set
 * when the CPU must flush its whole TLB first (a roll-over happened since
 * its last switch). */
uint16_t asid_switch_mm(struct asid_allocator *a, int cpu, uint64_t *context_id, bool *flush);

static inline uint16_t asid_of(const struct asid_allocator *a, uint64_t context_id)
{
	return (uint16_t)(context_id & ((UINT64_C(1) << a->bits) - 1));
}

#endif
