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
