/*
 * walk_trace: see walk_trace.h.  The walk is pgtable_walk_levels()'s; this
 * file only adds where each descriptor came from and what it means.
 */
#include "mmu/walk_trace.h"

#include <inttypes.h>

static enum walk_verdict judge_leaf(pte_t leaf, bool table_rdonly, enum fault_access access)
{
	if (!(leaf & PTE_AF))
		return WALK_ACCESS_FLAG;
	if (!(leaf & PTE_USER))
		return WALK_PERMISSION;
	if (access == FAULT_WRITE && ((leaf & PTE_RDONLY) || table_rdonly))
		return WALK_PERMISSION;
	if (access == FAULT_EXEC && (leaf & PTE_UXN))
		return WALK_PERMISSION;
	return WALK_OK;
}

void walk_trace(struct phys *phys, phys_addr_t root, uint64_t va, enum fault_access access,
		struct walk_trace *out)
{
	pte_t entries[PGTABLE_LEVELS];
	phys_addr_t table = root;
	int last;

	*out = (struct walk_trace){ .va = va, .root = root };
	if (va >> VA_BITS) {
		out->verdict = WALK_OUT_OF_RANGE;
		return;
	}
	out->levels = pgtable_walk_levels(phys, root, va, entries);
	for (int level = 0; level < out->levels; level++) {
		out->steps[level] = (struct walk_step){ table, pgtable_index(va, level), entries[level] };
		table = pte_addr(entries[level]);
		if (level < out->levels - 1 && (entries[level] & PTE_TABLE_RDONLY))
			out->table_rdonly = true;
	}
	last = walk_trace_last_level(out);
	if (!pte_present(entries[last])) {
		out->verdict = WALK_TRANSLATION;
		return;
	}
	out->pa = pte_addr(entries[last]) + (va & (pgtable_span(last) - 1));
	out->verdict = judge_leaf(entries[last], out->table_rdonly, access);
}

void walk_verdict_describe(const struct walk_trace *w, GString *out)
{
	int level = walk_trace_last_level(w);

	switch (w->verdict) {
	case WALK_OK:
		g_string_append_printf(out, "translates to %#" PRIx64, w->pa);
		break;
	case WALK_TRANSLATION:
		g_string_append_printf(out, "translation fault at level %d", level);
		break;
	case WALK_ACCESS_FLAG:
		g_string_append_printf(out, "access flag fault at level %d", level);
		break;
	case WALK_PERMISSION:
		g_string_append_printf(out, "permission fault at level %d", level);
		break;
	case WALK_OUT_OF_RANGE:
		g_string_append_printf(out, "translation fault at level 0: beyond the %d-bit "
				       "user address range", VA_BITS);
		break;
	}
}

/* AP[2:1] as EL0 sees it. */
static const char *el0_access(pte_t desc)
{
	if (!(desc & PTE_USER))
		return (desc & PTE_RDONLY) ? "AP=ro (EL0 none)" : "AP=rw (EL0 none)";
	return (desc & PTE_RDONLY) ? "AP=ro (EL0 ro)" : "AP=rw (EL0 rw)";
}

void pte_describe(pte_t desc, int level, GString *out)
{
	if (!pte_present(desc)) {
		g_string_append(out, "invalid");
		return;
	}
	if (level < PTE_LEVEL && (desc & PTE_TABLE)) {
		g_string_append_printf(out, "table -> %#" PRIx64, pte_addr(desc));
		if (desc & PTE_TABLE_RDONLY)
			g_string_append(out, " APTable=ro");
		return;
	}
	g_string_append_printf(out, "%s %#" PRIx64 "%s%s %s%s%s",
			       level < PTE_LEVEL ? (level == PMD_LEVEL ? "block (2 MiB)" : "block (1 GiB)")
						 : "page",
			       pte_addr(desc), (desc & PTE_AF) ? " AF" : " AF=0",
			       (desc & PTE_NG) ? " nG" : " global", el0_access(desc),
			       (desc & PTE_UXN) ? " UXN" : "", (desc & PTE_PXN) ? " PXN" : "");
}

void va_describe_indices(uint64_t va, GString *out)
{
	for (int level = 0; level < PGTABLE_LEVELS; level++)
		g_string_append_printf(out, "[L%d %u]", level, pgtable_index(va, level));
	g_string_append_printf(out, " + %#" PRIx64, va & (PAGE_SIZE - 1));
}
