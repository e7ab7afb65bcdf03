#include "mmu/shmem.h"

#include <glib.h>

struct shmem {
	int refs;
	struct phys *phys;
	GHashTable *pages;	/* pgoff -> frame, both as guint64 */
};

struct shmem *shmem_new(struct phys *phys)
{
	struct shmem *sh = g_new0(struct shmem, 1);

	sh->refs = 1;
	sh->phys = phys;
	sh->pages = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
	return sh;
}

struct shmem *shmem_get(struct shmem *sh)
{
	sh->refs++;
	return sh;
}

static void put_page(gpointer key, gpointer value, gpointer opaque)
{
	struct shmem *sh = opaque;

	(void)key;
	phys_put(sh->phys, *(guint64 *)value);
}

void shmem_put(struct shmem *sh)
{
	if (!sh || --sh->refs)
		return;
	g_hash_table_foreach(sh->pages, put_page, sh);
	g_hash_table_destroy(sh->pages);
	g_free(sh);
}

int shmem_find_page(struct shmem *sh, uint64_t pgoff, phys_addr_t *pa)
{
	guint64 key = pgoff;
	guint64 *frame = g_hash_table_lookup(sh->pages, &key);
	int err;

	if (frame) {
		*pa = *frame;
		return 0;
	}
	err = phys_alloc(sh->phys, FRAME_DATA, pa);
	if (err)
		return err;
	g_hash_table_insert(sh->pages, g_memdup2(&key, sizeof(key)), g_memdup2(pa, sizeof(*pa)));
	return 0;
}
