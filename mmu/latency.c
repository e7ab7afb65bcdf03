/*
 * latency: per kind, a histogram of exact latencies (cycles -> how many
 * events took that long) rather than a list of samples: percentiles stay
 * exact (nearest rank over the sorted distinct values with their counts),
 * and memory grows with the number of distinct latencies, not with the
 * length of the run.
 */
#include "mmu/latency.h"

#include <string.h>

struct kind_samples {
	char *name;
	GHashTable *histogram;			/* cycles -> count, both as guint64 in a gpointer */
	uint64_t last_cycles, *last_count;	/* the bucket of the last event (NULL: none) */
	uint64_t count, sum;
	uint64_t step_cycles[NR_COST_STEPS];
	uint64_t device_wait;
	uint64_t indirect, refills;
};

/* Kinds recently recorded, by the address of the name they were recorded
 * under: tried (their name compared) before the table. */
#define RECENT_KINDS 8

struct latency_recorder {
	GHashTable *kinds;			/* name -> struct kind_samples */
	struct latency_recorder *tee;		/* records every event too, or NULL */
	struct kind_samples *recent[RECENT_KINDS];
};

static void kind_free(gpointer p)
{
	struct kind_samples *k = p;

	g_hash_table_destroy(k->histogram);
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
	ev->device_wait += part->device_wait;
	ev->total += part->total;
}

static guint hash_u64(gconstpointer key)
{
	return g_int64_hash(key);
}

static gboolean equal_u64(gconstpointer a, gconstpointer b)
{
	return g_int64_equal(a, b);
}

void latency_set_tee(struct latency_recorder *r, struct latency_recorder *tee)
{
	r->tee = tee;
}

/* The samples of `kind`, made on its first event. */
static struct kind_samples *find_kind(struct latency_recorder *r, const char *kind)
{
	uintptr_t at = (uintptr_t)kind;
	struct kind_samples **recent = &r->recent[(at ^ at >> 4 ^ at >> 8) % RECENT_KINDS];
	struct kind_samples *k = *recent;

	if (k && !strcmp(k->name, kind))
		return k;
	k = g_hash_table_lookup(r->kinds, kind);
	if (!k) {
		k = g_new0(struct kind_samples, 1);
		k->name = g_strdup(kind);
		k->histogram = g_hash_table_new_full(hash_u64, equal_u64, g_free, g_free);
		g_hash_table_insert(r->kinds, k->name, k);
	}
	*recent = k;
	return k;
}

/* The count of `k`'s events that took `cycles`, made at 0 on the first. */
static uint64_t *find_bucket(struct kind_samples *k, uint64_t cycles)
{
	uint64_t *count;

	if (k->last_count && k->last_cycles == cycles)
		return k->last_count;
	count = g_hash_table_lookup(k->histogram, &cycles);
	if (!count) {
		count = g_new0(uint64_t, 1);
		g_hash_table_insert(k->histogram, g_memdup2(&cycles, sizeof(cycles)), count);
	}
	k->last_cycles = cycles;
	k->last_count = count;
	return count;
}

void latency_record(struct latency_recorder *r, const char *kind, const struct event_cost *ev)
{
	struct kind_samples *k = find_kind(r, kind);

	(*find_bucket(k, ev->total))++;
	k->count++;
	k->sum += ev->total;
	for (int s = 0; s < NR_COST_STEPS; s++)
		k->step_cycles[s] += ev->cycles[s];
	k->device_wait += ev->device_wait;
	k->indirect += ev->indirect;
	k->refills += ev->refills;
	if (r->tee)
		latency_record(r->tee, kind, ev);
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

/* The distinct latencies of `k` with their counts, in increasing order. */
struct bucket {
	uint64_t cycles, count;
};

static GArray *sorted_buckets(struct kind_samples *k)
{
	GArray *buckets = g_array_sized_new(FALSE, FALSE, sizeof(struct bucket),
					    g_hash_table_size(k->histogram));
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, k->histogram);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct bucket b = { *(uint64_t *)key, *(uint64_t *)value };

		g_array_append_val(buckets, b);
	}
	g_array_sort(buckets, compare_u64);	/* by cycles, the first member */
	return buckets;
}

/* The latency of the sample of nearest rank `pct` percent. */
static uint64_t percentile(const GArray *sorted, uint64_t count, unsigned pct)
{
	uint64_t rank = MAX((pct * count + 99) / 100, 1), seen = 0;

	for (guint i = 0; i < sorted->len; i++) {
		const struct bucket *b = &g_array_index(sorted, struct bucket, i);

		seen += b->count;
		if (seen >= rank)
			return b->cycles;
	}
	g_assert_not_reached();
}

static struct latency_summary summarize(struct kind_samples *k)
{
	struct latency_summary s = { .kind = k->name, .count = k->count };
	GArray *sorted = sorted_buckets(k);

	s.mean = (double)k->sum / k->count;
	s.median = percentile(sorted, k->count, 50);
	s.p90 = percentile(sorted, k->count, 90);
	s.p99 = percentile(sorted, k->count, 99);
	s.max = g_array_index(sorted, struct bucket, sorted->len - 1).cycles;
	for (int i = 0; i < NR_COST_STEPS; i++)
		s.mean_steps[i] = (double)k->step_cycles[i] / k->count;
	s.mean_device_wait = (double)k->device_wait / k->count;
	s.mean_indirect = (double)k->indirect / k->count;
	s.mean_refills = (double)k->refills / k->count;
	g_array_free(sorted, TRUE);
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
