/*
 * mmusim replay FILE (traces/journal.c): the exact replay of a recorded
 * run.  The independent answer is the live run itself: the replay's TLB
 * counters, each CPU's clock, faults by kind, fault-around pages, TLB flushes, memory
 * (frames, peaks), shootdowns, latency distributions (faults,
 * system calls, switches with their refills, shootdowns), instructions and
 * simulated time must be the live run's, for guests of one and of several
 * processes; replayed under another TLB geometry or ASID setting, a
 * single-task guest's figures must be a live run's under that setting (and
 * differ from the recorded ones, or the setting proves nothing).
 */
#include <json-glib/json-glib.h>
#include <string.h>

#include "harness.h"
#include "traces/trace.h"

TestSuite(exact, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* Run `mmusim WORDS... --report FILE REST...`; the report, parsed. */
static JsonNode *report_of(const char *const *words, const char *const *rest)
{
	gchar *report = tmp_path("exact.json");
	GStrvBuilder *b = g_strv_builder_new();
	GStrv argv;
	struct result r;
	JsonNode *root;

	g_strv_builder_add(b, MMUSIM_PATH);
	g_strv_builder_addv(b, (const char **)words);
	g_strv_builder_add_many(b, "--report", report, NULL);
	g_strv_builder_addv(b, (const char **)rest);
	argv = g_strv_builder_end(b);
	r = run_argv((const char *const *)argv);
	expect_status(&r, 0);
	root = read_report(report);
	result_free(&r);
	g_strfreev(argv);
	g_strv_builder_unref(b);
	g_free(report);
	return root;
}

static gchar *member_text(JsonNode *root, const char *name)
{
	JsonObject *o = json_node_get_object(root);

	cr_assert(json_object_has_member(o, name), "no %s in the report", name);
	return json_to_string(json_object_get_member(o, name), FALSE);
}

static gint64 int_at(JsonNode *root, const char *section, const char *name)
{
	return json_object_get_int_member(
		json_object_get_object_member(json_node_get_object(root), section), name);
}

/* The devices' rows of a report (counters, TLB hits and misses, clocks,
 * peaks; none without --devices), as text. */
static gchar *accelerators_text(JsonNode *root)
{
	JsonObject *o = json_node_get_object(root);

	if (!json_object_has_member(o, "devices"))
		return g_strdup("none");
	return json_to_string(
		json_object_get_member(json_object_get_object_member(o, "devices"), "accelerators"),
		FALSE);
}

/* The figures a replay shows must be the live run's, member for member. */
static void expect_same_figures(JsonNode *live, JsonNode *replay, const char *what)
{
	gchar *devices = accelerators_text(live), *replayed = accelerators_text(replay);

	static const char *const sections[] = { "cpus", "faults", "fault_around_pages", "tlb_flushes",
						"tlb", "shootdowns", "memory", "latencies" };

	for (size_t i = 0; i < G_N_ELEMENTS(sections); i++) {
		gchar *a = member_text(live, sections[i]), *b = member_text(replay, sections[i]);

		cr_expect_str_eq(b, a, "%s: %s differ", what, sections[i]);
		g_free(a);
		g_free(b);
	}
	cr_expect_eq(int_at(replay, "result", "instructions"), int_at(live, "result", "instructions"),
		     "%s: instructions", what);
	cr_expect_eq(int_at(replay, "result", "simulated_ns"), int_at(live, "result", "simulated_ns"),
		     "%s: simulated time", what);
	cr_expect_str_eq(replayed, devices, "%s: devices differ", what);
	g_free(devices);
	g_free(replayed);
}

/* Record `guest` with `opts` (NULL-terminated run options), replay it. */
static void expect_replay_equals_live(const char *const *opts, const char *const *guest)
{
	gchar *trace = tmp_path("exact.trace");
	GStrvBuilder *b = g_strv_builder_new();
	GStrv words;
	JsonNode *live, *replay;

	g_strv_builder_add_many(b, "run", "--record", trace, NULL);
	g_strv_builder_addv(b, (const char **)opts);
	words = g_strv_builder_end(b);
	live = report_of((const char *const *)words, guest);
	replay = report_of(ARGS("replay"), ARGS(trace));
	expect_same_figures(live, replay, guest[0]);
	json_node_unref(live);
	json_node_unref(replay);
	g_strfreev(words);
	g_strv_builder_unref(b);
	g_free(trace);
}

Test(exact, one_process)
{
	expect_replay_equals_live(ARGS("--cpus", "1"), ARGS(GUEST("lab-stride"), "512", "4"));
}

Test(exact, fork_and_copy_on_write)
{
	expect_replay_equals_live(ARGS("--cpus", "4"), ARGS(GUEST("forkcow"), "4", "4", "read"));
}

Test(exact, shell_pipeline)
{
	expect_replay_equals_live(ARGS("--cpus", "2"), ARGS(BB, "sh", "-c", "echo hi | cat; ls /"));
}

Test(exact, process_switches_on_one_cpu)
{
	expect_replay_equals_live(ARGS("--cpus", "1"), ARGS(GUEST("pipeswitch"), "process", "20"));
}

Test(exact, threads)
{
	expect_replay_equals_live(ARGS("--cpus", "2"), ARGS(GUEST("threads")));
}

/* A user fault's round trip is recorded by no agent (domain_record_latency). */
Test(exact, userfaultfd)
{
	expect_replay_equals_live(ARGS("--cpus", "2"), ARGS(GUEST("uffd")));
}

/* Record under the default profile (one CPU, the run options `opts`);
 * replay with `set`; a live run with `set` must agree, and the default must
 * not. */
static void expect_setting_replayed(const char *set, const char *const *opts,
				    const char *const *guest, const char *section, const char *name)
{
	gchar *trace = tmp_path("exact.trace");
	GStrvBuilder *b = g_strv_builder_new(), *rec = g_strv_builder_new();
	GStrv words, recording;
	JsonNode *recorded, *live, *replay;

	g_strv_builder_add_many(rec, "run", "--cpus", "1", "--record", trace, NULL);
	g_strv_builder_addv(rec, (const char **)opts);
	recording = g_strv_builder_end(rec);
	recorded = report_of((const char *const *)recording, guest);
	g_strv_builder_add_many(b, "run", "--cpus", "1", "--set", set, NULL);
	g_strv_builder_addv(b, (const char **)opts);
	words = g_strv_builder_end(b);
	live = report_of((const char *const *)words, guest);
	replay = report_of(ARGS("replay", "--set", set), ARGS(trace));
	expect_same_figures(live, replay, set);
	cr_expect_neq(int_at(replay, section, name), int_at(recorded, section, name),
		      "%s changes nothing in %s.%s: the test proves nothing", set, section, name);
	json_node_unref(recorded);
	json_node_unref(live);
	json_node_unref(replay);
	g_strfreev(words);
	g_strfreev(recording);
	g_strv_builder_unref(b);
	g_strv_builder_unref(rec);
	g_free(trace);
}

#define NO_OPTS ((const char *const[]){ NULL })

Test(exact, another_tlb_geometry)
{
	expect_setting_replayed("tlb.l2_entries=64", NO_OPTS, ARGS(GUEST("lab-stride"), "512", "4"),
				"result", "simulated_ns");
}

/* execve switches the one task to a new mm: untagged, the switch flushes. */
Test(exact, another_asid_setting)
{
	gchar *cmd = g_strdup_printf("exec %s echo hi", BUSYBOX_PATH);

	expect_setting_replayed("tlb.asid_bits=0", NO_OPTS, ARGS(BB, "sh", "-c", cmd), "result",
				"simulated_ns");
	g_free(cmd);
}

/* A sweep decodes once and replays every configuration: each is the
 * replay of its own. */
Test(exact, sweep_equals_separate_replays)
{
	static const char *const sizes[] = { "64", "1024" };
	gchar *trace = tmp_path("exact.trace");
	JsonNode *live = report_of(ARGS("run", "--record", trace), ARGS(GUEST("forkcow"), "4", "4", "read"));
	JsonNode *sweep = report_of(ARGS("replay", "--sweep", "tlb.l2_entries=64,1024"), ARGS(trace));
	JsonArray *configs = json_object_get_array_member(json_node_get_object(sweep), "configs");

	cr_assert_eq(json_array_get_length(configs), 2);
	for (guint i = 0; i < 2; i++) {
		gchar *set = g_strdup_printf("tlb.l2_entries=%s", sizes[i]);
		JsonNode *alone = report_of(ARGS("replay", "--set", set), ARGS(trace));

		expect_same_figures(alone, json_array_get_element(configs, i), set);
		json_node_unref(alone);
		g_free(set);
	}
	json_node_unref(live);
	json_node_unref(sweep);
	g_free(trace);
}

/* A version 1 trace (one access, written as version 2 holds it, then
 * marked 1): --synthetic replays it, the exact replay refuses it. */
Test(exact, version_1_trace_is_synthetic_only)
{
	gchar *path = tmp_path("v1.trace"), *bytes;
	GString *error = g_string_new(NULL);
	struct trace_header h = { "old", "--cpus 1", "default" };
	struct trace_writer *w = trace_writer_open(path, &h, error);
	uint64_t one = 1;
	struct result r;
	gsize len;

	trace_write_event(w, 0, TRACE_MM_NEW, &one);
	trace_write_event(w, 0, TRACE_SWITCH, &one);
	trace_write_access(w, 0, TRACE_READ, 0x601000, 8);
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	cr_assert(g_file_get_contents(path, &bytes, &len, NULL));
	bytes[8] = 1;
	cr_assert(g_file_set_contents(path, bytes, (gssize)len, NULL));
	r = run_mmusim_raw("replay", path, NULL);
	expect_status(&r, 65);
	expect_contains("stderr", r.err, "a version 1 trace holds no journal of the run");
	result_free(&r);
	r = run_mmusim_raw("replay", "--synthetic", path, NULL);
	expect_status(&r, 0);
	result_free(&r);
	g_free(bytes);
	g_string_free(error, TRUE);
	g_free(path);
}

/* Devices (mmu/device): their lookups in their own TLBs and tables, their
 * clocks, the CPU waiting for them, their invalidations, and the figures
 * of the designs (sim/accel's rows) are the live run's too. */
Test(exact, devices_kernels)
{
	expect_replay_equals_live(ARGS("--cpus", "1", "--devices", "2"), ARGS(GUEST("accel")));
}

Test(exact, devices_gmem)
{
	expect_replay_equals_live(ARGS("--cpus", "1", "--devices", "1", "--device-mm", "gmem"),
				  ARGS(GUEST("gmem")));
}

/* The HMM mirror and test_hmm's migrations to device-private memory. */
Test(exact, devices_hmm_mirror)
{
	expect_replay_equals_live(ARGS("--cpus", "2", "--devices", "2"), ARGS(GUEST("hmm")));
}

Test(exact, devices_coherent_memory)
{
	expect_replay_equals_live(ARGS("--devices", "4"), ARGS(GUEST("hmmcoherent")));
}

/* One coalesced invalidation of a range the device wrote (munmap). */
Test(exact, devices_coalesced_invalidation)
{
	expect_replay_equals_live(ARGS("--cpus", "1", "--devices", "1", "--device-inval", "coalesced"),
				  ARGS(GUEST("bench-devmem"), "storm", "64"));
}

/* A smaller device TLB: more device misses, a later device clock, and a
 * CPU that waits for its kernels longer. */
Test(exact, another_device_tlb_geometry)
{
	expect_setting_replayed("device.l2_entries=16", ARGS("--devices", "1"),
				ARGS(GUEST("bench-devmem"), "pingpong", "64", "4"), "result",
				"simulated_ns");
}

/* An exact replay of a record `first` with `first_args` and a record
 * `type` with `args`: exit status 65 and `message`. */
static void expect_bad_record(enum trace_type first, const uint64_t *first_args,
			      enum trace_type type, const uint64_t *args, const char *message)
{
	gchar *path = tmp_path("bad.trace");
	GString *error = g_string_new(NULL);
	struct trace_header h = { "bad", "--cpus 1", "default" };
	struct trace_writer *w = trace_writer_open(path, &h, error);
	struct result r;

	trace_write_event(w, 0, first, first_args);
	trace_write_event(w, 0, type, args);
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	r = run_mmusim_raw("replay", path, NULL);
	expect_status(&r, 65);
	expect_contains("stderr", r.err, path);
	expect_contains("stderr", r.err, message);
	result_free(&r);
	g_string_free(error, TRUE);
	g_free(path);
}

/* mm 1's new record and one mm operation `type` with `args` (the stream
 * offset: the header is 21 bytes, mm-new 2 more, so the operation's tag is
 * at 23). */
static void expect_bad_mm_op(enum trace_type type, const uint64_t *args, const char *message)
{
	expect_bad_record(TRACE_MM_NEW, (uint64_t[]){ 1 }, type, args, message);
}

Test(exact, bad_mm_operations)
{
	expect_bad_mm_op(TRACE_MUNMAP, (uint64_t[]){ 2, 0x1000, 0x1000 },
			 "stream offset 23: munmap record: no mm 2");
	expect_bad_mm_op(TRACE_MMAP, (uint64_t[]){ 1, 0, 0x1000, 8, 0x22, 0x7000 },
			 "stream offset 23: mmap record: protection 0x8 unknown");
	expect_bad_mm_op(TRACE_MMAP, (uint64_t[]){ 1, 0, 0x1000, 3, 0x22, 0x7010 },
			 "stream offset 23: mmap record: an address of 0x7010, not page-aligned");
	expect_bad_mm_op(TRACE_MPROTECT, (uint64_t[]){ 1, 0xfffffffffffff000, 0x2000, 1 },
			 "stream offset 23: mprotect record: a length of 0x2000, past 2^64");
	expect_bad_mm_op(TRACE_MADVISE, (uint64_t[]){ 1, 0x1000, 0x1000, 5 },
			 "stream offset 23: madvise record: advice 5 unknown");
	expect_bad_mm_op(TRACE_MREMAP, (uint64_t[]){ 1, 0x1000, 0x1000, 0x2000, 8, 0x9000 },
			 "stream offset 23: mremap record: flags 0x8 unknown");
	expect_bad_mm_op(TRACE_EXEC, (uint64_t[]){ 1, 1 },
			 "stream offset 23: exec record: a new mm 1 unknown or the old one");
}

/* Device 0's table at 0x1000 (dev-root: 4 bytes at 21) and one device
 * record `type` with `args`, at stream offset 25. */
static void expect_bad_device_record(enum trace_type type, const uint64_t *args,
				     const char *message)
{
	expect_bad_record(TRACE_DEV_ROOT, (uint64_t[]){ 0, 0x1000 }, type, args, message);
}

Test(exact, bad_device_records)
{
	expect_bad_device_record(TRACE_DEV_PAY, (uint64_t[]){ 8, 100 },
				 "stream offset 25: dev-pay record: device 8 beyond the devices a trace may name");
	expect_bad_device_record(TRACE_DEV_ROOT, (uint64_t[]){ 1, 0x1008 },
				 "stream offset 25: dev-root record: a root at 0x1008, not a frame of the replay's memory");
	expect_bad_device_record(TRACE_DEV_LOOKUP, (uint64_t[]){ 1, 0x1000 },
				 "stream offset 25: dev-lookup record: device 1 has no table yet");
	expect_bad_device_record(TRACE_DEV_LOOKUP, (uint64_t[]){ 0, UINT64_C(1) << 47 },
				 "stream offset 25: dev-lookup record: an address of 0x800000000000, past the user range");
	expect_bad_device_record(TRACE_DEV_TAKE, (uint64_t[]){ 0, 0x2000, 0x1000 },
				 "stream offset 25: dev-take record: a range ending at 0x1000, before its start");
}
