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
