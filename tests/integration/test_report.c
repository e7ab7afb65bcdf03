/*
 * The JSON report (--report FILE, docs/report-format.md): json-glib parses
 * it; it says what --stats says and what the guest is known to do; two runs
 * of the same inputs give the same bytes but for the last member, "host";
 * it is written whatever the exit status, and a file that cannot be written
 * stops mmusim before the guest runs.
 */
#include <inttypes.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

TestSuite(report, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

static const char *const top_level_members[] = {
	"format", "version", "config", "result", "cpus", "syscalls", "faults",
	"fault_around_pages", "tlb_flushes", "tlb", "shootdowns", "scheduling", "memory", "latencies", "region", "snapshots", "host", NULL
};

/* The report at `path`, parsed (json_node_unref it). */
static JsonNode *load_report(const char *path)
{
	JsonParser *parser = json_parser_new();
	GError *error = NULL;
	JsonNode *root;

	cr_assert(json_parser_load_from_file(parser, path, &error), "%s does not parse: %s", path,
		  error ? error->message : "?");
	root = json_node_copy(json_parser_get_root(parser));
	g_object_unref(parser);
	cr_assert(JSON_NODE_HOLDS_OBJECT(root), "%s is not a JSON object", path);
	return root;
}

/* The node at a dotted path of object members ("config.options.cpus"). */
static JsonNode *node_at(JsonNode *node, const char *path)
{
	gchar **names = g_strsplit(path, ".", -1);

	for (gchar **name = names; *name && node; name++)
		node = JSON_NODE_HOLDS_OBJECT(node) ?
			json_object_get_member(json_node_get_object(node), *name) : NULL;
	g_strfreev(names);
	cr_assert_not_null(node, "the report has no %s", path);
	return node;
}

static gint64 int_at(JsonNode *root, const char *path)
{
	JsonNode *node = node_at(root, path);

	cr_assert_eq(json_node_get_value_type(node), G_TYPE_INT64, "%s is not an integer", path);
	return json_node_get_int(node);
}

/* The entry of "latencies" of `kind`, or NULL. */
static JsonObject *find_latency(JsonNode *root, const char *kind)
{
	JsonArray *all = json_node_get_array(node_at(root, "latencies"));

	for (guint i = 0; i < json_array_get_length(all); i++) {
		JsonObject *entry = json_array_get_object_element(all, i);

		if (!strcmp(json_object_get_string_member(entry, "kind"), kind))
			return entry;
	}
	return NULL;
}

static void expect_top_level_order(JsonNode *root)
{
	GList *members = json_object_get_members(json_node_get_object(root));
	const char *const *want = top_level_members;

	for (GList *l = members; l; l = l->next) {
		cr_expect(*want && !strcmp(l->data, *want), "top-level member %s, expected %s",
			  (const char *)l->data, *want ? *want : "(none)");
		if (*want)
			want++;
	}
	cr_expect_null(*want, "top-level member %s is missing", *want);
	g_list_free(members);
}

/* The count on the line of --stats named `name` ("instructions"). */
static gint64 stats_count(const char *err, const char *name)
{
	gchar *head = g_strdup_printf("\n  %s ", name);
	const char *line = strstr(err, head);
	gint64 n = -1;

	cr_assert(line && sscanf(line + strlen(head), "%" SCNd64, &n) == 1, "no %s line:\n%s", name, err);
	g_free(head);
	return n;
}

/* hello makes one write (stdout is a pipe: glibc flushes once, at exit). */
Test(report, hello_report_agrees_with_stats)
{
	gchar *path = tmp_path("hello.json");
	struct result r = run_mmusim("--cpus", "3", "--stats", "--report", path, GUEST("hello"), NULL);
	JsonNode *root;
	JsonObject *write;

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "Hello from an AArch64 guest with glibc\n");
	root = load_report(path);
	expect_top_level_order(root);
	cr_expect_str_eq(json_node_get_string(node_at(root, "format")), "mmusim-report");
	cr_expect_eq(int_at(root, "version"), 1);
	cr_expect_str_eq(json_node_get_string(node_at(root, "config.program")), GUEST("hello"));
	cr_expect_eq(int_at(root, "config.options.cpus"), 3);
	cr_expect_eq(json_array_get_length(json_node_get_array(node_at(root, "cpus"))), 3);
	cr_expect_eq(int_at(root, "result.exit_status"), r.status);
	cr_expect_gt(int_at(root, "result.instructions"), 0);
	cr_expect_eq(int_at(root, "result.instructions"), stats_count(r.err, "instructions"));
	cr_expect_eq(int_at(root, "fault_around_pages"), stats_count(r.err, "fault-around pages"));
	cr_expect_eq(int_at(root, "syscalls.write"), 1);
	write = find_latency(root, "syscall:write");
	cr_assert_not_null(write, "no syscall:write latency");
	cr_expect_eq(json_object_get_int_member(write, "count"), int_at(root, "syscalls.write"));
	json_node_unref(root);
	result_free(&r);
	g_free(path);
}

/* Every fault the memory model handled, the guest's and those of the
 * simulator copying to and from guest memory (the initial stack, read()
 * into untouched memory), is costed: each fault kind has as many latency
 * samples as the counter says.  A pipe guest forks too, so copy-on-write
 * faults and kernel copies into fresh pages both happen. */
Test(report, every_fault_counted_is_costed)
{
	gchar *path = tmp_path("faults.json");
	struct result r = run_mmusim("--report", path, GUEST("pipeproc"), NULL);
	JsonNode *root;
	JsonObject *faults;
	GList *kinds;

	expect_status(&r, 0);
	root = load_report(path);
	faults = json_node_get_object(node_at(root, "faults"));
	kinds = json_object_get_members(faults);
	cr_assert_not_null(kinds);
	for (GList *l = kinds; l; l = l->next) {
		gchar *kind = g_strdup_printf("fault:%s", (const char *)l->data);
		JsonObject *lat = find_latency(root, kind);

		cr_expect_not_null(lat, "no %s latency", kind);
		if (lat)
			cr_expect_eq(json_object_get_int_member(lat, "count"),
				     json_object_get_int_member(faults, l->data), "%s: %" PRId64
				     " samples for %" PRId64 " faults", kind,
				     json_object_get_int_member(lat, "count"),
				     json_object_get_int_member(faults, l->data));
		g_free(kind);
	}
	g_list_free(kinds);
	json_node_unref(root);
	result_free(&r);
	g_free(path);
}

/* first.json and second.json in tmp_dir() are the same up to host. */
static void expect_same_report_texts(void)
{
	gchar *paths[2] = { tmp_path("first.json"), tmp_path("second.json") }, *texts[2];

	for (int i = 0; i < 2; i++)
		texts[i] = report_before_host(paths[i]);
	cr_expect_str_eq(texts[0], texts[1], "the reports differ before host:\n%s\n---\n%s", texts[0],
			 texts[1]);
	for (int i = 0; i < 2; i++) {
		g_free(texts[i]);
		g_free(paths[i]);
	}
}

/* Two runs that wrote first.json and second.json in tmp_dir(). */
static void expect_same_reports(struct result first, struct result second)
{
	expect_status(&first, 0);
	expect_status(&second, 0);
	expect_same_report_texts();
	result_free(&first);
	result_free(&second);
}

/* The same options and guest command line run twice. */
#define EXPECT_SAME_REPORTS(...)							\
	expect_same_reports(run_mmusim("--report", "first.json", __VA_ARGS__, NULL),	\
			    run_mmusim("--report", "second.json", __VA_ARGS__, NULL))

Test(report, same_run_same_report_but_host)
{
	EXPECT_SAME_REPORTS(GUEST("forkcow"), "16", "32", "read");
	EXPECT_SAME_REPORTS(BB, "sh", "-c", "echo one two | wc -w | cat");
}

static void expect_unwritable(const char *path)
{
	struct result r = run_mmusim("--report", path, GUEST("hello"), NULL);
	gchar *message = g_strdup_printf("mmusim: --report %s: ", path);

	expect_status(&r, 2);
	expect_contains("stderr", r.err, message);
	cr_expect_str_eq(r.out, "", "the guest ran:\n%s", r.out);
	g_free(message);
	result_free(&r);
}

Test(report, unwritable_file_is_a_usage_error_before_the_run)
{
	expect_unwritable("/nonexistent-dir/r.json");
	expect_unwritable(tmp_dir());
}

/* The report, run.json in tmp_dir(), of a run that ended with `status`
 * (json_node_unref it). */
static JsonNode *report_of(struct result r, int status)
{
	gchar *path = tmp_path("run.json");
	JsonNode *root;

	expect_status(&r, status);
	root = load_report(path);
	cr_expect_eq(int_at(root, "result.exit_status"), status);
	result_free(&r);
	g_free(path);
	return root;
}

Test(report, written_when_the_guest_dies_of_a_signal)
{
	struct result r = run_mmusim("--report", "run.json", GUEST("segv"), NULL);
	JsonNode *root;

	cr_expect_str_eq(r.out, "writing to address 0x10\n");
	root = report_of(r, 139);
	cr_expect_eq(int_at(root, "faults.segv-maperr"), 1);
	cr_expect_gt(int_at(root, "result.instructions"), 0);
	json_node_unref(root);
}

Test(report, written_on_deadlock_and_exhausted_budget)
{
	json_node_unref(report_of(run_mmusim("--report", "run.json", GUEST("deadlock"), "pipe", NULL), 124));
	json_node_unref(report_of(run_mmusim("--report", "run.json", "--max-insns", "5000", GUEST("hello"), NULL),
				  152));
}

/*
 * Golden runs: --stats and --report of a few guests must stay byte for byte
 * what they were when the two outputs had independent implementations
 * (sim/summary.c walking struct machine for the text, sim/report.c walking
 * it again for the JSON: main at 54b59ba, and the branch that added the
 * environment, cwd, stdio and interrupted members to that JSON writer,
 * d398af5).  tests/golden/NAME.stats and NAME.json were written by that
 * build (MMUSIM_GOLDEN_UPDATE below), run as golden_run() runs it (in a directory holding data.txt with
 * GOLDEN_DATA_TXT and a copy of tests/lsan.supp, with GOLDEN_ENV as the
 * whole environment) and cut as the test cuts: the text from "mmusim
 * statistics" to the line before "host", the JSON up to its "host" member,
 * the test directory (the guest's working directory) replaced by @TMP@.  Only the host
 * figures, which measure this machine, are left out.  A change of the
 * model that changes a figure on purpose rewrites them, and says so.
 *
 * The program runs as a copy in that directory, named "./NAME": its path is
 * on the guest's stack (argv[0], the exec name), so a path that depends on
 * where the tree is checked out would change the instruction counts.
 *
 * MMUSIM_GOLDEN_UPDATE=DIR writes what a run gives to DIR/NAME.{stats,json}
 * instead of comparing: to make new golden files (with an old build to
 * check against, or after a change of a figure on purpose).
 *
 * The environment is fixed because the guest inherits it: glibc's start-up
 * reads it and the stack holds it, so instructions and faults depend on
 * it.  Its one variable points LeakSanitizer (make check-sanitizers, which
 * sets its own LSAN_OPTIONS that env -i drops) at the suppressions; it
 * means nothing to a build without sanitizers.
 */
#define GOLDEN_DATA_TXT "The golden report files are compared byte for byte.\n"
#define GOLDEN_ENV "LSAN_OPTIONS=suppressions=lsan.supp:print_suppressions=0"

/* Copy tests/lsan.supp into tmp_dir() (GOLDEN_ENV names it relative to
 * the working directory). */
static void copy_lsan_suppressions(void)
{
	gchar *src = g_build_filename(GOLDEN_DIR, "..", "lsan.supp", NULL), *dst = tmp_path("lsan.supp");
	gchar *text;
	gsize len;

	cr_assert(g_file_get_contents(src, &text, &len, NULL), "cannot read %s", src);
	cr_assert(g_file_set_contents(dst, text, (gssize)len, NULL), "cannot write %s", dst);
	g_free(text);
	g_free(dst);
	g_free(src);
}

/* `text` with every `from` replaced by `to` (g_free it). */
static gchar *replace_all(const char *text, const char *from, const char *to)
{
	gchar **parts = g_strsplit(text, from, -1);
	gchar *joined = g_strjoinv(to, parts);

	g_strfreev(parts);
	return joined;
}

/* The --stats text from its first line to the line before "host". */
static gchar *stats_before_host(const char *err)
{
	const char *start = strstr(err, "mmusim statistics\n");
	const char *host = start ? strstr(start, "\nhost\n") : NULL;

	cr_assert(start && host, "no --stats output:\n%s", err);
	return g_strndup(start, (gsize)(host + 1 - start));
}

/* `actual` must equal tests/golden/`file`; a failure names the first line
 * that differs.  Under MMUSIM_GOLDEN_UPDATE, write it there instead. */
static void expect_golden(const char *file, const char *actual)
{
	const char *update = g_getenv("MMUSIM_GOLDEN_UPDATE");
	gchar *path = g_build_filename(update ? update : GOLDEN_DIR, file, NULL), *want;
	gchar **want_lines, **got_lines;
	int line = 0;

	if (update) {
		cr_assert(g_file_set_contents(path, actual, -1, NULL), "cannot write %s", path);
		g_free(path);
		return;
	}
	cr_assert(g_file_get_contents(path, &want, NULL, NULL), "no golden file %s", path);
	want_lines = g_strsplit(want, "\n", -1);
	got_lines = g_strsplit(actual, "\n", -1);
	while (want_lines[line] && got_lines[line] && !strcmp(want_lines[line], got_lines[line]))
		line++;
	cr_expect(!want_lines[line] && !got_lines[line],
		  "%s differs at line %d:\n  want: %s\n  got:  %s", path, line + 1,
		  want_lines[line] ? want_lines[line] : "(end)", got_lines[line] ? got_lines[line] : "(end)");
	g_strfreev(want_lines);
	g_strfreev(got_lines);
	g_free(want);
	g_free(path);
}

static bool is_program(const char *arg)
{
	return !strcmp(arg, BUSYBOX_PATH) || g_str_has_prefix(arg, GUEST_BIN_DIR "/");
}

/* Run `mmusim run --stats --report NAME.json OPTIONS... PROGRAM ARGS...`
 * (`args` NULL-terminated) as the golden files were made; compare both
 * outputs with tests/golden/NAME.{stats,json}. */
static void golden_run(const char *name, int status, const char *const *args)
{
	gchar *data = write_tmp_file("data.txt", GOLDEN_DATA_TXT);
	gchar *json_name = g_strconcat(name, ".json", NULL), *stats_name = g_strconcat(name, ".stats", NULL);
	gchar *json_path = g_strconcat("./", json_name, NULL), *program = NULL;
	GPtrArray *argv = g_ptr_array_new();
	gchar *text, *json, *stats;
	struct result r;

	copy_lsan_suppressions();
	for (const char *const *a = (const char *const[]){ "/usr/bin/env", "-i", GOLDEN_ENV, MMUSIM_PATH, "run",
							    "--stats", "--report", json_path, NULL }; *a; a++)
		g_ptr_array_add(argv, (gpointer)*a);
	for (; *args; args++) {
		if (!program && is_program(*args))
			g_ptr_array_add(argv, program = tmp_program_copy(*args));
		else
			g_ptr_array_add(argv, (gpointer)*args);
	}
	g_ptr_array_add(argv, NULL);
	r = run_argv((const char *const *)argv->pdata);
	expect_status(&r, status);
	g_free(json_path);
	json_path = tmp_path(json_name);
	text = report_before_host(json_path);
	json = replace_all(text, tmp_dir(), "@TMP@");
	stats = stats_before_host(r.err);
	expect_golden(json_name, json);
	expect_golden(stats_name, stats);
	g_free(stats);
	g_free(json);
	g_free(text);
	result_free(&r);
	g_ptr_array_free(argv, TRUE);
	g_free(program);
	g_free(json_path);
	g_free(stats_name);
	g_free(json_name);
	g_free(data);
}

#define GOLDEN_RUN(name, status, ...) golden_run(name, status, (const char *const[]){ __VA_ARGS__, NULL })

Test(report, golden_hello_on_three_cpus)
{
	GOLDEN_RUN("hello", 0, "--cpus", "3", GUEST("hello"));
}

/* Untagged TLBs, process switches with refills. */
Test(report, golden_pipeswitch_untagged)
{
	GOLDEN_RUN("pipeswitch", 0, "--cpus", "1", "--set", "tlb.asid_bits=0", GUEST("pipeswitch"), "process",
		   "100");
}

Test(report, golden_busybox_sha256sum)
{
	GOLDEN_RUN("sha256sum", 0, BB, "sha256sum", "data.txt");
}

/* --tlb off, broadcast shootdowns. */
Test(report, golden_mprotstorm_broadcast_tlb_off)
{
	GOLDEN_RUN("mprotstorm", 0, "--tlb", "off", "--set", "tlb.shootdown=broadcast", GUEST("mprotstorm"));
}

/* An unnamed system call: "?" in the text, "400" in the JSON. */
Test(report, golden_nosys)
{
	GOLDEN_RUN("nosys", 0, "--cpus", "2", GUEST("nosys"));
}

Test(report, golden_segv)
{
	GOLDEN_RUN("segv", 139, GUEST("segv"));
}

/* The string array at `path` as one string, elements joined by "\n" (g_free it). */
static gchar *strings_at(JsonNode *root, const char *path)
{
	JsonArray *array = json_node_get_array(node_at(root, path));
	GString *all = g_string_new(NULL);

	for (guint i = 0; i < json_array_get_length(array); i++)
		g_string_append_printf(all, "%s\n", json_array_get_string_element(array, i));
	return g_string_free(all, FALSE);
}

/* The guest's environment is mmusim's (the harness sets LC_ALL=C) with
 * --env added; the working directory and what descriptors 0-2 are (the
 * harness gives /dev/null and two pipes) are recorded too. */
Test(report, environment_cwd_and_stdio_are_recorded)
{
	struct result r = run_mmusim("--report", "run.json", "--env", "MMUSIM_MARK=one two", BB, "env", NULL);
	JsonNode *root;
	gchar *env;

	expect_status(&r, 0);
	expect_contains("the guest's environment", r.out, "\nMMUSIM_MARK=one two\n");
	root = report_of(r, 0);
	env = strings_at(root, "config.environment");
	expect_contains("config.environment", env, "LC_ALL=C\n");
	expect_contains("config.environment", env, "\nMMUSIM_MARK=one two\n");
	cr_expect_str_eq(json_node_get_string(node_at(root, "config.cwd")), tmp_dir());
	cr_expect_str_eq(json_node_get_string(node_at(root, "config.stdio.stdin")), "/dev/null");
	cr_expect_str_eq(json_node_get_string(node_at(root, "config.stdio.stdout")), "pipe");
	cr_expect_str_eq(json_node_get_string(node_at(root, "config.stdio.stderr")), "pipe");
	g_free(env);
	json_node_unref(root);
}

/* --clear-env is `env -i`: the guest's env prints what the host's
 * `env -i A=1 B=2 A=3 env` prints (a later A replaces the first in place). */
Test(report, clear_env_is_env_i)
{
	struct result host = run_argv((const char *const[]){ "/usr/bin/env", "-i", "A=1", "B=2", "A=3",
							     "/usr/bin/env", NULL });
	struct result r = run_mmusim("--report", "run.json", "--clear-env", "--env", "A=1", "--env", "B=2",
				     "--env", "A=3", BB, "env", NULL);
	JsonNode *root;
	gchar *env;

	expect_status(&host, 0);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, host.out);
	root = report_of(r, 0);
	env = strings_at(root, "config.environment");
	cr_expect_str_eq(env, host.out);
	g_free(env);
	json_node_unref(root);
	result_free(&host);
}

/* `mmusim run --report NAME.json --clear-env --env PATH=/bin busybox sh -c
 * SCRIPT` under a host environment `hostenv` (for env -i), standard output
 * `redirect` (a shell redirection, or "| cat"), in tmp_dir(). */
static void run_in_host_env(const char *hostenv, const char *name, const char *redirect)
{
	gchar *cmd = g_strdup_printf("env -i %s \"$0\" run --report %s.json --clear-env --env PATH=/bin "
				     "\"$1\" sh -c 'env; pwd; echo out; echo err >&2' %s",
				     hostenv, name, redirect);
	struct result r = run_argv((const char *const[]){ "/bin/sh", "-c", cmd, MMUSIM_PATH, BB, NULL });

	expect_status(&r, 0);
	result_free(&r);
	g_free(cmd);
}

/* Two runs with the same recorded inputs give the same report but for
 * host, whatever else the host's environment holds; for each kind of
 * standard output, which the report records. */
Test(report, same_recorded_inputs_same_report_on_any_host)
{
	static const struct { const char *redirect, *kind; } outs[] = {
		{ "> out.txt", "file" }, { "> /dev/null", "/dev/null" }, { "| cat", "pipe" }, { ">&-", "closed" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(outs); i++) {
		gchar *path = tmp_path("first.json");
		JsonNode *root;

		run_in_host_env("HOME=/home/a LANG=C.UTF-8 SHLVL=1", "first", outs[i].redirect);
		run_in_host_env("HOME=/root TERM=xterm MANY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "second",
				outs[i].redirect);
		expect_same_report_texts();
		root = load_report(path);
		cr_expect_str_eq(json_node_get_string(node_at(root, "config.stdio.stdout")), outs[i].kind,
				 "%s", outs[i].redirect);
		json_node_unref(root);
		g_free(path);
	}
}

/* Started with standard output and error closed, mmusim opens its own
 * files (the root, the report) elsewhere: the guest finds 1 and 2 closed,
 * as under qemu, and its writes there do not land in the report. */
Test(report, closed_stdout_and_stderr_stay_closed)
{
	const char *script = "echo out; echo err >&2";
	struct result m = run_argv((const char *const[]){ "/bin/sh", "-c",
		"\"$0\" run --report run.json \"$1\" sh -c \"$2\" >&- 2>&-", MMUSIM_PATH, BB, script, NULL });
	struct result q = run_argv((const char *const[]){ "/bin/sh", "-c",
		"\"$0\" \"$1\" sh -c \"$2\" >&- 2>&-", QEMU_PATH, BB, script, NULL });
	JsonNode *root;

	root = report_of(m, q.status);	/* the same status as under qemu */
	cr_expect_str_eq(json_node_get_string(node_at(root, "config.stdio.stdout")), "closed");
	cr_expect_str_eq(json_node_get_string(node_at(root, "config.stdio.stderr")), "closed");
	json_node_unref(root);
	result_free(&q);
}

/* Calls are counted by number with no bound: the unnamed ones (400, and
 * 1900 and 1915 of mmusim's own range) under their digits. */
Test(report, counts_every_call_number)
{
	gchar *path = tmp_path("run.json");
	struct result r = run_mmusim("--report", path, GUEST("nosys"), NULL);
	JsonNode *root;

	expect_status(&r, 0);
	root = load_report(path);
	cr_expect_eq(int_at(root, "syscalls.acct"), 2);
	cr_expect_eq(int_at(root, "syscalls.400"), 1);
	cr_expect_eq(int_at(root, "syscalls.1900"), 1);
	cr_expect_eq(int_at(root, "syscalls.1915"), 1);
	json_node_unref(root);
	result_free(&r);
	g_free(path);
}

/* The names of `object`'s members, comma-separated, in order (g_free it). */
static gchar *member_names(JsonNode *object)
{
	GList *members = json_object_get_members(json_node_get_object(object));
	GString *names = g_string_new(NULL);

	for (GList *l = members; l; l = l->next)
		g_string_append_printf(names, "%s%s", names->len ? "," : "", (const char *)l->data);
	g_list_free(members);
	return g_string_free(names, FALSE);
}

static void expect_members(JsonNode *root, const char *path, const char *want)
{
	gchar *names = member_names(node_at(root, path));

	cr_expect_str_eq(names, want, "%s has members %s, expected %s", path, names, want);
	g_free(names);
}

static gint64 latency_count(JsonNode *node, const char *kind)
{
	JsonObject *entry = find_latency(node, kind);

	return entry ? json_object_get_int_member(entry, "count") : 0;
}

/*
 * guest/roi.c: the region counts its two intervals and nothing outside
 * them.  Hand-computed from the program: interval 1 writes 8 fresh pages
 * and calls getppid 3 times, interval 2 writes 5 and calls it twice; the
 * third interval holds only the nested begin (EINVAL), which is a call made
 * inside the open region.  Outside: 1 + 4 getppid and 1 + 6 page writes.
 */
Test(report, region_counts_only_the_measured_phase)
{
	gchar *path = tmp_path("roi.json");
	struct result r = run_mmusim("--report", path, GUEST("roi"), NULL);
	JsonNode *root, *region;

	expect_status(&r, 0);
	expect_contains("stdout", r.out, "begin 0 end 0 begin 0 end 0\n");
	expect_contains("stdout", r.out, "end without begin: -22\n");	/* EINVAL */
	expect_contains("stdout", r.out, "begin 0, nested begin: -22, end 0\n");
	root = load_report(path);
	region = node_at(root, "region");
	cr_expect_eq(int_at(region, "intervals"), 3);
	expect_members(region, "syscalls", "getppid,mmusim_roi_begin");
	cr_expect_eq(int_at(region, "syscalls.getppid"), 3 + 2);
	cr_expect_eq(int_at(region, "syscalls.mmusim_roi_begin"), 1);
	cr_expect_eq(int_at(root, "syscalls.getppid"), 3 + 2 + 1 + 4);
	cr_expect_eq(int_at(root, "syscalls.mmusim_roi_begin"), 4);
	cr_expect_eq(int_at(root, "syscalls.mmusim_roi_end"), 4);
	expect_members(region, "faults", "anon-zero");
	cr_expect_eq(int_at(region, "faults.anon-zero"), 8 + 5);
	cr_expect_geq(int_at(root, "faults.anon-zero"), 8 + 5 + 1 + 6);
	cr_expect_eq(latency_count(region, "fault:anon-zero"), 8 + 5);
	cr_expect_eq(latency_count(region, "syscall:getppid"), 3 + 2);
	cr_expect_eq(latency_count(region, "syscall:mmusim_roi_end"), 0);
	cr_expect_eq(int_at(region, "scheduling.forks"), 0);
	cr_expect_eq(int_at(region, "scheduling.process_switches"), 0);
	cr_expect_gt(int_at(region, "instructions"), 0);
	cr_expect_lt(int_at(region, "instructions"), int_at(root, "result.instructions") / 100);
	cr_expect_gt(int_at(region, "simulated_ns"), 0);
	json_node_unref(root);
	result_free(&r);
	g_free(path);
}

/* After mmusim_reset_stats() only what follows it counts: 5 pages and 2
 * getppid of the last phase; the reset call itself is not in the region. */
Test(report, region_reset_counts_from_the_reset_on)
{
	gchar *path = tmp_path("roi.json");
	struct result r = run_mmusim("--report", path, GUEST("roi"), "reset", NULL);
	JsonNode *root, *region;

	expect_status(&r, 0);
	expect_contains("stdout", r.out, "begin 0 end 0 begin 0 reset 0 end 0\n");
	root = load_report(path);
	region = node_at(root, "region");
	cr_expect_eq(int_at(region, "intervals"), 1);
	expect_members(region, "syscalls", "getppid");
	cr_expect_eq(int_at(region, "syscalls.getppid"), 2);
	expect_members(region, "faults", "anon-zero");
	cr_expect_eq(int_at(region, "faults.anon-zero"), 5);
	cr_expect_eq(latency_count(region, "fault:anon-zero"), 5);
	cr_expect_eq(latency_count(region, "syscall:mmusim_reset_stats"), 0);
	json_node_unref(root);
	result_free(&r);
	g_free(path);
}

/* A run that never opens a region: "region" is null, and --stats has no
 * region block. */
Test(report, no_region_is_null)
{
	gchar *path = tmp_path("hello.json");
	struct result r = run_mmusim("--stats", "--report", path, GUEST("hello"), NULL);
	JsonNode *root;

	expect_status(&r, 0);
	root = load_report(path);
	cr_expect(JSON_NODE_HOLDS_NULL(node_at(root, "region")), "region is not null");
	expect_not_contains("stderr", r.err, "region of interest");
	json_node_unref(root);
	result_free(&r);
	g_free(path);
}

/*
 * guest/roi.c snapshots: three snapshots of the whole run's figures, the
 * second a dump; between them the guest wrote 8 and then 5 fresh pages
 * (anon-zero faults, hand-counted from the program).  The dump is written
 * to stderr at once, as --stats text.
 */
Test(report, snapshots_hold_the_figures_when_taken)
{
	gchar *path = tmp_path("snap.json");
	struct result r = run_mmusim("--stats", "--report", path, GUEST("roi"), "snapshots", NULL);
	JsonNode *root, *snap[3];
	JsonArray *list;

	expect_status(&r, 0);
	expect_contains("stdout", r.out, "snapshot 0 dump 0 snapshot 0\n");
	expect_contains("stderr", r.err, "mmusim statistics dump\n  snapshot                         2\n");
	expect_contains("stderr", r.err, "\n  snapshots                        3\n    snapshot                       1\n");
	root = load_report(path);
	list = json_node_get_array(node_at(root, "snapshots"));
	cr_assert_eq(json_array_get_length(list), 3);
	for (guint i = 0; i < 3; i++) {
		snap[i] = json_array_get_element(list, i);
		cr_expect_eq(int_at(snap[i], "tag"), i + 1);
		cr_expect_eq(json_object_get_boolean_member(json_node_get_object(snap[i]), "dumped"), i == 1);
	}
	cr_expect_eq(int_at(snap[1], "faults.anon-zero") - int_at(snap[0], "faults.anon-zero"), 8);
	cr_expect_eq(int_at(snap[2], "faults.anon-zero") - int_at(snap[1], "faults.anon-zero"), 5);
	cr_expect_lt(int_at(snap[0], "instructions"), int_at(snap[1], "instructions"));
	cr_expect_lt(int_at(snap[1], "instructions"), int_at(snap[2], "instructions"));
	cr_expect_leq(int_at(snap[2], "instructions"), int_at(root, "result.instructions"));
	cr_expect_leq(int_at(snap[1], "simulated_ns"), int_at(snap[2], "simulated_ns"));
	json_node_unref(root);
	result_free(&r);
	g_free(path);
}

/* A runaway guest cannot make mmusim keep snapshots without end: past
 * MMUSIM_MAX_SNAPSHOTS (65536) the call answers ENOSPC (-28). */
Test(report, snapshots_are_bounded)
{
	struct result r = run_mmusim(GUEST("roi"), "limit", NULL);

	expect_status(&r, 0);
	expect_contains("stdout", r.out, "snapshots taken 65536, then -28\n");
	result_free(&r);
}

Test(report, golden_roi)
{
	GOLDEN_RUN("roi", 0, GUEST("roi"));
}

/* The "vas" member, after guest/vasreport: its counts and tables worked out
 * by hand from what it does.  Three switches (into kept, back, into held),
 * two attaches, one detach.  VAS kept holds one written page at 256 GiB
 * (merged back): below the root, one table of each lower level (3); the
 * segment "shm" mapped there is untouched, so no entries and no tables of
 * its own.  held is attached read-only by the spinning task, which runs in it; its
 * mm has the task's own mappings: the code near 4 MiB and the stack near
 * 2^48 are 512 GiB apart, three tables each at the least.  Modes 0640 =
 * 416, 0644 = 420, 0600 = 384; 320 GiB = 343597383680. */
static JsonObject *element_at(JsonNode *root, const char *path, guint i, guint len)
{
	JsonArray *a = json_node_get_array(node_at(root, path));

	cr_assert_eq(json_array_get_length(a), len, "%s has %u elements", path, json_array_get_length(a));
	return json_array_get_object_element(a, i);
}

static void expect_member(JsonObject *o, const char *key, gint64 want)
{
	cr_expect_eq(json_object_get_int_member(o, key), want, "%s = %" G_GINT64_FORMAT ", not %" G_GINT64_FORMAT,
		     key, json_object_get_int_member(o, key), want);
}

Test(report, vas_member_lists_vases_segments_and_attachments)
{
	struct result r = run_mmusim("--report", "run.json", "--stats", "--max-insns", "3000000",
				     GUEST("vasreport"), NULL);
	int pid = 0;
	JsonObject *o;
	JsonNode *root;

	cr_assert_eq(sscanf(r.out, "kept 1 gone 2 shm 1 held 3 pid %d", &pid), 1, "%s", r.out);
	expect_contains("stderr", r.err, "\n  virtual address spaces\n    VAS switches                   3\n");
	root = report_of(r, 152);
	cr_expect_eq(int_at(root, "vas.switches"), 3);
	cr_expect_eq(int_at(root, "vas.attaches"), 2);
	cr_expect_eq(int_at(root, "vas.detaches"), 1);
	o = element_at(root, "vas.vases", 0, 2);
	cr_expect_str_eq(json_object_get_string_member(o, "name"), "kept");
	expect_member(o, "id", 1);
	expect_member(o, "mode", 0640);
	expect_member(o, "segments", 1);
	expect_member(o, "writers", 0);
	expect_member(o, "page_tables", 3);
	o = element_at(root, "vas.vases", 1, 2);
	cr_expect_str_eq(json_object_get_string_member(o, "name"), "held");
	expect_member(o, "id", 3);
	expect_member(o, "mode", 0644);
	expect_member(o, "readers", 1);
	expect_member(o, "page_tables", 0);
	o = element_at(root, "vas.segments", 0, 1);
	cr_expect_str_eq(json_object_get_string_member(o, "name"), "shm");
	expect_member(o, "start", 320LL << 30);
	expect_member(o, "end", (320LL << 30) + 8192);
	expect_member(o, "mode", 0600);
	expect_member(o, "vases", 1);
	expect_member(o, "page_tables", 0);
	o = element_at(root, "vas.attachments", 0, 1);
	expect_member(o, "pid", pid);
	expect_member(o, "vas", 3);
	cr_expect_str_eq(json_object_get_string_member(o, "access"), "read-only");
	expect_member(o, "threads", 1);
	cr_expect_geq(json_object_get_int_member(o, "page_tables"), 6);
	json_node_unref(root);
}
