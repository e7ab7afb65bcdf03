#include "sim/summary.h"

#include "sim/syscall.h"

uint64_t simulated_time_ns(const struct machine *m)
{
	uint64_t latest = 0;

	for (int i = 0; i < m->opt.cpus; i++)
		latest = MAX(latest, m->cpus[i].agent->clock);
	return latest;
}

struct host_speed measure_host_speed(const struct machine *m)
{
	struct host_speed h = { .seconds = g_get_monotonic_time() / 1e6 - m->host_start };

	h.guest_mips = h.seconds > 0 ? cpu_insns(m->cpu) / h.seconds / 1e6 : 0.0;
	return h;
}

static void print_syscalls(struct machine *m, FILE *out)
{
	uint64_t total = 0;

	for (unsigned nr = 0; nr < NR_SYSCALLS; nr++)
		total += m->syscall_counts[nr];
	fprintf(out, "  system calls          %12" PRIu64 "\n", total);
	for (unsigned nr = 0; nr < NR_SYSCALLS; nr++) {
		if (!m->syscall_counts[nr])
			continue;
		fprintf(out, "    %-19s %12" PRIu64 "\n", syscall_names[nr] ? syscall_names[nr] : "?",
			m->syscall_counts[nr]);
	}
}

static void print_faults(struct machine *m, FILE *out)
{
	uint64_t total = 0;

	for (int k = 0; k < NR_FAULT_KINDS; k++)
		total += m->vmstats.faults[k];
	fprintf(out, "  page faults           %12" PRIu64 "\n", total);
	for (int k = 0; k < NR_FAULT_KINDS; k++)
		if (m->vmstats.faults[k])
			fprintf(out, "    %-19s %12" PRIu64 "\n", fault_kind_name(k), m->vmstats.faults[k]);
}

static void print_scheduling(struct machine *m, FILE *out)
{
	fprintf(out, "  process switches      %12" PRIu64 "\n", m->sched.process_switches);
	fprintf(out, "  thread switches       %12" PRIu64 "\n", m->sched.thread_switches);
	fprintf(out, "  forks                 %12" PRIu64 "\n", m->sched.forks);
	fprintf(out, "  threads created       %12" PRIu64 "\n", m->sched.threads_created);
	fprintf(out, "  execs                 %12" PRIu64 "\n", m->sched.execs);
	fprintf(out, "  simulated CPUs        %12d\n", m->opt.cpus);
	for (int i = 0; i < m->opt.cpus; i++)
		fprintf(out, "    cpu%-2d clock (ns)    %12" PRIu64 "\n", i, m->cpus[i].agent->clock);
}

static void print_tlb(struct machine *m, FILE *out)
{
	const struct cost_profile *p = &m->profile;
	struct tlb_stats t;

	domain_tlb_stats(&m->domain, &t);
	fprintf(out, "  TLB (--tlb %s; ", m->opt.tlb_off ? "off" : "exact");
	if (p->asid_bits)
		fprintf(out, "%u-bit ASIDs, %" PRIu64 " roll-overs)\n", p->asid_bits, m->domain.asids.rollovers);
	else
		fprintf(out, "untagged)\n");
	for (int c = 0; c < TLB_NR_CACHES && !m->opt.tlb_off; c++) {
		uint64_t lookups = t.hits[c] + t.misses[c];

		fprintf(out, "    %-3s hits / misses    %12" PRIu64 " %12" PRIu64 "   %5.1f%% hits\n", tlb_cache_name(c),
			t.hits[c], t.misses[c], lookups ? 100.0 * t.hits[c] / lookups : 0.0);
	}
	if (!m->opt.tlb_off) {
		fprintf(out, "    walks / reads       %12" PRIu64 " %12" PRIu64 "\n", t.walks, t.walk_reads);
		fprintf(out, "    pwc hits / misses   %12" PRIu64 " %12" PRIu64 "\n", t.pwc_hits, t.pwc_misses);
		fprintf(out, "    faulting walks      %12" PRIu64 "\n", t.faults);
	}
	fprintf(out, "  TLB shootdowns        %12" PRIu64 "   (%s)\n", m->domain.shootdowns.shootdowns,
		shootdown_mechanism_name(p->shootdown));
	fprintf(out, "    whole-ASID flushes  %12" PRIu64 "\n", m->domain.shootdowns.full);
	fprintf(out, "    pages flushed       %12" PRIu64 "\n", m->domain.shootdowns.pages);
	fprintf(out, "    IPIs                %12" PRIu64 "\n", m->domain.shootdowns.ipis);
}

/* The three steps that cost most in a kind's mean breakdown. */
static void print_top_steps(const struct latency_summary *s, FILE *out)
{
	bool used[NR_COST_STEPS] = { false };

	for (int n = 0; n < 3; n++) {
		int best = -1;

		for (int i = 0; i < NR_COST_STEPS; i++)
			if (!used[i] && s->mean_steps[i] > 0 && (best < 0 || s->mean_steps[i] > s->mean_steps[best]))
				best = i;
		if (best < 0)
			break;
		used[best] = true;
		fprintf(out, "%s%s %.0f", n ? ", " : "  ", cost_step_key(best), s->mean_steps[best]);
	}
}

static void print_latencies(struct machine *m, FILE *out)
{
	GArray *all = latency_summaries(m->domain.latency);
	const struct cost_profile *p = &m->profile;

	fprintf(out, "  latencies (profile %s, %.2f GHz; simulated ns; mean breakdown in cycles)\n",
		p->name, p->frequency_ghz);
	fprintf(out, "    %-26s %8s %9s %9s %9s %9s %9s\n", "kind", "count", "mean", "median", "p90", "p99", "max");
	for (guint i = 0; i < all->len; i++) {
		const struct latency_summary *s = &g_array_index(all, struct latency_summary, i);

		fprintf(out, "    %-26s %8" PRIu64 " %9.1f %9" PRIu64 " %9" PRIu64 " %9" PRIu64 " %9" PRIu64,
			s->kind, s->count, s->mean / p->frequency_ghz, cost_ns(p, s->median), cost_ns(p, s->p90),
			cost_ns(p, s->p99), cost_ns(p, s->max));
		print_top_steps(s, out);
		if (s->mean_refills > 0)
			fprintf(out, "; then %.1f refills, %.0f cycles", s->mean_refills, s->mean_indirect);
		fputc('\n', out);
	}
	g_array_free(all, TRUE);
}

void print_summary(struct machine *m, FILE *out)
{
	struct host_speed host = measure_host_speed(m);

	fprintf(out, "mmusim statistics\n");
	fprintf(out, "  instructions          %12" PRIu64 "\n", cpu_insns(m->cpu));
	fprintf(out, "  simulated time (ns)   %12" PRIu64 "\n", simulated_time_ns(m));
	print_syscalls(m, out);
	print_faults(m, out);
	fprintf(out, "  TLB flushes           %12" PRIu64 "\n", m->vmstats.tlb_flushes);
	print_tlb(m, out);
	print_scheduling(m, out);
	fprintf(out, "  frames in use at exit %12" PRIu64 "\n",
		phys_in_use(m->phys, FRAME_DATA) + phys_in_use(m->phys, FRAME_PGTABLE) +
		phys_in_use(m->phys, FRAME_KERNEL));
	fprintf(out, "    data                %12" PRIu64 "\n", phys_in_use(m->phys, FRAME_DATA));
	fprintf(out, "    page tables         %12" PRIu64 "\n", phys_in_use(m->phys, FRAME_PGTABLE));
	fprintf(out, "    simulator           %12" PRIu64 "\n", phys_in_use(m->phys, FRAME_KERNEL));
	fprintf(out, "  peak frames in use    %12" PRIu64 "\n", phys_peak(m->phys));
	print_latencies(m, out);
	fprintf(out, "host\n");
	fprintf(out, "  seconds               %12.3f\n", host.seconds);
	fprintf(out, "  guest MIPS            %12.1f\n", host.guest_mips);
}
