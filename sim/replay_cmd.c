/*
 * replay_cmd: `mmusim replay`, the front end of traces/replay: it reads a
 * trace once and drives one replay per configuration, side by side.  With
 * no --sweep there is one configuration (--profile and --set), and --stats
 * and --report show its figures as a live run's; each --sweep KEY=V1,V2,...
 * multiplies the configurations by its values, and the figures of all of
 * them come as one table (--stats) and one JSON document (--report).
 *
 * Exit status: 0; 2 for a usage error; 65 (EX_DATAERR) for an input that
 * cannot be read as a trace; 1 when the simulated memory ran out.
 */
#include "sim/replay_cmd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdlib.h>

#include "report/json.h"
#include "report/text.h"
#include "traces/journal.h"
#include "traces/lackey.h"
#include "traces/replay.h"

#define EX_USAGE 2
#define REPLAY_MEM (UINT64_C(4) << 30)
#define MAX_CONFIGS 256
#define PROGRESS_EVERY (1u << 20)	/* accesses between looks at the clock */
#define BATCH 512			/* accesses decoded at a time */

/* A line on a terminal (standard error) saying how far the replay is:
 * accesses done, their rate, the share of the file read and the time
 * left, rewritten about once a second, and at the end with the final
 * count and rate; nothing when standard error is not a terminal.  Host
 * time decides only what the line says and when it is rewritten; nothing
 * of it goes into the figures. */
struct meter {
	bool on;
	uint64_t size;			/* of the file */
	int64_t start_us, next_us;
};

static void meter_init(struct meter *m, const char *path)
{
	struct stat st;

	*m = (struct meter){ .on = isatty(STDERR_FILENO) && !stat(path, &st) };
	if (m->on)
		m->size = (uint64_t)st.st_size;
	m->start_us = g_get_monotonic_time();
	m->next_us = m->start_us + G_USEC_PER_SEC;
}

/* "\r" and the line, cleared to its end over a longer one. */
static void meter_show(const struct meter *m, int64_t now_us, uint64_t accesses, uint64_t offset)
{
	double seconds = (now_us - m->start_us) / 1e6;
	double done = m->size ? MIN(1.0, (double)offset / m->size) : 0;

	fprintf(stderr, "\rreplay: %" PRIu64 " accesses, %.3g M/s, %.0f%% of the file, %.0f s left\033[K",
		accesses, seconds > 0 ? accesses / seconds / 1e6 : 0.0, 100 * done,
		done > 0 ? seconds / done - seconds : 0.0);
	fflush(stderr);
}

static void meter_tick(struct meter *m, uint64_t accesses, uint64_t offset)
{
	int64_t now;

	if (!m->on || (now = g_get_monotonic_time()) < m->next_us)
		return;
	m->next_us = now + G_USEC_PER_SEC;
	meter_show(m, now, accesses, offset);
}

/* The final line and a newline. */
static void meter_finish(struct meter *m, uint64_t accesses, uint64_t offset)
{
	if (!m->on)
		return;
	meter_show(m, g_get_monotonic_time(), accesses, offset);
	fputc('\n', stderr);
}

struct config {
	struct cost_profile profile;
	GPtrArray *sets;	/* the --sweep assignments that made it */
	struct replay replay;
};

static int replay_usage(const char *fmt, const char *arg)
{
	fputs("mmusim replay: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'mmusim --help'.\n", stderr);
	return EX_USAGE;
}

/* The base profile with --set, then `extra` (NULL-terminated or NULL). */
static int load_config(struct config *c, const char *profile, char **sets, GPtrArray *extra,
		       GString *msg)
{
	GError *e = NULL;
	int err = cost_profile_load(profile ? profile : "default", &c->profile, &e);

	for (char **s = sets; !err && s && *s; s++)
		err = cost_profile_set(&c->profile, *s, &e);
	for (guint i = 0; !err && extra && i < extra->len; i++)
		err = cost_profile_set(&c->profile, g_ptr_array_index(extra, i), &e);
	if (err) {
		g_string_assign(msg, e->message);
		g_error_free(e);
	}
	return err;
}

/* Every combination of the --sweep values, as lists of assignments. */
static GPtrArray *combinations(char **sweeps, GString *msg)
{
	GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);

	g_ptr_array_add(all, g_ptr_array_new_with_free_func(g_free));
	for (char **s = sweeps; s && *s; s++) {
		const char *eq = strchr(*s, '=');
		GPtrArray *next = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
		gchar **values;

		if (!eq || eq == *s || !eq[1]) {
			g_string_printf(msg, "--sweep %s: expected KEY=V1,V2,...", *s);
			g_ptr_array_unref(next);
			g_ptr_array_unref(all);
			return NULL;
		}
		values = g_strsplit(eq + 1, ",", -1);
		for (guint i = 0; i < all->len; i++) {
			for (gchar **v = values; *v; v++) {
				GPtrArray *old = g_ptr_array_index(all, i);
				GPtrArray *combo = g_ptr_array_new_with_free_func(g_free);

				for (guint j = 0; j < old->len; j++)
					g_ptr_array_add(combo, g_strdup(g_ptr_array_index(old, j)));
				g_ptr_array_add(combo, g_strdup_printf("%.*s=%s", (int)(eq - *s), *s, *v));
				g_ptr_array_add(next, combo);
			}
		}
		g_strfreev(values);
		g_ptr_array_unref(all);
		all = next;
		if (all->len > MAX_CONFIGS) {
			g_string_printf(msg, "--sweep: more than %d combinations", MAX_CONFIGS);
			g_ptr_array_unref(all);
			return NULL;
		}
	}
	return all;
}

/* Feed every access of the lackey file to every replay.  0, or 65 with
 * the message printed. */
static int feed_lackey(const char *path, struct config *configs, int n)
{
	GString *error = g_string_new(NULL);
	struct lackey_reader *l = lackey_open(path, error);
	struct lackey_access a;
	int ret = -1;

	struct meter meter;
	uint64_t done = 0;

	meter_init(&meter, path);
	if (l) {
		while ((ret = lackey_read(l, &a, error)) > 0) {
			for (int i = 0; i < n; i++) {
				if (a.kind == TRACE_FETCH)
					replay_insns(&configs[i].replay, 1);
				replay_access(&configs[i].replay, a.kind, a.addr, a.size);
			}
			if (++done % PROGRESS_EVERY == 0)
				meter_tick(&meter, done, lackey_offset(l));
		}
		meter_finish(&meter, done, lackey_offset(l));
		lackey_close(l);
	}
	if (ret < 0)
		fprintf(stderr, "mmusim replay: %s\n", error->str);
	g_string_free(error, TRUE);
	return ret < 0 ? TRACE_EXIT_DATAERR : 0;
}

/* The CPUs of the recorded run (its header's --cpus), at least 1. */
static int recorded_cpus(const struct trace_header *h)
{
	const char *p = h->options ? strstr(h->options, "--cpus ") : NULL;
	int n = p ? atoi(p + 7) : 1;

	return CLAMP(n, 1, MAX_AGENTS);
}

/* A replay's error about a record of `path`: -1. */
static int in_file(const char *path, GString *error)
{
	g_string_prepend(error, ": ");
	g_string_prepend(error, path);
	return -1;
}

/* The run of accesses that comes next, a batch at a time, to every replay
 * in turn (each batch stays in the cache for all of them).  0, or -1 with
 * the cause in `error`. */
static int feed_accesses(struct trace_reader *r, const char *path, struct config *configs, int n,
			 struct meter *meter, GString *error)
{
	struct trace_accesses run;
	uint64_t offset = trace_reader_offset(r);
	size_t got;

	while ((got = trace_read_accesses(r, &run, BATCH))) {
		for (int i = 0; i < n; i++)
			if (replay_accesses(&configs[i].replay, &run, got, offset, error))
				return in_file(path, error);
		offset = trace_reader_offset(r);
		meter_tick(meter, configs[0].replay.accesses, trace_reader_file_offset(r));
	}
	return 0;
}

/* A record other than a run of accesses to every replay.  0, or -1 with the
 * cause in `error`. */
static int feed_record(const struct trace_record *rec, const char *path, struct config *configs,
		       int n, GString *error)
{
	for (int i = 0; i < n; i++)
		if (replay_record(&configs[i].replay, rec, error))
			return in_file(path, error);
	return 0;
}

/* The simulated memory of the recorded run (its header's --mem, and
 * --devices times --device-mem after it), at least REPLAY_MEM: an exact
 * replay builds its tables where the run did. */
static uint64_t recorded_mem(const struct trace_header *h)
{
	const char *p = h->options ? strstr(h->options, "--mem ") : NULL;
	const char *devices = h->options ? strstr(h->options, "--devices ") : NULL;
	const char *device_mem = h->options ? strstr(h->options, "--device-mem ") : NULL;
	uint64_t mem = p ? g_ascii_strtoull(p + 6, NULL, 10) : 0;

	if (devices && device_mem)
		mem += MIN(g_ascii_strtoull(devices + 10, NULL, 10), TRACE_MAX_DEVICES) *
		       MIN(g_ascii_strtoull(device_mem + 13, NULL, 10), UINT64_C(1) << 44);

	return MAX(mem, REPLAY_MEM);
}

/* Feed every record of the recorded trace to every replay (made here: the
 * trace's header says how many CPUs), exactly or in synthetic spaces.  0,
 * or 65 with the message printed. */
static int feed_trace(const char *path, bool exact, struct config *configs, int n)
{
	GString *error = g_string_new(NULL);
	struct trace_header h;
	struct trace_reader *r = trace_reader_open(path, &h, error);
	struct trace_record rec;
	struct meter meter;
	int ret = -1;

	meter_init(&meter, path);
	if (r && exact && trace_reader_version(r) < 2) {
		g_string_printf(error, "%s: a version %u trace holds no journal of the run; "
				"--synthetic replays its accesses", path, trace_reader_version(r));
		goto out;
	}
	for (int i = 0; r && i < n; i++)
		if ((exact ? replay_init_exact : replay_init)(&configs[i].replay, &configs[i].profile,
							      recorded_mem(&h), recorded_cpus(&h), error))
			goto out;
	while (r && !(ret = feed_accesses(r, path, configs, n, &meter, error)) &&
	       (ret = trace_read(r, &rec, error)) > 0 &&
	       !(ret = feed_record(&rec, path, configs, n, error)))
		;	/* ret: 0 after the end record, -1 after an error */
	if (r)
		meter_finish(&meter, configs[0].replay.accesses, trace_reader_file_offset(r));
out:
	if (ret < 0)
		fprintf(stderr, "mmusim replay: %s\n", error->str);
	if (r) {
		trace_reader_close(r);
		trace_header_clear(&h);
	}
	g_string_free(error, TRUE);
	return ret < 0 ? TRACE_EXIT_DATAERR : 0;
}

/* --summary: decode the whole trace, nothing replayed; print its header
 * and how many records of each type it holds.  0, or 65. */
static int summarize(const char *path)
{
	GString *error = g_string_new(NULL);
	struct trace_header h;
	struct trace_reader *r = trace_reader_open(path, &h, error);
	struct trace_accesses run;
	struct trace_record rec;
	uint64_t counts[TRACE_NR_TYPES] = { 0 }, kinds[3] = { 0 };
	int ret = -1;

	while (r) {
		while (trace_read_accesses(r, &run, BATCH))
			;	/* counted by the reader */
		if ((ret = trace_read(r, &rec, error)) <= 0)
			break;
		if (rec.type != TRACE_ACCESS)
			counts[rec.type]++;
	}
	if (ret < 0) {
		fprintf(stderr, "mmusim replay: %s\n", error->str);
	} else {
		trace_reader_kinds(r, kinds);
		printf("guest    %s\noptions  %s\nprofile  %s\n", h.guest, h.options, h.profile);
		printf("records  %" PRIu64 " in %" PRIu64 " bytes (%" PRIu64 " decompressed)\n",
		       trace_reader_records(r), trace_reader_file_offset(r), trace_reader_offset(r));
		printf("  %-10s %" PRIu64 "\n  %-10s %" PRIu64 "\n  %-10s %" PRIu64 "\n", "read",
		       kinds[TRACE_READ], "write", kinds[TRACE_WRITE], "fetch", kinds[TRACE_FETCH]);
		for (int t = 1; t < TRACE_NR_TYPES; t++)
			if (counts[t])
				printf("  %-10s %" PRIu64 "\n", trace_type_name(t), counts[t]);
	}
	if (r) {
		trace_reader_close(r);
		trace_header_clear(&h);
	}
	g_string_free(error, TRUE);
	return ret < 0 ? TRACE_EXIT_DATAERR : 0;
}

static void fill_config(struct report_node *root, const char *input, const struct config *c)
{
	struct report_node *s = report_add_section(root, "config", NULL, TEXT_NONE);

	report_add_string(s, "input", input);
	report_add_string(s, "profile", c->profile.name);
}

/* One row of the sweep table: the assignments, then the figures that
 * differ between designs. */
static void fill_row(struct report_node *table, const struct config *c)
{
	struct report_node *row = report_add_section(table, NULL, NULL, TEXT_INLINE);
	gchar *set = g_strjoinv(" ", (gchar **)c->sets->pdata);
	struct tlb_stats t;

	domain_tlb_stats(&c->replay.domain, &t);
	report_add_string(row, "set", set);
	report_add_count(row, "simulated_ns", NULL, replay_simulated_ns(&c->replay));
	report_add_count(row, "l1i_misses", NULL, t.misses[TLB_L1I]);
	report_add_count(row, "l1d_misses", NULL, t.misses[TLB_L1D]);
	report_add_count(row, "l2_misses", NULL, t.misses[TLB_L2]);
	report_add_count(row, "walk_reads", NULL, t.walk_reads);
	g_free(set);
}

static struct report_node *build_report(const char *input, struct config *configs, int n,
					bool sweep)
{
	struct report_node *root = report_new("mmusim replay");
	struct report_node *table, *list;

	report_add_string(root, "format", sweep ? "mmusim-sweep" : "mmusim-replay");
	report_add_count(root, "version", NULL, 1);
	if (!sweep) {
		fill_config(root, input, &configs[0]);
		replay_fill_report(root, &configs[0].replay);
		return root;
	}
	report_add_string(root, "input", input);
	table = report_add_list(root, "table", "sweep", TEXT_TABLE);
	report_add_column(table, "set", "configuration", -40);
	report_add_column(table, "simulated_ns", "sim ns", 12);
	report_add_column(table, "l1i_misses", "l1i miss", 10);
	report_add_column(table, "l1d_misses", "l1d miss", 10);
	report_add_column(table, "l2_misses", "l2 miss", 10);
	report_add_column(table, "walk_reads", "walk reads", 11);
	list = report_add_list(root, "configs", NULL, TEXT_NONE);
	for (int i = 0; i < n; i++) {
		struct report_node *one = report_add_section(list, NULL, NULL, TEXT_NONE);
		gchar *set = g_strjoinv(" ", (gchar **)configs[i].sets->pdata);

		fill_row(table, &configs[i]);
		report_add_string(one, "set", set);
		replay_fill_report(one, &configs[i].replay);
		g_free(set);
	}
	return root;
}

static int write_outputs(struct report_node *root, bool stats, const char *report_path)
{
	if (stats)
		report_write_text(root, stdout);
	if (report_path) {
		GError *e = NULL;
		gchar *json = report_to_json(root);

		if (!g_file_set_contents(report_path, json, -1, &e)) {
			fprintf(stderr, "mmusim replay: --report %s: %s\n", report_path, e->message);
			g_error_free(e);
			g_free(json);
			return 74;
		}
		g_free(json);
	}
	return 0;
}

/* Replay `input` under every configuration; the exit status. */
static int replay_all(const char *input, bool lackey, bool synthetic, struct config *configs,
		      int n, bool sweep, bool stats, const char *report_path)
{
	GString *msg = g_string_new(NULL);
	struct report_node *root;
	int status = 0;
	bool oom = false;

	for (int i = 0; lackey && i < n && !status; i++)
		if (replay_init_synthetic(&configs[i].replay, &configs[i].profile, REPLAY_MEM, msg))
			status = replay_usage("%s", msg->str);
	if (!status)
		status = lackey ? feed_lackey(input, configs, n) : feed_trace(input, !synthetic, configs, n);
	if (!status) {
		for (int i = 0; i < n; i++) {
			replay_finish(&configs[i].replay);
			oom |= configs[i].replay.oom;
		}
		root = build_report(input, configs, n, sweep);
		status = write_outputs(root, stats, report_path);
		report_free(root);
		if (oom && !status) {
			fprintf(stderr, "mmusim replay: %s: out of simulated memory\n", input);
			status = 1;
		}
	}
	g_string_free(msg, TRUE);
	return status;
}

int cmd_replay(int argc, char **argv)
{
	gchar *profile = NULL, *report_path = NULL, **sets = NULL, **sweeps = NULL;
	gboolean stats = FALSE, lackey = FALSE, synthetic = FALSE, summary = FALSE;
	GOptionEntry entries[] = {
		{ "lackey", 0, 0, G_OPTION_ARG_NONE, &lackey, "a Valgrind lackey trace", NULL },
		{ "summary", 0, 0, G_OPTION_ARG_NONE, &summary, "decode only: what the trace holds", NULL },
		{ "synthetic", 0, 0, G_OPTION_ARG_NONE, &synthetic, "recorded accesses, synthetic spaces", NULL },
		{ "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile, "cost profile", "NAME|FILE" },
		{ "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "profile change", "KEY=VALUE" },
		{ "sweep", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sweeps, "values to compare", "KEY=V1,V2" },
		{ "stats", 0, 0, G_OPTION_ARG_NONE, &stats, "print statistics", NULL },
		{ "report", 0, 0, G_OPTION_ARG_FILENAME, &report_path, "JSON report", "FILE" },
		{ NULL },
	};
	GOptionContext *ctx = g_option_context_new("FILE");
	GString *msg = g_string_new(NULL);
	GPtrArray *combos = NULL;
	struct config *configs = NULL;
	GError *error = NULL;
	int status = 0, n = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_help_enabled(ctx, FALSE);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		status = replay_usage("%s", error->message);
		goto out;
	}
	if (argc != 2) {
		status = replay_usage("%s", "expected one trace FILE");
		goto out;
	}
	if (summary) {
		status = summarize(argv[1]);
		goto out;
	}
	if (!(combos = combinations(sweeps, msg))) {
		status = replay_usage("%s", msg->str);
		goto out;
	}
	configs = g_new0(struct config, combos->len);
	for (guint i = 0; i < combos->len && !status; i++, n++) {
		configs[i].sets = g_ptr_array_ref(g_ptr_array_index(combos, i));
		if (load_config(&configs[i], profile, sets, configs[i].sets, msg))
			status = replay_usage("%s", msg->str);
		g_ptr_array_add(configs[i].sets, NULL);	/* for g_strjoinv */
	}
	if (!status)
		status = replay_all(argv[1], lackey, synthetic, configs, n, sweeps != NULL, stats,
				    report_path);
out:
	for (int i = 0; i < n; i++) {
		replay_fini(&configs[i].replay);
		cost_profile_clear(&configs[i].profile);
		g_ptr_array_unref(configs[i].sets);
	}
	g_free(configs);
	if (combos)
		g_ptr_array_unref(combos);
	g_string_free(msg, TRUE);
	g_clear_error(&error);
	g_option_context_free(ctx);
	g_free(profile);
	g_free(report_path);
	g_strfreev(sets);
	g_strfreev(sweeps);
	return status;
}
