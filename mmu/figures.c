/*
 * figures: the translation model's figures as sections of a report
 * (report/model.h): faults by kind, TLB counters in total and per agent,
 * shootdowns, latencies.  A live run's report (sim/report.c) and a trace
 * replay's (traces/replay.c) show them through these, so the two print the
 * same figures the same way.  Only the domain is read, never a machine.
 */
#include "mmu/figures.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void figures_faults(struct report_node *root, const uint64_t *faults)
{
	struct report_node *s = report_add_section(root, "faults", "page faults", TEXT_TOTAL);

	for (int k = 0; k < NR_FAULT_KINDS; k++)
		if (faults[k])
			report_add_count(s, fault_kind_name(k), fault_kind_name(k), faults[k]);
}

/* The counters of one TLB, or their sum, into `s`, with their --stats
 * layout (shown for the sum only: the per-CPU list is JSON only). */
void figures_tlb_counters(struct report_node *s, const struct tlb_stats *t)
{
	struct report_node *flushes;
	char label[32];

	for (int c = 0; c < TLB_NR_CACHES; c++) {
		struct report_node *cache = report_add_section(s, tlb_cache_name(c), NULL, TEXT_INLINE);
		uint64_t lookups = t->hits[c] + t->misses[c];

		/* three spaces: these values stand a column right of the others */
		snprintf(label, sizeof(label), "%-3s hits / misses   ", tlb_cache_name(c));
		report_add_count(cache, "hits", label, t->hits[c]);
		report_set_suffix(report_set_text(report_add_count(cache, "misses", NULL, t->misses[c]), TEXT_NEXT),
				  "   %5.1f%% hits", lookups ? 100.0 * t->hits[c] / lookups : 0.0);
	}
	report_add_count(s, "walks", "walks / reads", t->walks);
	report_set_text(report_add_count(s, "walk_reads", NULL, t->walk_reads), TEXT_NEXT);
	report_add_count(s, "pwc_hits", "pwc hits / misses", t->pwc_hits);
	report_set_text(report_add_count(s, "pwc_misses", NULL, t->pwc_misses), TEXT_NEXT);
	report_add_count(s, "faulting_walks", "faulting walks", t->faults);
	flushes = report_add_section(s, "flushes", NULL, TEXT_NONE);
	report_add_count(flushes, "all", NULL, t->flushes_all);
	report_add_count(flushes, "asid", NULL, t->flushes_asid);
	report_add_count(flushes, "page", NULL, t->flushes_page);
}

/* TLB counters in total and per CPU (all zero, and not in the text, under
 * --tlb off). */
void figures_tlb(struct report_node *root, const struct domain *d, bool off)
{
	static const struct tlb_stats none;
	const char *mode = off ? "off" : "exact";
	unsigned asid_bits = d->profile->asid_bits;
	struct report_node *s, *total, *cpus;
	struct tlb_stats sum;
	char label[80];

	if (asid_bits)
		snprintf(label, sizeof(label), "TLB (--tlb %s; %u-bit ASIDs, %" PRIu64 " roll-overs)", mode,
			 asid_bits, d->asids.rollovers);
	else
		snprintf(label, sizeof(label), "TLB (--tlb %s; untagged)", mode);
	s = report_add_section(root, "tlb", label, TEXT_LINE);
	report_add_string(s, "mode", mode);
	report_add_count(s, "asid_bits", NULL, asid_bits);
	report_add_count(s, "asid_rollovers", NULL, d->asids.rollovers);
	domain_tlb_stats(d, &sum);
	total = report_add_section(s, "total", NULL, off ? TEXT_NONE : TEXT_INLINE);
	figures_tlb_counters(total, &sum);
	cpus = report_add_list(s, "cpus", NULL, TEXT_NONE);
	for (int i = 0; i < d->nr_agents; i++) {
		struct report_node *cpu = report_add_section(cpus, NULL, NULL, TEXT_INLINE);

		report_add_count(cpu, "id", NULL, (uint64_t)i);
		figures_tlb_counters(cpu, d->agents[i].tlb ? tlb_stats(d->agents[i].tlb) : &none);
	}
}

void figures_shootdowns(struct report_node *root, const struct domain *d,
			const struct shootdown_stats *sd)
{
	struct report_node *s = report_add_section(root, "shootdowns", "TLB shootdowns", TEXT_LINE);
	const char *mechanism = shootdown_mechanism_name(d->profile->shootdown);
	struct report_node *count;

	report_add_string(s, "mechanism", mechanism);
	count = report_set_text(report_add_count(s, "count", NULL, sd->shootdowns), TEXT_HEADING);
	report_set_suffix(count, "   (%s)", mechanism);
	report_add_count(s, "full", "whole-ASID flushes", sd->full);
	report_add_count(s, "pages", "pages flushed", sd->pages);
	report_add_count(s, "ipis", "IPIs", sd->ipis);
}

struct report_node *figures_cpus(struct report_node *root, const struct domain *d, int n)
{
	struct report_node *list = report_add_list(root, "cpus", "simulated CPUs", TEXT_COUNT);
	char label[32];

	for (int i = 0; i < n; i++) {
		struct report_node *cpu = report_add_section(list, NULL, NULL, TEXT_INLINE);

		snprintf(label, sizeof(label), "cpu%-2d clock (ns)", i);
		report_add_count(cpu, "id", NULL, (uint64_t)i);
		report_add_count(cpu, "clock_ns", label, d->agents[i].clock);
	}
	return list;
}

void figures_vm_counts(struct report_node *s, const struct vm_stats *vs)
{
	report_add_count(s, "fault_around_pages", "fault-around pages", vs->fault_around_pages);
	report_add_count(s, "tlb_flushes", "TLB flushes", vs->tlb_flushes);
}

void figures_memory(struct report_node *root, const struct memory_figures *mf)
{
	struct report_node *s = report_add_section(root, "memory", NULL, TEXT_INLINE);
	struct report_node *frames = report_add_section(s, "frames_at_exit", "frames in use at exit", TEXT_TOTAL);

	report_add_count(frames, "data", "data", mf->data);
	report_add_count(frames, "page_tables", "page tables", mf->page_tables);
	report_add_count(frames, "simulator", "simulator", mf->simulator);
	report_add_count(s, "peak_frames", "peak frames in use", mf->peak);
	report_add_count(s, "peak_page_tables", "peak page-table frames", mf->peak_page_tables);
	report_add_count(s, "peak_cpu_page_tables", "peak CPU table frames", mf->peak_cpu_page_tables);
}

/* A mean breakdown's steps that cost anything: the profile's, then
 * device_wait (as --explain lists a fault's cost). */
struct mean_step {
	const char *key;
	double cycles;
};

static unsigned mean_steps(const struct latency_summary *s, struct mean_step out[NR_COST_STEPS + 1])
{
	unsigned n = 0;

	for (int i = 0; i < NR_COST_STEPS; i++)
		if (s->mean_steps[i] > 0)
			out[n++] = (struct mean_step){ cost_step_key(i), s->mean_steps[i] };
	if (s->mean_device_wait > 0)
		out[n++] = (struct mean_step){ DEVICE_WAIT_STEP, s->mean_device_wait };
	return n;
}

/* The text's summary of a mean breakdown: the three steps that cost most. */
static void set_top_steps(struct report_node *breakdown, const struct mean_step *steps, unsigned n)
{
	GString *top = g_string_new(NULL);
	bool used[NR_COST_STEPS + 1] = { false };

	for (unsigned k = 0; k < MIN(n, 3u); k++) {
		unsigned best = n;

		for (unsigned i = 0; i < n; i++)
			if (!used[i] && (best == n || steps[i].cycles > steps[best].cycles))
				best = i;
		used[best] = true;
		g_string_append_printf(top, "%s%s %.0f", k ? ", " : "  ", steps[best].key, steps[best].cycles);
	}
	report_set_suffix(breakdown, "%s", top->str);
	g_string_free(top, TRUE);
}

/* One kind: cycles of the profile, then the same in simulated ns (integer
 * cycles through cost_ns(), the mean divided by the frequency), then the
 * mean cycles of each step that cost anything (they sum to the mean). */
static void fill_latency(struct report_node *list, const struct latency_summary *s,
			 const struct cost_profile *p)
{
	struct report_node *row = report_add_section(list, NULL, NULL, TEXT_INLINE);
	struct report_node *breakdown, *indirect;
	struct mean_step steps[NR_COST_STEPS + 1];
	unsigned n;

	report_add_string(row, "kind", s->kind);
	report_add_count(row, "count", NULL, s->count);
	report_add_real(row, "mean_cycles", NULL, s->mean, 1);
	report_add_count(row, "median_cycles", NULL, s->median);
	report_add_count(row, "p90_cycles", NULL, s->p90);
	report_add_count(row, "p99_cycles", NULL, s->p99);
	report_add_count(row, "max_cycles", NULL, s->max);
	report_add_real(row, "mean_ns", NULL, s->mean / p->frequency_ghz, 1);
	report_add_count(row, "median_ns", NULL, cost_ns(p, s->median));
	report_add_count(row, "p90_ns", NULL, cost_ns(p, s->p90));
	report_add_count(row, "p99_ns", NULL, cost_ns(p, s->p99));
	report_add_count(row, "max_ns", NULL, cost_ns(p, s->max));
	breakdown = report_add_section(row, "breakdown_cycles", NULL, TEXT_NEXT);
	n = mean_steps(s, steps);
	for (unsigned i = 0; i < n; i++)
		report_add_real(breakdown, steps[i].key, NULL, steps[i].cycles, 0);
	set_top_steps(breakdown, steps, n);
	indirect = report_add_section(row, "indirect", NULL, TEXT_NEXT);
	report_add_real(indirect, "mean_cycles", NULL, s->mean_indirect, 0);
	report_add_real(indirect, "mean_refills", NULL, s->mean_refills, 1);
	if (s->mean_refills > 0)
		report_set_suffix(indirect, "; then %.1f refills, %.0f cycles", s->mean_refills, s->mean_indirect);
}

void figures_latencies(struct report_node *root, const struct domain *d,
		       struct latency_recorder *recorder)
{
	const struct cost_profile *p = d->profile;
	GArray *all = latency_summaries(recorder);
	struct report_node *list;
	char label[160];

	snprintf(label, sizeof(label), "latencies (profile %s, %.2f GHz; simulated ns; mean breakdown in cycles)",
		 p->name, p->frequency_ghz);
	list = report_add_list(root, "latencies", label, TEXT_TABLE);
	report_add_column(list, "kind", "kind", -26);
	report_add_column(list, "count", "count", 8);
	report_add_column(list, "mean_ns", "mean", 9);
	report_add_column(list, "median_ns", "median", 9);
	report_add_column(list, "p90_ns", "p90", 9);
	report_add_column(list, "p99_ns", "p99", 9);
	report_add_column(list, "max_ns", "max", 9);
	for (guint i = 0; i < all->len; i++)
		fill_latency(list, &g_array_index(all, struct latency_summary, i), p);
	g_array_free(all, TRUE);
}

void figures_device_agent(const struct agent *a, struct device_figures *f)
{
	const struct tlb_stats *s = tlb_stats(a->tlb);

	f->tlb_hits = s->hits[TLB_L1D] + s->hits[TLB_L2];
	f->tlb_misses = s->walks;
	f->clock_ns = a->clock;
}

static void device_row(struct report_node *list, int i, const struct device_figures *f)
{
	const struct device_counters *c = &f->counters;
	struct report_node *row = report_add_section(list, NULL, NULL, TEXT_NONE);
	char name[16];

	snprintf(name, sizeof(name), "accel%d", i);
	report_add_string(row, "device", name);
	report_add_count(row, "kernels", NULL, c->kernels);
	report_add_count(row, "accesses", NULL, c->accesses);
	report_add_count(row, "faults", NULL, c->faults);
	report_add_count(row, "to_device", NULL, c->to_device);
	report_add_count(row, "to_cpu", NULL, c->to_cpu);
	report_add_count(row, "zero_pages", NULL, c->zero_pages);
	report_add_count(row, "mirrored", NULL, c->mirrored);
	report_add_count(row, "pte_updates", NULL, c->pte_updates);
	report_add_count(row, "inval_pages", NULL, c->inval_pages);
	report_add_count(row, "inval_ranges", NULL, c->inval_ranges);
	report_add_count(row, "link_bytes", NULL, c->link_bytes);
	report_add_count(row, "tlb_hits", NULL, f->tlb_hits);
	report_add_count(row, "tlb_misses", NULL, f->tlb_misses);
	report_add_count(row, "clock_ns", NULL, f->clock_ns);
	report_add_count(row, "peak_frames", NULL, f->peak_frames);
	report_add_count(row, "peak_pt_frames", NULL, f->peak_pt_frames);
}

void figures_accelerators(struct report_node *sec, const struct device_figures *f, int n)
{
	static const char *const columns[] = { "faults", "to_device", "to_cpu", "zero_pages", "mirrored",
						"inval_pages", "inval_ranges", "link_bytes", "clock_ns",
						"peak_frames", "peak_pt_frames" };
	struct report_node *list = report_add_list(sec, "accelerators", "accelerators", TEXT_TABLE);

	report_add_column(list, "device", "device", -8);
	report_add_column(list, "accesses", "accesses", 10);
	for (size_t i = 0; i < G_N_ELEMENTS(columns); i++)
		report_add_column(list, columns[i], columns[i], (int)MAX(strlen(columns[i]) + 2, 8));
	for (int i = 0; i < n; i++)
		device_row(list, i, &f[i]);
}
