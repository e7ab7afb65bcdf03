#include "sim/summary.h"

#include "sim/syscall.h"

/* The simulation's time: the clock furthest ahead. */
static uint64_t latest_clock(const struct machine *m)
{
	uint64_t latest = 0;

	for (int i = 0; i < m->opt.cpus; i++)
		latest = MAX(latest, m->cpus[i].clock);
	return latest;
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
		fprintf(out, "    cpu%-2d clock (ns)    %12" PRIu64 "\n", i, m->cpus[i].clock);
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
	GArray *all = latency_summaries(m->latency);
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
		fputc('\n', out);
	}
	g_array_free(all, TRUE);
}

void print_summary(struct machine *m, FILE *out)
{
	uint64_t insns = cpu_insns(m->cpu);
	double seconds = g_get_monotonic_time() / 1e6 - m->host_start;

	fprintf(out, "mmusim statistics\n");
	fprintf(out, "  instructions          %12" PRIu64 "\n", insns);
	fprintf(out, "  simulated time (ns)   %12" PRIu64 "\n", latest_clock(m));
	print_syscalls(m, out);
	print_faults(m, out);
	fprintf(out, "  TLB flushes           %12" PRIu64 "\n", m->vmstats.tlb_flushes);
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
	fprintf(out, "  seconds               %12.3f\n", seconds);
	fprintf(out, "  guest MIPS            %12.1f\n", seconds > 0 ? insns / seconds / 1e6 : 0.0);
}
