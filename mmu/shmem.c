/*
 * shmem: the object's page index and its vm_ops.  A page fallocate
 * allocated is not up to date until a fault or a write fills it (Linux's
 * shmem_fallocate leaves its folios !uptodate): mincore and fault-around
 * do not see it, a read gives zeroes.  A fault past the object's size
 * (shmem_resize; Linux's i_size) is SIGBUS.
 */
#include "mmu/shmem.h"

#include <glib.h>
#include <string.h>

#include "mmu/filemap.h"
#include "mmu/zap.h"

struct shmem {
	int refs;
	struct page_cache cache;
	unsigned shared_maps;	/* VM_SHARED VMAs mapping it */
	GPtrArray *vmas;	/* every VMA mapping it, in the order they came (Linux's i_mmap) */
	GHashTable *fallocated;	/* pgoffs of pages allocated but not up to date; NULL: none */
	uint64_t size;		/* bytes (shmem_resize); UINT64_MAX: no end */
};

static bool page_fallocated(const struct shmem *sh, uint64_t pgoff)
{
	return sh->fallocated && g_hash_table_contains(sh->fallocated, GSIZE_TO_POINTER(pgoff));
}

/* Forget that the pages at [first, end) were only allocated. */
static void forget_fallocated(struct shmem *sh, uint64_t first, uint64_t end)
{
	GHashTableIter it;
	gpointer key;

	if (!sh->fallocated)
		return;
	g_hash_table_iter_init(&it, sh->fallocated);
	while (g_hash_table_iter_next(&it, &key, NULL))
		if (GPOINTER_TO_SIZE(key) >= first && GPOINTER_TO_SIZE(key) < end)
			g_hash_table_iter_remove(&it);
}

struct shmem *shmem_new(struct phys *phys)
{
	struct shmem *sh = g_new0(struct shmem, 1);

	sh->refs = 1;
	sh->size = UINT64_MAX;
	sh->vmas = g_ptr_array_new();
	page_cache_init(&sh->cache, phys);
	return sh;
}

struct shmem *shmem_get(struct shmem *sh)
{
	sh->refs++;
	return sh;
}

void shmem_put(struct shmem *sh)
{
	if (!sh || --sh->refs)
		return;
	page_cache_release(&sh->cache);
	g_ptr_array_free(sh->vmas, TRUE);
	if (sh->fallocated)
		g_hash_table_destroy(sh->fallocated);
	g_free(sh);
}

int shmem_find_page(struct shmem *sh, uint64_t pgoff, phys_addr_t *pa)
{
	int err;

	if (page_cache_lookup(&sh->cache, pgoff, pa)) {
		forget_fallocated(sh, pgoff, pgoff + 1);
		return 0;
	}
	err = phys_alloc(sh->cache.phys, FRAME_DATA, pa);
	if (err)
		return err;
	page_cache_add(&sh->cache, pgoff, *pa);
	return 1;
}

int shmem_fallocate_page(struct shmem *sh, uint64_t pgoff)
{
	phys_addr_t pa;
	int err;

	if (page_cache_lookup(&sh->cache, pgoff, &pa))
		return 0;
	err = shmem_find_page(sh, pgoff, &pa);
	if (err < 0)
		return err;
	if (!sh->fallocated)
		sh->fallocated = g_hash_table_new(g_direct_hash, g_direct_equal);
	g_hash_table_add(sh->fallocated, GSIZE_TO_POINTER(pgoff));
	return 0;
}

/* ------------------------------------------------------------ byte access */

void shmem_read(struct shmem *sh, uint64_t offset, void *buf, size_t len)
{
	while (len) {
		size_t in_page = offset & ~PAGE_MASK, n = MIN(len, PAGE_SIZE - in_page);
		phys_addr_t frame;

		if (page_cache_lookup(&sh->cache, offset >> PAGE_SHIFT, &frame))
			memcpy(buf, (uint8_t *)phys_to_host(sh->cache.phys, frame) + in_page, n);
		else
			memset(buf, 0, n);
		buf = (uint8_t *)buf + n;
		offset += n;
		len -= n;
	}
}

int shmem_write(struct shmem *sh, uint64_t offset, const void *buf, size_t len)
{
	while (len) {
		size_t in_page = offset & ~PAGE_MASK, n = MIN(len, PAGE_SIZE - in_page);
		phys_addr_t pa;
		int err = shmem_find_page(sh, offset >> PAGE_SHIFT, &pa);

		if (err < 0)
			return err;
		memcpy((uint8_t *)phys_to_host(sh->cache.phys, pa) + in_page, buf, n);
		buf = (const uint8_t *)buf + n;
		offset += n;
		len -= n;
	}
	return 0;
}

/* Linux's unmap_mapping_range of the object's pages [first, end): every
 * VMA mapping them drops its entries of them, and a private VMA its own
 * copies too if `even_cows`. */
static void unmap_mapping_range(struct shmem *sh, uint64_t first, uint64_t end, bool even_cows)
{
	for (guint i = 0; i < sh->vmas->len; i++) {
		const struct vma *vma = g_ptr_array_index(sh->vmas, i);
		uint64_t lo = MAX(first, vma->pgoff), hi = MIN(end, vma->pgoff + ((vma->end - vma->start) >> PAGE_SHIFT));

		if (vma->vm_mm && lo < hi)
			unmap_mapping_pages(vma, vma->start + ((lo - vma->pgoff) << PAGE_SHIFT),
					      vma->start + ((hi - vma->pgoff) << PAGE_SHIFT), even_cows);
	}
}

/* The pages `size` bytes reach into, the last one partly (UINT64_MAX
 * included: no sum that could wrap). */
static uint64_t pages_of(uint64_t size)
{
	return (size >> PAGE_SHIFT) + !!(size & ~PAGE_MASK);
}

void shmem_truncate(struct shmem *sh, uint64_t size)
{
	uint64_t end = pages_of(size);
	size_t tail = size & ~PAGE_MASK;
	phys_addr_t last;

	unmap_mapping_range(sh, end, UINT64_MAX, true);
	page_cache_truncate(&sh->cache, end);
	forget_fallocated(sh, end, UINT64_MAX);
	if (tail && page_cache_lookup(&sh->cache, size >> PAGE_SHIFT, &last))
		memset((uint8_t *)phys_to_host(sh->cache.phys, last) + tail, 0, PAGE_SIZE - tail);
}

void shmem_resize(struct shmem *sh, uint64_t size)
{
	if (size < sh->size)
		shmem_truncate(sh, size);
	sh->size = size;
}

uint64_t shmem_size(const struct shmem *sh)
{
	return sh->size;
}

uint64_t shmem_nr_pages(const struct shmem *sh)
{
	return page_cache_nr_pages(&sh->cache);
}

unsigned shmem_shared_mappings(const struct shmem *sh)
{
	return sh->shared_maps;
}

void shmem_punch_hole(struct shmem *sh, uint64_t pgoff, uint64_t pages)
{
	unmap_mapping_range(sh, pgoff, pgoff + pages, false);
	page_cache_remove_range(&sh->cache, pgoff, pgoff + pages);
	forget_fallocated(sh, pgoff, pgoff + pages);
}

bool shmem_holds(const struct shmem *sh, uint64_t pgoff)
{
	phys_addr_t frame;

	return page_cache_lookup(&sh->cache, pgoff, &frame) && !page_fallocated(sh, pgoff);
}

bool shmem_has_entry(const struct shmem *sh, uint64_t pgoff)
{
	phys_addr_t frame;

	return page_cache_lookup(&sh->cache, pgoff, &frame);
}

/* ------------------------------------------------------------------ vm_ops */

/* Whether the page at pgoff starts at or past the object's size (no page
 * offset reaches UINT64_MAX's). */
static bool past_eof(const struct shmem *sh, uint64_t pgoff)
{
	return pgoff >= pages_of(sh->size);
}

int shmem_fault_page(struct shmem *sh, struct vm_fault *vmf)
{
	int found;

	if (past_eof(sh, vmf->pgoff)) {
		vmf->kind = FAULT_KIND_SIGBUS;
		return VM_FAULT_SIGBUS;
	}
	found = shmem_find_page(sh, vmf->pgoff, &vmf->page);
	vmf->kind = FAULT_KIND_SHMEM;
	if (found < 0)
		return VM_FAULT_OOM;
	vmf->pages_zeroed += found;	/* a page the object had not handed out yet */
	phys_get(vmf->mm->phys, vmf->page);
	return VM_FAULT_DONE;
}

static int shmem_fault(struct vm_fault *vmf)
{
	return shmem_fault_page(vmf->vma->vm_private_data, vmf);
}

/* Fault-around maps the pages the object has handed out already. */
static bool shmem_cached_page(struct vm_fault *vmf, uint64_t pgoff, phys_addr_t *page)
{
	struct shmem *sh = vmf->vma->vm_private_data;

	if (!page_cache_lookup(&sh->cache, pgoff, page) || page_fallocated(sh, pgoff))
		return false;
	phys_get(sh->cache.phys, *page);
	return true;
}

void shmem_vma_open(struct vma *vma)
{
	struct shmem *sh = vma->vm_private_data;

	if (vma->flags & VM_SHARED)
		sh->shared_maps++;
	g_ptr_array_add(sh->vmas, vma);
}

static void shmem_vma_dup(struct vma *copy, const struct vma *vma)
{
	shmem_get(vma->vm_private_data);
	shmem_vma_open(copy);
}

static void shmem_vma_close(struct vma *vma)
{
	struct shmem *sh = vma->vm_private_data;

	if (vma->flags & VM_SHARED)
		sh->shared_maps--;
	g_ptr_array_remove(sh->vmas, vma);
	shmem_put(sh);
}

static const char *shmem_vma_name(const struct vma *vma)
{
	return "/dev/zero (deleted)";	/* what Linux shows for shared anonymous memory */
}

/* A page the object has not handed out yet would be zeroes. */
static int shmem_vma_access(const struct vma *vma, uint64_t addr, void *buf, size_t len)
{
	uint64_t offset = (linear_page_index(vma, addr) << PAGE_SHIFT) + (addr & ~PAGE_MASK);

	shmem_read(vma->vm_private_data, offset, buf, len);
	return 0;
}

static bool shmem_vma_resident(const struct vma *vma, uint64_t addr)
{
	return shmem_holds(vma->vm_private_data, linear_page_index(vma, addr));
}

/* The object's page, as against a private mapping's copy. */
static bool shmem_owns_page(const struct vma *vma, uint64_t pgoff, phys_addr_t pa)
{
	const struct shmem *sh = vma->vm_private_data;
	phys_addr_t cached;

	return page_cache_lookup(&sh->cache, pgoff, &cached) && cached == pa;
}

const struct vm_ops shmem_vm_ops = {
	.fault = shmem_fault,
	.dup = shmem_vma_dup,
	.close = shmem_vma_close,
	.name = shmem_vma_name,
	.access = shmem_vma_access,
	.backing = BACKING_SHMEM,
	.object_page_refs = 1,
	.cached_page = shmem_cached_page,
	.resident = shmem_vma_resident,
	.owns_page = shmem_owns_page,
};
