/*
 * filemap: the pages an object holds, by page offset (Linux's page cache of
 * an address_space): shared memory's pages and a file's cached pages.  The
 * cache holds one reference to each frame and drops them when released.
 */
#ifndef MMU_FILEMAP_H
#define MMU_FILEMAP_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/phys.h"

struct page_cache {
	struct phys *phys;
	GHashTable *pages;	/* pgoff -> frame, both as guint64 */
};

void page_cache_init(struct page_cache *pc, struct phys *phys);
/* Drop every page (the cache may be initialised again). */
void page_cache_release(struct page_cache *pc);
/* The frame at `pgoff` in *pa, without a new reference; false: none. */
bool page_cache_lookup(const struct page_cache *pc, uint64_t pgoff, phys_addr_t *pa);
/* Add `pa` at `pgoff` (not present yet); the cache takes the caller's reference. */
void page_cache_add(struct page_cache *pc, uint64_t pgoff, phys_addr_t pa);
/* Drop the pages at `first_gone` and beyond (a file truncated). */
void page_cache_truncate(struct page_cache *pc, uint64_t first_gone);
/* Drop the pages at [first, end) (a hole punched). */
void page_cache_remove_range(struct page_cache *pc, uint64_t first, uint64_t end);
/* Pages the cache holds. */
uint64_t page_cache_nr_pages(const struct page_cache *pc);

#endif
