/*
 * mmusim replay --lackey (traces/replay.c, traces/lackey.c,
 * sim/replay_cmd.c): Valgrind lackey traces through the MMU model with no
 * emulator, in a synthetic address space where every page is demand-zero.
 *
 * Known answers, worked out by hand from the model's rules (docs/design.md,
 * "Translation"): a first touch misses in L1 and L2, its walk finds nothing
 * (a faulting walk), the fault maps the zero page for a read or a fetch,
 * and the access is looked up again (a second miss, a walk that succeeds);
 * a store to a page the zero page backs hits the L1 (the entry is cached
 * whatever it allows), takes a cow-zero fault whose one-page flush drops
 * the entry, and misses again.  A modify (M) is a load, then a store.
 */
#include <json-glib/json-glib.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "harness.h"
#include "traces/trace.h"

TestSuite(replay, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* `mmusim replay --report replay.json ARGS...`: the report, parsed. */
static JsonNode *replay_report(int status, const char *arg, ...) G_GNUC_NULL_TERMINATED;

static JsonNode *replay_report(int status, const char *arg, ...)
{
	gchar *report = tmp_path("replay.json");
	GStrvBuilder *b = g_strv_builder_new();
	GStrv argv;
	struct result r;
	JsonNode *root;
	va_list ap;

	g_strv_builder_add_many(b, MMUSIM_PATH, "replay", "--report", report, NULL);
	va_start(ap, arg);
	for (const char *a = arg; a; a = va_arg(ap, const char *))
		g_strv_builder_add(b, a);
	va_end(ap);
	argv = g_strv_builder_end(b);
	r = run_argv((const char *const *)argv);
	expect_status(&r, status);
	root = read_report(report);
	result_free(&r);
	g_strfreev(argv);
	g_strv_builder_unref(b);
	g_free(report);
	return root;
}

/* The integer at `path` below `node` ("tlb.total.l1d.hits"). */
static gint64 int_at(JsonNode *node, const char *path)
{
	gchar **parts = g_strsplit(path, ".", -1);
	JsonObject *o = json_node_get_object(node);
	gint64 n;
	int i;

	for (i = 0; parts[i + 1]; i++) {
		cr_assert(json_object_has_member(o, parts[i]), "no %s in %s", parts[i], path);
		o = json_object_get_object_member(o, parts[i]);
	}
	cr_assert(json_object_has_member(o, parts[i]), "no %s", path);
	n = json_object_get_int_member(o, parts[i]);
	g_strfreev(parts);
	return n;
}

static gint64 member_or_zero(JsonNode *node, const char *section, const char *key)
{
	JsonObject *o = json_object_get_object_member(json_node_get_object(node), section);

	return json_object_has_member(o, key) ? json_object_get_int_member(o, key) : 0;
}

#define KNOWN_LACKEY \
	"==4242== Lackey, an example Valgrind tool\n" \
	"I  00400000,4\n" \
	" L 00601000,8\n" \
	"\n" \
	" S 00601008,8\n" \
	" M 00602000,4\n" \
	"I  00400004,4\n" \
	"==4242== \n"

/*
 * fetch 0x400000: l1i miss, faulting walk, zero-page fault, l1i miss, walk;
 * load 0x601000: the same in the l1d (zero-page);
 * store 0x601008: l1d hit, cow-zero fault (one page flushed), l1d miss, walk;
 * modify 0x602000: a load as 0x601000, a store as 0x601008;
 * fetch 0x400004: l1i hit.
 * l1i 1 hit 2 misses; l1d 2 hits 6 misses; l2 8 misses; 8 walks, 3 faulting;
 * faults: zero-page 3, cow-zero 2; 2 instructions; 2 shootdowns of one page.
 */
static void expect_known_figures(JsonNode *root)
{
	cr_expect_eq(int_at(root, "tlb.total.l1i.hits"), 1);
	cr_expect_eq(int_at(root, "tlb.total.l1i.misses"), 2);
	cr_expect_eq(int_at(root, "tlb.total.l1d.hits"), 2);
	cr_expect_eq(int_at(root, "tlb.total.l1d.misses"), 6);
	cr_expect_eq(int_at(root, "tlb.total.l2.hits"), 0);
	cr_expect_eq(int_at(root, "tlb.total.l2.misses"), 8);
	cr_expect_eq(int_at(root, "tlb.total.walks"), 8);
	cr_expect_eq(int_at(root, "tlb.total.faulting_walks"), 3);
	cr_expect_eq(int_at(root, "faults.zero-page"), 3);
	cr_expect_eq(int_at(root, "faults.cow-zero"), 2);
	cr_expect_eq(int_at(root, "result.instructions"), 2);
	cr_expect_eq(int_at(root, "result.accesses"), 6);
}

Test(replay, lackey_known_misses)
{
	gchar *path = write_tmp_file("known.lackey", KNOWN_LACKEY);
	JsonNode *root = replay_report(0, "--lackey", path, NULL);

	expect_known_figures(root);
	cr_expect_eq(int_at(root, "shootdowns.count"), 2);
	cr_expect_eq(int_at(root, "shootdowns.pages"), 2);
	json_node_unref(root);
	g_free(path);
}

/* `pages` accesses `op` (L: loads, S: stores), one per page from
 * 0x10000000, `passes` times over. */
static gchar *stride_lackey(const char *name, char op, int pages, int passes)
{
	GString *s = g_string_new(NULL);
	gchar *path;

	for (int p = 0; p < passes; p++)
		for (int i = 0; i < pages; i++)
			g_string_append_printf(s, " %c %x,8\n", op, 0x10000000 + i * 4096);
	path = write_tmp_file(name, s->str);
	g_string_free(s, TRUE);
	return path;
}

/*
 * 8 pages read twice through a 4-entry fully associative L1D (LRU: every
 * lookup of the second pass misses) in front of the default 1024-entry L2.
 * Pass 1: per page a miss, a faulting walk, a zero-page fault, a miss and
 * a walk (16 l1d and l2 misses, 8 faulting walks); pass 2: 8 l1d misses
 * that hit the L2.  Under the default 64-entry L1D the second pass hits.
 */
Test(replay, lackey_under_another_geometry)
{
	gchar *path = stride_lackey("stride.lackey", 'L', 8, 2);
	JsonNode *small = replay_report(0, "--lackey", "--set", "tlb.l1d_entries=4", "--set",
					"tlb.l1d_ways=4", path, NULL);
	JsonNode *dflt = replay_report(0, "--lackey", path, NULL);

	cr_expect_eq(int_at(small, "tlb.total.l1d.hits"), 0);
	cr_expect_eq(int_at(small, "tlb.total.l1d.misses"), 24);
	cr_expect_eq(int_at(small, "tlb.total.l2.hits"), 8);
	cr_expect_eq(int_at(small, "tlb.total.l2.misses"), 16);
	cr_expect_eq(int_at(small, "tlb.total.faulting_walks"), 8);
	cr_expect_eq(int_at(small, "faults.zero-page"), 8);
	cr_expect_eq(int_at(dflt, "tlb.total.l1d.hits"), 8);
	cr_expect_eq(int_at(dflt, "tlb.total.l1d.misses"), 16);
	json_node_unref(small);
	json_node_unref(dflt);
	g_free(path);
}

/*
 * A replay has no data: the frames its stores are given are never touched
 * on the host, so replaying a store to each of 65,536 pages (256 MiB)
 * holds about what its page tables need.  Backed by host huge pages, each
 * table frame would bring the 2 MiB of data frames around it in: 256 MiB.
 */
Test(replay, stores_to_256_mib_hold_no_data)
{
	gchar *path = stride_lackey("stores.lackey", 'S', 65536, 1);
	JsonNode *root = replay_report(0, "--lackey", path, NULL);
	struct rusage ru;

	cr_expect_eq(int_at(root, "result.accesses"), 65536);
	cr_assert_eq(getrusage(RUSAGE_CHILDREN, &ru), 0);
	cr_expect_lt(ru.ru_maxrss, 96 * 1024, "replaying the stores took %ld KiB", ru.ru_maxrss);
	json_node_unref(root);
	g_free(path);
}

static void expect_bad_lackey(const char *contents, const char *message)
{
	gchar *path = write_tmp_file("bad.lackey", contents);
	struct result r = run_mmusim_raw("replay", "--lackey", "--stats", path, NULL);
	gchar *want = g_strdup_printf("%s%s", path, message);

	expect_status(&r, 65);
	expect_contains("stderr", r.err, want);
	cr_expect_str_eq(r.out, "", "no figures from a bad trace");
	result_free(&r);
	g_free(want);
	g_free(path);
}

Test(replay, lackey_garbage_lines)
{
	expect_bad_lackey("I  00400000,4\n L 1000,8\nhello world\n", ":3: not a lackey record");
	expect_bad_lackey(" L zz,8\n", ":1: expected a hexadecimal address");
	expect_bad_lackey(" L 1000;8\n", ":1: expected ',' after the address");
	expect_bad_lackey(" S 1000,0\n", ":1: the size must be 1 to 4096 bytes");
	expect_bad_lackey(" S 1000,8 x\n", ":1: unexpected text after the size");
	expect_bad_lackey(" L 1ffffffffffffffff,8\n", ":1: the address does not fit in 64 bits");
	expect_bad_lackey(" L ffffffffffffffff,8\n", ":1: the access wraps past the top");
}

Test(replay, lackey_missing_file)
{
	struct result r = run_mmusim_raw("replay", "--lackey", "/nonexistent.lackey", NULL);

	expect_status(&r, 65);
	expect_contains("stderr", r.err, "/nonexistent.lackey: cannot open: No such file");
	result_free(&r);
}

/* A pseudo-random walk over 3000 pages, with fetches from 40 code pages. */
static gchar *random_lackey(void)
{
	GString *s = g_string_new(NULL);
	uint64_t x = 12345;
	gchar *path;

	for (int i = 0; i < 20000; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		g_string_append_printf(s, "I  %" G_GINT64_MODIFIER "x,4\n",
				       0x400000 + ((x >> 20) % (40 * 4096) & ~UINT64_C(3)));
		g_string_append_printf(s, " %c %" G_GINT64_MODIFIER "x,8\n", "LSM"[(x >> 8) % 3],
				       0x20000000 + ((x >> 33) % 3000) * 4096 + (x >> 50) % 4088);
	}
	path = write_tmp_file("random.lackey", s->str);
	g_string_free(s, TRUE);
	return path;
}

/* Every combination of a two-key sweep equals a replay of its own. */
Test(replay, sweep_equals_separate_replays)
{
	static const char *const l2[] = { "256", "1024" };
	static const char *const asid[] = { "0", "16" };
	gchar *path = random_lackey();
	JsonNode *sweep = replay_report(0, "--lackey", "--sweep", "tlb.l2_entries=256,1024",
					"--sweep", "tlb.asid_bits=0,16", path, NULL);
	JsonArray *configs = json_object_get_array_member(json_node_get_object(sweep), "configs");
	JsonArray *table = json_object_get_array_member(json_node_get_object(sweep), "table");

	cr_assert_eq(json_array_get_length(configs), 4);
	cr_assert_eq(json_array_get_length(table), 4);
	for (int i = 0; i < 4; i++) {
		gchar *l2set = g_strdup_printf("tlb.l2_entries=%s", l2[i / 2]);
		gchar *asidset = g_strdup_printf("tlb.asid_bits=%s", asid[i % 2]);
		gchar *label = g_strdup_printf("%s %s", l2set, asidset);
		JsonNode *alone = replay_report(0, "--lackey", "--set", l2set, "--set", asidset, path, NULL);
		JsonNode *one = json_array_get_element(configs, i);
		JsonNode *row = json_array_get_element(table, i);

		cr_expect_str_eq(json_object_get_string_member(json_node_get_object(one), "set"), label);
		cr_expect_str_eq(json_object_get_string_member(json_node_get_object(row), "set"), label);
		for (const char *const *k = (const char *const[]){ "result.simulated_ns", "tlb.total.l1i.misses",
								   "tlb.total.l1d.misses", "tlb.total.l2.hits",
								   "tlb.total.l2.misses", "tlb.total.walk_reads",
								   "tlb.total.pwc_hits", NULL }; *k; k++)
			cr_expect_eq(int_at(one, *k), int_at(alone, *k), "%s: %s", label, *k);
		cr_expect_eq(member_or_zero(one, "faults", "anon-zero"),
			     member_or_zero(alone, "faults", "anon-zero"));
		cr_expect_eq(int_at(row, "l2_misses"), int_at(alone, "tlb.total.l2.misses"));
		cr_expect_eq(int_at(row, "simulated_ns"), int_at(alone, "result.simulated_ns"));
		json_node_unref(alone);
		g_free(label);
		g_free(l2set);
		g_free(asidset);
	}
	/* the geometry matters: a 256-entry L2 misses more than a 1024-entry one */
	cr_expect_gt(int_at(json_array_get_element(configs, 0), "tlb.total.l2.misses"),
		     int_at(json_array_get_element(configs, 2), "tlb.total.l2.misses"));
	json_node_unref(sweep);
	g_free(path);
}

Test(replay, usage_errors)
{
	struct result r = run_mmusim_raw("replay", "--lackey", "--sweep", "tlb.l2_entries", "x", NULL);

	expect_status(&r, 2);
	expect_contains("stderr", r.err, "--sweep tlb.l2_entries: expected KEY=V1,V2,...");
	result_free(&r);
	r = run_mmusim_raw("replay", "--lackey", "--sweep", "tlb.nope=1,2", "x", NULL);
	expect_status(&r, 2);
	expect_contains("stderr", r.err, "nope");
	result_free(&r);
	r = run_mmusim_raw("replay", "recorded.trace", NULL);
	expect_status(&r, 65);
	expect_contains("stderr", r.err, "recorded.trace: cannot open: No such file");
	result_free(&r);
}

/* ---- --synthetic: a recorded run's accesses in synthetic address spaces ---- */

/* The lackey file above as a recorded trace on CPU 0 of mm 1, then a fork
 * (mm 2) that CPU 1 enters: its load of 0x601000 finds the entry fork
 * made read-only (a miss and a walk, no fault), its store breaks the
 * sharing (cow-copy: the frame now has two mappers), misses and walks;
 * then the parent's store to the page it wrote before the fork finds it
 * read-only and reuses it (cow-reuse: its frame has one mapper left). */
static gchar *write_known_trace(bool fork_too)
{
	gchar *path = tmp_path("known.trace");
	GString *error = g_string_new(NULL);
	struct trace_header h = { "known", "--cpus 2", "default" };
	struct trace_writer *w = trace_writer_open(path, &h, error);
	uint64_t one = 1, two[2] = { 1, 2 }, mm2 = 2, insns = 2;

	cr_assert_not_null(w, "%s", error->str);
	trace_write_event(w, 0, TRACE_MM_NEW, &one);
	trace_write_event(w, 0, TRACE_SWITCH, &one);
	trace_write_access(w, 0, TRACE_FETCH, 0x400000, 4);
	trace_write_access(w, 0, TRACE_READ, 0x601000, 8);
	trace_write_access(w, 0, TRACE_WRITE, 0x601008, 8);
	trace_write_access(w, 0, TRACE_READ, 0x602000, 4);
	trace_write_access(w, 0, TRACE_WRITE, 0x602000, 4);
	trace_write_access(w, 0, TRACE_FETCH, 0x400004, 4);
	trace_write_event(w, 0, TRACE_INSNS, &insns);
	if (fork_too) {
		trace_write_event(w, 0, TRACE_MM_DUP, two);
		trace_write_event(w, 1, TRACE_SWITCH, &mm2);
		trace_write_access(w, 1, TRACE_READ, 0x601000, 8);
		trace_write_access(w, 1, TRACE_WRITE, 0x601000, 8);
		trace_write_access(w, 0, TRACE_WRITE, 0x601010, 8);
	}
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	g_string_free(error, TRUE);
	return path;
}

Test(replay, synthetic_known_figures)
{
	gchar *path = write_known_trace(false);
	JsonNode *root = replay_report(0, "--synthetic", path, NULL);

	expect_known_figures(root);	/* the lackey file's */
	json_node_unref(root);
	g_free(path);
}

Test(replay, synthetic_fork)
{
	gchar *path = write_known_trace(true);
	JsonNode *root = replay_report(0, "--synthetic", path, NULL);
	JsonArray *cpus = json_object_get_array_member(
		json_object_get_object_member(json_node_get_object(root), "tlb"), "cpus");
	JsonNode *cpu1 = json_array_get_element(cpus, 1);

	cr_assert_eq(json_array_get_length(cpus), 2, "the header's --cpus 2");
	cr_expect_eq(int_at(cpu1, "l1d.hits"), 1);
	cr_expect_eq(int_at(cpu1, "l1d.misses"), 2);
	cr_expect_eq(int_at(cpu1, "faulting_walks"), 0);
	cr_expect_eq(int_at(root, "faults.cow-copy"), 1);
	cr_expect_eq(int_at(root, "faults.cow-reuse"), 1);
	cr_expect_eq(int_at(root, "faults.zero-page"), 3);
	json_node_unref(root);
	g_free(path);
}

/*
 * A run of accesses long enough to come as a batch: 40 loads of 8 bytes
 * from 0x601000 (a miss, a faulting walk, a zero-page fault, a miss and a
 * walk, then 39 hits); one of 8 at 0x601ffc, across into 0x602000 (a hit
 * and a miss with a faulting walk, a zero-page fault, then a hit and a miss
 * with a walk); 40 from 0x602000 (hits).  l1d 81 hits, 4 misses; 4 walks,
 * 2 faulting; 2 zero-page faults.
 */
Test(replay, synthetic_batch_across_a_page)
{
	gchar *path = tmp_path("batch.trace");
	GString *error = g_string_new(NULL);
	struct trace_header h = { "batch", "--cpus 1", "default" };
	struct trace_writer *w = trace_writer_open(path, &h, error);
	uint64_t one = 1;
	JsonNode *root;

	cr_assert_not_null(w, "%s", error->str);
	trace_write_event(w, 0, TRACE_MM_NEW, &one);
	trace_write_event(w, 0, TRACE_SWITCH, &one);
	for (uint64_t i = 0; i < 40; i++)
		trace_write_access(w, 0, TRACE_READ, 0x601000 + 8 * i, 8);
	trace_write_access(w, 0, TRACE_READ, 0x601ffc, 8);
	for (uint64_t i = 0; i < 40; i++)
		trace_write_access(w, 0, TRACE_READ, 0x602000 + 8 * i, 8);
	cr_assert_eq(trace_writer_close(w, error), 0, "%s", error->str);
	root = replay_report(0, "--synthetic", path, NULL);
	cr_expect_eq(int_at(root, "result.accesses"), 81);
	cr_expect_eq(int_at(root, "tlb.total.l1d.hits"), 81);
	cr_expect_eq(int_at(root, "tlb.total.l1d.misses"), 4);
	cr_expect_eq(int_at(root, "tlb.total.walks"), 4);
	cr_expect_eq(int_at(root, "tlb.total.faulting_walks"), 2);
	cr_expect_eq(int_at(root, "faults.zero-page"), 2);
	json_node_unref(root);
	g_string_free(error, TRUE);
	g_free(path);
}

static void expect_bad_trace(const char *message)
{
	gchar *path = tmp_path("bad.trace");
	struct result r = run_mmusim_raw("replay", "--synthetic", "--stats", path, NULL);

	expect_status(&r, 65);
	expect_contains("stderr", r.err, message);
	expect_contains("stderr", r.err, path);
	cr_expect_str_eq(r.out, "");
	result_free(&r);
	g_free(path);
}

Test(replay, synthetic_bad_traces)
{
	gchar *path = tmp_path("bad.trace");
	GString *error = g_string_new(NULL);
	struct trace_header h = { "bad", "--cpus 1", "default" };	/* 21 bytes of header */
	struct trace_writer *w = trace_writer_open(path, &h, error);
	uint64_t seven = 7;

	trace_write_access(w, 0, TRACE_READ, 0x1000, 8);
	cr_assert_eq(trace_writer_close(w, error), 0);
	expect_bad_trace("stream offset 21: access record: CPU 0 is in no address space");
	w = trace_writer_open(path, &h, error);	/* the same, in a run that comes as a batch */
	for (int i = 0; i < 100; i++)
		trace_write_access(w, 0, TRACE_READ, 0x1000 + 8 * (uint64_t)i, 8);
	cr_assert_eq(trace_writer_close(w, error), 0);
	expect_bad_trace("stream offset 21: access record: CPU 0 is in no address space");
	w = trace_writer_open(path, &h, error);
	trace_write_event(w, 0, TRACE_SWITCH, &seven);
	cr_assert_eq(trace_writer_close(w, error), 0);
	expect_bad_trace("switch record: no mm 7");
	w = trace_writer_open(path, &h, error);
	trace_write_event(w, 1, TRACE_SWITCH, &seven);
	cr_assert_eq(trace_writer_close(w, error), 0);
	expect_bad_trace("cpu record: CPU 1 beyond the replay's CPUs");
	cr_assert(g_file_set_contents(path, "MMUTRACE\4\0\0\0", 12, NULL));
	expect_bad_trace("file offset 8: trace format version 4");
	g_string_free(error, TRUE);
	g_free(path);
}

/* A recorded multi-process run swept over two L2 sizes equals two replays. */
Test(replay, synthetic_sweep_equals_separate_replays)
{
	gchar *trace = tmp_path("pipe.trace");
	struct result r = run_mmusim("--cpus", "2", "--record", trace, GUEST("pipeswitch"), "process",
				     "20", NULL);
	JsonNode *sweep;
	JsonArray *configs;

	expect_status(&r, 0);
	result_free(&r);
	sweep = replay_report(0, "--synthetic", "--sweep", "tlb.l2_entries=64,1024", trace, NULL);
	configs = json_object_get_array_member(json_node_get_object(sweep), "configs");
	cr_assert_eq(json_array_get_length(configs), 2);
	for (int i = 0; i < 2; i++) {
		JsonNode *alone = replay_report(0, "--synthetic", "--set",
						i ? "tlb.l2_entries=1024" : "tlb.l2_entries=64", trace, NULL);
		JsonNode *one = json_array_get_element(configs, i);

		for (const char *const *k = (const char *const[]){ "result.simulated_ns", "result.instructions",
								   "tlb.total.l2.misses", "tlb.total.walk_reads",
								   "shootdowns.count", NULL }; *k; k++)
			cr_expect_eq(int_at(one, *k), int_at(alone, *k), "config %d: %s", i, *k);
		json_node_unref(alone);
	}
	json_node_unref(sweep);
	g_free(trace);
}
