/*
 * tlbmodel: one hook, from the engine's access callback to agent_access()
 * of the domain's current agent.
 */
#include "sim/tlbmodel.h"

#include <errno.h>

static void on_access(void *ctx, struct mm *mm, uint64_t va, bool fetch)
{
	struct domain *domain = ctx;

	agent_access(domain->current, mm, va, fetch);
}

int tlbmodel_hook(struct cpu *cpu, struct domain *domain, GString *error)
{
	if (cpu_set_access_hook(cpu, on_access, domain)) {
		g_string_printf(error, "cannot hook the emulator's memory accesses");
		return -EIO;
	}
	return 0;
}
