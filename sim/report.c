/*
 * report: the figures of a run (see report.h).
 *
 * One function fills each top-level member, in the order of
 * docs/report-format.md, reading the machine once; each figure is added
 * with its JSON key and its --stats label together.  Inside a member, keys
 * come in a fixed order (enum order for steps and fault kinds, system-call
 * number order, latency kinds sorted by name), so the output depends on
 * the run and nothing else.  "host", the one member that measures the
 * host, is added last, so that it can be dropped to compare runs.
 */
#include "sim/report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "report/json.h"
#include "report/text.h"
#include "sim/dispatch.h"
#include "sim/hostsig.h"
#include "sim/roi.h"

#define REPORT_FORMAT "mmusim-report"
#define REPORT_VERSION 1

struct report_file {
	char *path;
	FILE *file;
};

static void fill_options(struct report_node *config, const struct options *opt)
{
	struct report_node *s = report_add_section(config, "options", NULL, TEXT_NONE);

	report_add_count(s, "mem", NULL, opt->mem);
	report_add_string(s, "root", opt->root);
	report_add_bool(s, "writable", opt->writable);
	report_add_count(s, "cpus", NULL, (uint64_t)opt->cpus);
	report_add_count(s, "quantum", NULL, opt->quantum);
	report_add_count(s, "max_insns", NULL, opt->max_insns);
	report_add_count(s, "max_tasks", NULL, (uint64_t)opt->max_tasks);
	report_add_count(s, "seed", NULL, opt->seed);
	report_add_string(s, "tlb", opt->tlb_off ? "off" : "exact");
}

static void fill_geometry(struct report_node *tlb, const char *name, const struct tlb_geometry *g)
{
	struct report_node *s = report_add_section(tlb, name, NULL, TEXT_NONE);

	report_add_count(s, "entries", NULL, g->entries);
	report_add_count(s, "ways", NULL, g->ways);
}

static void fill_profile(struct report_node *config, const struct cost_profile *p)
{
	struct report_node *s = report_add_section(config, "profile", NULL, TEXT_NONE);
	struct report_node *cycles, *tlb;

	report_add_string(s, "name", p->name);
	report_add_string(s, "description", p->description);
	report_add_real(s, "frequency_ghz", NULL, p->frequency_ghz, 2);
	cycles = report_add_section(s, "cycles", NULL, TEXT_NONE);
	for (int step = 0; step < NR_COST_STEPS; step++)
		report_add_count(cycles, cost_step_key(step), NULL, p->cycles[step]);
	tlb = report_add_section(s, "tlb", NULL, TEXT_NONE);
	fill_geometry(tlb, "l1i", &p->tlb.l1i);
	fill_geometry(tlb, "l1d", &p->tlb.l1d);
	fill_geometry(tlb, "l2", &p->tlb.l2);
	report_add_count(tlb, "pwc_entries", NULL, p->tlb.pwc_entries);
	report_add_count(tlb, "asid_bits", NULL, p->asid_bits);
	report_add_string(tlb, "shootdown", shootdown_mechanism_name(p->shootdown));
}

static void fill_strings(struct report_node *parent, const char *key, char *const *strings)
{
	struct report_node *list = report_add_list(parent, key, NULL, TEXT_NONE);

	for (char *const *str = strings; *str; str++)
		report_add_string(list, NULL, *str);
}

/* What the guest's descriptors 0, 1 and 2 are: mmusim's own, shared. */
static void fill_stdio(struct report_node *config)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	struct report_node *s = report_add_section(config, "stdio", NULL, TEXT_NONE);

	for (int fd = 0; fd < 3; fd++)
		report_add_string(s, names[fd], host_fd_kind(fd));
}

static void fill_config(struct report_node *root, const struct machine *m, char *const *argv,
			char *const *envp)
{
	struct report_node *s = report_add_section(root, "config", NULL, TEXT_NONE);
	char *cwd = machine_initial_cwd(m);

	report_add_string(s, "program", argv[0]);
	fill_strings(s, "argv", argv);
	fill_strings(s, "environment", envp);
	report_add_string(s, "cwd", cwd);
	g_free(cwd);
	fill_stdio(s);
	fill_options(s, &m->opt);
	fill_profile(s, &m->profile);
}

static void fill_result(struct report_node *root, const struct machine *m, int exit_status)
{
	struct report_node *s = report_add_section(root, "result", NULL, TEXT_INLINE);

	report_add_count(s, "exit_status", NULL, (uint64_t)exit_status);
	report_add_count(s, "instructions", "instructions", cpu_insns(m->cpu));
	report_add_count(s, "simulated_ns", "simulated time (ns)", machine_simulated_ns(m));
	report_add_string(s, "interrupted", m->interrupted ? hostsig_name(m->interrupted) : NULL);
}

static void fill_cpus(struct report_node *root, const struct machine *m)
{
	struct report_node *list = report_add_list(root, "cpus", "simulated CPUs", TEXT_COUNT);
	char label[32];

	report_show_after(list, "scheduling");
	for (int i = 0; i < m->opt.cpus; i++) {
		struct report_node *cpu = report_add_section(list, NULL, NULL, TEXT_INLINE);

		snprintf(label, sizeof(label), "cpu%-2d clock (ns)", m->cpus[i].id);
		report_add_count(cpu, "id", NULL, (uint64_t)m->cpus[i].id);
		report_add_count(cpu, "clock_ns", label, m->cpus[i].agent->clock);
	}
}

/* Calls made at least once, by name; a number without a name (an
 * unassigned one) by its decimal digits, "?" in the text. */
static void fill_syscalls(struct report_node *root, GHashTable *counts)
{
	struct report_node *s = report_add_section(root, "syscalls", "system calls", TEXT_TOTAL);
	GArray *called = syscall_numbers_called(counts);
	char number[16];

	for (guint i = 0; i < called->len; i++) {
		unsigned nr = g_array_index(called, unsigned, i);
		const char *name = syscall_name(nr);

		snprintf(number, sizeof(number), "%u", nr);
		report_add_count(s, name ? name : number, name ? name : "?", syscall_count(counts, nr));
	}
	g_array_free(called, TRUE);
}

static void fill_faults(struct report_node *root, const uint64_t *faults)
{
	struct report_node *s = report_add_section(root, "faults", "page faults", TEXT_TOTAL);

	for (int k = 0; k < NR_FAULT_KINDS; k++)
		if (faults[k])
			report_add_count(s, fault_kind_name(k), fault_kind_name(k), faults[k]);
}

/* The counters of one TLB, or their sum, into `s`, with their --stats
 * layout (shown for the sum only: the per-CPU list is JSON only). */
static void fill_tlb_counters(struct report_node *s, const struct tlb_stats *t)
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
static void fill_tlb(struct report_node *root, const struct machine *m)
{
	static const struct tlb_stats none;
	const char *mode = m->opt.tlb_off ? "off" : "exact";
	unsigned asid_bits = m->profile.asid_bits;
	struct report_node *s, *total, *cpus;
	struct tlb_stats sum;
	char label[80];

	if (asid_bits)
		snprintf(label, sizeof(label), "TLB (--tlb %s; %u-bit ASIDs, %" PRIu64 " roll-overs)", mode,
			 asid_bits, m->domain.asids.rollovers);
	else
		snprintf(label, sizeof(label), "TLB (--tlb %s; untagged)", mode);
	s = report_add_section(root, "tlb", label, TEXT_LINE);
	report_add_string(s, "mode", mode);
	report_add_count(s, "asid_bits", NULL, asid_bits);
	report_add_count(s, "asid_rollovers", NULL, m->domain.asids.rollovers);
	domain_tlb_stats(&m->domain, &sum);
	total = report_add_section(s, "total", NULL, m->opt.tlb_off ? TEXT_NONE : TEXT_INLINE);
	fill_tlb_counters(total, &sum);
	cpus = report_add_list(s, "cpus", NULL, TEXT_NONE);
	for (int i = 0; i < m->opt.cpus; i++) {
		struct report_node *cpu = report_add_section(cpus, NULL, NULL, TEXT_INLINE);

		report_add_count(cpu, "id", NULL, (uint64_t)i);
		fill_tlb_counters(cpu, m->cpus[i].agent->tlb ? tlb_stats(m->cpus[i].agent->tlb) : &none);
	}
}

static void fill_shootdowns(struct report_node *root, const struct machine *m,
			    const struct shootdown_stats *sd)
{
	struct report_node *s = report_add_section(root, "shootdowns", "TLB shootdowns", TEXT_LINE);
	const char *mechanism = shootdown_mechanism_name(m->profile.shootdown);
	struct report_node *count;

	report_add_string(s, "mechanism", mechanism);
	count = report_set_text(report_add_count(s, "count", NULL, sd->shootdowns), TEXT_HEADING);
	report_set_suffix(count, "   (%s)", mechanism);
	report_add_count(s, "full", "whole-ASID flushes", sd->full);
	report_add_count(s, "pages", "pages flushed", sd->pages);
	report_add_count(s, "ipis", "IPIs", sd->ipis);
}

static void fill_scheduling(struct report_node *root, const struct run_counters *c)
{
	struct report_node *s = report_add_section(root, "scheduling", NULL, TEXT_INLINE);

	report_add_count(s, "process_switches", "process switches", c->process_switches);
	report_add_count(s, "thread_switches", "thread switches", c->thread_switches);
	report_add_count(s, "forks", "forks", c->forks);
	report_add_count(s, "threads_created", "threads created", c->threads_created);
	report_add_count(s, "execs", "execs", c->execs);
}

static void fill_memory(struct report_node *root, const struct machine *m)
{
	struct report_node *s = report_add_section(root, "memory", NULL, TEXT_INLINE);
	struct report_node *frames = report_add_section(s, "frames_at_exit", "frames in use at exit", TEXT_TOTAL);

	report_add_count(frames, "data", "data", phys_in_use(m->phys, FRAME_DATA));
	report_add_count(frames, "page_tables", "page tables", phys_in_use(m->phys, FRAME_PGTABLE));
	report_add_count(frames, "simulator", "simulator", phys_in_use(m->phys, FRAME_KERNEL));
	report_add_count(s, "peak_frames", "peak frames in use", phys_peak(m->phys));
}

/* The text's summary of a mean breakdown: the three steps that cost most. */
static void set_top_steps(struct report_node *breakdown, const struct latency_summary *s)
{
	GString *top = g_string_new(NULL);
	bool used[NR_COST_STEPS] = { false };

	for (int n = 0; n < 3; n++) {
		int best = -1;

		for (int i = 0; i < NR_COST_STEPS; i++)
			if (!used[i] && s->mean_steps[i] > 0 && (best < 0 || s->mean_steps[i] > s->mean_steps[best]))
				best = i;
		if (best < 0)
			break;
		used[best] = true;
		g_string_append_printf(top, "%s%s %.0f", n ? ", " : "  ", cost_step_key(best), s->mean_steps[best]);
	}
	report_set_suffix(breakdown, "%s", top->str);
	g_string_free(top, TRUE);
}

/* One kind: cycles of the profile, then the same in simulated ns (integer
 * cycles through cost_ns(), the mean divided by the frequency), then the
 * mean cycles of each step that cost anything. */
static void fill_latency(struct report_node *list, const struct latency_summary *s,
			 const struct cost_profile *p)
{
	struct report_node *row = report_add_section(list, NULL, NULL, TEXT_INLINE);
	struct report_node *breakdown, *indirect;

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
	for (int step = 0; step < NR_COST_STEPS; step++)
		if (s->mean_steps[step] > 0)
			report_add_real(breakdown, cost_step_key(step), NULL, s->mean_steps[step], 0);
	set_top_steps(breakdown, s);
	indirect = report_add_section(row, "indirect", NULL, TEXT_NEXT);
	report_add_real(indirect, "mean_cycles", NULL, s->mean_indirect, 0);
	report_add_real(indirect, "mean_refills", NULL, s->mean_refills, 1);
	if (s->mean_refills > 0)
		report_set_suffix(indirect, "; then %.1f refills, %.0f cycles", s->mean_refills, s->mean_indirect);
}

static void fill_latencies(struct report_node *root, const struct machine *m,
			   struct latency_recorder *recorder)
{
	const struct cost_profile *p = &m->profile;
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

/* Figures counted between two readings (a region's, a snapshot's), in the
 * order and form of the whole run's; system calls when `syscalls` is given. */
static void fill_counters(struct report_node *s, const struct machine *m,
			  const struct run_counters *c, GHashTable *syscalls)
{
	struct report_node *tlb;

	report_add_count(s, "instructions", "instructions", c->instructions);
	report_add_count(s, "simulated_ns", "simulated time (ns)", c->simulated_ns);
	if (syscalls)
		fill_syscalls(s, syscalls);
	fill_faults(s, c->faults);
	report_add_count(s, "fault_around_pages", "fault-around pages", c->fault_around_pages);
	report_add_count(s, "tlb_flushes", "TLB flushes", c->tlb_flushes);
	tlb = report_add_section(s, "tlb", "TLB", m->opt.tlb_off ? TEXT_NONE : TEXT_LINE);
	fill_tlb_counters(tlb, &c->tlb);
	fill_shootdowns(s, m, &c->shootdowns);
	fill_scheduling(s, c);
}

/* The region of interest's figures (sim/roi.h), as the whole run's are
 * shown; null when the guest never opened one. */
static void fill_region(struct report_node *root, const struct machine *m)
{
	struct report_node *s;
	struct run_counters c;

	if (!m->region) {
		report_add_string(root, "region", NULL);
		return;
	}
	roi_counters(m, &c);
	s = report_add_section(root, "region", "region of interest", TEXT_BLOCK);
	report_add_count(s, "intervals", "intervals", m->region->intervals);
	fill_counters(s, m, &c, m->region->syscalls);
	fill_latencies(s, m, m->region->latency);
}

/* One snapshot the guest took (sim/roi.h) into the list `list`. */
static void fill_snapshot(struct report_node *list, const struct machine *m,
			  const struct stats_snapshot *snap)
{
	struct report_node *s = report_add_section(list, NULL, "snapshot", TEXT_LINE);

	report_set_text(report_add_count(s, "tag", NULL, snap->tag), TEXT_HEADING);
	report_add_bool(s, "dumped", snap->dumped);
	fill_counters(s, m, &snap->run, NULL);
}

/* Every snapshot, in call order; in the text only when there are some. */
static void fill_snapshots(struct report_node *root, const struct machine *m)
{
	guint n = m->snapshots ? m->snapshots->len : 0;
	struct report_node *list = report_add_list(root, "snapshots", "snapshots", n ? TEXT_COUNT : TEXT_NONE);

	for (guint i = 0; i < n; i++)
		fill_snapshot(list, m, &g_array_index(m->snapshots, struct stats_snapshot, i));
}

void report_dump_snapshot(const struct machine *m, const struct stats_snapshot *snap, FILE *out)
{
	struct report_node *root = report_new("mmusim statistics dump");
	struct report_node *list = report_add_list(root, "snapshots", NULL, TEXT_INLINE);

	fill_snapshot(list, m, snap);
	report_write_text(root, out);
	fflush(out);
	report_free(root);
}

/* How fast the host ran the guest, since the machine was made. */
static void fill_host(struct report_node *root, const struct machine *m)
{
	struct report_node *s = report_add_section(root, "host", "host", TEXT_BLOCK);
	double seconds = g_get_monotonic_time() / 1e6 - m->host_start;

	report_add_real(s, "seconds", "seconds", seconds, 3);
	report_add_real(s, "guest_mips", "guest MIPS", seconds > 0 ? cpu_insns(m->cpu) / seconds / 1e6 : 0.0, 1);
}

struct report_node *report_build(struct machine *m, char *const *argv, char *const *envp,
				 int exit_status)
{
	struct report_node *root = report_new("mmusim statistics");
	struct run_counters run;

	run_counters_read(m, &run);
	report_add_string(root, "format", REPORT_FORMAT);
	report_add_count(root, "version", NULL, REPORT_VERSION);
	fill_config(root, m, argv, envp);
	fill_result(root, m, exit_status);
	fill_cpus(root, m);
	fill_syscalls(root, m->syscall_counts);
	fill_faults(root, run.faults);
	report_add_count(root, "fault_around_pages", "fault-around pages", run.fault_around_pages);
	report_add_count(root, "tlb_flushes", "TLB flushes", run.tlb_flushes);
	fill_tlb(root, m);
	fill_shootdowns(root, m, &run.shootdowns);
	fill_scheduling(root, &run);
	fill_memory(root, m);
	machine_report_designs(m, root);	/* "vas" */
	fill_latencies(root, m, m->domain.latency);
	fill_region(root, m);
	fill_snapshots(root, m);
	fill_host(root, m);		/* last: the only member that varies between runs */
	return root;
}

/* Write `text` and a newline and close `f`: 0, or the first errno. */
static int write_and_close(FILE *f, const char *text)
{
	int err = 0;

	if (fputs(text, f) == EOF || fputc('\n', f) == EOF || fflush(f))
		err = errno;
	if (fclose(f) && !err)
		err = errno;
	return err;
}

static void set_file_error(GError **error, const char *path, int err)
{
	g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "--report %s: %s", path,
		    g_strerror(err));
}

struct report_file *report_open(const char *path, GError **error)
{
	FILE *f = fopen(path, "we");
	struct report_file *r;

	if (!f) {
		set_file_error(error, path, errno);
		return NULL;
	}
	r = g_new(struct report_file, 1);
	r->path = g_strdup(path);
	r->file = f;
	return r;
}

bool report_finish(struct report_file *r, const struct report_node *report, GError **error)
{
	gchar *text = report_to_json(report);
	int err = write_and_close(r->file, text);

	if (err)
		set_file_error(error, r->path, err);
	g_free(text);
	g_free(r->path);
	g_free(r);
	return !err;
}
