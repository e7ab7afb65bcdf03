/*
 * Lab "vas": first-class virtual address spaces (docs/vas.md) against
 * thread and process switches.
 *
 * guest/vasswitch ROUNDS PAGES measures, on one CPU, a round trip by
 * vas_switch, by a thread switch and by a process switch, each side
 * touching PAGES pages after every switch, and prints ns per switch.  The
 * variant picks the rounds, the pages and whether the TLB is tagged.  The
 * student reports the three figures and names the cheapest.  The truth:
 * the same run's output.
 */
#include <stdio.h>
#include <string.h>

#include "lab/lab.h"
#include "lab/measure.h"

struct params {
	int rounds, pages, asid_bits;
};

static void pick(struct lab_variant *v, struct params *p)
{
	p->rounds = 20 * lab_pick(v, 1, 5);
	p->pages = lab_pick(v, 1, 32);
	p->asid_bits = lab_pick(v, 0, 1) ? 16 : 0;
}

static const char *const kinds[] = { "vas", "thread", "process" };

static void generate(struct lab_variant *v)
{
	struct params p;

	pick(v, &p);
	g_string_append_printf(v->text,
		"guest/vasswitch %d %d measures, on one CPU, %d round trips by vas_switch (into\n"
		"a VAS and back), by a thread switch and by a process switch, each side touching\n"
		"%d pages of its working set after every switch, in simulated time:\n\n"
		"  mmusim run --cpus 1 --set tlb.asid_bits=%d guest/bin/vasswitch %d %d\n\n"
		"Before running: which should be cheapest, and why, with %s?  Then report\n"
		"the three figures as printed (ns per switch).\n",
		p.rounds, p.pages, p.rounds, p.pages, p.asid_bits, p.rounds, p.pages,
		p.asid_bits ? "16-bit ASIDs" : "an untagged TLB");
	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
		char key[24];

		g_snprintf(key, sizeof(key), "%s_switch_ns", kinds[i]);
		lab_ask(v, key, "ns per %s switch", kinds[i]);
	}
	lab_ask(v, "cheapest", "the cheapest switch: vas, thread or process");
}

/* "vas switch          168.9 ns per switch": the figure, or -1. */
static double figure(const char *out, const char *kind, char text[32])
{
	gchar *label = g_strdup_printf("\n%s switch", kind);
	gchar *padded = g_strdup_printf("\n%s", out);
	const char *at = strstr(padded, label);
	double ns = -1;

	if (at && sscanf(at + strlen(label), " %31s ns per switch", text) == 1)
		ns = g_ascii_strtod(text, NULL);
	g_free(label);
	g_free(padded);
	return ns;
}

static int answer(struct lab_variant *v, const char *out, GString *error)
{
	const char *cheapest = NULL;
	double best = 0;

	for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++) {
		char text[32], key[24];
		double ns = figure(out, kinds[i], text);

		if (ns < 0) {
			g_string_printf(error, "vasswitch printed no %s switch figure", kinds[i]);
			return -1;
		}
		g_snprintf(key, sizeof(key), "%s_switch_ns", kinds[i]);
		lab_answer(v, key, "%s", text);
		if (!cheapest || ns < best)
			cheapest = kinds[i], best = ns;
	}
	lab_answer(v, "cheapest", "%s", cheapest);
	return 0;
}

static int solve(struct lab_variant *v, GString *error)
{
	struct params p;
	gchar *set, *rounds, *pages, *guest = lab_guest_path("vasswitch"), *out;
	int ret = -1;

	pick(v, &p);
	set = g_strdup_printf("tlb.asid_bits=%d", p.asid_bits);
	rounds = g_strdup_printf("%d", p.rounds);
	pages = g_strdup_printf("%d", p.pages);
	out = lab_run_output((const char *[]){ "--cpus", "1", "--set", set, guest, rounds, pages, NULL },
			     error);
	if (out)
		ret = answer(v, out, error);
	g_free(out);
	g_free(set);
	g_free(rounds);
	g_free(pages);
	g_free(guest);
	return ret;
}

const struct lab lab_vas = {
	.name = "vas",
	.title = "first-class address spaces: vas_switch against thread and process switches",
	.generate = generate,
	.solve = solve,
};
