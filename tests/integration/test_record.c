/*
 * mmusim run --record FILE (sim/record.c, docs/trace-format.md): the
 * recorded run's report is the unrecorded run's (recording changes
 * nothing), and the trace holds what the run did: as many page lookups as
 * the TLB model counted (its accesses split at page boundaries as the model
 * splits them), as many instructions as the run executed, one address space
 * copied per fork and a switch into an mm before any access on each CPU.
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "harness.h"
#include "traces/trace.h"

TestSuite(record, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* `mmusim run --report report.json [--record FILE] GUEST...` in tmp_dir();
 * the report up to its host section. */
static gchar *report_of(const char *record, const char *const *guest)
{
	gchar *report = tmp_path("report.json");
	GStrvBuilder *b = g_strv_builder_new();
	GStrv argv;
	struct result r;
	gchar *text;

	g_strv_builder_add_many(b, MMUSIM_PATH, "run", "--cpus", "2", "--report", report, NULL);
	if (record)
		g_strv_builder_add_many(b, "--record", record, NULL);
	g_strv_builder_addv(b, (const char **)guest);
	argv = g_strv_builder_end(b);
	r = run_argv((const char *const *)argv);
	expect_status(&r, 0);
	text = report_before_host(report);
	result_free(&r);
	g_strfreev(argv);
	g_strv_builder_unref(b);
	g_free(report);
	return text;
}

static void expect_unchanged(const char *const *guest)
{
	gchar *trace = tmp_path("run.trace");
	gchar *plain = report_of(NULL, guest);
	gchar *recorded = report_of(trace, guest);

	cr_expect_str_eq(recorded, plain, "--record changed the report of %s", guest[0]);
	g_free(plain);
	g_free(recorded);
	g_free(trace);
}

Test(record, leaves_the_run_unchanged)
{
	expect_unchanged(ARGS(GUEST("tlbstride")));
	expect_unchanged(ARGS(GUEST("pipeswitch"), "process", "20"));
	expect_unchanged(ARGS(BB, "sha256sum", BUSYBOX_PATH));
	expect_unchanged(ARGS(GUEST("mmops")));
}

/* The devices' journal (their agents' calls) reads the run only. */
Test(record, leaves_a_run_with_devices_unchanged)
{
	expect_unchanged(ARGS("--devices", "2", GUEST("accel")));
	expect_unchanged(ARGS("--devices", "1", "--device-mm", "gmem", GUEST("gmem")));
	expect_unchanged(ARGS("--devices", "2", GUEST("hmm")));
}

/* `mmusim run --cpus 2 --record trace [--no-fastpath] GUEST...`: the trace's
 * bytes. */
static gchar *trace_of(bool no_fastpath, const char *const *guest, gsize *len)
{
	gchar *trace = tmp_path("run.trace"), *bytes = NULL;
	GStrvBuilder *b = g_strv_builder_new();
	GStrv argv;
	struct result r;

	g_strv_builder_add_many(b, MMUSIM_PATH, "run", "--cpus", "2", "--record", trace, NULL);
	if (no_fastpath)
		g_strv_builder_add(b, "--no-fastpath");
	g_strv_builder_addv(b, (const char **)guest);
	argv = g_strv_builder_end(b);
	r = run_argv((const char *const *)argv);
	expect_status(&r, 0);
	cr_assert(g_file_get_contents(trace, &bytes, len, NULL), "no trace %s", trace);
	result_free(&r);
	g_strfreev(argv);
	g_strv_builder_unref(b);
	g_free(trace);
	return bytes;
}

/* The fast path's direct loads and stores and the fetches the model's
 * recent hit answers are recorded through the writer's access log
 * (sim/fastpath.c, sim/cpu.c, traces/trace.h), in order with everything
 * else; without the fast path every access comes from the library's own
 * hook, which names its kind and size itself.  Both must give the same
 * trace, byte for byte: faults, forks and threads among the accesses. */
Test(record, fast_path_records_as_the_library_hook)
{
	const char *const *const guests[] = {
		ARGS(GUEST("forkcow"), "4", "4", "read"),
		ARGS(GUEST("threads")),
		ARGS(GUEST("faults"), "ldxp", "catch"),	/* a fault: SIGBUS, caught */
	};

	for (size_t i = 0; i < G_N_ELEMENTS(guests); i++) {
		gsize fast_len, hook_len;
		gchar *fast = trace_of(false, guests[i], &fast_len);
		gchar *hook = trace_of(true, guests[i], &hook_len);

		cr_expect(fast_len == hook_len && !memcmp(fast, hook, fast_len),
			  "%s: the fast path's trace (%zu bytes) is not the library hook's (%zu)",
			  guests[i][0], (size_t)fast_len, (size_t)hook_len);
		g_free(fast);
		g_free(hook);
	}
}

/* What a trace adds up to. */
struct tally {
	uint64_t fetch_pages, data_pages, insns, writes, dups, news, switches;
	bool access_before_switch;
};

static struct tally tally_trace(const char *path)
{
	GString *error = g_string_new(NULL);
	struct trace_header h;
	struct trace_reader *r = trace_reader_open(path, &h, error);
	struct trace_record rec;
	struct tally t = { 0 };
	bool switched[TRACE_MAX_CPUS] = { false };
	int ret;

	cr_assert_not_null(r, "%s", error->str);
	cr_expect(strstr(h.guest, "pipeswitch process 20"), "header guest: %s", h.guest);
	cr_expect(strstr(h.options, "--cpus 2"), "header options: %s", h.options);
	cr_expect_str_eq(h.profile, "default");
	while ((ret = trace_read(r, &rec, error)) > 0) {
		uint64_t pages;

		switch (rec.type) {
		case TRACE_ACCESS:
			/* the model looks up the first and the last page */
			pages = (rec.addr >> 12) == ((rec.addr + rec.size - 1) >> 12) ? 1 : 2;
			*(rec.kind == TRACE_FETCH ? &t.fetch_pages : &t.data_pages) += pages;
			t.writes += rec.kind == TRACE_WRITE;
			t.access_before_switch |= !switched[rec.cpu];
			break;
		case TRACE_INSNS:
			t.insns += rec.args[0];
			break;
		case TRACE_MM_DUP:
			t.dups++;
			break;
		case TRACE_MM_NEW:
			t.news++;
			break;
		case TRACE_SWITCH:
			t.switches++;
			switched[rec.cpu] = true;
			break;
		default:
			break;
		}
	}
	cr_assert_eq(ret, 0, "%s", error->str);
	trace_reader_close(r);
	trace_header_clear(&h);
	g_string_free(error, TRUE);
	return t;
}

static gint64 count_at(JsonObject *o, const char *group, const char *member)
{
	return json_object_get_int_member(json_object_get_object_member(o, group), member);
}

Test(record, trace_holds_every_lookup)
{
	gchar *trace = tmp_path("run.trace");
	gchar *text = report_of(trace, ARGS(GUEST("pipeswitch"), "process", "20"));
	gchar *json = g_strconcat(text, "}\n", NULL);
	JsonNode *root = json_from_string(json, NULL);
	JsonObject *report, *total;
	struct tally t = tally_trace(trace);

	cr_assert_not_null(root);
	report = json_node_get_object(root);
	total = json_object_get_object_member(json_object_get_object_member(report, "tlb"), "total");
	cr_expect_eq(t.fetch_pages, count_at(total, "l1i", "hits") + count_at(total, "l1i", "misses"));
	cr_expect_eq(t.data_pages, count_at(total, "l1d", "hits") + count_at(total, "l1d", "misses"));
	cr_expect_eq(t.insns, json_object_get_int_member(
				      json_object_get_object_member(report, "result"), "instructions"));
	cr_expect(t.writes > 0, "no write recorded");
	cr_expect_eq(t.dups, 1, "pipeswitch process forks once");
	cr_expect_eq(t.news, 1, "one execve: the program's own address space");
	cr_expect(t.switches >= 2, "both CPUs enter an address space");
	cr_expect(!t.access_before_switch, "an access on a CPU before it entered an mm");
	json_node_unref(root);
	g_free(json);
	g_free(text);
	g_free(trace);
}

Test(record, needs_the_tlb_model)
{
	gchar *trace = tmp_path("off.trace");
	struct result r = run_mmusim("--tlb", "off", "--record", trace, GUEST("hello"), NULL);

	expect_status(&r, 2);
	expect_contains("stderr", r.err, "recording needs the TLB model (--tlb exact)");
	result_free(&r);
	g_free(trace);
}

Test(record, unwritable_file)
{
	struct result r = run_mmusim("--record", "/nonexistent/dir/x.trace", GUEST("hello"), NULL);

	expect_status(&r, 74);
	expect_contains("stderr", r.err, "/nonexistent/dir/x.trace: cannot create: No such file");
	result_free(&r);
}

/* replay --summary counts what the reader returns, record by record. */
Test(record, summary_counts_the_records)
{
	gchar *trace = tmp_path("run.trace");
	gchar *text = report_of(trace, ARGS(GUEST("pipeswitch"), "process", "20"));
	struct tally t = tally_trace(trace);
	struct result r = run_mmusim_raw("replay", "--summary", trace, NULL);
	gchar *dups = g_strdup_printf("\n  mm-dup     %" G_GUINT64_FORMAT "\n", t.dups);
	gchar *writes = g_strdup_printf("\n  write      %" G_GUINT64_FORMAT "\n", t.writes);

	expect_status(&r, 0);
	expect_contains("summary", r.out, "guest    " GUEST("pipeswitch") " process 20\n");
	expect_contains("summary", r.out, "profile  default\n");
	expect_contains("summary", r.out, dups);
	expect_contains("summary", r.out, writes);
	result_free(&r);
	g_free(dups);
	g_free(writes);
	g_free(text);
	g_free(trace);
}

/* Every mm operation of guest/mmops.c, counted by hand from its calls: brk
 * twice, mmap twice (one EINVAL: mmap is written with its result),
 * mprotect once (its EINVAL call is not written: only those that
 * succeed), madvise, mremap and munmap once, one execve; and the exact
 * replay accepts them. */
Test(record, summary_counts_the_mm_operations)
{
	static const char *const expected[] = {
		"\n  mmap       2\n", "\n  munmap     1\n", "\n  mprotect   1\n",
		"\n  brk        2\n", "\n  mremap     1\n", "\n  madvise    1\n",
		"\n  exec       1\n",
	};
	gchar *trace = tmp_path("mmops.trace");
	gchar *text = report_of(trace, ARGS(GUEST("mmops")));
	struct result r = run_mmusim_raw("replay", "--summary", trace, NULL);

	expect_status(&r, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(expected); i++)
		expect_contains("summary", r.out, expected[i]);
	result_free(&r);
	r = run_mmusim_raw("replay", trace, NULL);
	expect_status(&r, 0);
	result_free(&r);
	g_free(text);
	g_free(trace);
}
