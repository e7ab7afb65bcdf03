/*
 * mmu/cost and mmu/latency: profiles load, change and refuse bad input;
 * latency summaries give nearest-rank percentiles computed by hand.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mmu/cost.h"
#include "mmu/latency.h"

static struct cost_profile p;

static void teardown(void)
{
	cost_profile_clear(&p);
}

TestSuite(cost, .fini = teardown);

Test(cost, builtins_load_with_their_frequency)
{
	cr_assert_eq(cost_profile_load("xeon-e5620", &p, NULL), 0);
	cr_expect_float_eq(p.frequency_ghz, 2.4, 1e-9);
	cr_expect_str_eq(p.name, "xeon-e5620");
	cost_profile_clear(&p);
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	cr_expect_float_eq(p.frequency_ghz, 2.0, 1e-9);
	cr_expect_eq(p.cycles[COST_SYSCALL_ENTRY], 70);
}

/* 1000 cycles at 2.4 GHz: 416.67 ns, rounded to 417. */
Test(cost, set_changes_one_value)
{
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	cr_assert_eq(cost_profile_set(&p, "cycles.page_zero=1000", NULL), 0);
	cr_assert_eq(cost_profile_set(&p, "frequency_ghz=2.4", NULL), 0);
	cr_expect_eq(p.cycles[COST_PAGE_ZERO], 1000);
	cr_expect_eq(cost_ns(&p, p.cycles[COST_PAGE_ZERO]), 417);
	cr_expect_eq(p.cycles[COST_PAGE_COPY], 500, "other values stay");
}

Test(cost, bad_input_is_refused_with_a_message)
{
	static const char *const bad[] = {
		"banana", "cycles.nosuch=3", "cycles.page_zero=-1", "cycles.page_zero=ten", "frequency_ghz=0",
	};

	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		GError *e = NULL;

		cr_expect_eq(cost_profile_set(&p, bad[i], &e), -EINVAL, "%s accepted", bad[i]);
		cr_expect(e && strstr(e->message, bad[i]), "no message naming %s", bad[i]);
		g_clear_error(&e);
	}
	cr_expect_eq(cost_profile_load("no-such-profile", &p, NULL), -ENOENT);
}

/* A file names what it changes; everything else keeps the default's value. */
Test(cost, a_file_overrides_the_default)
{
	gchar *path = NULL;
	int fd = g_file_open_tmp("profile-XXXXXX.ini", &path, NULL);

	cr_assert(fd >= 0);
	cr_assert(g_file_set_contents(path, "[profile]\ndescription=test\nfrequency_ghz=1.0\n"
					    "[cycles]\nsyscall_entry=5\n", -1, NULL));
	cr_assert_eq(cost_profile_load(path, &p, NULL), 0);
	cr_expect_eq(p.cycles[COST_SYSCALL_ENTRY], 5);
	cr_expect_eq(p.cycles[COST_SYSCALL_EXIT], 60);
	cr_expect_str_eq(p.description, "test");
	close(fd);
	g_unlink(path);
	g_free(path);
}

/* Samples 1..100 cycles: mean 50.5, nearest-rank median 50, p90 90, p99 99, max 100. */
Test(cost, latency_percentiles)
{
	struct latency_recorder *r = latency_recorder_new();
	GArray *all;
	const struct latency_summary *s;

	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	for (uint64_t v = 100; v >= 1; v--) {
		struct event_cost ev = { 0 };

		ev.cycles[COST_PAGE_ZERO] = ev.total = v;
		latency_record(r, "fault:anon-zero", &ev);
	}
	all = latency_summaries(r);
	cr_assert_eq(all->len, 1);
	s = &g_array_index(all, struct latency_summary, 0);
	cr_expect_eq(s->count, 100);
	cr_expect_float_eq(s->mean, 50.5, 1e-9);
	cr_expect_eq(s->median, 50);
	cr_expect_eq(s->p90, 90);
	cr_expect_eq(s->p99, 99);
	cr_expect_eq(s->max, 100);
	cr_expect_float_eq(s->mean_steps[COST_PAGE_ZERO], 50.5, 1e-9);
	g_array_free(all, TRUE);
	latency_recorder_free(r);
}

static void record_cycles(struct latency_recorder *r, const char *kind, uint64_t cycles)
{
	struct event_cost ev = { .total = cycles };

	latency_record(r, kind, &ev);
}

static const struct latency_summary *summary_of(GArray *all, const char *kind)
{
	for (guint i = 0; i < all->len; i++)
		if (!strcmp(g_array_index(all, struct latency_summary, i).kind, kind))
			return &g_array_index(all, struct latency_summary, i);
	cr_assert_fail("no kind %s", kind);
	return NULL;
}

/* A kind is its name, wherever the name is: a buffer rewritten with
 * another name between events, and the same name in another buffer.  By
 * hand: fault:x 5, 5, 7 then 5 (4 events, median 5, max 7); fault:y 9, 9. */
Test(cost, latency_kinds_are_names_not_addresses)
{
	struct latency_recorder *r = latency_recorder_new();
	char buf[16] = "fault:x", other[16] = "fault:x";
	GArray *all;
	const struct latency_summary *x, *y;

	record_cycles(r, buf, 5);
	record_cycles(r, buf, 5);
	record_cycles(r, buf, 7);
	strcpy(buf, "fault:y");
	record_cycles(r, buf, 9);
	record_cycles(r, buf, 9);
	record_cycles(r, other, 5);
	all = latency_summaries(r);
	cr_assert_eq(all->len, 2);
	x = summary_of(all, "fault:x");
	y = summary_of(all, "fault:y");
	cr_expect_eq(x->count, 4);
	cr_expect_eq(x->median, 5);
	cr_expect_eq(x->max, 7);
	cr_expect_eq(y->count, 2);
	cr_expect_eq(y->median, 9);
	cr_expect_eq(y->max, 9);
	g_array_free(all, TRUE);
	latency_recorder_free(r);
}

/* A device's wait is a step of the mean too: events of 1100 cycles (100 of
 * trap entry, 1000 waiting) and 100 (trap entry only) have a mean of 600:
 * 500 of device_wait and 100 of trap_entry. */
Test(cost, latency_mean_device_wait)
{
	struct latency_recorder *r = latency_recorder_new();
	struct event_cost waited = { .device_wait = 1000, .total = 1100 }, plain = { .total = 100 };
	GArray *all;
	const struct latency_summary *s;

	waited.cycles[COST_TRAP_ENTRY] = plain.cycles[COST_TRAP_ENTRY] = 100;
	latency_record(r, "fault:device-migrate", &waited);
	latency_record(r, "fault:device-migrate", &plain);
	all = latency_summaries(r);
	s = &g_array_index(all, struct latency_summary, 0);
	cr_expect_float_eq(s->mean, 600, 1e-9);
	cr_expect_float_eq(s->mean_device_wait, 500, 1e-9);
	cr_expect_float_eq(s->mean_steps[COST_TRAP_ENTRY], 100, 1e-9);
	g_array_free(all, TRUE);
	latency_recorder_free(r);
}

/* event_charge adds the profile's cycles times the count. */
Test(cost, charging_an_event)
{
	struct event_cost ev = { 0 };

	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	event_charge(&ev, &p, COST_TRAP_ENTRY, 1);
	event_charge(&ev, &p, COST_PGTABLE_ALLOC, 2);
	cr_expect_eq(ev.total, 100 + 2 * 300);
	cr_expect_eq(ev.cycles[COST_PGTABLE_ALLOC], 600);
}

/* ---- [tlb]: the translation hardware of a profile ---- */

/* The default: L1s 64 entries x 4 ways, L2 1024 x 8, PWC 32, 16-bit ASIDs
 * (so tagged), IPIs. */
Test(cost, the_default_has_16_bit_asids_and_ipis)
{
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	cr_expect_eq(p.asid_bits, 16);
	cr_expect(p.tlb.asid_tagged);
	cr_expect_eq(p.shootdown, SHOOTDOWN_IPI);
	cr_expect_eq(p.tlb.l1i.entries, 64);
	cr_expect_eq(p.tlb.l1i.ways, 4);
	cr_expect_eq(p.tlb.l1d.entries, 64);
	cr_expect_eq(p.tlb.l1d.ways, 4);
	cr_expect_eq(p.tlb.l2.entries, 1024);
	cr_expect_eq(p.tlb.l2.ways, 8);
	cr_expect_eq(p.tlb.pwc_entries, 32);
	cr_expect_str_eq(shootdown_mechanism_name(p.shootdown), "ipi");
}

/* Westmere has no ASIDs (PCID unused): untagged, and an L2 of 512 x 4. */
Test(cost, xeon_e5620_is_untagged_with_a_512_entry_l2)
{
	cr_assert_eq(cost_profile_load("xeon-e5620", &p, NULL), 0);
	cr_expect_eq(p.asid_bits, 0);
	cr_expect_not(p.tlb.asid_tagged);
	cr_expect_eq(p.tlb.l2.entries, 512);
	cr_expect_eq(p.tlb.l2.ways, 4);
	cr_expect_eq(p.shootdown, SHOOTDOWN_IPI);
}

/* tlbi_sync is a step like the others: default 600, changeable by --set,
 * and its key reads back. */
Test(cost, tlbi_sync_is_a_step)
{
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	cr_expect_str_eq(cost_step_key(COST_TLBI_SYNC), "tlbi_sync");
	cr_expect_eq(p.cycles[COST_TLBI_SYNC], 600);
	cr_assert_eq(cost_profile_set(&p, "cycles.tlbi_sync=42", NULL), 0);
	cr_expect_eq(p.cycles[COST_TLBI_SYNC], 42);
	cr_expect_eq(p.cycles[COST_TLBI_BROADCAST], 100, "its neighbour stays");
}

Test(cost, tlb_keys_change_by_set)
{
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	cr_assert_eq(cost_profile_set(&p, "tlb.l2_entries=256", NULL), 0);
	cr_expect_eq(p.tlb.l2.entries, 256);
	cr_expect_eq(p.tlb.l2.ways, 8, "256 is a multiple of the 8 ways kept");
	cr_assert_eq(cost_profile_set(&p, "tlb.shootdown=broadcast", NULL), 0);
	cr_expect_eq(p.shootdown, SHOOTDOWN_BROADCAST);
	cr_expect_str_eq(shootdown_mechanism_name(p.shootdown), "broadcast");
	cr_assert_eq(cost_profile_set(&p, "tlb.asid_bits=0", NULL), 0);
	cr_expect_eq(p.asid_bits, 0);
	cr_expect_not(p.tlb.asid_tagged, "no ASID bits: untagged");
	cr_assert_eq(cost_profile_set(&p, "tlb.asid_bits=8", NULL), 0);
	cr_expect(p.tlb.asid_tagged, "tagged again");
	cr_assert_eq(cost_profile_set(&p, "tlb.shootdown=ipi", NULL), 0);
	cr_expect_eq(p.shootdown, SHOOTDOWN_IPI);
}

/* A file's [tlb] overrides what it names; the rest is the default's. */
Test(cost, tlb_keys_load_from_a_file)
{
	gchar *path = NULL;
	int fd = g_file_open_tmp("profile-XXXXXX.ini", &path, NULL);

	cr_assert(fd >= 0);
	cr_assert(g_file_set_contents(path, "[tlb]\nl2_entries=256\nl2_ways=4\npwc_entries=0\n"
					    "asid_bits=8\nshootdown=broadcast\n", -1, NULL));
	cr_assert_eq(cost_profile_load(path, &p, NULL), 0);
	cr_expect_eq(p.tlb.l2.entries, 256);
	cr_expect_eq(p.tlb.l2.ways, 4);
	cr_expect_eq(p.tlb.pwc_entries, 0);
	cr_expect_eq(p.asid_bits, 8);
	cr_expect(p.tlb.asid_tagged);
	cr_expect_eq(p.shootdown, SHOOTDOWN_BROADCAST);
	cr_expect_eq(p.tlb.l1d.entries, 64, "not named: the default's");
	cr_expect_eq(p.tlb.l1i.ways, 4);
	close(fd);
	g_unlink(path);
	g_free(path);
}

static void expect_set_error(const char *assignment, const char *message)
{
	GError *e = NULL;

	cr_expect_eq(cost_profile_set(&p, assignment, &e), -EINVAL, "%s accepted", assignment);
	cr_assert_not_null(e, "%s: no error", assignment);
	cr_expect_str_eq(e->message, message);
	g_clear_error(&e);
}

/* 66 entries do not divide into 4 ways; asid_bits caps at 16. */
Test(cost, bad_tlb_values_are_refused_with_exact_messages)
{
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	expect_set_error("tlb.l1d_entries=66",
			 "--set tlb.l1d_entries=66: tlb.l1d_entries must be a multiple of its ways");
	cost_profile_clear(&p);
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	expect_set_error("tlb.l2_ways=3",
			 "--set tlb.l2_ways=3: tlb.l2_entries must be a multiple of its ways");
	cost_profile_clear(&p);
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	expect_set_error("tlb.nosuch=1", "--set tlb.nosuch=1: unknown key \"nosuch\" in [tlb]");
	expect_set_error("tlb.shootdown=foo",
			 "--set tlb.shootdown=foo: tlb.shootdown must be ipi or broadcast");
	cr_expect_eq(p.shootdown, SHOOTDOWN_IPI, "unchanged");
	expect_set_error("tlb.asid_bits=17", "--set tlb.asid_bits=17: tlb.asid_bits must be at most 16");
	expect_set_error("tlb.l2_entries=-8",
			 "--set tlb.l2_entries=-8: tlb.l2_entries must be a whole number up to 1048576");
}

/* The same check applies to a file, named by its path. */
Test(cost, a_file_with_a_bad_tlb_geometry_is_refused)
{
	gchar *path = NULL, *expected;
	GError *e = NULL;
	int fd = g_file_open_tmp("profile-XXXXXX.ini", &path, NULL);

	cr_assert(fd >= 0);
	cr_assert(g_file_set_contents(path, "[tlb]\nl1d_entries=66\n", -1, NULL));
	cr_expect_eq(cost_profile_load(path, &p, &e), -EINVAL);
	cr_assert_not_null(e);
	expected = g_strdup_printf("%s: tlb.l1d_entries must be a multiple of its ways", path);
	cr_expect_str_eq(e->message, expected);
	g_free(expected);
	g_clear_error(&e);
	close(fd);
	g_unlink(path);
	g_free(path);
}

/* frequency_ghz is a finite number from 1 MHz to 1 THz: NaN, infinities,
 * 1e308, zero and negative values are refused by name, and the profile keeps
 * its frequency. */
Test(cost, non_finite_zero_negative_and_absurd_frequencies_are_refused)
{
	static const char *const bad[] = { "nan", "NaN", "inf", "-inf", "1e308", "0", "-2", "0.0009", "1001" };
	const char *message = "frequency_ghz must be a number of GHz from 0.001 to 1000";

	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		gchar *assignment = g_strdup_printf("frequency_ghz=%s", bad[i]);
		gchar *expected = g_strdup_printf("--set %s: %s", assignment, message);

		expect_set_error(assignment, expected);
		g_free(expected);
		g_free(assignment);
	}
	cr_assert_eq(cost_profile_set(&p, "frequency_ghz=0.001", NULL), 0, "the bounds are allowed");
	cr_assert_eq(cost_profile_set(&p, "frequency_ghz=1000", NULL), 0);
}

/* A step costs at most 2^32 cycles; 2^32 + 1, and 2^64 (which strtoull
 * would clamp to UINT64_MAX), are refused. */
Test(cost, cycles_above_2_to_the_32_are_refused)
{
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	cr_assert_eq(cost_profile_set(&p, "cycles.walk_level=4294967296", NULL), 0);
	cr_expect_eq(p.cycles[COST_WALK_LEVEL], UINT64_C(4294967296));
	expect_set_error("cycles.walk_level=4294967297", "--set cycles.walk_level=4294967297: "
			 "cycles.walk_level must be a whole number of cycles up to 4294967296");
	expect_set_error("cycles.walk_level=18446744073709551616", "--set cycles.walk_level=18446744073709551616: "
			 "cycles.walk_level must be a whole number of cycles up to 4294967296");
	expect_set_error("cycles.walk_level=+5",
			 "--set cycles.walk_level=+5: cycles.walk_level must be a whole number of cycles up to 4294967296");
	cr_expect_eq(p.cycles[COST_WALK_LEVEL], UINT64_C(4294967296), "unchanged");
}

/* Zero ways for a TLB with entries: the message names the ways. */
Test(cost, zero_ways_are_named)
{
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	expect_set_error("tlb.l1d_ways=0",
			 "--set tlb.l1d_ways=0: tlb.l1d_ways must be at least 1 when the TLB has entries");
}

/* A profile file at `path` with `text` must be refused with `message`
 * (after "PATH: "). */
static void expect_file_error(const char *text, const char *message)
{
	gchar *path = NULL, *expected;
	GError *e = NULL;
	int fd = g_file_open_tmp("profile-XXXXXX.ini", &path, NULL);

	cr_assert(fd >= 0);
	cr_assert(g_file_set_contents(path, text, -1, NULL));
	cr_expect_eq(cost_profile_load(path, &p, &e), -EINVAL, "%s accepted", text);
	cr_assert_not_null(e);
	expected = g_strdup_printf("%s: %s", path, message);
	cr_expect_str_eq(e->message, expected);
	g_free(expected);
	g_clear_error(&e);
	close(fd);
	g_unlink(path);
	g_free(path);
}

/* A typo in a group or a [profile] key is an error, not a silent default. */
Test(cost, a_file_with_an_unknown_group_or_key_is_refused)
{
	expect_file_error("[profile]\nfrequency_ghz=3.0\n[cycle]\ninstruction=2\n",
			  "unknown group [cycle] (expected [profile], [cycles], [tlb], [vm], [device])");
	expect_file_error("[profile]\nfrequncy_ghz=3.0\n", "unknown key \"frequncy_ghz\" in [profile]");
	expect_file_error("[cycles]\ninstrction=2\n", "unknown step \"instrction\" in [cycles]");
}

/* The [device] group: the documented defaults (docs/cost-profiles.md), each
 * key changeable, geometries checked as the CPU's are. */
Test(cost, the_device_group_has_its_defaults_and_is_checked)
{
	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	cr_expect_eq(p.device.tlb.l1d.entries, 32);
	cr_expect_eq(p.device.tlb.l2.entries, 2048);
	cr_expect_eq(p.device.tlb.l1i.entries, 0, "no instruction TLB");
	cr_expect_eq(p.device.fault, 20000);
	cr_expect_eq(p.device.link_page, 512, "4 KiB at 8 bytes a cycle: 16 GB/s at 2 GHz");
	cr_expect_eq(p.device.link_latency, 2000);
	cr_assert_eq(cost_profile_set(&p, "device.tlb_inval_range=77", NULL), 0);
	cr_expect_eq(p.device.tlb_inval_range, 77);
	expect_set_error("device.l1_ways=5", "--set device.l1_ways=5: device.l1_entries must be a multiple of its ways");
	expect_set_error("device.walk=3", "--set device.walk=3: unknown key \"walk\" in [device]");
	expect_set_error("device.fault=x", "--set device.fault=x: device.fault must be a whole number of cycles up to 4294967296");
}
