/*
 * Lab "asid": address-space identifiers and the cost of switches.
 *
 * guest/lab-switch passes a byte between a parent and its child through
 * two pipes, R times each way, on one CPU, inside the region of interest.
 * The student runs it with an untagged TLB (tlb.asid_bits=0: every switch
 * to another address space flushes its entries) and with 16-bit ASIDs,
 * and reports the region's process switches, those flushes and the L1d
 * misses each time.  The truth:
 * the same two runs' reports.
 */
#include <inttypes.h>
#include <string.h>

#include "lab/lab.h"
#include "lab/measure.h"

static int pick_rounds(struct lab_variant *v)
{
	return 10 * lab_pick(v, 2, 20);
}

static void generate(struct lab_variant *v)
{
	int rounds = pick_rounds(v);

	g_string_append_printf(v->text,
		"guest/lab-switch %d: a parent and its child hand one byte to each other through\n"
		"two pipes, %d times each way, inside the region of interest.  With one CPU each\n"
		"hand-over switches address space.\n\n"
		"Run it with an untagged TLB and with 16-bit ASIDs:\n\n"
		"  mmusim run --cpus 1 --stats --set tlb.asid_bits=0 guest/bin/lab-switch %d\n"
		"  mmusim run --cpus 1 --stats --set tlb.asid_bits=16 guest/bin/lab-switch %d\n\n"
		"and read the region's figures.  Before running: how often must the TLB drop\n"
		"an address space's entries in each case, and why do the L1d misses differ?\n",
		rounds, rounds, rounds, rounds);
	lab_ask(v, "process_switches", "process switches in the region (the same in both runs)");
	lab_ask(v, "untagged_mm_flushes", "flushes of an address space's TLB entries (--stats "
		"'asid' flushes) in the region, asid_bits=0");
	lab_ask(v, "tagged_mm_flushes", "the same, asid_bits=16");
	lab_ask(v, "untagged_l1d_misses", "L1d misses in the region, asid_bits=0");
	lab_ask(v, "tagged_l1d_misses", "L1d misses in the region, asid_bits=16");
}

static JsonParser *run(int asid_bits, int rounds, GString *error)
{
	gchar *set = g_strdup_printf("tlb.asid_bits=%d", asid_bits);
	gchar *n = g_strdup_printf("%d", rounds), *guest = lab_guest_path("lab-switch");
	JsonParser *report = lab_run_report((const char *[]){ "--cpus", "1", "--set", set, guest, n,
							      NULL },
					    error);

	g_free(set);
	g_free(n);
	g_free(guest);
	return report;
}

static int solve(struct lab_variant *v, GString *error)
{
	int rounds = pick_rounds(v);
	JsonParser *untagged = run(0, rounds, error), *tagged = untagged ? run(16, rounds, error) : NULL;

	if (!tagged) {
		g_clear_object(&untagged);
		return -1;
	}
	lab_answer_count(v, "process_switches", untagged, "region/scheduling/process_switches");
	lab_answer_count(v, "untagged_mm_flushes", untagged, "region/tlb/flushes/asid");
	lab_answer_count(v, "tagged_mm_flushes", tagged, "region/tlb/flushes/asid");
	lab_answer_count(v, "untagged_l1d_misses", untagged, "region/tlb/l1d/misses");
	lab_answer_count(v, "tagged_l1d_misses", tagged, "region/tlb/l1d/misses");
	g_object_unref(untagged);
	g_object_unref(tagged);
	return 0;
}

const struct lab lab_asid = {
	.name = "asid",
	.title = "ASIDs and the cost of address-space switches",
	.generate = generate,
	.solve = solve,
};
