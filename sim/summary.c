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
	fprintf(out, "host\n");
	fprintf(out, "  seconds               %12.3f\n", seconds);
	fprintf(out, "  guest MIPS            %12.1f\n", seconds > 0 ? insns / seconds / 1e6 : 0.0);
}
