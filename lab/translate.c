/*
 * Lab "translate": translate addresses by hand against a real page table.
 *
 * The variant builds AArch64 stage-1 tables (4 KiB granule, 4 levels) in a
 * fresh simulated RAM with mmusim's own mmu/pgtable: six pages in three
 * places (two sharing a level-0 entry, one alone), read-write, read-only
 * and executable, and prints every table page's valid entries.  The
 * student walks six addresses, each with an access, to the physical
 * address or to the fault the MMU reports.  The truth is mmu/walk_trace's
 * walk of those very tables.
 */
#include <inttypes.h>
#include <string.h>

#include "lab/lab.h"
#include "mmu/phys.h"
#include "mmu/walk_trace.h"

#define NR_PAGES 6
#define NR_QUERIES 6

struct query {
	uint64_t va;
	enum fault_access access;
};

struct tables {
	struct phys *phys;
	phys_addr_t root;
	uint64_t pages[NR_PAGES];
	struct query queries[NR_QUERIES];
};

static uint64_t pick_region(struct lab_variant *v, uint64_t l0)
{
	return (l0 << 39) | ((uint64_t)lab_pick(v, 0, 511) << 30) | ((uint64_t)lab_pick(v, 0, 511) << 21);
}

/* Six distinct pages: three in one 2 MiB region, two in another 1 GiB of
 * the same level-0 slot, one in a slot of its own. */
static void pick_pages(struct lab_variant *v, uint64_t pages[NR_PAGES], uint64_t *hole_l1)
{
	uint64_t l0 = (uint64_t)lab_pick(v, 1, 200), lone = l0 + (uint64_t)lab_pick(v, 1, 50);
	uint64_t r1 = pick_region(v, l0), r2;
	int k[3];

	do
		r2 = pick_region(v, l0);
	while (((r2 >> 30) & 511) == ((r1 >> 30) & 511));
	k[0] = lab_pick(v, 0, 169);
	k[1] = lab_pick(v, k[0] + 1, 339);
	k[2] = lab_pick(v, k[1] + 1, 511);
	for (int i = 0; i < 3; i++)
		pages[i] = r1 + ((uint64_t)k[i] << 12);
	pages[3] = r2 + ((uint64_t)lab_pick(v, 0, 255) << 12);
	pages[4] = r2 + ((uint64_t)lab_pick(v, 256, 511) << 12);
	pages[5] = pick_region(v, lone) + ((uint64_t)lab_pick(v, 0, 511) << 12);
	/* A 1 GiB of the first slot with no table under it. */
	do
		*hole_l1 = (uint64_t)lab_pick(v, 0, 511);
	while (*hole_l1 == ((r1 >> 30) & 511) || *hole_l1 == ((r2 >> 30) & 511));
	*hole_l1 = (l0 << 39) | (*hole_l1 << 30);
}

static const unsigned prots[NR_PAGES] = {
	VM_READ | VM_WRITE, VM_READ, VM_READ | VM_EXEC, VM_READ | VM_WRITE, VM_READ, VM_READ | VM_WRITE,
};

static void pick_queries(struct lab_variant *v, struct tables *t, uint64_t hole_l1)
{
	uint64_t off = (uint64_t)lab_pick(v, 0, 4095);
	struct query q[NR_QUERIES] = {
		{ t->pages[0] + off, FAULT_WRITE },		/* read-write: translates */
		{ t->pages[1] + (off ^ 0x5a8), FAULT_WRITE },	/* read-only: permission */
		{ t->pages[2] + (off & ~3u), FAULT_EXEC },	/* executable: translates */
		{ t->pages[4] + (off ^ 0xf0), FAULT_READ },	/* read-only, read: translates */
		{ (t->pages[0] ^ 0x1000) + off, FAULT_READ },	/* beside a page */
		{ hole_l1 + ((uint64_t)lab_pick(v, 0, 262143) << 12), FAULT_READ },
	};

	/* The page beside pages[0] may be pages[1] or [2]: then take the one
	 * beside on the other side, which is free (they are far apart). */
	if ((q[4].va & PAGE_MASK) == t->pages[1] || (q[4].va & PAGE_MASK) == t->pages[2])
		q[4].va = (t->pages[0] - 0x1000) + off;
	for (int i = NR_QUERIES - 1; i > 0; i--) {	/* shuffled */
		int j = lab_pick(v, 0, i);
		struct query tmp = q[i];

		q[i] = q[j];
		q[j] = tmp;
	}
	memcpy(t->queries, q, sizeof(q));
}

static int build(struct lab_variant *v, struct tables *t)
{
	uint64_t hole;

	if (phys_create(UINT64_C(16) << 20, &t->phys) || pgtable_create(t->phys, &t->root))
		return -1;
	pick_pages(v, t->pages, &hole);
	for (int i = 0; i < NR_PAGES; i++) {
		phys_addr_t pa;

		if (phys_alloc(t->phys, FRAME_DATA, &pa) || pgtable_map(t->phys, t->root, t->pages[i], pa,
									prots[i]))
			return -1;
	}
	pick_queries(v, t, hole);
	return 0;
}

static void destroy(struct tables *t)
{
	if (!t->phys)
		return;
	pgtable_put(t->phys, t->root, PGD_LEVEL);
	phys_destroy(t->phys);
}

static void dump_table(GString *out, struct phys *phys, phys_addr_t table, int level)
{
	const pte_t *e = phys_to_host(phys, table);

	g_string_append_printf(out, "  level-%d table at %#" PRIx64 ":\n", level, table);
	for (unsigned i = 0; i < PTRS_PER_TABLE; i++)
		if (pte_present(e[i]))
			g_string_append_printf(out, "    [%3u] = 0x%016" PRIx64 "\n", i, e[i]);
	for (unsigned i = 0; i < PTRS_PER_TABLE; i++)
		if (pte_is_table(e[i], level))
			dump_table(out, phys, pte_addr(e[i]), level + 1);
}

static const char *access_name(enum fault_access a)
{
	return a == FAULT_WRITE ? "a write" : a == FAULT_EXEC ? "an instruction fetch" : "a read";
}

static void generate(struct lab_variant *v)
{
	struct tables t = { 0 };

	if (build(v, &t)) {
		g_string_append(v->text, "(the tables could not be built)\n");
		destroy(&t);
		return;
	}
	g_string_append_printf(v->text,
		"An EL0 (user) process's translation tables: 4 KiB pages, four levels, 48-bit\n"
		"virtual addresses, TTBR0 = %#" PRIx64 ".  Every valid entry of every table page:\n\n",
		t.root);
	dump_table(v->text, t.phys, t.root, PGD_LEVEL);
	g_string_append(v->text,
		"\nA descriptor's bits (Arm ARM D8.3): [0] valid; [1] table (levels 0-2) or page\n"
		"(level 3); [47:12] the next table's or the page's physical address; [6] AP[1]:\n"
		"EL0 may access; [7] AP[2]: read-only; [10] AF; [11] nG; [54] UXN: EL0 may not\n"
		"execute.  Index of level L = VA bits [47-9L : 39-9L]; offset = VA bits [11:0].\n\n"
		"For each access, give the physical address it reaches (hex), or the fault the\n"
		"MMU reports, as 'translation fault at level N' or 'permission fault at level 3'.\n"
		"Check yourself: mmusim lab translate --seed S --check FILE.\n");
	for (int i = 0; i < NR_QUERIES; i++) {
		char key[8];

		g_snprintf(key, sizeof(key), "q%d", i + 1);
		lab_ask(v, key, "%s at %#" PRIx64, access_name(t.queries[i].access), t.queries[i].va);
	}
	destroy(&t);
}

static int solve(struct lab_variant *v, GString *error)
{
	struct tables t = { 0 };

	if (build(v, &t)) {	/* the same tables: the seed was rewound */
		g_string_assign(error, "the tables could not be built");
		destroy(&t);
		return -1;
	}
	for (int i = 0; i < NR_QUERIES; i++) {
		struct walk_trace w;
		GString *verdict = g_string_new(NULL);
		char key[8];

		g_snprintf(key, sizeof(key), "q%d", i + 1);
		walk_trace(t.phys, t.root, t.queries[i].va, t.queries[i].access, &w);
		if (w.verdict == WALK_OK)
			g_string_printf(verdict, "%#" PRIx64, w.pa);
		else
			walk_verdict_describe(&w, verdict);
		lab_answer(v, key, "%s", verdict->str);
		g_string_free(verdict, TRUE);
	}
	destroy(&t);
	return 0;
}

const struct lab lab_translate = {
	.name = "translate",
	.title = "translate virtual addresses by hand through a real page table",
	.generate = generate,
	.solve = solve,
};
