/*
 * traces/replay: a run of accesses given as a batch (replay_accesses, with
 * its hits counted by the batch itself) leaves the model exactly as the
 * same accesses given one record at a time (replay_record, the general
 * path: every lookup through agent_access, every permission checked):
 * the same TLB counters, faults, refusals and clocks, under the default
 * profile and under a small L1 that evicts all the time.
 *
 * The accesses are made up from a fixed seed so that every case of the
 * batch occurs many times: runs on one page (hits counted by the batch),
 * a read and a write on two pages in turn (one L1D, two pages), fetches
 * between them, accesses across a page end, accesses below MMAP_MIN_ADDR
 * (refused), first reads of a page (the zero page) then writes to it (a
 * copy-on-write fault), more pages than the L1 holds (evictions: a wrong
 * LRU age shows as other misses later), and a fork after which the parent
 * and then the child run.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mmu/cost.h"
#include "traces/replay.h"

#define BASE UINT64_C(0x10000000)
#define CODE UINT64_C(0x400000)
#define PAGES 96		/* more than an L1D of 64 entries holds */
#define ACCESSES 40000
#define REPLAY_TEST_MEM (UINT64_C(64) << 20)

struct run {
	uint64_t addr[ACCESSES];
	uint16_t desc[ACCESSES];
	size_t n;
};

static uint64_t next_random(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A descriptor as the reader gives it (TRACE_DESC_KIND, TRACE_DESC_SIZE). */
static void put(struct run *run, enum trace_kind kind, uint64_t va, unsigned size)
{
	run->addr[run->n] = va;
	run->desc[run->n++] = (uint16_t)((unsigned)kind << 14 | size);
}

/* Accesses in bursts: a burst stays on a page or two, as loops do. */
static void make_run(struct run *run, uint64_t seed)
{
	uint64_t s = seed;

	run->n = 0;
	while (run->n + 64 <= ACCESSES) {
		uint64_t a = BASE + next_random(&s) % PAGES * PAGE_SIZE;
		uint64_t b = BASE + next_random(&s) % PAGES * PAGE_SIZE;
		uint64_t code = CODE + next_random(&s) % 3 * PAGE_SIZE;
		unsigned burst = 1 + (unsigned)(next_random(&s) % 60);

		for (unsigned i = 0; i < burst; i++) {
			uint64_t r = next_random(&s), off = r % (PAGE_SIZE / 8) * 8;

			switch (r >> 32 & 15) {
			case 0:
				put(run, TRACE_READ, b + off, 8);	/* the other page */
				break;
			case 1:
				put(run, TRACE_WRITE, b + off, 4);
				break;
			case 2:
				put(run, TRACE_READ, a + PAGE_SIZE - 4, 8);	/* across */
				break;
			case 3:
				put(run, r >> 40 & 1 ? TRACE_WRITE : TRACE_READ, 0x100, 8);	/* refused */
				break;
			case 4:
			case 5:
			case 6:
				put(run, TRACE_FETCH, code + off / 2, 4);
				break;
			case 7:
			case 8:
			case 9:
				put(run, TRACE_WRITE, a + off, 8);
				break;
			default:
				put(run, TRACE_READ, a + off, 8);
				break;
			}
		}
	}
}

static void event(struct replay *r, enum trace_type type, uint64_t arg0, uint64_t arg1)
{
	struct trace_record rec = { .type = type, .args = { arg0, arg1 } };
	GString *error = g_string_new(NULL);

	cr_assert_eq(replay_record(r, &rec, error), 0, "%s", error->str);
	g_string_free(error, TRUE);
}

/* Accesses [from, to) of `run`: one record at a time, or as batches of
 * lengths drawn from `seed`. */
static void feed(struct replay *r, const struct run *run, size_t from, size_t to, bool batched,
		 uint64_t *seed)
{
	GString *error = g_string_new(NULL);

	for (size_t i = from; i < to;) {
		size_t m = batched ? 1 + next_random(seed) % 400 : 1;

		m = MIN(m, to - i);
		if (batched) {
			struct trace_accesses batch = { run->addr + i, run->desc + i };

			cr_assert_eq(replay_accesses(r, &batch, m, 0, error), 0, "%s", error->str);
		} else {
			struct trace_record rec = {
				.type = TRACE_ACCESS, .kind = TRACE_DESC_KIND(run->desc[i]),
				.addr = run->addr[i], .size = TRACE_DESC_SIZE(run->desc[i]),
			};

			cr_assert_eq(replay_record(r, &rec, error), 0, "%s", error->str);
		}
		i += m;
	}
	g_string_free(error, TRUE);
}

/* The run in four parts: in mm 1; in mm 1 after it forked mm 2 (its pages
 * now copy-on-write); in mm 2; back in 1. */
static void replay_run(struct replay *r, const struct cost_profile *p, const struct run *run,
		       bool batched)
{
	GString *error = g_string_new(NULL);
	uint64_t seed = 0x9e3779b97f4a7c15;
	size_t part = run->n / 4;

	cr_assert_eq(replay_init_synthetic(r, p, REPLAY_TEST_MEM, error), 0, "%s", error->str);
	feed(r, run, 0, part, batched, &seed);
	event(r, TRACE_MM_DUP, 1, 2);
	feed(r, run, part, 2 * part, batched, &seed);
	event(r, TRACE_SWITCH, 2, 0);
	feed(r, run, 2 * part, 3 * part, batched, &seed);
	event(r, TRACE_SWITCH, 1, 0);
	feed(r, run, 3 * part, run->n, batched, &seed);
	replay_finish(r);
	g_string_free(error, TRUE);
}

static void expect_same(const struct cost_profile *p, uint64_t seed)
{
	static struct run run;
	struct replay one, batch;
	const struct tlb_stats *s1, *s2;

	make_run(&run, seed);
	replay_run(&one, p, &run, false);
	replay_run(&batch, p, &run, true);
	s1 = tlb_stats(one.domain.agents[0].tlb);
	s2 = tlb_stats(batch.domain.agents[0].tlb);
	cr_expect_gt(s1->hits[TLB_L1D], run.n / 2, "most accesses hit");
	cr_expect_gt(s1->misses[TLB_L1D], 1000, "the L1D evicts");
	cr_expect_gt(one.stats.faults[FAULT_KIND_COW_ZERO], 0);
	cr_expect_gt(one.stats.faults[FAULT_KIND_COW_COPY], 0, "the fork's copy writes");
	cr_expect_gt(one.segv, 0);
	for (int c = 0; c < TLB_NR_CACHES; c++) {
		cr_expect_eq(s2->hits[c], s1->hits[c], "%s hits", tlb_cache_name(c));
		cr_expect_eq(s2->misses[c], s1->misses[c], "%s misses", tlb_cache_name(c));
	}
	cr_expect_eq(memcmp(s1, s2, sizeof(*s1)), 0, "every TLB counter");
	cr_expect_eq(memcmp(&one.stats, &batch.stats, sizeof(one.stats)), 0, "the faults");
	cr_expect_eq(batch.segv, one.segv);
	cr_expect_eq(batch.accesses, one.accesses);
	cr_expect_eq(batch.domain.agents[0].clock, one.domain.agents[0].clock);
	replay_fini(&one);
	replay_fini(&batch);
}

Test(replay, batch_equals_one_record_at_a_time)
{
	struct cost_profile p;

	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	expect_same(&p, 1);
	expect_same(&p, 12345);
	cost_profile_clear(&p);
}

Test(replay, batch_equals_one_record_at_a_time_small_l1)
{
	struct cost_profile p;

	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	cr_assert_eq(cost_profile_set(&p, "tlb.l1d_entries=8", NULL), 0);
	cr_assert_eq(cost_profile_set(&p, "tlb.l1d_ways=2", NULL), 0);
	cr_assert_eq(cost_profile_set(&p, "tlb.l2_entries=64", NULL), 0);
	expect_same(&p, 7);
	cost_profile_clear(&p);
}

static void access_one(struct replay *r, enum trace_kind kind, uint64_t va)
{
	struct trace_record rec = { .type = TRACE_ACCESS, .kind = kind, .addr = va, .size = 8 };
	GString *error = g_string_new(NULL);

	cr_assert_eq(replay_record(r, &rec, error), 0, "%s", error->str);
	g_string_free(error, TRUE);
}

/*
 * The pages known to allow an access are forgotten when a fork
 * write-protects its parent's and when the CPU enters another mm.  By hand:
 * mm 1 writes P (anon) and forks mm 2; mm 1 writes P again (its frame has
 * two mappers: cow-copy) and writes Q (anon); in mm 2, a write to Q, which
 * mm 2 does not map (anon), a read of P (mapped read-only: no fault) and a
 * write to it (the child's frame has one mapper left: cow-reuse).
 */
Test(replay, fork_and_switch_forget_allowed_pages)
{
	struct cost_profile p;
	struct replay r;
	GString *error = g_string_new(NULL);
	const uint64_t P = BASE, Q = BASE + PAGE_SIZE;

	cr_assert_eq(cost_profile_load("default", &p, NULL), 0);
	cr_assert_eq(replay_init_synthetic(&r, &p, REPLAY_TEST_MEM, error), 0, "%s", error->str);
	access_one(&r, TRACE_WRITE, P);
	event(&r, TRACE_MM_DUP, 1, 2);
	access_one(&r, TRACE_WRITE, P);
	access_one(&r, TRACE_WRITE, Q);
	event(&r, TRACE_SWITCH, 2, 0);
	access_one(&r, TRACE_WRITE, Q);
	access_one(&r, TRACE_READ, P);
	access_one(&r, TRACE_WRITE, P);
	cr_expect_eq(r.stats.faults[FAULT_KIND_ANON], 3);
	cr_expect_eq(r.stats.faults[FAULT_KIND_COW_COPY], 1);
	cr_expect_eq(r.stats.faults[FAULT_KIND_COW_REUSE], 1);
	cr_expect_eq(r.segv, 0);
	replay_fini(&r);
	cost_profile_clear(&p);
	g_string_free(error, TRUE);
}
