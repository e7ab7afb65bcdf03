/*
 * ptshare: two indexes over the same links, each list in the order linked:
 * by table page (who holds it) and by mm (what it holds).  A link is owned
 * by the map and freed when undone.
 */
#include "mmu/ptshare.h"

#include <errno.h>
#include <glib.h>

struct ptshare {
	struct phys *phys;
	GHashTable *by_table;	/* table page -> GPtrArray of struct ptshare_link */
	GHashTable *by_mm;	/* struct mm -> GPtrArray of struct ptshare_link */
};

static gpointer table_key(phys_addr_t table)
{
	return GSIZE_TO_POINTER((gsize)table);
}

static void free_list(gpointer list)
{
	g_ptr_array_free(list, TRUE);
}

struct ptshare *ptshare_new(struct phys *phys)
{
	struct ptshare *ps = g_new0(struct ptshare, 1);

	ps->phys = phys;
	ps->by_table = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_list);
	ps->by_mm = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free_list);
	return ps;
}

void ptshare_free(struct ptshare *ps)
{
	if (!ps)
		return;
	g_assert(g_hash_table_size(ps->by_mm) == 0);
	g_hash_table_destroy(ps->by_table);
	g_hash_table_destroy(ps->by_mm);
	g_free(ps);
}

static void list_add(GHashTable *index, gpointer key, struct ptshare_link *link)
{
	GPtrArray *list = g_hash_table_lookup(index, key);

	if (!list) {
		list = g_ptr_array_new();
		g_hash_table_insert(index, key, list);
	}
	g_ptr_array_add(list, link);
}

static void list_remove(GHashTable *index, gpointer key, struct ptshare_link *link)
{
	GPtrArray *list = g_hash_table_lookup(index, key);

	g_ptr_array_remove(list, link);	/* keeps the order of the rest */
	if (!list->len)
		g_hash_table_remove(index, key);
}

int ptshare_link(struct ptshare *ps, struct mm *mm, phys_addr_t root, uint64_t va, int level,
		 phys_addr_t table)
{
	struct ptshare_link *link;
	int err = pgtable_link(ps->phys, root, va, level, table);

	if (err)
		return err;
	link = g_new(struct ptshare_link, 1);
	*link = (struct ptshare_link){ mm, root, va, level, table };
	list_add(ps->by_table, table_key(table), link);
	list_add(ps->by_mm, mm, link);
	return 0;
}

/* Take the link out of the map, and the subtree out of the holder's tree
 * unless a range unmap over the link's whole span took it out already. */
static void undo_link(struct ptshare *ps, struct ptshare_link *link)
{
	phys_addr_t table = 0;

	list_remove(ps->by_table, table_key(link->table), link);
	list_remove(ps->by_mm, link->mm, link);
	if (pgtable_table_at(ps->phys, link->root, link->va, link->level, &table) &&
	    table == link->table)
		pgtable_unlink(ps->phys, link->root, link->va, link->level);
	g_free(link);
}

int ptshare_unlink(struct ptshare *ps, struct mm *mm, uint64_t va, int level)
{
	GPtrArray *list = g_hash_table_lookup(ps->by_mm, mm);

	for (guint i = 0; list && i < list->len; i++) {
		struct ptshare_link *link = g_ptr_array_index(list, i);

		if (link->va == va && link->level == level) {
			undo_link(ps, link);
			return 0;
		}
	}
	return -ENOENT;
}

unsigned ptshare_unlink_range(struct ptshare *ps, struct mm *mm, uint64_t start, uint64_t end)
{
	GPtrArray *list = g_hash_table_lookup(ps->by_mm, mm);
	unsigned n = 0;

	/* Undoing a link removes it from `list` (and the last one, `list`). */
	for (guint i = 0; list && i < list->len;) {
		struct ptshare_link *link = g_ptr_array_index(list, i);
		bool last = list->len == 1;

		if (link->va < start || link->va + pgtable_span(link->level) > end) {
			i++;
			continue;
		}
		undo_link(ps, link);
		n++;
		if (last)
			break;
	}
	return n;
}

unsigned ptshare_nr_sharers(struct ptshare *ps, phys_addr_t table)
{
	GPtrArray *list = g_hash_table_lookup(ps->by_table, table_key(table));

	return list ? list->len : 0;
}

void ptshare_for_each_sharer(struct ptshare *ps, phys_addr_t table, ptshare_link_fn fn,
			     void *ctx)
{
	GPtrArray *list = g_hash_table_lookup(ps->by_table, table_key(table));

	for (guint i = 0; list && i < list->len; i++)
		fn(ctx, g_ptr_array_index(list, i));
}

void ptshare_for_each_alias(struct ptshare *ps, struct mm *mm, uint64_t start, uint64_t end,
			    ptshare_range_fn fn, void *ctx)
{
	GPtrArray *mine = g_hash_table_lookup(ps->by_mm, mm);

	for (guint i = 0; mine && i < mine->len; i++) {
		const struct ptshare_link *link = g_ptr_array_index(mine, i);
		uint64_t lo = MAX(start, link->va);
		uint64_t hi = MIN(end, link->va + pgtable_span(link->level));
		GPtrArray *holders;

		if (lo >= hi)
			continue;
		holders = g_hash_table_lookup(ps->by_table, table_key(link->table));
		for (guint j = 0; j < holders->len; j++) {
			const struct ptshare_link *h = g_ptr_array_index(holders, j);

			fn(ctx, h->mm, h->va + (lo - link->va), h->va + (hi - link->va));
		}
	}
}
