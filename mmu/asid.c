/*
 * asid: a bitmap of the ASIDs taken in the current generation, and the
 * roll-over that starts a new one.
 */
#include "mmu/asid.h"

#include <glib.h>
#include <string.h>

static uint64_t nr_asids(const struct asid_allocator *a)
{
	return UINT64_C(1) << a->bits;
}

static bool test_and_set(uint64_t *map, uint64_t asid)
{
	uint64_t bit = UINT64_C(1) << (asid % 64);
	bool was = map[asid / 64] & bit;

	map[asid / 64] |= bit;
	return was;
}

void asid_allocator_init(struct asid_allocator *a, unsigned bits, int nr_cpus)
{
	*a = (struct asid_allocator){ .bits = bits, .nr_cpus = nr_cpus, .next = 1 };
	a->generation = nr_asids(a);
	a->used = g_new0(uint64_t, (nr_asids(a) + 63) / 64);
	a->used[0] = 1;		/* ASID 0 is never handed out */
}

void asid_allocator_fini(struct asid_allocator *a)
{
	g_free(a->used);
	a->used = NULL;
}

/* A new generation: only the ASIDs running now (or reserved by a CPU that
 * has not switched since the last roll-over) stay taken. */
static void roll_over(struct asid_allocator *a)
{
	a->generation += nr_asids(a);
	a->rollovers++;
	memset(a->used, 0, (nr_asids(a) + 63) / 64 * sizeof(uint64_t));
	a->used[0] = 1;
	for (int cpu = 0; cpu < a->nr_cpus; cpu++) {
		uint64_t id = a->active[cpu] ? a->active[cpu] : a->reserved[cpu];

		a->active[cpu] = 0;
		a->reserved[cpu] = id;
		if (id)
			test_and_set(a->used, asid_of(a, id));
	}
	a->flush_pending = a->nr_cpus == 64 ? UINT64_MAX : (UINT64_C(1) << a->nr_cpus) - 1;
	a->next = 1;
}

/* Whether `id` is some CPU's reserved context; if so, move every such
 * reservation to the current generation. */
static bool keep_reserved(struct asid_allocator *a, uint64_t id)
{
	uint64_t renewed = a->generation | asid_of(a, id);
	bool found = false;

	for (int cpu = 0; cpu < a->nr_cpus; cpu++) {
		if (a->reserved[cpu] == id) {
			a->reserved[cpu] = renewed;
			found = true;
		}
	}
	return found;
}

static uint64_t find_free(struct asid_allocator *a)
{
	for (uint64_t asid = a->next; asid < nr_asids(a); asid++) {
		if (!test_and_set(a->used, asid)) {
			a->next = (unsigned)asid + 1;
			return asid;
		}
	}
	return 0;
}

static uint64_t new_context(struct asid_allocator *a, uint64_t id)
{
	uint64_t asid;

	if (id) {
		if (keep_reserved(a, id))
			return a->generation | asid_of(a, id);
		if (!test_and_set(a->used, asid_of(a, id)))
			return a->generation | asid_of(a, id);
	}
	asid = find_free(a);
	if (!asid) {
		roll_over(a);
		asid = find_free(a);
	}
	return a->generation | asid;
}

uint16_t asid_switch_mm(struct asid_allocator *a, int cpu, uint64_t *context_id, bool *flush)
{
	uint64_t cpu_bit = UINT64_C(1) << cpu;

	if ((*context_id & ~(nr_asids(a) - 1)) != a->generation)
		*context_id = new_context(a, *context_id);
	*flush = a->flush_pending & cpu_bit;
	a->flush_pending &= ~cpu_bit;
	a->active[cpu] = *context_id;
	return asid_of(a, *context_id);
}
