/*
 * tlbmodel: the emulator's accesses fed to the translation agents' TLBs
 * (--tlb exact).  Every guest data access and every page a block of
 * instructions is fetched from is looked up in the TLB of the agent running
 * now, in the address space the engine has loaded; a miss walks the real
 * tables.  The model itself (lookups, switches, ASIDs, refills, shootdowns)
 * is mmu/agent's; under --tlb off nothing is hooked and it models switches
 * and shootdowns all the same.
 */
#ifndef SIM_TLBMODEL_H
#define SIM_TLBMODEL_H

#include <glib.h>

#include "mmu/agent.h"
#include "sim/cpu.h"

/* Hook `cpu`'s accesses to the current agent of `domain`. */
int tlbmodel_hook(struct cpu *cpu, struct domain *domain, GString *error);

#endif
