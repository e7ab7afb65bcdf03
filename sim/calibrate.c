#include "sim/calibrate.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <linux/perf_event.h>
#include <math.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "mmu/cost.h"
#include "sim/probes.h"

#define EX_USAGE 2
#define EX_SOFTWARE 70
#define DEFAULT_RUNS 9
#define FILE_PAGES 512
#define CYCLES_PROBE "cpu-cycles"	/* the frequency, by perf */

struct measured {
	bool ok;
	double ns, faults;	/* medians per operation */
	char why[200];		/* why not ok */
};

struct calibration {
	unsigned runs;
	gchar **skip;
	const char *file;		/* file-fault's file */
	struct measured m[32];		/* by index in probes[] */
	double ghz;
	GString *frequency_note;
	struct cost_profile base;	/* the default profile: unmeasured steps */
	uint64_t cycles[NR_COST_STEPS];
	gchar *note[NR_COST_STEPS];	/* the derivation of each step; NULL: default */
};

/* Operations per run: enough that the clock's resolution does not matter. */
static long ops_of(const char *probe)
{
	static const struct { const char *name; long n; } ops[] = {
		{ "syscall", 20000 }, { "futex-switch", 5000 }, { "pipe-switch", 5000 },
		{ "mprotect", 5000 }, { "mprotect-ipi", 5000 }, { "fork-wait", 200 }, { "tlb-miss", 8192 },
		{ "touch", 65536 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(ops); i++)
		if (!strcmp(ops[i].name, probe))
			return ops[i].n;
	return FILE_PAGES;	/* the fault probes and uffd-copy: pages */
}

static int compare_doubles(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), compare_doubles);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool skipped_by_option(const struct calibration *c, const char *name)
{
	return c->skip && g_strv_contains((const gchar *const *)c->skip, name);
}

/* One warm-up run, then `runs` measured ones, each with this process's CPU
 * mask restored after it (pinned probes change it). */
static void measure(struct calibration *c, size_t i)
{
	const struct probe *p = &probes[i];
	struct measured *m = &c->m[i];
	double *ns = g_new(double, c->runs), *faults = g_new(double, c->runs);
	cpu_set_t mask;

	sched_getaffinity(0, sizeof(mask), &mask);
	m->ok = true;
	for (unsigned r = 0; r <= c->runs && m->ok; r++) {
		struct probe_args args = { .n = ops_of(p->name), .pin = true, .file = c->file };
		struct probe_result out;

		m->ok = p->run(&args, &out) == 0;
		sched_setaffinity(0, sizeof(mask), &mask);
		if (!m->ok)
			g_strlcpy(m->why, args.why, sizeof(m->why));
		else if (r > 0) {
			ns[r - 1] = out.ns_per_op;
			faults[r - 1] = out.faults_per_op;
		}
	}
	if (m->ok) {
		m->ns = median(ns, c->runs);
		m->faults = median(faults, c->runs);
	}
	g_free(ns);
	g_free(faults);
}

/* ------------------------------------------------------- the frequency */

/* User-mode cycles per ns over a 20 ms busy loop, by perf; 0: cannot count. */
static double cycles_per_ns(char *why, size_t len)
{
	struct perf_event_attr attr = { .type = PERF_TYPE_HARDWARE, .size = sizeof(attr),
					.config = PERF_COUNT_HW_CPU_CYCLES, .disabled = 1,
					.exclude_kernel = 1, .exclude_hv = 1 };
	int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	struct timespec t0, t1;
	uint64_t count = 0;
	double ns;

	if (fd < 0) {
		snprintf(why, len, "perf_event_open(cpu-cycles): %s", g_strerror(errno));
		return 0;
	}
	ioctl(fd, PERF_EVENT_IOC_ENABLE, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do
		clock_gettime(CLOCK_MONOTONIC, &t1);
	while ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec) < 20e6);
	ioctl(fd, PERF_EVENT_IOC_DISABLE, 0);
	ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
	if (read(fd, &count, sizeof(count)) != sizeof(count) || !count) {
		snprintf(why, len, "perf cpu-cycles counted nothing (no hardware counter here)");
		count = 0;
	}
	close(fd);
	return (double)count / ns;
}

/* The highest "cpu MHz" of /proc/cpuinfo, in GHz; 0: none. */
static double cpuinfo_ghz(void)
{
	gchar *text = NULL, **lines;
	double mhz = 0;

	if (!g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL))
		return 0;
	lines = g_strsplit(text, "\n", -1);
	for (gchar **l = lines; *l; l++) {
		const char *colon = strchr(*l, ':');

		if (g_str_has_prefix(*l, "cpu MHz") && colon)
			mhz = MAX(mhz, g_ascii_strtod(colon + 1, NULL));
	}
	g_strfreev(lines);
	g_free(text);
	return mhz / 1000;
}

static void measure_frequency(struct calibration *c)
{
	char why[160] = "skipped by --skip";
	double v[DEFAULT_RUNS * 4];
	unsigned n = 0;

	c->frequency_note = g_string_new(NULL);
	if (!skipped_by_option(c, CYCLES_PROBE))
		for (; n < c->runs && n < G_N_ELEMENTS(v) && (v[n] = cycles_per_ns(why, sizeof(why))) > 0; n++)
			;
	if (n == c->runs || n == G_N_ELEMENTS(v)) {
		c->ghz = median(v, n);
		g_string_printf(c->frequency_note, "perf cpu-cycles over a 20 ms busy loop, median of %u", n);
		return;
	}
	fprintf(stderr, "mmusim calibrate: skipped %s: %s\n", CYCLES_PROBE, why);
	c->ghz = cpuinfo_ghz();
	if (c->ghz > 0)
		g_string_printf(c->frequency_note, "/proc/cpuinfo's cpu MHz (%s skipped: %s)", CYCLES_PROBE, why);
	else {
		c->ghz = c->base.frequency_ghz;
		g_string_printf(c->frequency_note, "the default profile's (%s skipped: %s; no cpu MHz in "
				"/proc/cpuinfo)", CYCLES_PROBE, why);
	}
}

/* ------------------------------------------------------- the derivation */

static const struct measured *got(const struct calibration *c, const char *name)
{
	for (size_t i = 0; probes[i].name; i++)
		if (!strcmp(probes[i].name, name))
			return c->m[i].ok ? &c->m[i] : NULL;
	g_assert_not_reached();
}

/* ns per fault of a fault probe; 0 when it took no faults. */
static double per_fault(const struct measured *m)
{
	return m && m->faults > 0 ? m->ns / m->faults : 0;
}

static G_GNUC_PRINTF(4, 5) void set_step(struct calibration *c, enum cost_step step, double ns,
					 const char *fmt, ...)
{
	va_list ap;
	gchar *how;

	va_start(ap, fmt);
	how = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	c->cycles[step] = ns > 0 ? (uint64_t)llround(ns * c->ghz) : 0;
	c->note[step] = g_strdup_printf("%s%s", how, ns > 0 ? "" : " (not positive: 0)");
	g_free(how);
}

/* A step's current value in ns (measured, or the default's). */
static double ns_of(const struct calibration *c, enum cost_step step)
{
	return (double)c->cycles[step] / c->ghz;
}

/* Split `ns` over steps in the default profile's proportions. */
static void split(struct calibration *c, const enum cost_step *steps, size_t n, double ns, const char *how)
{
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		total += c->base.cycles[steps[i]];
	for (size_t i = 0; i < n && total; i++)
		set_step(c, steps[i], ns * (double)c->base.cycles[steps[i]] / (double)total,
			 "%s, split in the default profile's proportions", how);
}

/* Faults: zero-read is trap + one entry; file-fault maps k pages a fault
 * (fault-around): trap + k entries; anon-fault adds the zeroing; cow-fault
 * the copy and a one-page flush.  Each page touched also costs the loop and
 * a TLB miss (tlb-miss), which mmusim charges apart (instructions, walks):
 * taken off first. */
static void derive_faults(struct calibration *c)
{
	static const enum cost_step trap[] = { COST_TRAP_ENTRY, COST_TRAP_EXIT };
	const struct measured *file = got(c, "file-fault"), *t = got(c, "tlb-miss");
	double o = t ? t->ns : 0, k = file ? 1 / file->faults : 0;
	double z = per_fault(got(c, "zero-read")) - o, x = per_fault(file) - k * o;
	double anon = per_fault(got(c, "anon-fault")) - o, cow = per_fault(got(c, "cow-fault")) - o;
	double pte;

	if (z <= 0)
		return;
	if (x > z && k > 1.5) {
		pte = (x - z) / (k - 1);
		set_step(c, COST_PTE_INSTALL, pte, "(file-fault %.1f ns a fault mapping %.1f pages - zero-read "
			 "%.1f ns, less tlb-miss %.1f ns a page) / %.1f more entries", x + k * o, k, z + o, o, k - 1);
	} else {
		pte = ns_of(c, COST_PTE_INSTALL);
		c->note[COST_PTE_INSTALL] = g_strdup("default (file-fault not measured or showed no fault-around)");
	}
	split(c, trap, G_N_ELEMENTS(trap), z - pte, "zero-read's fault less tlb-miss and pte_install");
	if (anon > 0)
		set_step(c, COST_PAGE_ZERO, anon - z, "anon-fault %.1f ns - zero-read %.1f ns", anon + o, z + o);
	if (cow > 0)
		set_step(c, COST_PAGE_COPY, cow - z - ns_of(c, COST_TLB_FLUSH_PAGE),
			 "cow-fault %.1f ns - zero-read %.1f ns - tlb_flush_page", cow + o, z + o);
}

/* A TLB miss: tlb-miss - touch; mmusim's walk of a miss in a region the
 * page-walk cache covers reads one level from memory (walk_level) and
 * takes three from the cache (walk_level_pwc_hit) after an L2 lookup. */
static void derive_walk(struct calibration *c)
{
	const struct measured *hit = got(c, "touch"), *miss = got(c, "tlb-miss");
	double others;

	if (!hit || !miss)
		return;
	others = (double)(3 * c->cycles[COST_WALK_LEVEL_PWC_HIT] + c->cycles[COST_TLB_HIT_L2]) / c->ghz;
	set_step(c, COST_WALK_LEVEL, miss->ns - hit->ns - others, "tlb-miss %.1f ns - touch %.1f ns - 3 "
		 "walk_level_pwc_hit - tlb_hit_l2", miss->ns, hit->ns);
}

/* System calls; mprotect's VMA work and shootdown (its own one-page flush
 * is not told apart: the default's); switches. */
static void derive_calls(struct calibration *c)
{
	static const enum cost_step sys[] = { COST_SYSCALL_ENTRY, COST_SYSCALL_EXIT };
	static const enum cost_step ipi[] = { COST_IPI_SEND, COST_IPI_HANDLE, COST_ACK_WAIT };
	const struct measured *s = got(c, "syscall"), *mp = got(c, "mprotect"), *mi = got(c, "mprotect-ipi");
	const struct measured *fs = got(c, "futex-switch"), *ps = got(c, "pipe-switch");
	double flush = ns_of(c, COST_TLB_FLUSH_PAGE);

	if (!s)
		return;
	split(c, sys, G_N_ELEMENTS(sys), s->ns, "syscall (getppid)");
	if (mp)
		set_step(c, COST_VMA_MODIFY, (mp->ns - 2 * s->ns - flush) / 2, "(mprotect round %.1f ns - 2 system "
			 "calls - tlb_flush_page) / 2 calls", mp->ns);
	if (mp && mi)
		split(c, ipi, G_N_ELEMENTS(ipi), mi->ns - mp->ns - flush,
		      "mprotect-ipi round - mprotect round - the target's tlb_flush_page");
	if (fs)
		set_step(c, COST_SCHED_PICK, fs->ns - 2 * s->ns, "futex-switch hand-over %.1f ns - 2 system calls",
			 fs->ns);
	if (fs && ps)
		set_step(c, COST_SWITCH_ASID, ps->ns - fs->ns, "pipe-switch hand-over %.1f ns - futex-switch "
			 "hand-over (absorbs pipe read/write beyond futex calls)", ps->ns);
}

/* fork-wait: a fork, the child's exit, the wait, two process switches and
 * the copy-on-write faults counted; fork_mm absorbs the rest (creating,
 * tearing down and reaping the process). */
static void derive_fork(struct calibration *c)
{
	const struct measured *fw = got(c, "fork-wait"), *s = got(c, "syscall"), *ps = got(c, "pipe-switch");
	double cow = per_fault(got(c, "cow-fault"));

	if (!fw || !s || !ps || !cow)
		return;
	set_step(c, COST_FORK_MM, fw->ns - 3 * s->ns - 2 * (ps->ns - 2 * s->ns) - fw->faults * cow,
		 "fork-wait %.1f ns - 3 system calls - 2 process switches - %.1f cow-faults", fw->ns, fw->faults);
}

/* Calls first: the fault derivation uses tlb_flush_page. */
static void derive(struct calibration *c)
{
	memcpy(c->cycles, c->base.cycles, sizeof(c->cycles));
	derive_walk(c);
	derive_calls(c);
	derive_faults(c);
	derive_fork(c);
}

/* ------------------------------------------------------------ the file */

static void write_measured(const struct calibration *c, GString *out)
{
	g_string_append_printf(out, "# Measured: medians of %u runs (after a warm-up run), per operation.\n", c->runs);
	for (size_t i = 0; probes[i].name; i++) {
		const struct measured *m = &c->m[i];

		if (m->ok)
			g_string_append_printf(out, "#   %-13s %10.1f ns %6.3f faults  %s\n", probes[i].name, m->ns,
					       m->faults, probes[i].what);
		else
			g_string_append_printf(out, "#   %-13s skipped: %s\n", probes[i].name, m->why);
	}
	if (got(c, "uffd-copy"))
		g_string_append(out, "# uffd-copy: for comparison only; the userfaultfd steps (uffd_*) keep the default\n"
				 "# profile's values.\n");
}

static gchar *profile_text(const struct calibration *c)
{
	GString *out = g_string_new("# Cost profile of this machine, written by `mmusim calibrate`\n"
				    "# (docs/calibration.md).  Use: mmusim run --profile FILE ...\n");
	write_measured(c, out);
	g_string_append_printf(out, "[profile]\ndescription=calibrated on this host by mmusim calibrate\n"
			       "# %s\nfrequency_ghz=%.3f\n[cycles]\n", c->frequency_note->str, c->ghz);
	for (int s = 0; s < NR_COST_STEPS; s++)
		g_string_append_printf(out, "# %s\n%s=%" G_GUINT64_FORMAT "\n",
				       c->note[s] ? c->note[s] : "default profile's (not measured)",
				       cost_step_key(s), c->cycles[s]);
	return g_string_free(out, FALSE);
}

/* Write and load it again: what `run --profile` will do. */
static int write_profile(const struct calibration *c, const char *path)
{
	gchar *text = profile_text(c);
	GError *error = NULL;
	struct cost_profile check;
	int status = 0;

	if (!g_file_set_contents(path, text, -1, &error) || cost_profile_load(path, &check, &error)) {
		fprintf(stderr, "mmusim calibrate: %s\n", error->message);
		status = EX_SOFTWARE;
	} else {
		cost_profile_clear(&check);
		fprintf(stderr, "mmusim calibrate: wrote %s\n", path);
	}
	g_clear_error(&error);
	g_free(text);
	return status;
}

/* file-fault's file: FILE_PAGES pages, in the host's page cache. */
static gchar *make_file(void)
{
	gchar *path = NULL, *data = g_malloc0(FILE_PAGES * 4096L);
	int fd = g_file_open_tmp("mmusim-calibrate-XXXXXX", &path, NULL);

	if (fd >= 0 && write(fd, data, FILE_PAGES * 4096L) != FILE_PAGES * 4096L)
		g_clear_pointer(&path, g_free);
	if (fd >= 0)
		close(fd);
	g_free(data);
	return path;
}

/* --from FILE: the measurements a profile this command wrote records in
 * its comments ("#   probe  NS ns  F faults") and its frequency, instead
 * of measuring: a profile derived again (after a change to the derivation,
 * or on another machine).  -1 with the reason when FILE has none. */
static int read_measured(struct calibration *c, const char *path)
{
	gchar *text = NULL, **lines;
	GError *error = NULL;
	int found = 0;

	if (!g_file_get_contents(path, &text, NULL, &error)) {
		fprintf(stderr, "mmusim: calibrate: --from %s: %s\n", path, error->message);
		g_clear_error(&error);
		return -1;
	}
	lines = g_strsplit(text, "\n", -1);
	for (gchar **l = lines; *l; l++) {
		char name[32];
		double ns, faults;

		if (sscanf(*l, "frequency_ghz=%lf", &ns) == 1 && ns > 0)
			c->ghz = ns;
		if (sscanf(*l, "#   %31s %lf ns %lf faults", name, &ns, &faults) != 3)
			continue;
		for (size_t i = 0; probes[i].name; i++)
			if (!strcmp(probes[i].name, name) && ns > 0 && faults >= 0) {
				c->m[i] = (struct measured){ .ok = true, .ns = ns, .faults = faults };
				found++;
			}
	}
	g_strfreev(lines);
	g_free(text);
	if (!found || c->ghz <= 0) {
		fprintf(stderr, "mmusim: calibrate: --from %s: no measurements or no frequency_ghz in it\n", path);
		return -1;
	}
	c->frequency_note = g_string_new(NULL);
	g_string_printf(c->frequency_note, "%.3f GHz, as recorded in %s", c->ghz, path);
	for (size_t i = 0; probes[i].name; i++)
		if (!c->m[i].ok)
			g_strlcpy(c->m[i].why, "not recorded in the --from file", sizeof(c->m[i].why));
	return 0;
}

/* Run every probe not skipped (sim/probes.c). */
static void measure_all(struct calibration *c)
{
	gchar *file = make_file();

	c->file = file;
	measure_frequency(c);
	for (size_t i = 0; probes[i].name; i++) {
		if (skipped_by_option(c, probes[i].name))
			g_strlcpy(c->m[i].why, "skipped by --skip", sizeof(c->m[i].why));
		else
			measure(c, i);
		if (!c->m[i].ok)
			fprintf(stderr, "mmusim calibrate: skipped %s: %s\n", probes[i].name, c->m[i].why);
	}
	if (file)
		g_unlink(file);
	g_free(file);
	c->file = NULL;
}

/* ------------------------------------------------------------ command */

static int check_skips(gchar **skip)
{
	for (gchar **s = skip; s && *s; s++)
		if (!probe_find(*s) && strcmp(*s, CYCLES_PROBE)) {
			fprintf(stderr, "mmusim: calibrate: --skip %s: no such probe (%s", *s, CYCLES_PROBE);
			for (const struct probe *p = probes; p->name; p++)
				fprintf(stderr, ", %s", p->name);
			fputs(")\n", stderr);
			return EX_USAGE;
		}
	return 0;
}

static int parse_options(int *argc, char ***argv, gchar **output, gint *runs, gchar **skips,
			 gchar **from)
{
	GOptionEntry entries[] = {
		{ "output", 'o', 0, G_OPTION_ARG_FILENAME, output, "profile file", "FILE" },
		{ "from", 0, 0, G_OPTION_ARG_FILENAME, from, "derive from the measurements recorded in FILE",
		  "FILE" },
		{ "runs", 0, 0, G_OPTION_ARG_INT, runs, "runs per probe", "N" },
		{ "skip", 0, 0, G_OPTION_ARG_STRING, skips, "probes not to run", "PROBE,..." },
		{ NULL },
	};
	GOptionContext *ctx = g_option_context_new(NULL);
	GError *error = NULL;
	int status = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	g_option_context_set_help_enabled(ctx, FALSE);
	if (!g_option_context_parse(ctx, argc, argv, &error)) {
		fprintf(stderr, "mmusim: calibrate: %s\nTry 'mmusim --help'.\n", error->message);
		status = EX_USAGE;
	} else if (*argc > 1) {
		fprintf(stderr, "mmusim: calibrate: unexpected argument '%s'\nTry 'mmusim --help'.\n", (*argv)[1]);
		status = EX_USAGE;
	} else if (*runs < 1 || *runs > DEFAULT_RUNS * 4) {
		fprintf(stderr, "mmusim: calibrate: --runs %d: expected 1 to %d\n", *runs, DEFAULT_RUNS * 4);
		status = EX_USAGE;
	}
	g_clear_error(&error);
	g_option_context_free(ctx);
	return status;
}

int cmd_calibrate(int argc, char **argv)
{
	gchar *output = NULL, *skips = NULL, *from = NULL;
	gint runs = DEFAULT_RUNS;
	struct calibration c = { 0 };
	int status = parse_options(&argc, &argv, &output, &runs, &skips, &from);

	c.skip = skips ? g_strsplit(skips, ",", -1) : NULL;
	if (!status)
		status = check_skips(c.skip);
	if (!status && cost_profile_load("default", &c.base, NULL))
		status = EX_SOFTWARE;
	if (status)
		goto out;
	for (size_t i = 0; probes[i].name; i++)
		g_assert(i < G_N_ELEMENTS(c.m));
	c.runs = (unsigned)runs;
	if (from && read_measured(&c, from)) {
		status = EX_USAGE;
		goto out;
	}
	if (!from)
		measure_all(&c);
	derive(&c);
	status = write_profile(&c, output ? output : "host.profile");
	for (int s = 0; s < NR_COST_STEPS; s++)
		g_free(c.note[s]);
	g_string_free(c.frequency_note, TRUE);
out:
	cost_profile_clear(&c.base);
	g_strfreev(c.skip);
	g_free(skips);
	g_free(output);
	g_free(from);
	return status;
}
