/*
 * Lab "cow": demand paging and copy-on-write after fork.
 *
 * guest/lab-cow maps N private anonymous pages, writes the first A, reads
 * the next B, forks; the child writes S..S+C-1; the parent, once the child
 * is gone, writes all N.  The student counts the faults of each kind each
 * process takes on those pages.  The truth: the run's --explain records of
 * the faults in that range, by task and kind.
 */
#include <inttypes.h>
#include <string.h>

#include "lab/lab.h"
#include "lab/measure.h"

#define BUF UINT64_C(0x200000000)
#define FIRST_TID 100		/* the process mmusim starts */

struct params {
	int n, a, b, s, c;
};

static void pick(struct lab_variant *v, struct params *p)
{
	p->n = lab_pick(v, 8, 16);
	p->a = lab_pick(v, 2, p->n / 2);
	p->b = lab_pick(v, 1, 3);
	p->c = lab_pick(v, 2, p->n - 2);
	p->s = lab_pick(v, 0, p->n - p->c);
}

static const char *const kinds[] = { "anon-zero", "zero-page", "cow-copy", "cow-reuse", "cow-zero" };

static void key_of(char *key, size_t size, const char *who, const char *kind)
{
	g_snprintf(key, size, "%s_%s", who, kind);
	for (char *k = key; *k; k++)
		if (*k == '-')
			*k = '_';
}

static void generate(struct lab_variant *v)
{
	struct params p;

	pick(v, &p);
	g_string_append_printf(v->text,
		"guest/lab-cow maps %d private anonymous pages at 0x200000000 and touches each\n"
		"page at most once per step, at offset 0:\n"
		"  1. it writes pages 0 to %d and reads pages %d to %d;\n"
		"  2. it forks; the child writes pages %d to %d and exits;\n"
		"  3. the parent waits for the child, then writes all %d pages.\n\n"
		"How many page faults of each kind does each process take on those pages?  The\n"
		"kinds are those of mmusim's --stats: anon-zero (a new zeroed page), zero-page\n"
		"(a read maps the shared zero page), cow-copy (a write copies a page another\n"
		"process still maps), cow-reuse (a write to a page no one else maps any more:\n"
		"made writable in place), cow-zero (a write to the zero page).  Step 1 is the\n"
		"parent's.  Reason it out, then see it happen:\n\n"
		"  mmusim run --explain range=0x200000000-%#" PRIx64 " guest/bin/lab-cow %d %d %d %d %d\n",
		p.n, p.a - 1, p.a, p.a + p.b - 1, p.s, p.s + p.c - 1, p.n,
		BUF + (uint64_t)p.n * 4096, p.n, p.a, p.b, p.s, p.c);
	for (int who = 0; who < 2; who++)
		for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
			char key[40];

			key_of(key, sizeof(key), who ? "child" : "parent", kinds[k]);
			lab_ask(v, key, "%s faults the %s takes", kinds[k], who ? "child" : "parent");
		}
}

struct tally {
	uint64_t counts[2][G_N_ELEMENTS(kinds)];
};

static void count_fault(JsonObject *fault, void *ctx)
{
	struct tally *t = ctx;
	int who = json_object_get_int_member(fault, "task") != FIRST_TID;
	const char *kind = json_object_get_string_member(json_object_get_object_member(fault, "handler"),
							 "kind");

	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++)
		if (!strcmp(kind, kinds[k]))
			t->counts[who][k]++;
}

static int solve(struct lab_variant *v, GString *error)
{
	struct params p;
	struct tally t = { 0 };
	gchar *guest = lab_guest_path("lab-cow"), *range, *args[5];
	int ret, values[5];

	pick(v, &p);
	memcpy(values, (int[]){ p.n, p.a, p.b, p.s, p.c }, sizeof(values));
	range = g_strdup_printf("range=%#" PRIx64 "-%#" PRIx64, BUF, BUF + (uint64_t)p.n * 4096);
	for (int i = 0; i < 5; i++)
		args[i] = g_strdup_printf("%d", values[i]);
	ret = lab_run_explained((const char *[]){ "--explain", range, guest, args[0], args[1], args[2],
						  args[3], args[4], NULL },
				count_fault, &t, error);
	for (int who = 0; !ret && who < 2; who++)
		for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
			char key[40];

			key_of(key, sizeof(key), who ? "child" : "parent", kinds[k]);
			lab_answer(v, key, "%" PRIu64, t.counts[who][k]);
		}
	for (int i = 0; i < 5; i++)
		g_free(args[i]);
	g_free(range);
	g_free(guest);
	return ret;
}

const struct lab lab_cow = {
	.name = "cow",
	.title = "demand paging and copy-on-write counts after fork",
	.generate = generate,
	.solve = solve,
};
