/*
 * Lab "tlb-reach": TLB reach and a strided walk over memory.
 *
 * guest/lab-stride loads one word from each of P pages, in order, R times,
 * inside the region of interest, with every page present before.  The
 * variant sets the L1 data TLB's size and associativity and the L2's; the
 * student predicts the L1d and L2 misses of the region: the pages fit the
 * reach of a TLB (P <= its entries, P spread evenly over its sets) or the
 * LRU order of a repeated sweep makes every access miss.  The truth: the
 * region's TLB counters in the run's report.
 */
#include <inttypes.h>

#include "lab/lab.h"
#include "lab/measure.h"

struct params {
	int l1_entries, l1_ways, l2_entries, l2_ways, pages, passes;
};

static void pick(struct lab_variant *v, struct params *p)
{
	int l1_sets;

	p->l1_entries = 16 << lab_pick(v, 0, 2);	/* 16, 32, 64 */
	p->l1_ways = 2 << lab_pick(v, 0, 1);		/* 2, 4 */
	p->l2_entries = 256 << lab_pick(v, 0, 1);	/* 256, 512 */
	p->l2_ways = 4;
	l1_sets = p->l1_entries / p->l1_ways;
	/* Within the L1's reach, or a whole number of rounds over its sets
	 * beyond it: each set then holds more pages than it has ways. */
	p->pages = lab_pick(v, 0, 1) ? lab_pick(v, 2, p->l1_entries)
				    : p->l1_entries + l1_sets * lab_pick(v, 1, 4);
	p->passes = lab_pick(v, 2, 5);
}

static void options(const struct params *p, gchar *sets[5])
{
	sets[0] = g_strdup_printf("tlb.l1d_entries=%d", p->l1_entries);
	sets[1] = g_strdup_printf("tlb.l1d_ways=%d", p->l1_ways);
	sets[2] = g_strdup_printf("tlb.l2_entries=%d", p->l2_entries);
	sets[3] = g_strdup_printf("tlb.l2_ways=%d", p->l2_ways);
	sets[4] = NULL;
}

static void generate(struct lab_variant *v)
{
	struct params p;

	pick(v, &p);
	g_string_append_printf(v->text,
		"guest/lab-stride %d %d loads one 8-byte word from offset 0 of each of %d pages\n"
		"(0x10000000 upwards), in ascending order, %d times over; every page is mapped\n"
		"and present before (MAP_POPULATE), and the loads are the only data accesses\n"
		"of its region of interest.\n\n"
		"The CPU's L1 data TLB has %d entries, %d-way set associative (set = 4 KiB page\n"
		"number modulo the number of sets), with LRU replacement; behind it a unified\n"
		"L2 TLB of %d entries, %d-way.  The TLBs start the region without these pages.\n\n"
		"Predict the region's L1d and L2 TLB misses, then measure them:\n\n"
		"  mmusim run --cpus 1 --stats --set tlb.l1d_entries=%d --set tlb.l1d_ways=%d \\\n"
		"      --set tlb.l2_entries=%d --set tlb.l2_ways=%d guest/bin/lab-stride %d %d\n\n"
		"(the region's figures are under 'region of interest' in --stats).\n",
		p.pages, p.passes, p.pages, p.passes, p.l1_entries, p.l1_ways, p.l2_entries, p.l2_ways,
		p.l1_entries, p.l1_ways, p.l2_entries, p.l2_ways, p.pages, p.passes);
	lab_ask(v, "l1d_misses", "L1 data TLB misses in the region");
	lab_ask(v, "l2_misses", "L2 TLB misses in the region");
}

static int solve(struct lab_variant *v, GString *error)
{
	struct params p;
	gchar *sets[5], *guest = lab_guest_path("lab-stride");
	gchar *pages = NULL, *passes = NULL;
	JsonParser *report;
	bool ok;

	pick(v, &p);
	options(&p, sets);
	pages = g_strdup_printf("%d", p.pages);
	passes = g_strdup_printf("%d", p.passes);
	report = lab_run_report((const char *[]){ "--cpus", "1", "--set", sets[0], "--set", sets[1],
						  "--set", sets[2], "--set", sets[3], guest, pages,
						  passes, NULL },
				error);
	ok = report != NULL;
	if (report) {
		lab_answer_count(v, "l1d_misses", report, "region/tlb/l1d/misses");
		lab_answer_count(v, "l2_misses", report, "region/tlb/l2/misses");
		g_object_unref(report);
	}
	for (int i = 0; i < 4; i++)
		g_free(sets[i]);
	g_free(pages);
	g_free(passes);
	g_free(guest);
	return ok ? 0 : -1;
}

const struct lab lab_tlb_reach = {
	.name = "tlb-reach",
	.title = "TLB reach and strided access",
	.generate = generate,
	.solve = solve,
};
