/*
 * report: the JSON report of a run (see report.h; docs/report-format.md is
 * the schema).
 *
 * One function builds each top-level member, in the order of the schema;
 * inside a member, keys come in a fixed order too (enum order for steps and
 * fault kinds, system-call number order, latency kinds sorted by name), so
 * the text depends on the run and nothing else.  "host", the one member
 * that measures the host, is built last, so that it can be dropped to
 * compare runs.  The file is pretty-printed by json-glib with a 2-space
 * indent and ends with a newline.
 */
#include "sim/report.h"

#include <errno.h>
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>

#include "sim/hostsig.h"
#include "sim/summary.h"
#include "sim/syscall.h"

#define REPORT_FORMAT "mmusim-report"
#define REPORT_VERSION 1

struct report {
	char *path;
	FILE *file;
};

/* A string member (or array element, with no `name`), made valid UTF-8 as
 * JSON requires: argv and paths are bytes.  NULL gives null. */
static void add_string(JsonBuilder *b, const char *name, const char *s)
{
	gchar *valid;

	if (name)
		json_builder_set_member_name(b, name);
	if (!s) {
		json_builder_add_null_value(b);
		return;
	}
	valid = g_utf8_make_valid(s, -1);
	json_builder_add_string_value(b, valid);
	g_free(valid);
}

/* A count or size: an integer, or, where json-glib's signed 64 bits cannot
 * hold it (a --seed or --max-insns of 2^63 or more), a string of its
 * decimal digits. */
static void add_count(JsonBuilder *b, const char *name, uint64_t n)
{
	char digits[24];

	json_builder_set_member_name(b, name);
	if (n <= INT64_MAX) {
		json_builder_add_int_value(b, (gint64)n);
		return;
	}
	snprintf(digits, sizeof(digits), "%" PRIu64, n);
	json_builder_add_string_value(b, digits);
}

/* A real number.  json-glib prints doubles with "%.17g" and appends ".0"
 * when that has no point, which is not JSON for infinities, NaN and round
 * values of 1e17 or more ("1e+17.0"): those are written as null. */
static void add_real(JsonBuilder *b, const char *name, double x)
{
	json_builder_set_member_name(b, name);
	if (isfinite(x) && fabs(x) < 1e17)
		json_builder_add_double_value(b, x);
	else
		json_builder_add_null_value(b);
}

static void add_bool(JsonBuilder *b, const char *name, bool value)
{
	json_builder_set_member_name(b, name);
	json_builder_add_boolean_value(b, value);
}

static void begin_object(JsonBuilder *b, const char *name)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
}

static void begin_array(JsonBuilder *b, const char *name)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_array(b);
}

static void report_options(JsonBuilder *b, const struct options *opt)
{
	begin_object(b, "options");
	add_count(b, "mem", opt->mem);
	add_string(b, "root", opt->root);
	add_bool(b, "writable", opt->writable);
	add_count(b, "cpus", (uint64_t)opt->cpus);
	add_count(b, "quantum", opt->quantum);
	add_count(b, "max_insns", opt->max_insns);
	add_count(b, "max_tasks", (uint64_t)opt->max_tasks);
	add_count(b, "seed", opt->seed);
	add_string(b, "tlb", opt->tlb_off ? "off" : "exact");
	json_builder_end_object(b);
}

static void report_geometry(JsonBuilder *b, const char *name, const struct tlb_geometry *g)
{
	begin_object(b, name);
	add_count(b, "entries", g->entries);
	add_count(b, "ways", g->ways);
	json_builder_end_object(b);
}

static void report_profile(JsonBuilder *b, const struct cost_profile *p)
{
	begin_object(b, "profile");
	add_string(b, "name", p->name);
	add_string(b, "description", p->description);
	add_real(b, "frequency_ghz", p->frequency_ghz);
	begin_object(b, "cycles");
	for (int s = 0; s < NR_COST_STEPS; s++)
		add_count(b, cost_step_key(s), p->cycles[s]);
	json_builder_end_object(b);
	begin_object(b, "tlb");
	report_geometry(b, "l1i", &p->tlb.l1i);
	report_geometry(b, "l1d", &p->tlb.l1d);
	report_geometry(b, "l2", &p->tlb.l2);
	add_count(b, "pwc_entries", p->tlb.pwc_entries);
	add_count(b, "asid_bits", p->asid_bits);
	add_string(b, "shootdown", shootdown_mechanism_name(p->shootdown));
	json_builder_end_object(b);
	json_builder_end_object(b);
}

static void add_strings(JsonBuilder *b, const char *name, char *const *strings)
{
	begin_array(b, name);
	for (char *const *s = strings; *s; s++)
		add_string(b, NULL, *s);
	json_builder_end_array(b);
}

/* What the guest's descriptors 0, 1 and 2 are: mmusim's own, shared. */
static void report_stdio(JsonBuilder *b)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };

	begin_object(b, "stdio");
	for (int fd = 0; fd < 3; fd++)
		add_string(b, names[fd], host_fd_kind(fd));
	json_builder_end_object(b);
}

static void report_config(JsonBuilder *b, const struct machine *m, char *const *argv,
			  char *const *envp)
{
	char *cwd = machine_initial_cwd(m);

	begin_object(b, "config");
	add_string(b, "program", argv[0]);
	add_strings(b, "argv", argv);
	add_strings(b, "environment", envp);
	add_string(b, "cwd", cwd);
	report_stdio(b);
	report_options(b, &m->opt);
	report_profile(b, &m->profile);
	json_builder_end_object(b);
	g_free(cwd);
}

static void report_result(JsonBuilder *b, const struct machine *m, int exit_status)
{
	begin_object(b, "result");
	add_count(b, "exit_status", (uint64_t)exit_status);
	add_count(b, "instructions", cpu_insns(m->cpu));
	add_count(b, "simulated_ns", simulated_time_ns(m));
	add_string(b, "interrupted", m->interrupted ? hostsig_name(m->interrupted) : NULL);
	json_builder_end_object(b);
}

static void report_cpus(JsonBuilder *b, const struct machine *m)
{
	begin_array(b, "cpus");
	for (int i = 0; i < m->opt.cpus; i++) {
		json_builder_begin_object(b);
		add_count(b, "id", (uint64_t)m->cpus[i].id);
		add_count(b, "clock_ns", m->cpus[i].agent->clock);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

/* Calls made at least once, by name; a number without a name (an
 * unassigned one) by its decimal digits. */
static void report_syscalls(JsonBuilder *b, const struct machine *m)
{
	char number[16];

	begin_object(b, "syscalls");
	for (unsigned nr = 0; nr < NR_SYSCALLS; nr++) {
		if (!m->syscall_counts[nr])
			continue;
		snprintf(number, sizeof(number), "%u", nr);
		add_count(b, syscall_names[nr] ? syscall_names[nr] : number, m->syscall_counts[nr]);
	}
	json_builder_end_object(b);
}

static void report_faults(JsonBuilder *b, const struct machine *m)
{
	begin_object(b, "faults");
	for (int k = 0; k < NR_FAULT_KINDS; k++)
		if (m->vmstats.faults[k])
			add_count(b, fault_kind_name(k), m->vmstats.faults[k]);
	json_builder_end_object(b);
}

static void report_scheduling(JsonBuilder *b, const struct machine *m)
{
	begin_object(b, "scheduling");
	add_count(b, "process_switches", m->sched.process_switches);
	add_count(b, "thread_switches", m->sched.thread_switches);
	add_count(b, "forks", m->sched.forks);
	add_count(b, "threads_created", m->sched.threads_created);
	add_count(b, "execs", m->sched.execs);
	json_builder_end_object(b);
}

static void report_memory(JsonBuilder *b, const struct machine *m)
{
	begin_object(b, "memory");
	begin_object(b, "frames_at_exit");
	add_count(b, "data", phys_in_use(m->phys, FRAME_DATA));
	add_count(b, "page_tables", phys_in_use(m->phys, FRAME_PGTABLE));
	add_count(b, "simulator", phys_in_use(m->phys, FRAME_KERNEL));
	json_builder_end_object(b);
	add_count(b, "peak_frames", phys_peak(m->phys));
	json_builder_end_object(b);
}

static void report_tlb_counters(JsonBuilder *b, const struct tlb_stats *t)
{
	for (int c = 0; c < TLB_NR_CACHES; c++) {
		begin_object(b, tlb_cache_name(c));
		add_count(b, "hits", t->hits[c]);
		add_count(b, "misses", t->misses[c]);
		json_builder_end_object(b);
	}
	add_count(b, "walks", t->walks);
	add_count(b, "walk_reads", t->walk_reads);
	add_count(b, "pwc_hits", t->pwc_hits);
	add_count(b, "pwc_misses", t->pwc_misses);
	add_count(b, "faulting_walks", t->faults);
	begin_object(b, "flushes");
	add_count(b, "all", t->flushes_all);
	add_count(b, "asid", t->flushes_asid);
	add_count(b, "page", t->flushes_page);
	json_builder_end_object(b);
}

/* TLB counters in total and per CPU (all zero under --tlb off). */
static void report_tlb(JsonBuilder *b, const struct machine *m)
{
	static const struct tlb_stats none;
	struct tlb_stats total;

	domain_tlb_stats(&m->domain, &total);
	begin_object(b, "tlb");
	add_string(b, "mode", m->opt.tlb_off ? "off" : "exact");
	add_count(b, "asid_bits", m->profile.asid_bits);
	add_count(b, "asid_rollovers", m->domain.asids.rollovers);
	begin_object(b, "total");
	report_tlb_counters(b, &total);
	json_builder_end_object(b);
	begin_array(b, "cpus");
	for (int i = 0; i < m->opt.cpus; i++) {
		json_builder_begin_object(b);
		add_count(b, "id", (uint64_t)i);
		report_tlb_counters(b, m->cpus[i].agent->tlb ? tlb_stats(m->cpus[i].agent->tlb) : &none);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

static void report_shootdowns(JsonBuilder *b, const struct machine *m)
{
	begin_object(b, "shootdowns");
	add_string(b, "mechanism", shootdown_mechanism_name(m->profile.shootdown));
	add_count(b, "count", m->domain.shootdowns.shootdowns);
	add_count(b, "full", m->domain.shootdowns.full);
	add_count(b, "pages", m->domain.shootdowns.pages);
	add_count(b, "ipis", m->domain.shootdowns.ipis);
	json_builder_end_object(b);
}

/* One kind: cycles of the profile, then the same in simulated ns (integer
 * cycles through cost_ns(), the mean divided by the frequency, as --stats
 * does), then the mean cycles of each step that cost anything. */
static void report_latency(JsonBuilder *b, const struct latency_summary *s,
			   const struct cost_profile *p)
{
	json_builder_begin_object(b);
	add_string(b, "kind", s->kind);
	add_count(b, "count", s->count);
	add_real(b, "mean_cycles", s->mean);
	add_count(b, "median_cycles", s->median);
	add_count(b, "p90_cycles", s->p90);
	add_count(b, "p99_cycles", s->p99);
	add_count(b, "max_cycles", s->max);
	add_real(b, "mean_ns", s->mean / p->frequency_ghz);
	add_count(b, "median_ns", cost_ns(p, s->median));
	add_count(b, "p90_ns", cost_ns(p, s->p90));
	add_count(b, "p99_ns", cost_ns(p, s->p99));
	add_count(b, "max_ns", cost_ns(p, s->max));
	begin_object(b, "breakdown_cycles");
	for (int step = 0; step < NR_COST_STEPS; step++)
		if (s->mean_steps[step] > 0)
			add_real(b, cost_step_key(step), s->mean_steps[step]);
	json_builder_end_object(b);
	begin_object(b, "indirect");
	add_real(b, "mean_cycles", s->mean_indirect);
	add_real(b, "mean_refills", s->mean_refills);
	json_builder_end_object(b);
	json_builder_end_object(b);
}

static void report_latencies(JsonBuilder *b, const struct machine *m)
{
	GArray *all = latency_summaries(m->domain.latency);

	begin_array(b, "latencies");
	for (guint i = 0; i < all->len; i++)
		report_latency(b, &g_array_index(all, struct latency_summary, i), &m->profile);
	json_builder_end_array(b);
	g_array_free(all, TRUE);
}

static void report_host(JsonBuilder *b, const struct machine *m)
{
	struct host_speed host = measure_host_speed(m);

	begin_object(b, "host");
	add_real(b, "seconds", host.seconds);
	add_real(b, "guest_mips", host.guest_mips);
	json_builder_end_object(b);
}

static JsonNode *build_report(const struct machine *m, char *const *argv, char *const *envp,
			      int exit_status)
{
	JsonBuilder *b = json_builder_new();
	JsonNode *root;

	json_builder_begin_object(b);
	add_string(b, "format", REPORT_FORMAT);
	add_count(b, "version", REPORT_VERSION);
	report_config(b, m, argv, envp);
	report_result(b, m, exit_status);
	report_cpus(b, m);
	report_syscalls(b, m);
	report_faults(b, m);
	add_count(b, "tlb_flushes", m->vmstats.tlb_flushes);
	report_tlb(b, m);
	report_shootdowns(b, m);
	report_scheduling(b, m);
	report_memory(b, m);
	report_latencies(b, m);
	report_host(b, m);		/* last: the only member that varies between runs */
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	g_object_unref(b);
	return root;
}

static gchar *format_report(JsonNode *root)
{
	JsonGenerator *gen = json_generator_new();
	gchar *text;

	json_generator_set_pretty(gen, TRUE);
	json_generator_set_indent(gen, 2);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	g_object_unref(gen);
	return text;
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

struct report *report_open(const char *path, GError **error)
{
	FILE *f = fopen(path, "we");
	struct report *r;

	if (!f) {
		set_file_error(error, path, errno);
		return NULL;
	}
	r = g_new(struct report, 1);
	r->path = g_strdup(path);
	r->file = f;
	return r;
}

bool report_finish(struct report *r, struct machine *m, char *const *argv, char *const *envp,
		   int exit_status, GError **error)
{
	JsonNode *root = build_report(m, argv, envp, exit_status);
	gchar *text = format_report(root);
	int err = write_and_close(r->file, text);

	if (err)
		set_file_error(error, r->path, err);
	g_free(text);
	json_node_unref(root);
	g_free(r->path);
	g_free(r);
	return !err;
}
