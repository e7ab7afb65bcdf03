/*
 * cost: the cost profile, in cycles per modelled step, and the clock
 * frequency that turns cycles into simulated nanoseconds.
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
#include <stdint.h>

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
	COST_IPI_SEND, COST_IPI_HANDLE, COST_ACK_WAIT, COST_TLBI_BROADCAST,
	COST_SIGNAL_DELIVERY,
	NR_COST_STEPS
};

struct cost_profile {
	char *name;
	char *description;
	double frequency_ghz;
	uint64_t cycles[NR_COST_STEPS];
};

/* A built-in profile by name, or a key file by path. */
int cost_profile_load(const char *name_or_file, struct cost_profile *out, GError **error);
/* Change one value: "cycles.KEY=N" or "frequency_ghz=F". */
int cost_profile_set(struct cost_profile *p, const char *assignment, GError **error);
void cost_profile_clear(struct cost_profile *p);
/* The key of a step in profiles and reports ("syscall_entry"). */
const char *cost_step_key(enum cost_step step);
/* One line per built-in profile: name, frequency, description. */
void cost_profiles_describe(GString *out);

static inline uint64_t cost_ns(const struct cost_profile *p, uint64_t cycles)
{
	return (uint64_t)((double)cycles / p->frequency_ghz + 0.5);
}

#endif
