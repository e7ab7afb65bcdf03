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

#include "mmu/figures.h"
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

/* The CPUs are the domain's first agents (sim/machine.c). */
static void fill_cpus(struct report_node *root, const struct machine *m)
{
	report_show_after(figures_cpus(root, &m->domain, m->opt.cpus), "scheduling");
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
	struct memory_figures mf;

	memory_figures_read(m->phys, &mf);
	figures_memory(root, &mf);
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
	figures_faults(s, c->faults);
	figures_vm_counts(s, &(struct vm_stats){ .fault_around_pages = c->fault_around_pages,
						 .tlb_flushes = c->tlb_flushes });
	tlb = report_add_section(s, "tlb", "TLB", m->opt.tlb_off ? TEXT_NONE : TEXT_LINE);
	figures_tlb_counters(tlb, &c->tlb);
	figures_shootdowns(s, &m->domain, &c->shootdowns);
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
	figures_latencies(s, &m->domain, m->region->latency);
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
	figures_faults(root, run.faults);
	figures_vm_counts(root, &(struct vm_stats){ .fault_around_pages = run.fault_around_pages,
						    .tlb_flushes = run.tlb_flushes });
	figures_tlb(root, &m->domain, m->opt.tlb_off);
	figures_shootdowns(root, &m->domain, &run.shootdowns);
	fill_scheduling(root, &run);
	fill_memory(root, m);
	machine_report_designs(m, root);	/* "vas" */
	figures_latencies(root, &m->domain, m->domain.latency);
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
