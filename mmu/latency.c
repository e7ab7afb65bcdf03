#include "mmu/latency.h"

#include <string.h>

struct kind_samples {
	char *name;
	GArray *samples;			/* uint64_t cycles */
	uint64_t step_cycles[NR_COST_STEPS];
	uint64_t indirect, refills;
};

struct latency_recorder {
	GHashTable *kinds;			/* name -> struct kind_samples */
};

static void kind_free(gpointer p)
{
	struct kind_samples *k = p;

	g_array_free(k->samples, TRUE);
	g_free(k->name);
	g_free(k);
}

struct latency_recorder *latency_recorder_new(void)
{
	struct latency_recorder *r = g_new0(struct latency_recorder, 1);

	r->kinds = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, kind_free);
	return r;
}

void latency_recorder_free(struct latency_recorder *r)
{
	if (!r)
		return;
	g_hash_table_destroy(r->kinds);
	g_free(r);
}

void event_charge(struct event_cost *ev, const struct cost_profile *p, enum cost_step step,
		  uint64_t count)
{
	uint64_t cycles = p->cycles[step] * count;

	ev->cycles[step] += cycles;
	ev->total += cycles;
}

void event_add(struct event_cost *ev, const struct event_cost *part)
{
	for (int s = 0; s < NR_COST_STEPS; s++)
		ev->cycles[s] += part->cycles[s];
	ev->total += part->total;
}

void latency_record(struct latency_recorder *r, const char *kind, const struct event_cost *ev)
{
	struct kind_samples *k = g_hash_table_lookup(r->kinds, kind);

	if (!k) {
		k = g_new0(struct kind_samples, 1);
		k->name = g_strdup(kind);
		k->samples = g_array_new(FALSE, FALSE, sizeof(uint64_t));
		g_hash_table_insert(r->kinds, k->name, k);
	}
	g_array_append_val(k->samples, ev->total);
	for (int s = 0; s < NR_COST_STEPS; s++)
		k->step_cycles[s] += ev->cycles[s];
	k->indirect += ev->indirect;
	k->refills += ev->refills;
}

static gint compare_u64(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static gint compare_kind(gconstpointer a, gconstpointer b)
{
	return strcmp(((const struct latency_summary *)a)->kind, ((const struct latency_summary *)b)->kind);
}

/* The nearest-rank percentile of sorted samples. */
static uint64_t percentile(const GArray *sorted, unsigned pct)
{
	guint rank = (guint)((pct * (uint64_t)sorted->len + 99) / 100);

	return g_array_index(sorted, uint64_t, MAX(rank, 1) - 1);
}

static struct latency_summary summarize(struct kind_samples *k)
{
	struct latency_summary s = { .kind = k->name, .count = k->samples->len };
	uint64_t sum = 0;

	g_array_sort(k->samples, compare_u64);
	for (guint i = 0; i < k->samples->len; i++)
		sum += g_array_index(k->samples, uint64_t, i);
	s.mean = (double)sum / k->samples->len;
	s.median = percentile(k->samples, 50);
	s.p90 = percentile(k->samples, 90);
	s.p99 = percentile(k->samples, 99);
	s.max = g_array_index(k->samples, uint64_t, k->samples->len - 1);
	for (int i = 0; i < NR_COST_STEPS; i++)
		s.mean_steps[i] = (double)k->step_cycles[i] / k->samples->len;
	s.mean_indirect = (double)k->indirect / k->samples->len;
	s.mean_refills = (double)k->refills / k->samples->len;
	return s;
}

GArray *latency_summaries(struct latency_recorder *r)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(struct latency_summary));
	GHashTableIter it;
	gpointer value;

	g_hash_table_iter_init(&it, r->kinds);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct latency_summary s = summarize(value);

		g_array_append_val(out, s);
	}
	g_array_sort(out, compare_kind);
	return out;
}
