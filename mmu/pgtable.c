/*
 * pgtable: descriptor encoding, the walker, and one recursive range walker
 * that unmap, mprotect, fork and mremap are all written on top of.
 */
#include "mmu/pgtable.h"

#include <errno.h>
#include <glib.h>

#define PTE_PAGE_ATTRS (PTE_VALID | PTE_TABLE | PTE_SH_INNER | PTE_AF)

pte_t pte_mk_page(phys_addr_t pa, unsigned prot)
{
	pte_t e = (pa & PTE_ADDR_MASK) | PTE_PAGE_ATTRS | PTE_UXN;

	if (prot & VM_KERNEL_EXEC)	/* EL1 read-only, executable (not at EL0: UXN); global */
		return e | PTE_RDONLY;
	e |= PTE_NG | PTE_PXN;
	if (!(prot & (VM_READ | VM_WRITE | VM_EXEC)))
		return e | PTE_RDONLY;	/* PROT_NONE: valid, but EL0 may not touch it */
	e |= PTE_USER;
	if (!(prot & VM_WRITE))
		e |= PTE_RDONLY;
	if (prot & VM_EXEC)
		e &= ~PTE_UXN;
	return e;
}

pte_t pte_mk_device_private(phys_addr_t pa, unsigned prot)
{
	return (pte_mk_page(pa, prot) & ~PTE_VALID) | PTE_DEVICE_PRIVATE;
}

pte_t pte_mk_table(phys_addr_t table)
{
	return (table & PTE_ADDR_MASK) | PTE_VALID | PTE_TABLE;
}

unsigned pte_prot(pte_t e)
{
	unsigned prot;

	if (!(e & PTE_USER))
		return (e & PTE_PXN) ? VM_NONE : VM_KERNEL_EXEC;
	prot = VM_READ;
	if (!(e & PTE_RDONLY))
		prot |= VM_WRITE;
	if (!(e & PTE_UXN))
		prot |= VM_EXEC;
	return prot;
}

static pte_t *table_entries(struct phys *phys, phys_addr_t table)
{
	return phys_to_host(phys, table);
}

/* A leaf that holds a frame: a valid one, or a device-private one. */
static bool pte_holds_page(pte_t e)
{
	return pte_present(e) || pte_is_device_private(e);
}

/* A leaf worth keeping: one that holds a frame, or a marker. */
static bool pte_is_leaf(pte_t e)
{
	return pte_holds_page(e) || pte_is_marker(e);
}

static bool table_is_empty(const pte_t *table)
{
	for (int i = 0; i < PTRS_PER_TABLE; i++)
		if (pte_is_leaf(table[i]))
			return false;
	return true;
}

/* Whether another parent holds the table page too. */
static bool table_is_shared(struct phys *phys, phys_addr_t table)
{
	return phys_refcount(phys, table) > 1;
}

/* Let go of the table `entry` (at `level`) points to when nothing is left in
 * it; a shared table stays, linked in every parent, whatever it holds. */
static void drop_if_empty(struct phys *phys, pte_t *entry, int level)
{
	phys_addr_t table = pte_addr(*entry);

	if (table_is_shared(phys, table) || !table_is_empty(table_entries(phys, table)))
		return;
	pgtable_put(phys, table, level + 1);
	pte_set(phys, entry, 0);
}

int pgtable_create(struct phys *phys, phys_addr_t *root)
{
	return phys_alloc(phys, FRAME_PGTABLE, root);
}

int pgtable_create_node(struct phys *phys, int node, phys_addr_t *root)
{
	return phys_alloc_node(phys, node, FRAME_PGTABLE, root);
}

void pgtable_put(struct phys *phys, phys_addr_t table, int level)
{
	pte_t *entries = table_entries(phys, table);

	if (phys_refcount(phys, table) == 1) {
		for (int i = 0; i < PTRS_PER_TABLE; i++) {
			if (level < PTE_LEVEL ? !pte_present(entries[i]) : !pte_holds_page(entries[i]))
				continue;
			if (level < PTE_LEVEL)
				pgtable_put(phys, pte_addr(entries[i]), level + 1);
			else
				phys_put(phys, pte_addr(entries[i]));
		}
	}
	phys_put(phys, table);
}

/* The table `entry` points to, creating it in the node of `root` when
 * `alloc` is set. */
static pte_t *next_table(struct phys *phys, phys_addr_t root, pte_t *entry, bool alloc, int *err)
{
	phys_addr_t table;

	if (pte_present(*entry))
		return table_entries(phys, pte_addr(*entry));
	if (!alloc)
		return NULL;
	*err = pgtable_create_node(phys, phys_node_of(phys, root), &table);
	if (*err)
		return NULL;
	pte_set(phys, entry, pte_mk_table(table));
	return table_entries(phys, table);
}

/* The entry at `stop` (a level) for `va`; *nr_new (if asked) is how many
 * tables it created.  A walk that cannot finish takes back the tables it
 * created, so a failure leaves the tree as it was. */
static pte_t *walk_to(struct phys *phys, phys_addr_t root, uint64_t va, int stop, bool alloc,
		      int *err, int *nr_new)
{
	pte_t *table = table_entries(phys, root);
	pte_t *created[PGTABLE_LEVELS];
	int nr_created = 0;

	for (int level = PGD_LEVEL; level < stop; level++) {
		pte_t *entry = &table[pgtable_index(va, level)];
		bool existed = pte_present(*entry);

		table = next_table(phys, root, entry, alloc, err);
		if (!table) {
			while (nr_created--) {
				phys_put(phys, pte_addr(*created[nr_created]));
				pte_set(phys, created[nr_created], 0);
			}
			return NULL;
		}
		if (!existed)
			created[nr_created++] = entry;
	}
	if (nr_new)
		*nr_new = nr_created;
	return &table[pgtable_index(va, stop)];
}

static pte_t *walk(struct phys *phys, phys_addr_t root, uint64_t va, bool alloc, int *err,
		   int *nr_new)
{
	return walk_to(phys, root, va, PTE_LEVEL, alloc, err, nr_new);
}

pte_t *pgtable_walk(struct phys *phys, phys_addr_t root, uint64_t va)
{
	return walk(phys, root, va, false, NULL, NULL);
}

int pgtable_walk_alloc(struct phys *phys, phys_addr_t root, uint64_t va, pte_t **ptep)
{
	int err = 0, created = 0;

	*ptep = walk(phys, root, va, true, &err, &created);
	return err ? err : created;
}

int pgtable_map(struct phys *phys, phys_addr_t root, uint64_t va, phys_addr_t pa,
		unsigned prot)
{
	pte_t *ptep;
	int err = pgtable_walk_alloc(phys, root, va, &ptep);

	if (err < 0)
		return err;
	if (pte_present(*ptep))
		return -EEXIST;
	pte_set(phys, ptep, pte_mk_page(pa, prot));
	return 0;
}

/* Whether (va, level) names a table entry a subtree may hang under. */
static bool link_args_valid(uint64_t va, int level)
{
	return level >= PGD_LEVEL && level < PTE_LEVEL && va < (UINT64_C(1) << VA_BITS) &&
	       !(va & (pgtable_span(level) - 1));
}

int pgtable_link(struct phys *phys, phys_addr_t root, uint64_t va, int level, phys_addr_t table)
{
	pte_t *entry;
	int err = 0;

	if (!link_args_valid(va, level) || table == root ||
	    phys_kind(phys, table) != FRAME_PGTABLE)
		return -EINVAL;
	entry = walk_to(phys, root, va, level, true, &err, NULL);
	if (!entry)
		return err;
	if (pte_present(*entry))
		return -EEXIST;
	phys_get(phys, table);
	pte_set(phys, entry, pte_mk_table(table));
	return 0;
}

/* Clear the entry at `level` for `va` in the table `table` at `at`, and free
 * the tables on the way down that this leaves empty. */
static int unlink_below(struct phys *phys, phys_addr_t table, int at, uint64_t va, int level)
{
	pte_t *entry = &table_entries(phys, table)[pgtable_index(va, at)];
	int err;

	if (!pte_is_table(*entry, at))
		return -ENOENT;
	if (at == level) {
		pgtable_put(phys, pte_addr(*entry), level + 1);
		pte_set(phys, entry, 0);
		return 0;
	}
	err = unlink_below(phys, pte_addr(*entry), at + 1, va, level);
	if (!err)
		drop_if_empty(phys, entry, at);
	return err;
}

int pgtable_unlink(struct phys *phys, phys_addr_t root, uint64_t va, int level)
{
	if (!link_args_valid(va, level))
		return -EINVAL;
	return unlink_below(phys, root, PGD_LEVEL, va, level);
}

/* The entry at `level` for `va` when it points to a table, else NULL. */
static pte_t *table_entry_at(struct phys *phys, phys_addr_t root, uint64_t va, int level)
{
	pte_t *entry;

	if (!link_args_valid(va, level))
		return NULL;
	entry = walk_to(phys, root, va, level, false, NULL, NULL);
	if (!entry || !pte_is_table(*entry, level))
		return NULL;
	return entry;
}

bool pgtable_table_at(struct phys *phys, phys_addr_t root, uint64_t va, int level,
		      phys_addr_t *table)
{
	pte_t *entry = table_entry_at(phys, root, va, level);

	if (entry)
		*table = pte_addr(*entry);
	return entry;
}

bool pgtable_table_rdonly(struct phys *phys, phys_addr_t root, uint64_t va, int level)
{
	pte_t *entry = table_entry_at(phys, root, va, level);

	return entry && (*entry & PTE_TABLE_RDONLY);
}

int pgtable_table_set_rdonly(struct phys *phys, phys_addr_t root, uint64_t va, int level,
			     bool rdonly)
{
	pte_t *entry = table_entry_at(phys, root, va, level);

	if (!entry)
		return -ENOENT;
	pte_set(phys, entry, rdonly ? *entry | PTE_TABLE_RDONLY : *entry & ~PTE_TABLE_RDONLY);
	return 0;
}

int pgtable_walk_levels(struct phys *phys, phys_addr_t root, uint64_t va,
			pte_t entries[PGTABLE_LEVELS])
{
	phys_addr_t table = root;

	for (int level = PGD_LEVEL; level < PGTABLE_LEVELS; level++) {
		entries[level] = table_entries(phys, table)[pgtable_index(va, level)];
		if (!pte_is_table(entries[level], level))	/* none at PTE_LEVEL */
			return level + 1;
		table = pte_addr(entries[level]);
	}
	return PGTABLE_LEVELS;
}

pte_t pgtable_leaf(struct phys *phys, phys_addr_t root, uint64_t va)
{
	pte_t entries[PGTABLE_LEVELS];
	pte_t leaf;

	if (pgtable_walk_levels(phys, root, va, entries) < PGTABLE_LEVELS)
		return 0;	/* no table there (user memory is mapped by pages) */
	leaf = entries[PTE_LEVEL];
	for (int level = PGD_LEVEL; level < PTE_LEVEL && pte_present(leaf); level++)
		if (entries[level] & PTE_TABLE_RDONLY)
			leaf |= PTE_RDONLY;
	return leaf;
}

bool pgtable_translate(struct phys *phys, phys_addr_t root, uint64_t va,
		       phys_addr_t *pa, unsigned *prot)
{
	pte_t leaf = pgtable_leaf(phys, root, va);

	if (!pte_present(leaf))
		return false;
	*pa = pte_addr(leaf) | (va & ~PAGE_MASK);
	*prot = pte_prot(leaf);
	return true;
}

struct range_walk {
	struct phys *phys;
	pte_visit_fn visit;
	void *ctx;
	uint64_t *unlinked;	/* unmap: let go of shared tables it covers whole */
	bool all;		/* visit device-private leaves and poison markers too */
};

/* Valid leaf entries below the table `table` at `level`. */
static uint64_t count_leaves(struct phys *phys, phys_addr_t table, int level)
{
	const pte_t *entries = table_entries(phys, table);
	uint64_t n = 0;

	for (int i = 0; i < PTRS_PER_TABLE; i++) {
		if (!pte_present(entries[i]))
			continue;
		n += level == PTE_LEVEL ? 1 : count_leaves(phys, pte_addr(entries[i]), level + 1);
	}
	return n;
}

/* An unmap that covers the whole span of a table entry pointing to a shared
 * table unlinks it: this tree lets go, the other parents keep every entry.
 * The leaves the tree no longer reaches are added to *w->unlinked. */
static bool unlink_covered_shared(struct range_walk *w, pte_t *entry, int level,
				  uint64_t va, uint64_t next)
{
	phys_addr_t table = pte_addr(*entry);

	if (!w->unlinked || !pte_is_table(*entry, level) || !table_is_shared(w->phys, table) ||
	    (va & (pgtable_span(level) - 1)) || next - va != pgtable_span(level))
		return false;
	*w->unlinked += count_leaves(w->phys, table, level + 1);
	pgtable_put(w->phys, table, level + 1);
	pte_set(w->phys, entry, 0);
	return true;
}

/* Visit [start, end) below `table` at `level`; sets *cleared when any entry
 * below was invalidated. */
static int walk_table_range(struct range_walk *w, phys_addr_t table, int level,
			    uint64_t start, uint64_t end, bool *cleared)
{
	pte_t *entries = table_entries(w->phys, table);
	uint64_t span = pgtable_span(level);

	for (uint64_t va = start; va < end; va = (va & ~(span - 1)) + span) {
		pte_t *entry = &entries[pgtable_index(va, level)];
		uint64_t next = MIN((va & ~(span - 1)) + span, end);
		bool below_cleared = false;
		int ret;

		if (!pte_present(*entry) && !(level == PTE_LEVEL && w->all && pte_is_leaf(*entry)))
			continue;
		if (level == PTE_LEVEL) {
			ret = w->visit(w->ctx, va, entry);
			if (ret < 0)
				return ret;
			*cleared |= ret == PTE_VISIT_CLEARED;
			continue;
		}
		if (unlink_covered_shared(w, entry, level, va, next)) {
			*cleared = true;
			continue;
		}
		ret = walk_table_range(w, pte_addr(*entry), level + 1, va, next, &below_cleared);
		if (below_cleared)
			drop_if_empty(w->phys, entry, level);
		*cleared |= below_cleared;
		if (ret < 0)
			return ret;
	}
	return 0;
}

static int walk_range(struct range_walk *w, phys_addr_t root, uint64_t start, uint64_t end)
{
	bool cleared = false;

	g_assert(start <= end && end <= (UINT64_C(1) << VA_BITS));
	if (start == end)
		return 0;
	return walk_table_range(w, root, PGD_LEVEL, start, end, &cleared);
}

int pgtable_walk_range(struct phys *phys, phys_addr_t root, uint64_t start,
		       uint64_t end, pte_visit_fn visit, void *ctx)
{
	struct range_walk w = { phys, visit, ctx, NULL, false };

	return walk_range(&w, root, start, end);
}

int pgtable_walk_range_all(struct phys *phys, phys_addr_t root, uint64_t start, uint64_t end,
			   pte_visit_fn visit, void *ctx)
{
	struct range_walk w = { phys, visit, ctx, NULL, true };

	return walk_range(&w, root, start, end);
}

struct unmap_ctx {
	struct phys *phys;
	uint64_t nr;
};

static int zap_pte(void *opaque, uint64_t va, pte_t *ptep)
{
	struct unmap_ctx *u = opaque;

	(void)va;
	if (pte_holds_page(*ptep))
		phys_put(u->phys, pte_addr(*ptep));
	pte_set(u->phys, ptep, 0);
	u->nr++;
	return PTE_VISIT_CLEARED;
}

uint64_t pgtable_unmap_range(struct phys *phys, phys_addr_t root, uint64_t start,
			     uint64_t end)
{
	struct unmap_ctx u = { phys, 0 };
	struct range_walk w = { phys, zap_pte, &u, &u.nr, true };

	walk_range(&w, root, start, end);
	return u.nr;
}
