/*
 * cost: the cost profile, in cycles per modelled step, and the clock
 * frequency that turns cycles into simulated nanoseconds.
 *
 * A profile also describes the translation hardware the costs belong to: the
 * TLB geometry of every CPU, how many ASID bits it tags entries with (0: no
 * tags, every address-space switch flushes), and how a shootdown reaches
 * other CPUs (IPIs, or Arm-style broadcast TLBI).
 *
 * Profiles are GLib key files:
 *
 *   [profile]
 *   description=...
 *   frequency_ghz=2.4
 *   [cycles]
 *   instruction=1
 *   syscall_entry=70
 *   ...
 *   [tlb]
 *   l1d_entries=64
 *   l1d_ways=4
 *   asid_bits=16
 *   shootdown=ipi
 *   ...
 *   [vm]
 *   fault_around_bytes=65536
 *   zero_page=1
 *   ...
 *
 *   [device]
 *   l1_entries=64
 *   fault=20000
 *   ...
 *
 * The [device] group describes the simulated accelerators (mmu/device):
 * their TLB (an L1 data TLB, an L2, a page-walk cache; untagged) and what
 * their memory management costs, in cycles of the profile's clock.
 *
 * The [vm] group holds the kernel's tunables of the fault path (struct
 * vm_tunables below), Linux's defaults unless changed: they decide which
 * faults happen, the [cycles] what each costs.
 *
 * Built-in profiles: "default" and "xeon-e5620" (docs/cost-profiles.md says
 * where each value comes from).  A profile may be loaded by name or from a
 * file, then changed key by key (--set cycles.KEY=N, --set frequency_ghz=F).
 * A file must name every step it changes; steps it leaves out keep the
 * default profile's value.
 */
#ifndef MMU_COST_H
#define MMU_COST_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/tlb.h"

enum cost_step {
	COST_INSTRUCTION,		/* one guest instruction (CPI) */
	COST_TLB_HIT_L1, COST_TLB_HIT_L2,
	COST_WALK_LEVEL,		/* one descriptor read by a walk */
	COST_WALK_LEVEL_PWC_HIT,	/* one level the page-walk cache supplied */
	COST_TRAP_ENTRY, COST_TRAP_EXIT,
	COST_SYSCALL_ENTRY, COST_SYSCALL_EXIT,
	COST_PAGE_ZERO, COST_PAGE_COPY,	/* per 4 KiB */
	COST_PGTABLE_ALLOC, COST_PTE_INSTALL,
	COST_TLB_FLUSH_PAGE, COST_TLB_FLUSH_ALL,
	COST_SWITCH_ASID, COST_SWITCH_NO_ASID,	/* address-space switch */
	COST_SCHED_PICK,
	COST_IPI_SEND, COST_IPI_HANDLE, COST_ACK_WAIT,
	COST_TLBI_BROADCAST, COST_TLBI_SYNC,	/* one TLBI ... IS; the DSB ISH that waits for all */
	COST_SIGNAL_DELIVERY,
	COST_VMA_MODIFY,		/* an mprotect call's VMA work (find, split, merge) */
	COST_FORK_MM,			/* a fork's task and mm set-up, beyond the entries it copies */
	COST_UFFD_ENQUEUE,		/* a user fault queues its message and wakes the handler's queue */
	COST_UFFD_WAKE,			/* a resolving ioctl finds and wakes a user fault's waiter */
	NR_COST_STEPS
};

/* How a TLB shootdown reaches the other CPUs that may cache a translation. */
enum shootdown_mechanism {
	SHOOTDOWN_IPI,		/* interrupt each one; it flushes and acknowledges (x86) */
	SHOOTDOWN_BROADCAST,	/* TLBI ... IS reaches every CPU in hardware (Arm) */
};

#define MAX_ASID_BITS 16

/* The kernel's choices that decide which faults a program takes ([vm]). */
struct vm_tunables {
	uint64_t fault_around_bytes;	/* read faults in file/shared memory map up to this much (0/4096: off) */
	bool zero_page;			/* read faults on private anonymous memory map the shared zero page */
	bool fork_skip_refillable;	/* fork copies no entries of VMAs a fault can refill */
	bool stack_growth;		/* the stack VMA grows down on a fault below it; else a fixed 8 MiB */
};

/* Linux's defaults. */
extern const struct vm_tunables vm_default_tunables;

/* A simulated accelerator ([device]). */
struct device_profile {
	struct tlb_config tlb;		/* l1d, l2 and pwc; no l1i; untagged */
	uint64_t access;		/* one access of a kernel, beyond its lookup */
	uint64_t fault;			/* a device fault's trip to the host and back */
	uint64_t pte_update;		/* one entry of the device's table written */
	uint64_t tlb_inval_page;	/* one page invalidated in the device's TLB */
	uint64_t tlb_inval_range;	/* one coalesced invalidation of a whole range */
	uint64_t link_latency;		/* one transfer over the CPU-device link */
	uint64_t link_page;		/* 4 KiB at the link's bandwidth */
};

struct cost_profile {
	char *name;
	char *description;
	double frequency_ghz;
	uint64_t cycles[NR_COST_STEPS];
	struct tlb_config tlb;		/* asid_tagged is asid_bits > 0 */
	unsigned asid_bits;		/* 0: untagged */
	enum shootdown_mechanism shootdown;
	struct vm_tunables vm;
	struct device_profile device;
};

/* A built-in profile by name, or a key file by path. */
int cost_profile_load(const char *name_or_file, struct cost_profile *out, GError **error);
/* Change one value: "cycles.KEY=N", "tlb.KEY=V", "vm.KEY=V", "device.KEY=N" or
 * "frequency_ghz=F". */
int cost_profile_set(struct cost_profile *p, const char *assignment, GError **error);
void cost_profile_clear(struct cost_profile *p);
/* The key of a step in profiles and reports ("syscall_entry"). */
const char *cost_step_key(enum cost_step step);
const char *shootdown_mechanism_name(enum shootdown_mechanism m);
/* One line per built-in profile: name, frequency, description. */
void cost_profiles_describe(GString *out);

static inline uint64_t cost_ns(const struct cost_profile *p, uint64_t cycles)
{
	return (uint64_t)((double)cycles / p->frequency_ghz + 0.5);
}

#endif
