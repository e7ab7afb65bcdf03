/*
 * The translation model through the JSON report: the "tlb" and
 * "shootdowns" members and latencies[].indirect (docs/design.md,
 * "Translation: TLBs, ASIDs and shootdowns"), checked against figures
 * worked out by hand from what the guests are documented to do:
 *
 *   - tlbstride (guest/tlbstride.c): 4 passes over 32 data pages from code
 *     in one page; the hits, misses, walks and descriptor reads of every
 *     level for several TLB geometries (--set tlb.*), nothing under
 *     --tlb off, and the simulated time each L1 hit adds;
 *   - pipeswitch (guest/pipeswitch.c) on one CPU: the refills after a
 *     process switch with tagged and untagged TLBs and after a thread
 *     switch, the direct cost of each switch, two switches a round, and the
 *     same report from two runs;
 *   - mprotstorm (guest/mprotstorm.c): one one-page shootdown per
 *     downgrade, by IPIs to every other CPU running the address space or by
 *     broadcast TLBI;
 *   - bad --tlb and [tlb] values: usage errors.
 *
 * Cycle figures are the default profile's (mmu/cost.c, docs/cost-profiles.md):
 * sched_pick 800, switch_mm_asid 150, switch_mm_no_asid 250,
 * tlb_flush_all 200, tlb_flush_page 40, ipi_send 600, ipi_handle 1500,
 * ack_wait 1000, tlbi_broadcast 100, tlbi_sync 600.
 */
#include <json-glib/json-glib.h>
#include <stddef.h>
#include <string.h>

#include "harness.h"

TestSuite(tlb, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---- running mmusim and reading its report ---- */

/* Run the concatenation of NULL-terminated argument lists (the list of
 * lists is NULL-terminated too); the first word is the program. */
static struct result run_lists(const char *const *const *lists)
{
	GStrvBuilder *builder = g_strv_builder_new();
	GStrv argv;
	struct result r;

	for (; *lists; lists++)
		for (const char *const *word = *lists; *word; word++)
			g_strv_builder_add(builder, *word);
	argv = g_strv_builder_end(builder);
	g_strv_builder_unref(builder);
	r = run_argv((const char *const *)argv);
	g_strfreev(argv);
	return r;
}

/* `mmusim run --report FILE OPTIONS... GUEST...` (FILE in tmp_dir()). */
static struct result run_reporting(const char *file, const char *const *options,
				   const char *const *guest)
{
	return run_lists((const char *const *const[]){ ARGS(MMUSIM_PATH, "run", "--report", file),
						       options, guest, NULL });
}

/* The report FILE in tmp_dir(), parsed (json_node_unref it). */
static JsonNode *parse_report(const char *file)
{
	gchar *path = tmp_path(file);
	JsonNode *root = read_report(path);

	g_free(path);
	return root;
}

/* The report of `mmusim run OPTIONS... GUEST...`, which must end with
 * `status` (json_node_unref it). */
static JsonNode *report(int status, const char *const *options, const char *const *guest)
{
	struct result r = run_reporting("run.json", options, guest);
	JsonNode *root;

	expect_status(&r, status);
	root = parse_report("run.json");
	result_free(&r);
	return root;
}

/* The value at `path`, a JSONPath below the root ("tlb.cpus[0].walks"),
 * which must be there and be an integer. */
static gint64 int_at(JsonNode *root, const char *path)
{
	gchar *query = g_strconcat("$.", path, NULL);
	GError *error = NULL;
	JsonNode *matches = json_path_query(query, root, &error);
	JsonArray *found;
	JsonNode *value;
	gint64 n;

	cr_assert_not_null(matches, "%s: %s", query, error->message);
	found = json_node_get_array(matches);
	cr_assert_eq(json_array_get_length(found), 1, "the report has no %s", path);
	value = json_array_get_element(found, 0);
	cr_assert(JSON_NODE_HOLDS_VALUE(value) && json_node_get_value_type(value) == G_TYPE_INT64,
		  "%s is not an integer", path);
	n = json_node_get_int(value);
	json_node_unref(matches);
	g_free(query);
	return n;
}

/* The member `name` of the top-level object `object`, a string. */
static const char *string_member(JsonNode *root, const char *object, const char *name)
{
	JsonObject *o = json_object_get_object_member(json_node_get_object(root), object);

	cr_assert(o && json_object_has_member(o, name), "the report has no %s.%s", object, name);
	return json_object_get_string_member(o, name);
}

/* The latencies[] entry of `kind`, or NULL. */
static JsonObject *find_kind(JsonNode *root, const char *kind)
{
	JsonArray *entries = json_object_get_array_member(json_node_get_object(root), "latencies");
	guint n = json_array_get_length(entries);

	for (guint i = 0; i < n; i++) {
		JsonObject *entry = json_array_get_object_element(entries, i);

		if (!strcmp(json_object_get_string_member(entry, "kind"), kind))
			return entry;
	}
	return NULL;
}

/* The latencies[] entry of `kind`, which must be there. */
static JsonObject *latency_of(JsonNode *root, const char *kind)
{
	JsonObject *entry = find_kind(root, kind);

	cr_assert_not_null(entry, "no \"%s\" in latencies", kind);
	return entry;
}

/* A step of an entry's breakdown_cycles; 0 when it is not listed (it
 * cost nothing). */
static double breakdown_step(JsonObject *entry, const char *step)
{
	JsonObject *breakdown = json_object_get_object_member(entry, "breakdown_cycles");

	return json_object_get_double_member_with_default(breakdown, step, 0.0);
}

/* latencies[].indirect.mean_refills of `kind`. */
static double mean_refills(JsonNode *root, const char *kind)
{
	JsonObject *indirect = json_object_get_object_member(latency_of(root, kind), "indirect");

	cr_assert_not_null(indirect, "\"%s\" has no indirect member", kind);
	return json_object_get_double_member(indirect, "mean_refills");
}

/* ---- the TLB counters ---- */

/* What a "tlb.total" or "tlb.cpus[i]" object counts. */
struct tlb_counters {
	gint64 l1i_hits, l1i_misses, l1d_hits, l1d_misses, l2_hits, l2_misses;
	gint64 walks, walk_reads, pwc_hits, pwc_misses, faulting_walks;
	gint64 flushes_all, flushes_asid, flushes_page;
};

static const struct {
	const char *member;
	size_t offset;
} counter_members[] = {
	{ "l1i.hits", offsetof(struct tlb_counters, l1i_hits) },
	{ "l1i.misses", offsetof(struct tlb_counters, l1i_misses) },
	{ "l1d.hits", offsetof(struct tlb_counters, l1d_hits) },
	{ "l1d.misses", offsetof(struct tlb_counters, l1d_misses) },
	{ "l2.hits", offsetof(struct tlb_counters, l2_hits) },
	{ "l2.misses", offsetof(struct tlb_counters, l2_misses) },
	{ "walks", offsetof(struct tlb_counters, walks) },
	{ "walk_reads", offsetof(struct tlb_counters, walk_reads) },
	{ "pwc_hits", offsetof(struct tlb_counters, pwc_hits) },
	{ "pwc_misses", offsetof(struct tlb_counters, pwc_misses) },
	{ "faulting_walks", offsetof(struct tlb_counters, faulting_walks) },
	{ "flushes.all", offsetof(struct tlb_counters, flushes_all) },
	{ "flushes.asid", offsetof(struct tlb_counters, flushes_asid) },
	{ "flushes.page", offsetof(struct tlb_counters, flushes_page) },
};

/* Every counter of the object at `where` ("tlb.total") must be `want`'s. */
static void expect_counters(JsonNode *root, const char *where, const struct tlb_counters *want)
{
	for (size_t i = 0; i < G_N_ELEMENTS(counter_members); i++) {
		gchar *path = g_strdup_printf("%s.%s", where, counter_members[i].member);
		gint64 expected = *(const gint64 *)((const char *)want + counter_members[i].offset);
		gint64 actual = int_at(root, path);

		cr_expect_eq(actual, expected, "%s is %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
			     path, actual, expected);
		g_free(path);
	}
}

/* ---- tlbstride ---- */

/*
 * What tlbstride looks up (guest/tlbstride.c), on one CPU:
 *
 * Fetches.  One lookup per basic block, all in the code page 0x400000.
 * The blocks: the mmap call (8 instructions up to svc), the tbnz; pass 1
 * starts at "mov x2, #4" and later passes at label 1, each running to its
 * first "b.ne 2b"; 31 more blocks of the load loop per pass; one block
 * "subs x2; b.ne 1b" per pass; then "mov x0; b .Lexit" and the exit
 * block.  2 + 4 * (1 + 31 + 1) + 2 = 136 lookups: the first misses (it
 * is the program's very first lookup), the L1i keeps the one page, so
 * l1i 135 hits, 1 miss.
 *
 * Data.  128 loads, pass after pass over the 32 pages 0x10000000 +
 * i * 4096 (virtual page numbers 0x10000 + i), each present before the
 * first load (MAP_POPULATE): no walk faults.  Set index = vpn % sets;
 * 0x10000 is a multiple of every set count below, so page i goes to set
 * i % sets.
 *
 * Walks.  A 4-level walk of the code page reads 4 descriptors (the PWC is
 * empty) and leaves its level 0-2 table descriptors in the PWC.  The
 * first data page has the code page's level-0 and level-1 indices (both
 * below 1 GiB) but another level-2 index (0x10000000 >> 21 = 128, code
 * 0x400000 >> 21 = 2): the PWC supplies 2 levels, 2 reads, and adds its
 * level-2 descriptor.  Every data page lies in that 2 MiB region, so any
 * later data walk reads 1 descriptor (the leaf).  At most 4 PWC entries
 * are ever needed: the 32-entry PWC never evicts.  So W walks
 * (W = 1 code + D data walks) read 4 + 2 + (D - 1), with 1 PWC miss and
 * D PWC hits.
 *
 * No page is unmapped or downgraded, and one address space never switches
 * away: no flush.
 */
#define TLBSTRIDE_INSTRUCTIONS 542	/* guest/tlbstride.c */

/* The counters given what the data accesses do; fetches, walks and the
 * PWC follow as above (every L2 miss walks). */
static struct tlb_counters tlbstride_counters(gint64 l1d_hits, gint64 l2_hits, gint64 data_walks)
{
	return (struct tlb_counters){
		.l1i_hits = 135, .l1i_misses = 1,
		.l1d_hits = l1d_hits, .l1d_misses = 128 - l1d_hits,
		.l2_hits = l2_hits, .l2_misses = 1 + data_walks,
		.walks = 1 + data_walks, .walk_reads = 4 + 2 + (data_walks - 1),
		.pwc_hits = data_walks, .pwc_misses = 1,
	};
}

/* tlbstride on one CPU with these --set options (NULL-terminated). */
static JsonNode *run_tlbstride(const char *tlb_mode, const char *const *settings)
{
	GPtrArray *options = g_ptr_array_new();
	JsonNode *root;

	g_ptr_array_add(options, "--cpus");
	g_ptr_array_add(options, "1");
	g_ptr_array_add(options, "--tlb");
	g_ptr_array_add(options, (gpointer)tlb_mode);
	for (; *settings; settings++) {
		g_ptr_array_add(options, "--set");
		g_ptr_array_add(options, (gpointer)*settings);
	}
	g_ptr_array_add(options, NULL);
	root = report(0, (const char *const *)options->pdata, ARGS(GUEST("tlbstride")));
	cr_expect_eq(int_at(root, "result.instructions"), TLBSTRIDE_INSTRUCTIONS);
	g_ptr_array_free(options, TRUE);
	return root;
}

/* tlbstride under --tlb exact with `settings`: its totals, and those of
 * its one CPU, must be `want`. */
static void expect_tlbstride(const char *const *settings, const struct tlb_counters *want)
{
	JsonNode *root = run_tlbstride("exact", settings);

	cr_expect_str_eq(string_member(root, "tlb", "mode"), "exact");
	expect_counters(root, "tlb.total", want);
	expect_counters(root, "tlb.cpus[0]", want);
	cr_expect_eq(int_at(root, "tlb.cpus[0].id"), 0);
	json_node_unref(root);
}

/*
 * Default geometry: L1d 64 entries 4-way = 16 sets, 2 data pages per set:
 * all 32 fit.  Pass 1 misses each page once (32 misses), passes 2-4 hit
 * (96 hits).  L2 1024 entries 8-way = 128 sets: only the 33 first
 * touches (32 data pages and the code page) reach it, all misses, no hit;
 * 32 data walks: 33 walks, 4 + 2 + 31 = 37 reads, PWC 32 hits, 1 miss.
 */
Test(tlb, tlbstride_misses_each_page_once_with_the_default_geometry)
{
	struct tlb_counters want = tlbstride_counters(96, 0, 32);

	cr_expect_eq(want.walk_reads, 37);
	expect_tlbstride(ARGS(NULL), &want);
}

/*
 * Every L1 hit costs tlb_hit_l1 cycles (paid by count at the end of each
 * run, not per access): with the default geometry tlbstride hits the L1s
 * 135 + 96 = 231 times, so at 2 GHz a cost of 2 cycles adds 231 ns to its
 * simulated time and changes nothing else.
 */
Test(tlb, tlbstride_pays_each_l1_hit)
{
	JsonNode *free_hits = run_tlbstride("exact", ARGS("cycles.tlb_hit_l1=0"));
	JsonNode *paid_hits = run_tlbstride("exact", ARGS("cycles.tlb_hit_l1=2"));

	cr_expect_eq(int_at(paid_hits, "result.simulated_ns") - int_at(free_hits, "result.simulated_ns"),
		     231);
	json_node_unref(free_hits);
	json_node_unref(paid_hits);
}

/*
 * L1d 16 entries 4-way = 4 sets: set s gets the 8 pages i = s, s+4, ...,
 * s+28, loaded in that cyclic order; with LRU and 4 ways, each load finds
 * its page evicted by the 4 loaded since: all 128 loads miss L1d.
 * L2 64 entries 4-way = 16 sets: 2 data pages per set, and the code page
 * (vpn 0x400 % 16 = 0) joins set 0, which holds 3 <= 4: nothing is
 * evicted.  L2 misses: the 33 first touches; hits: the 96 L1d misses of
 * passes 2-4.  32 data walks, as with the default geometry.
 */
#define SMALL_L1D "tlb.l1d_entries=16", "tlb.l1d_ways=4"

Test(tlb, tlbstride_misses_a_small_l1d_every_time_and_hits_l2)
{
	struct tlb_counters want = tlbstride_counters(0, 96, 32);

	expect_tlbstride(ARGS(SMALL_L1D, "tlb.l2_entries=64", "tlb.l2_ways=4"), &want);
}

/*
 * L1d as above (every load misses it, so every load reaches L2), and L2
 * 16 entries 4-way = 4 sets, indexed like the L1d: set s again gets 8
 * data pages in cyclic order, and the code page (0x400 % 4 = 0) sits in
 * set 0.  The code page is never looked up in L2 again (its fetches hit
 * L1i), so it is set 0's least recently used entry when the fourth data
 * page of set 0 arrives and goes first; from then on every set cycles 8
 * pages through 4 ways: every load misses L2 and walks.  L2 misses
 * 1 + 128 = 129, hits 0; 129 walks read 4 + 2 + 127 = 133 descriptors,
 * PWC 128 hits and 1 miss.
 */
Test(tlb, tlbstride_walks_for_every_load_when_l2_is_too_small)
{
	struct tlb_counters want = tlbstride_counters(0, 0, 128);

	cr_expect_eq(want.walk_reads, 133);
	expect_tlbstride(ARGS(SMALL_L1D, "tlb.l2_entries=16", "tlb.l2_ways=4"), &want);
}

/* --tlb off looks nothing up: every counter is 0, and the guest runs the
 * same (status 0 is run_tlbstride's check, the instructions too). */
Test(tlb, tlbstride_under_tlb_off_counts_nothing_and_runs_the_same)
{
	static const struct tlb_counters none;
	JsonNode *off = run_tlbstride("off", ARGS(NULL)), *exact = run_tlbstride("exact", ARGS(NULL));

	cr_expect_str_eq(string_member(off, "tlb", "mode"), "off");
	expect_counters(off, "tlb.total", &none);
	expect_counters(off, "tlb.cpus[0]", &none);
	cr_expect_eq(int_at(off, "result.exit_status"), int_at(exact, "result.exit_status"));
	cr_expect_eq(int_at(off, "result.instructions"), int_at(exact, "result.instructions"));
	json_node_unref(off);
	json_node_unref(exact);
}

/* ---- pipeswitch: switches and refills ---- */

/*
 * pipeswitch MODE 200 on one CPU.  A blocks reading after each send, B
 * (after its first receive) too; the woken party waits for the CPU until
 * the running one blocks.  Each round: A sends and blocks, switch to B; B
 * receives, sends, and blocks for the next byte (in the last round, B
 * exits instead), switch to A.  A's final waitpid finds B gone (or B's
 * thread joined): no further switch.  2 * 200 = 400 switches, all to
 * another address space (process) or all within one (thread).
 */
#define ROUNDS "200"
#define SWITCHES 400

static JsonNode *run_pipeswitch(const char *mode, const char *asid_bits)
{
	gchar *setting = g_strconcat("tlb.asid_bits=", asid_bits, NULL);
	gchar *out = g_strdup_printf("pipeswitch %s: " ROUNDS " rounds\n", mode);
	struct result r = run_reporting("run.json", ARGS("--cpus", "1", "--set", setting),
					ARGS(GUEST("pipeswitch"), mode, ROUNDS));
	JsonNode *root;

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, out);
	root = parse_report("run.json");
	result_free(&r);
	g_free(out);
	g_free(setting);
	return root;
}

Test(tlb, pipeswitch_switches_twice_per_round)
{
	JsonNode *process = run_pipeswitch("process", "16"), *thread = run_pipeswitch("thread", "16");

	cr_expect_eq(int_at(process, "scheduling.process_switches"), SWITCHES);
	cr_expect_eq(int_at(process, "scheduling.thread_switches"), 0);
	cr_expect_eq(json_object_get_int_member(latency_of(process, "switch:process"), "count"), SWITCHES);
	cr_expect_eq(int_at(thread, "scheduling.thread_switches"), SWITCHES);
	cr_expect_eq(int_at(thread, "scheduling.process_switches"), 0);
	cr_expect_eq(json_object_get_int_member(latency_of(thread, "switch:thread"), "count"), SWITCHES);
	json_node_unref(process);
	json_node_unref(thread);
}

/*
 * Untagged TLBs flush at every process switch: the party switched to then
 * touches its 16-page working set (guest/pipeswitch.c) through an empty
 * L1d and L2, at least 16 refills.  Tagged TLBs keep both parties'
 * entries (each party's 16 consecutive working-set pages take one way in
 * each of the 16 L1d sets; with the few code, stack and libc pages they
 * mostly fit the 4 ways): fewer refills.
 */
#define WORKING_SET_PAGES 16

Test(tlb, tagged_tlbs_refill_less_after_a_process_switch_than_untagged_ones)
{
	JsonNode *tagged = run_pipeswitch("process", "16"), *untagged = run_pipeswitch("process", "0");
	double with_asids = mean_refills(tagged, "switch:process");
	double without = mean_refills(untagged, "switch:process");

	cr_expect_str_eq(string_member(untagged, "tlb", "mode"), "exact");
	cr_expect_eq(int_at(tagged, "tlb.asid_bits"), 16);
	cr_expect_eq(int_at(untagged, "tlb.asid_bits"), 0);
	cr_expect_geq(without, WORKING_SET_PAGES, "untagged: %.1f refills per process switch", without);
	cr_expect_lt(with_asids, without, "tagged: %.1f refills per process switch, untagged %.1f",
		     with_asids, without);
	json_node_unref(tagged);
	json_node_unref(untagged);
}

/* A thread switch keeps the address space, so even untagged TLBs keep
 * its entries: fewer refills than a process switch, which flushes. */
Test(tlb, untagged_tlbs_refill_less_after_a_thread_switch_than_a_process_switch)
{
	JsonNode *process = run_pipeswitch("process", "0"), *thread = run_pipeswitch("thread", "0");
	double after_process = mean_refills(process, "switch:process");
	double after_thread = mean_refills(thread, "switch:thread");

	cr_expect_lt(after_thread, after_process, "%.1f refills per thread switch, %.1f per process switch",
		     after_thread, after_process);
	json_node_unref(process);
	json_node_unref(thread);
}

/*
 * The two runs of each mode differ only in the ASID bits.  Untagged, every
 * switch to another address space flushes the ASID (all non-global
 * entries): the 400 process switches and the run's first switch (from no
 * address space to the first); tagged, neither flushes (65535 ASIDs, no
 * roll-over).  A thread switch stays in the address space: untagged adds
 * only the first switch's flush.
 */
static gint64 extra_asid_flushes_when_untagged(const char *mode)
{
	JsonNode *tagged = run_pipeswitch(mode, "16"), *untagged = run_pipeswitch(mode, "0");
	gint64 extra = int_at(untagged, "tlb.total.flushes.asid") - int_at(tagged, "tlb.total.flushes.asid");

	cr_expect_eq(int_at(tagged, "tlb.asid_rollovers"), 0);
	json_node_unref(tagged);
	json_node_unref(untagged);
	return extra;
}

Test(tlb, untagged_tlbs_flush_at_every_process_switch_and_no_thread_switch)
{
	cr_expect_eq(extra_asid_flushes_when_untagged("process"), SWITCHES + 1);
	cr_expect_eq(extra_asid_flushes_when_untagged("thread"), 1);
}

/* The direct cost of switch:process in `root` must be sched_pick plus the
 * steps given, exactly (no roll-over: 2 address spaces, 65535 ASIDs). */
static void expect_process_switch_cost(JsonNode *root, double switch_mm_asid, double switch_mm_no_asid,
				       double tlb_flush_all)
{
	JsonObject *entry = latency_of(root, "switch:process");
	const double sched_pick = 800;

	cr_expect_float_eq(breakdown_step(entry, "sched_pick"), sched_pick, 1e-9);
	cr_expect_float_eq(breakdown_step(entry, "switch_mm_asid"), switch_mm_asid, 1e-9);
	cr_expect_float_eq(breakdown_step(entry, "switch_mm_no_asid"), switch_mm_no_asid, 1e-9);
	cr_expect_float_eq(breakdown_step(entry, "tlb_flush_all"), tlb_flush_all, 1e-9);
	cr_expect_float_eq(json_object_get_double_member(entry, "mean_cycles"),
			   sched_pick + switch_mm_asid + switch_mm_no_asid + tlb_flush_all, 1e-9);
}

Test(tlb, a_process_switch_pays_switch_mm_with_an_asid_or_a_flush_without)
{
	JsonNode *tagged = run_pipeswitch("process", "16"), *untagged = run_pipeswitch("process", "0");

	expect_process_switch_cost(tagged, 150, 0, 0);
	expect_process_switch_cost(untagged, 0, 250, 200);
	cr_expect_eq(int_at(tagged, "tlb.asid_rollovers"), 0);
	json_node_unref(tagged);
	json_node_unref(untagged);
}

/* ---- mprotstorm: shootdowns ---- */

/*
 * mprotstorm (guest/mprotstorm.c): STORM = 100 downgrades of one page,
 * the only flushes, each while NTHREADS = 3 other threads of the address
 * space spin.  One page is below the 33-page ceiling: each is a one-page
 * shootdown, never a full one: count 100, pages 100, full 0.
 *
 * With --cpus 4 every thread has a CPU of its own, in the address space's
 * mask (tagged TLBs: a CPU never leaves it while it runs the mm).  IPIs:
 * each shootdown flushes locally and sends 3 IPIs: 300 IPIs, 300
 * "shootdown:target" events of ipi_handle 1500 + tlb_flush_page 40 =
 * 1540 cycles.  The initiator pays its own flush, 3 sends and the slowest
 * acknowledgement, one target's handling plus ack_wait:
 * 40 + 3 * 600 + 1540 + 1000 = 4380 cycles.  Broadcast: one TLBI (1 page)
 * and one DSB, 100 + 600 = 700 cycles; no interrupt.  Either way each of
 * the 4 TLBs flushes the page 100 times.
 */
#define STORM 100
#define OTHER_CPUS 3

static JsonNode *run_mprotstorm(const char *cpus, const char *mechanism)
{
	gchar *setting = g_strconcat("tlb.shootdown=", mechanism, NULL);
	JsonNode *root = report(0, ARGS("--cpus", cpus, "--set", setting), ARGS(GUEST("mprotstorm")));

	cr_expect_str_eq(string_member(root, "shootdowns", "mechanism"), mechanism);
	cr_expect_eq(int_at(root, "tlb_flushes"), STORM);
	cr_expect_eq(int_at(root, "shootdowns.count"), STORM);
	cr_expect_eq(int_at(root, "shootdowns.pages"), STORM);
	cr_expect_eq(int_at(root, "shootdowns.full"), 0);
	g_free(setting);
	return root;
}

static void expect_pages_flushed_by_every_cpu(JsonNode *root, int cpus)
{
	for (int i = 0; i < cpus; i++) {
		gchar *path = g_strdup_printf("tlb.cpus[%d].flushes.page", i);

		gint64 pages = int_at(root, path);

		cr_expect_eq(pages, STORM, "%s is %" G_GINT64_FORMAT, path, pages);
		g_free(path);
	}
	cr_expect_eq(int_at(root, "tlb.total.flushes.page"), cpus * STORM);
}

Test(tlb, mprotstorm_with_ipis_interrupts_each_other_cpu_once_per_downgrade)
{
	JsonNode *root = run_mprotstorm("4", "ipi");
	JsonObject *target = latency_of(root, "shootdown:target");

	cr_expect_eq(int_at(root, "shootdowns.ipis"), OTHER_CPUS * STORM);
	cr_expect_eq(json_object_get_int_member(target, "count"), OTHER_CPUS * STORM);
	cr_expect_float_eq(breakdown_step(target, "ipi_handle"), 1500, 1e-9);
	cr_expect_float_eq(breakdown_step(target, "tlb_flush_page"), 40, 1e-9);
	cr_expect_float_eq(json_object_get_double_member(target, "mean_cycles"), 1540, 1e-9);
	cr_expect_float_eq(json_object_get_double_member(latency_of(root, "shootdown"), "mean_cycles"),
			   40 + OTHER_CPUS * 600 + 1540 + 1000, 1e-9);
	expect_pages_flushed_by_every_cpu(root, 4);
	json_node_unref(root);
}

Test(tlb, mprotstorm_with_broadcast_tlbi_interrupts_nobody)
{
	JsonNode *root = run_mprotstorm("4", "broadcast");

	cr_expect_eq(int_at(root, "shootdowns.ipis"), 0);
	cr_expect_null(find_kind(root, "shootdown:target"), "a broadcast shootdown interrupted a CPU");
	cr_expect_float_eq(json_object_get_double_member(latency_of(root, "shootdown"), "mean_cycles"),
			   100 + 600, 1e-9);
	expect_pages_flushed_by_every_cpu(root, 4);
	json_node_unref(root);
}

/*
 * The storm after an execve: the exec'd main thread stays on CPU 0, which
 * must follow it into the new mm (join its CPU mask), or its own TLB would
 * never be flushed.  Every shootdown of the run (execer's own before the
 * exec, then the storm's) is initiated on CPU 0 with the CPU in the mask,
 * so CPU 0 flushes every page the shootdowns flush; the threads' CPUs flush
 * the storm's pages.
 */
Test(tlb, a_cpu_follows_its_task_into_the_mm_it_execs)
{
	JsonNode *root = report(0, ARGS("--cpus", "4"),
				ARGS(GUEST("execer"), "/dev/null", GUEST("mprotstorm")));

	cr_expect_eq(int_at(root, "scheduling.execs"), 1);
	cr_expect_eq(int_at(root, "shootdowns.ipis"), OTHER_CPUS * STORM);
	cr_expect_eq(int_at(root, "tlb.cpus[0].flushes.page"), int_at(root, "shootdowns.pages"));
	cr_expect_geq(int_at(root, "shootdowns.pages"), STORM);
	for (int i = 1; i <= OTHER_CPUS; i++) {
		gchar *path = g_strdup_printf("tlb.cpus[%d].flushes.page", i);

		cr_expect_eq(int_at(root, path), STORM, "%s", path);
		g_free(path);
	}
	json_node_unref(root);
}

/* Four tasks on two CPUs: at most the one other CPU is interrupted. */
Test(tlb, mprotstorm_on_two_cpus_interrupts_at_most_the_other_one)
{
	JsonNode *root = run_mprotstorm("2", "ipi");

	cr_expect_leq(int_at(root, "shootdowns.ipis"), STORM);
	json_node_unref(root);
}

/* ---- determinism ---- */

/* The report FILE without "host", written out again by json-glib. */
static gchar *report_but_host(const char *file)
{
	JsonNode *root = parse_report(file);
	JsonObject *top = json_node_get_object(root);
	JsonGenerator *generator = json_generator_new();
	gchar *text;

	cr_assert(json_object_has_member(top, "host"), "%s has no host member", file);
	cr_assert(json_object_has_member(top, "tlb") && json_object_has_member(top, "shootdowns"),
		  "%s has no tlb or shootdowns member", file);
	json_object_remove_member(top, "host");
	json_generator_set_pretty(generator, TRUE);
	json_generator_set_root(generator, root);
	text = json_generator_to_data(generator, NULL);
	g_object_unref(generator);
	json_node_unref(root);
	return text;
}

Test(tlb, two_runs_of_pipeswitch_on_two_cpus_report_the_same_but_host)
{
	const char *const *options = ARGS("--cpus", "2");
	const char *const *guest = ARGS(GUEST("pipeswitch"), "process", "100");
	struct result runs[] = { run_reporting("first.json", options, guest),
				 run_reporting("second.json", options, guest) };
	gchar *first, *second;

	for (size_t i = 0; i < G_N_ELEMENTS(runs); i++) {
		expect_status(&runs[i], 0);
		result_free(&runs[i]);
	}
	first = report_but_host("first.json");
	second = report_but_host("second.json");
	cr_expect_str_eq(first, second, "the reports differ:\n%s\n---\n%s", first, second);
	g_free(first);
	g_free(second);
}

/* ---- bad input ---- */

/* `mmusim run OPTIONS... tlbstride` must stop with a usage error whose
 * message names `name`. */
static void expect_usage_error(const char *const *options, const char *name)
{
	struct result r = run_lists((const char *const *const[]){ ARGS(MMUSIM_PATH, "run"), options,
							       ARGS(GUEST("tlbstride")), NULL });

	expect_status(&r, 2);
	expect_contains("stderr", r.err, name);
	result_free(&r);
}

Test(tlb, bad_tlb_options_are_usage_errors)
{
	expect_usage_error(ARGS("--tlb", "foo"), "--tlb");
	/* 2 bits: ASIDs 1 to 3 (0 is never handed out), not more than 4 CPUs */
	expect_usage_error(ARGS("--cpus", "4", "--set", "tlb.asid_bits=2"), "asid_bits");
	/* 16 entries in 4 ways, but 10 is no multiple of 4 */
	expect_usage_error(ARGS("--set", "tlb.l1d_entries=10"), "l1d_entries");
}

/* The smallest working ASID space: 3 ASIDs for 2 CPUs. */
Test(tlb, three_asids_are_enough_for_two_cpus)
{
	json_node_unref(report(0, ARGS("--cpus", "2", "--set", "tlb.asid_bits=2"), ARGS(GUEST("tlbstride"))));
}
