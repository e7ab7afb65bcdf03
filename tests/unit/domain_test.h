/*
 * Shared fixture of the unit tests that need agents: the default cost
 * profile, simulated memory (with device nodes when asked), a domain of
 * agents with TLBs and one mm attached to it.  Each Criterion test runs in
 * its own process, so one global fixture per program is enough; a test
 * program keeps what else it needs in its own `fx`.
 */
#ifndef TESTS_UNIT_DOMAIN_TEST_H
#define TESTS_UNIT_DOMAIN_TEST_H

#include "mmu/agent.h"
#include "mmu/cost.h"
#include "mmu/mm.h"
#include "mmu/phys.h"
#include "mmu/stats.h"

#define DOMAIN_FIXTURE_CPU_MEM (UINT64_C(16) << 20)
#define DOMAIN_FIXTURE_DEVICE_MEM (UINT64_C(1) << 20)

struct domain_fixture {
	struct cost_profile profile;
	struct phys *phys;
	struct vm_stats stats;
	struct domain domain;
	struct mm *mm;		/* attached to the domain */
};

extern struct domain_fixture dfx;

/* DOMAIN_FIXTURE_CPU_MEM of CPU memory and `nr_devices` device nodes of
 * DOMAIN_FIXTURE_DEVICE_MEM (none: plain phys_create), `nr_agents` agents. */
void domain_fixture_setup(int nr_devices, int nr_agents);
/* Destroys dfx.mm (unless a test set it to NULL), the domain, the memory
 * and the profile. */
void domain_fixture_teardown(void);

#endif
