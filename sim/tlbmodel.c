/*
 * tlbmodel: the engine's accesses go to agent_access() of the domain's
 * current agent (the call is made inline by sim/cpu.c).
 */
#include "sim/tlbmodel.h"

#include <errno.h>

int tlbmodel_hook(struct cpu *cpu, struct domain *domain, GString *error)
{
	if (cpu_set_tlb_model(cpu, domain)) {
		g_string_printf(error, "cannot hook the emulator's memory accesses");
		return -EIO;
	}
	return 0;
}
