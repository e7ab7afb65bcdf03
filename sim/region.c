/*
 * region: the figures of a region of interest (see region.h).
 */
#include "sim/region.h"

#define NR_COUNTERS (sizeof(struct run_counters) / sizeof(uint64_t))

G_STATIC_ASSERT(sizeof(struct run_counters) % sizeof(uint64_t) == 0);

struct region *region_new(void)
{
	struct region *r = g_new0(struct region, 1);

	r->latency = latency_recorder_new();
	return r;
}

void region_free(struct region *r)
{
	if (!r)
		return;
	if (r->syscalls)
		g_hash_table_destroy(r->syscalls);
	latency_recorder_free(r->latency);
	g_free(r);
}

void run_counters_add_interval(struct run_counters *sum, const struct run_counters *from,
			       const struct run_counters *to)
{
	uint64_t *s = (uint64_t *)sum;
	const uint64_t *a = (const uint64_t *)from, *b = (const uint64_t *)to;

	for (size_t i = 0; i < NR_COUNTERS; i++)
		s[i] += b[i] - a[i];
}

void region_clear(struct region *r)
{
	r->sum = (struct run_counters){ 0 };
	r->intervals = r->open;
	g_clear_pointer(&r->syscalls, g_hash_table_destroy);
	latency_recorder_free(r->latency);
	r->latency = latency_recorder_new();
}
