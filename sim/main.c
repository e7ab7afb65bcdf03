/*
 * main: the mmusim command.
 *
 *   mmusim run [options] PROGRAM [ARGS...]
 *   mmusim calibrate [options]
 *   mmusim --help | --version
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "lab/lab.h"
#include "mmu/device/device.h"
#include "mmu/mshare/mshare.h"
#include "report/text.h"
#include "sim/accel.h"
#include "sim/calibrate.h"
#include "sim/dmirror.h"
#include "sim/explain.h"
#include "sim/gdbstub.h"
#include "sim/hostsig.h"
#include "sim/machine.h"
#include "sim/replay_cmd.h"
#include "sim/report.h"
#include "sim/run.h"
#include "traces/trace.h"
#include "util/parse.h"

#define EX_USAGE 2
#define EX_SOFTWARE 70
#define EX_IOERR 74

static const char usage_text[] =
	"Usage: mmusim COMMAND [OPTIONS] ...\n"
	"\n"
	"Run unmodified static Linux/AArch64 programs on a software MMU.\n"
	"\n"
	"Commands:\n"
	"  run [OPTIONS] PROGRAM [ARGS...]   run PROGRAM; its output and exit status are mmusim's\n"
	"                                    (a fatal signal gives 128+signo)\n"
	"  profiles                          list the built-in cost profiles\n"
	"  replay --lackey|--synthetic [OPTIONS] FILE\n"
	"                                    drive the MMU model with no emulator from a Valgrind\n"
	"                                    lackey trace, or a recorded run's accesses in\n"
	"                                    synthetic address spaces: --profile, --set, --stats,\n"
	"                                    --report FILE; --summary FILE decodes only,\n"
	"                                    --sweep KEY=V1,V2,... (repeatable: every combination\n"
	"                                    side by side; docs/trace-format.md)\n"
	"  calibrate [OPTIONS]               measure this machine's costs with native probes and\n"
	"                                    write a cost profile (docs/calibration.md)\n"
	"  lab [NAME [--seed S] [--solve | --check ANSWERS]]\n"
	"                                    a lab exercise: the list, a student's variant, the\n"
	"                                    teacher's answers, or a grade (docs/labs/)\n"
	"\n"
	"Options of run:\n"
	"  --mem SIZE         simulated physical memory, 1M to 16T, e.g. 512M, 4G (default 4G)\n"
	"  --root DIR         the guest's root directory (default /)\n"
	"  --writable         let the guest change files below the root (default read-only)\n"
	"  --tmpfs PATH       a writable directory tree at guest path PATH, in simulated\n"
	"                     memory (repeatable)\n"
	"  --max-insns N      stop the guest after at most N instructions (exit status 152,\n"
	"                     SIGXCPU); a block that would pass N does not start\n"
	"  --strace           print one line per system call on stderr\n"
	"  --stats            print counters, TLB figures and latencies at exit\n"
	"  --report FILE      write a JSON report of the run to FILE at exit\n"
	"                     (docs/report-format.md)\n"
	"  --record FILE      write the run's memory trace to FILE (docs/trace-format.md;\n"
	"                     needs --tlb exact)\n"
	"  --seed N           seed of getrandom and AT_RANDOM (default 0)\n"
	"  --cpus N           simulated CPUs, 1 to 64 (default 4)\n"
	"  --quantum N        instructions a task runs before another may take its CPU\n"
	"                     (default 20000, at least 1000)\n"
	"  --max-tasks N      most tasks alive at once; clone then fails with EAGAIN (default 256)\n"
	"  --profile NAME|FILE  cost profile: a built-in name (see 'mmusim profiles') or a key file\n"
	"  --set KEY=VALUE    change the profile: cycles.STEP=N, tlb.KEY=V or frequency_ghz=F\n"
	"                     (repeatable; docs/cost-profiles.md)\n"
	"  --tlb exact|off    look every access up in each CPU's modelled TLB (default exact),\n"
	"                     or model only faults, switches and shootdowns (faster)\n"
	"  --no-fastpath      let every guest store take the Unicorn library's slow path\n"
	"                     (also MMUSIM_NO_FASTPATH=1 in mmusim's environment)\n"
	"  --devices N        simulated accelerators /dev/accel0 ..., 0 to 8 (default 0;\n"
	"                     docs/devices.md)\n"
	"  --device-mem SIZE  each accelerator's memory node (default 64M)\n"
	"  --device-mm hmm|gmem  how device memory is managed: the HMM mirror (default) or\n"
	"                     gmem's logical page table\n"
	"  --device-inval page|coalesced  device TLB invalidation per page (default) or one\n"
	"                     per range\n"
	"  --vas-attach eager|lazy  vas_attach copies every entry (default), or only code's,\n"
	"                     the rest filled VMA by VMA at the first fault (docs/vas.md)\n"
	"  --env NAME=VALUE   set NAME in the guest's environment (repeatable)\n"
	"  --clear-env        start the guest's environment empty, as env -i\n"
	"  --progress         show instructions, simulated time and MIPS on stderr about\n"
	"                     once a second (default: when stderr is a terminal)\n"
	"  --no-progress      never show that line\n"
	"  --explain all|first=N|addr=A|range=A-B  tell each selected page fault step by\n"
	"                     step: instruction, walk, VMA, handler, TLB, cost (docs/explain.md)\n"
	"  --explain-format text|json  blocks of text (default) or one JSON object per line\n"
	"  --explain-file FILE  write the explanations to FILE (default standard error)\n"
	"  --gdb PORT         wait for gdb on 127.0.0.1:PORT (0: any free port) and serve\n"
	"                     its remote protocol (docs/gdb.md)\n"
	"\n"
	"Options of calibrate:\n"
	"  -o, --output FILE  the profile file to write (default host.profile)\n"
	"  --runs N           measured runs per probe, their median is taken (default 9)\n"
	"  --skip PROBE,...   probes not to run (their steps keep the default profile's values)\n"
	"\n"
	"  -h, --help         show this help (also after run)\n"
	"  --version          show the version\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("mmusim: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'mmusim --help'.\n", stderr);
	return EX_USAGE;
}

/* "4G", "512M", "65536K", "1048576": bytes, or 0 if malformed. */
static uint64_t parse_size(const char *s)
{
	char *end;
	uint64_t n, shift = 0;

	errno = 0;
	n = g_ascii_strtoull(s, &end, 10);
	if (errno || end == s)
		return 0;
	switch (g_ascii_toupper(*end)) {
	case 'K': shift = 10; end++; break;
	case 'M': shift = 20; end++; break;
	case 'G': shift = 30; end++; break;
	case 'T': shift = 40; end++; break;
	case '\0': break;
	default: return 0;
	}
	if ((*end == 'i' || *end == 'B') && shift)
		end += *end == 'i' && end[1] == 'B' ? 2 : 1;
	if (*end || n > (UINT64_MAX >> shift))
		return 0;
	return n << shift;
}

static gboolean parse_mem(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;
	uint64_t size = parse_size(value);

	/* Below 2^47 the placeholder region still fits above RAM; frames are
	 * numbered in 32 bits. */
	if (size < (UINT64_C(1) << 20) || size % PAGE_SIZE || size > (UINT64_C(1) << 44)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--mem %s: expected a size from 1M to 16T in whole 4 KiB pages (e.g. 512M, 4G)",
			    value);
		return FALSE;
	}
	opt->mem = size;
	return TRUE;
}

static gboolean parse_count(const char *value, uint64_t *out, const char *name, GError **error)
{
	if (!parse_u64(value, 10, out)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s %s: expected a non-negative integer", name, value);
		return FALSE;
	}
	return TRUE;
}

static gboolean parse_max_insns(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;

	if (!parse_count(value, &opt->max_insns, "--max-insns", error))
		return FALSE;
	if (!opt->max_insns) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--max-insns 0: expected at least one instruction");
		return FALSE;
	}
	return TRUE;
}

/* An integer option within [min, max]. */
static gboolean parse_ranged(const char *name, const char *value, uint64_t min, uint64_t max,
			     uint64_t *out, GError **error)
{
	if (!parse_count(value, out, name, error))
		return FALSE;
	if (*out < min || *out > max) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s %s: expected %" PRIu64 " to %" PRIu64, name, value, min, max);
		return FALSE;
	}
	return TRUE;
}

static gboolean parse_cpus(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;
	uint64_t n;

	if (!parse_ranged("--cpus", value, 1, MAX_CPUS, &n, error))
		return FALSE;
	opt->cpus = (int)n;
	return TRUE;
}

static gboolean parse_quantum(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;

	/* A translated block holds at most 512 instructions: a smaller quantum
	 * could never let one run. */
	return parse_ranged("--quantum", value, 1000, UINT64_C(1) << 40, &opt->quantum, error);
}

static gboolean parse_max_tasks(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;
	uint64_t n;

	if (!parse_ranged("--max-tasks", value, 1, 100000, &n, error))
		return FALSE;
	opt->max_tasks = (int)n;
	return TRUE;
}

static gboolean parse_tlb(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;

	if (strcmp(value, "exact") && strcmp(value, "off")) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--tlb %s: expected exact or off", value);
		return FALSE;
	}
	opt->tlb_off = !strcmp(value, "off");
	return TRUE;
}

static gboolean parse_vas_attach(const char *name, const char *value, gpointer data,
				 GError **error)
{
	struct options *opt = data;

	if (strcmp(value, "eager") && strcmp(value, "lazy")) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--vas-attach %s: expected eager or lazy", value);
		return FALSE;
	}
	opt->vas_lazy = !strcmp(value, "lazy");
	return TRUE;
}

static gboolean parse_mshare_flush(const char *name, const char *value, gpointer data,
				   GError **error)
{
	struct options *opt = data;
	enum mshare_flush f;

	if (mshare_flush_parse(value, &f)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--mshare-flush %s: expected none, all, host-mask, per-sharer or union-mask",
			    value);
		return FALSE;
	}
	opt->mshare_flush = mshare_flush_name(f);
	return TRUE;
}

static gboolean parse_devices(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;
	uint64_t n;

	if (!parse_ranged("--devices", value, 0, PHYS_MAX_NODES - 1, &n, error))
		return FALSE;
	opt->devices = (int)n;
	return TRUE;
}

static gboolean parse_device_mem(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;
	uint64_t size = parse_size(value);

	if (size < (UINT64_C(1) << 20) || size % PAGE_SIZE || size > (UINT64_C(1) << 40)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--device-mem %s: expected a size from 1M to 1T in whole 4 KiB pages", value);
		return FALSE;
	}
	opt->device_mem = size;
	return TRUE;
}

static gboolean parse_device_mm(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;

	if (!accel_design_named(value)) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--device-mm %s: expected hmm or gmem", value);
		return FALSE;
	}
	opt->device_mm = accel_design_named(value)->name;
	return TRUE;
}

static gboolean parse_device_inval(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;

	if (strcmp(value, "page") && strcmp(value, "coalesced")) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "--device-inval %s: expected page or coalesced", value);
		return FALSE;
	}
	opt->device_coalesce = !strcmp(value, "coalesced");
	return TRUE;
}

static gboolean parse_seed(const char *name, const char *value, gpointer data, GError **error)
{
	struct options *opt = data;

	return parse_count(value, &opt->seed, "--seed", error);
}

/* The figures of the run, read once: as text on stderr (--stats), as JSON
 * into `report` (--report), which is closed and freed. */
static void write_reports(struct machine *m, char *const *argv, char *const *envp, int status,
			  struct report_file *report)
{
	struct report_node *run = report_build(m, argv, envp, status);
	GError *error = NULL;

	if (m->opt.stats)
		report_write_text(run, stderr);
	if (report && !report_finish(report, run, &error)) {
		fprintf(stderr, "mmusim: %s\n", error->message);	/* the guest's status stands */
		g_error_free(error);
	}
	report_free(run);
}

/* --gdb PORT: listen for the debugger (sim/gdbstub). */
static int open_gdb(struct machine *m, const char *port, char *const *argv, char *const *envp,
		    GString *msg)
{
	uint64_t n;
	GError *error = NULL;

	if (!parse_count(port, &n, "--gdb", &error) || n > 65535) {
		g_string_printf(msg, "--gdb %s: expected a TCP port number, 0 to 65535", port);
		g_clear_error(&error);
		return -EINVAL;
	}
	return gdbstub_open((int)n, argv, envp, &m->gdb, msg);
}

/* The guest's environment: mmusim's own, or none with --clear-env (as
 * `env -i`), then each --env NAME=VALUE in order, replacing NAME where it
 * is already set.  NULL with `error` for an --env without NAME=. */
static gchar **guest_environment(bool clear, char **assignments, GError **error)
{
	gchar **envp = clear ? g_new0(gchar *, 1) : g_get_environ();

	for (char **a = assignments; a && *a; a++) {
		const char *eq = strchr(*a, '=');
		gchar *name;

		if (!eq || eq == *a) {
			g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--env %s: expected NAME=VALUE", *a);
			g_strfreev(envp);
			return NULL;
		}
		name = g_strndup(*a, (gsize)(eq - *a));
		envp = g_environ_setenv(envp, name, eq + 1, TRUE);
		g_free(name);
	}
	return envp;
}

/* The options that shape the recorded run, for the trace's header. */
static char *record_options(const struct machine *m)
{
	GString *s = g_string_new(NULL);

	g_string_printf(s, "--cpus %d --quantum %" PRIu64 " --mem %" PRIu64 " --seed %" PRIu64,
			m->opt.cpus, m->opt.quantum, m->opt.mem, m->opt.seed);
	for (char **set = m->opt.sets; set && *set; set++)
		g_string_append_printf(s, " --set %s", *set);
	if (m->opt.devices)	/* their memory follows the CPU's (mmu/phys) */
		g_string_append_printf(s, " --devices %d --device-mem %" PRIu64 " --device-mm %s",
				       m->opt.devices, m->opt.device_mem, m->opt.device_mm);
	return g_string_free(s, FALSE);
}

/* --record FILE: the header names the guest, the options and the profile. */
static int start_recording(struct machine *m, const char *path, char **guest, GString *msg)
{
	struct trace_header h = {
		.guest = g_strjoinv(" ", guest),
		.options = record_options(m),
		.profile = g_strdup(m->opt.profile ? m->opt.profile : "default"),
	};
	int err = machine_start_recording(m, path, &h, msg);

	if (err == -EIO)
		fprintf(stderr, "mmusim: %s\n", msg->str);
	trace_header_clear(&h);
	return err;
}

static int cmd_run(int argc, char **argv)
{
	struct options opt = { .mem = DEFAULT_MEM, .root = "/", .cpus = DEFAULT_CPUS,
			       .quantum = DEFAULT_QUANTUM, .max_tasks = DEFAULT_MAX_TASKS,
			       .device_mem = DEFAULT_DEVICE_MEM, .device_mm = "hmm" };
	gchar *root = NULL, *profile = NULL, *report_path = NULL, **sets = NULL, **env = NULL;
	gchar *record_path = NULL;
	gchar **tmpfs = NULL;
	gchar *explain = NULL, *explain_format = NULL, *explain_file = NULL;
	gchar *gdb = NULL;
	gchar **envp = NULL;
	gboolean writable = FALSE, strace = FALSE, stats = FALSE, help = FALSE, clear_env = FALSE;
	gboolean progress = FALSE, no_progress = FALSE;
	gboolean no_fastpath = FALSE;
	gboolean mshare_v3_bugs = FALSE;
	GOptionEntry entries[] = {
		{ "help", 'h', 0, G_OPTION_ARG_NONE, &help, "show the help", NULL },
		{ "mem", 0, 0, G_OPTION_ARG_CALLBACK, parse_mem, "simulated memory", "SIZE" },
		{ "root", 0, 0, G_OPTION_ARG_FILENAME, &root, "guest root directory", "DIR" },
		{ "writable", 0, 0, G_OPTION_ARG_NONE, &writable, "writable root", NULL },
		{ "max-insns", 0, 0, G_OPTION_ARG_CALLBACK, parse_max_insns, "instruction limit", "N" },
		{ "strace", 0, 0, G_OPTION_ARG_NONE, &strace, "trace system calls", NULL },
		{ "stats", 0, 0, G_OPTION_ARG_NONE, &stats, "print statistics", NULL },
		{ "report", 0, 0, G_OPTION_ARG_FILENAME, &report_path, "JSON report", "FILE" },
		{ "record", 0, 0, G_OPTION_ARG_FILENAME, &record_path, "memory trace", "FILE" },
		{ "seed", 0, 0, G_OPTION_ARG_CALLBACK, parse_seed, "random seed", "N" },
		{ "cpus", 0, 0, G_OPTION_ARG_CALLBACK, parse_cpus, "simulated CPUs", "N" },
		{ "quantum", 0, 0, G_OPTION_ARG_CALLBACK, parse_quantum, "scheduling quantum", "N" },
		{ "max-tasks", 0, 0, G_OPTION_ARG_CALLBACK, parse_max_tasks, "task limit", "N" },
		{ "profile", 0, 0, G_OPTION_ARG_FILENAME, &profile, "cost profile", "NAME|FILE" },
		{ "set", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sets, "profile change", "KEY=VALUE" },
		{ "tlb", 0, 0, G_OPTION_ARG_CALLBACK, parse_tlb, "TLB modelling", "exact|off" },
		{ "mshare-flush", 0, 0, G_OPTION_ARG_CALLBACK, parse_mshare_flush,
		  "how changes of mshare regions are flushed", "none|all|host-mask|per-sharer|union-mask" },
		{ "no-fastpath", 0, 0, G_OPTION_ARG_NONE, &no_fastpath, "no store fast path", NULL },
		{ "devices", 0, 0, G_OPTION_ARG_CALLBACK, parse_devices, "simulated accelerators", "N" },
		{ "device-mem", 0, 0, G_OPTION_ARG_CALLBACK, parse_device_mem, "each device's memory", "SIZE" },
		{ "device-mm", 0, 0, G_OPTION_ARG_CALLBACK, parse_device_mm, "device memory design", "hmm|gmem" },
		{ "device-inval", 0, 0, G_OPTION_ARG_CALLBACK, parse_device_inval, "device TLB invalidation",
		  "page|coalesced" },
		{ "mshare-v3-bugs", 0, 0, G_OPTION_ARG_NONE, &mshare_v3_bugs,
		  "mshare RFC v3 quirks: SET_SIZE with start 0 again, size 0 as all-ones, "
		  "read-only mappings writing, munmap leaving the link, the mmap offset ignored",
		  NULL },
		{ "vas-attach", 0, 0, G_OPTION_ARG_CALLBACK, parse_vas_attach, "VAS attach", "eager|lazy" },
		{ "env", 0, 0, G_OPTION_ARG_STRING_ARRAY, &env, "guest environment variable", "NAME=VALUE" },
		{ "tmpfs", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &tmpfs, "tmpfs mount point", "PATH" },
		{ "clear-env", 0, 0, G_OPTION_ARG_NONE, &clear_env, "empty guest environment", NULL },
		{ "progress", 0, 0, G_OPTION_ARG_NONE, &progress, "progress line", NULL },
		{ "no-progress", 0, 0, G_OPTION_ARG_NONE, &no_progress, "no progress line", NULL },
		{ "explain", 0, 0, G_OPTION_ARG_STRING, &explain, "explain faults",
		  "all|first=N|addr=A|range=A-B" },
		{ "explain-format", 0, 0, G_OPTION_ARG_STRING, &explain_format, "explanation format",
		  "text|json" },
		{ "explain-file", 0, 0, G_OPTION_ARG_FILENAME, &explain_file, "explanations to", "FILE" },
		{ "gdb", 0, 0, G_OPTION_ARG_STRING, &gdb, "gdb remote stub", "PORT" },
		{ NULL },
	};
	GOptionContext *ctx = g_option_context_new("PROGRAM [ARGS...]");
	GOptionGroup *group = g_option_group_new("run", "run", "run", &opt, NULL);
	GError *error = NULL;
	GString *msg = g_string_new(NULL);
	struct machine *m = NULL;
	struct report_file *report = NULL;
	int status;

	g_option_group_add_entries(group, entries);
	g_option_context_set_main_group(ctx, group);
	g_option_context_set_help_enabled(ctx, FALSE);
	g_option_context_set_strict_posix(ctx, TRUE);	/* options end at PROGRAM */
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		status = usage_error("%s", error->message);
		goto out;
	}
	if (help) {
		fputs(usage_text, stdout);
		status = 0;
		goto out;
	}
	if (argc >= 2 && !strcmp(argv[1], "--")) {
		argv++;
		argc--;
	}
	if (argc < 2) {
		status = usage_error("%s", "run: missing PROGRAM");
		goto out;
	}
	if (!(envp = guest_environment(clear_env, env, &error))) {
		status = usage_error("%s", error->message);
		goto out;
	}
	for (gchar **p = tmpfs; p && *p; p++) {
		if ((*p)[0] != '/') {
			status = usage_error("--tmpfs %s: not an absolute guest path", *p);
			goto out;
		}
	}
	opt.tmpfs = tmpfs;
	opt.device_coherent = dmirror_coherent_nodes(&opt);
	opt.root = root ? root : "/";
	opt.profile = profile;
	opt.sets = sets;
	opt.writable = writable;
	opt.strace = strace;
	opt.stats = stats;
	opt.no_fastpath = no_fastpath || g_strcmp0(g_getenv("MMUSIM_NO_FASTPATH"), "1") == 0;
	opt.mshare_v3_bugs = mshare_v3_bugs;
	opt.report = report_path;
	if ((explain_format || explain_file) && !explain) {
		status = usage_error("%s", explain_format ? "--explain-format needs --explain"
							  : "--explain-file needs --explain");
		goto out;
	}
	opt.progress = no_progress ? PROGRESS_OFF : progress ? PROGRESS_ON : PROGRESS_AUTO;
	hostsig_install();	/* from here on a stop request still gets its report */
	status = machine_create(&opt, &m, msg);
	if (status == -EIO) {
		fprintf(stderr, "mmusim: %s\n", msg->str);
		status = EX_SOFTWARE;
		goto out;
	}
	if (status) {	/* an option the machine cannot be built with */
		status = usage_error("%s", msg->str);
		goto out;
	}
	if (explain && explainer_open(explain, explain_format, explain_file, &m->explain, msg)) {
		status = usage_error("%s", msg->str);
		goto out;
	}
	if (opt.report && !(report = report_open(opt.report, &error))) {
		status = usage_error("%s", error->message);
		goto out;
	}
	if (gdb && open_gdb(m, gdb, argv + 1, envp, msg)) {
		status = usage_error("%s", msg->str);
		goto out;
	}
	if (record_path && (status = start_recording(m, record_path, argv + 1, msg))) {
		status = status == -EINVAL ? usage_error("%s", msg->str) : EX_IOERR;
		goto out;
	}
	status = run_program(m, argv + 1, envp);
	gdbstub_close(m, status);
	accel_record_totals(m, m->recorder);
	if (machine_finish_recording(m, msg)) {
		fprintf(stderr, "mmusim: %s\n", msg->str);
		status = EX_IOERR;
	}
	fflush(stdout);
	if (m->interrupted)
		fprintf(stderr, "mmusim: %s: stopped the guest after %" PRIu64 " instructions\n",
			hostsig_name(m->interrupted), cpu_insns(m->cpu));
	if (opt.stats || report)
		write_reports(m, argv + 1, envp, status, report);
out:
	if (m)
		g_clear_pointer(&m->explain, explainer_close);
	if (m)
		gdbstub_close(m, status);
	machine_destroy(m);
	g_string_free(msg, TRUE);
	g_clear_error(&error);
	g_option_context_free(ctx);
	g_free(root);
	g_free(profile);
	g_free(report_path);
	g_free(explain);
	g_free(explain_format);
	g_free(explain_file);
	g_free(gdb);
	g_free(record_path);
	g_strfreev(sets);
	g_strfreev(env);
	g_strfreev(tmpfs);
	g_strfreev(envp);
	return status;
}

static int cmd_profiles(void)
{
	GString *out = g_string_new(NULL);

	cost_profiles_describe(out);
	fputs(out->str, stdout);
	g_string_free(out, TRUE);
	return 0;
}

int main(int argc, char **argv)
{
	reserve_stdio();
	if (argc < 2)
		return usage_error("%s", "missing command");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("mmusim %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "profiles"))
		return cmd_profiles();
	if (!strcmp(argv[1], "compare"))
		return compare_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "report"))
		return report_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "lab"))
		return lab_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 1, argv + 1);
	if (!strcmp(argv[1], "calibrate"))
		return cmd_calibrate(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", argv[1]);
}
