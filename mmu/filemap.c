#include "mmu/filemap.h"

void page_cache_init(struct page_cache *pc, struct phys *phys)
{
	pc->phys = phys;
	pc->pages = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
}

static void put_page(gpointer key, gpointer value, gpointer opaque)
{
	struct page_cache *pc = opaque;

	(void)key;
	phys_put(pc->phys, *(guint64 *)value);
}

void page_cache_release(struct page_cache *pc)
{
	if (!pc->pages)
		return;
	g_hash_table_foreach(pc->pages, put_page, pc);
	g_hash_table_destroy(pc->pages);
	pc->pages = NULL;
}

bool page_cache_lookup(const struct page_cache *pc, uint64_t pgoff, phys_addr_t *pa)
{
	guint64 key = pgoff;
	const guint64 *frame = pc->pages ? g_hash_table_lookup(pc->pages, &key) : NULL;

	if (frame)
		*pa = *frame;
	return frame != NULL;
}

void page_cache_add(struct page_cache *pc, uint64_t pgoff, phys_addr_t pa)
{
	guint64 key = pgoff, frame = pa;

	g_assert(pc->pages);
	g_hash_table_insert(pc->pages, g_memdup2(&key, sizeof(key)), g_memdup2(&frame, sizeof(frame)));
}

struct page_range {
	struct page_cache *pc;
	uint64_t first, end;
};

static gboolean put_page_in(gpointer key, gpointer value, gpointer opaque)
{
	const struct page_range *r = opaque;
	uint64_t pgoff = *(guint64 *)key;

	if (pgoff < r->first || pgoff >= r->end)
		return FALSE;
	phys_put(r->pc->phys, *(guint64 *)value);
	return TRUE;
}

void page_cache_remove_range(struct page_cache *pc, uint64_t first, uint64_t end)
{
	struct page_range r = { pc, first, end };

	if (pc->pages)
		g_hash_table_foreach_remove(pc->pages, put_page_in, &r);
}

void page_cache_truncate(struct page_cache *pc, uint64_t first_gone)
{
	page_cache_remove_range(pc, first_gone, UINT64_MAX);
}

uint64_t page_cache_nr_pages(const struct page_cache *pc)
{
	return pc->pages ? g_hash_table_size(pc->pages) : 0;
}
