#include "mmu/vm_file.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mmu/filemap.h"

struct vm_file {
	int refs;
	int fd;
	char *name;
	dev_t dev;		/* the host file's identity, for maps and the cache */
	ino_t ino;
	struct file_cache *cache;	/* its inode's pages (taken at the first fault) */
};

/*
 * The page cache of one host file in one simulated RAM (Linux keeps it in
 * the inode's address_space): every vm_file of the same device and inode
 * shares it, so separate mmaps of one file, in one process or several,
 * map the same frames.  It lives while a vm_file holds it.
 */
struct file_cache {
	int refs;
	struct phys *phys;
	dev_t dev;
	ino_t ino;
	struct page_cache pages;
};

static GHashTable *file_caches;	/* struct file_cache by (phys, dev, ino) */

static guint file_cache_hash(gconstpointer key)
{
	const struct file_cache *fc = key;

	return g_direct_hash(fc->phys) ^ (guint)fc->ino ^ (guint)((uint64_t)fc->ino >> 32) ^ (guint)fc->dev;
}

static gboolean file_cache_equal(gconstpointer a, gconstpointer b)
{
	const struct file_cache *x = a, *y = b;

	return x->phys == y->phys && x->dev == y->dev && x->ino == y->ino;
}

/* The cache of `file`'s inode in `phys`, with a reference for the caller;
 * a file whose identity fstat could not tell (inode 0) gets one of its own. */
static struct file_cache *file_cache_get(const struct vm_file *file, struct phys *phys)
{
	struct file_cache key = { .phys = phys, .dev = file->dev, .ino = file->ino }, *fc;

	if (!file_caches)
		file_caches = g_hash_table_new(file_cache_hash, file_cache_equal);
	fc = g_hash_table_lookup(file_caches, &key);
	if (fc) {
		fc->refs++;
		return fc;
	}
	fc = g_memdup2(&key, sizeof(key));
	fc->refs = 1;
	page_cache_init(&fc->pages, phys);
	if (fc->ino)
		g_hash_table_add(file_caches, fc);
	return fc;
}

static void file_cache_put(struct file_cache *fc)
{
	if (!fc || --fc->refs)
		return;
	if (fc->ino)
		g_hash_table_remove(file_caches, fc);
	page_cache_release(&fc->pages);
	g_free(fc);
	if (file_caches && !g_hash_table_size(file_caches)) {
		g_hash_table_destroy(file_caches);
		file_caches = NULL;
	}
}

struct vm_file *vm_file_new(int host_fd, const char *name)
{
	struct vm_file *file = g_new0(struct vm_file, 1);
	struct stat st;

	file->refs = 1;
	file->fd = host_fd;
	file->name = g_strdup(name);
	if (fstat(host_fd, &st) == 0) {
		file->dev = st.st_dev;
		file->ino = st.st_ino;
	}
	return file;
}

struct vm_file *vm_file_get(struct vm_file *file)
{
	file->refs++;
	return file;
}

void vm_file_put(struct vm_file *file)
{
	if (!file || --file->refs)
		return;
	close(file->fd);
	file_cache_put(file->cache);
	g_free(file->name);
	g_free(file);
}

const char *vm_file_name(const struct vm_file *file)
{
	return file->name;
}

int vm_file_read_page(struct vm_file *file, uint64_t offset, void *page)
{
	uint8_t *dst = page;
	size_t done = 0;
	struct stat st;

	if (fstat(file->fd, &st) < 0)
		return -EIO;
	if (offset >= (uint64_t)st.st_size)
		return -ENXIO;
	while (done < PAGE_SIZE) {
		ssize_t n = pread(file->fd, dst + done, PAGE_SIZE - done, (off_t)(offset + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -EIO;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	memset(dst + done, 0, PAGE_SIZE - done);
	return 0;
}

/* ------------------------------------------------------------------ vm_ops */

/* The cached page at `pgoff` of the file `vma` maps, with a reference for
 * the caller, read from the file into the cache the first time (into a code
 * frame when `vma` is executable): 0, -ENXIO past end of file, -ENOMEM. */
static int find_page(const struct vma *vma, struct phys *phys, uint64_t pgoff, phys_addr_t *page)
{
	struct vm_file *file = vma->vm_private_data;
	int err;

	if (!file->cache)
		file->cache = file_cache_get(file, phys);
	g_assert(file->cache->phys == phys);
	if (!page_cache_lookup(&file->cache->pages, pgoff, page)) {
		if ((vma->prot & VM_EXEC ? phys_alloc_code : phys_alloc)(phys, FRAME_DATA, page))
			return -ENOMEM;
		err = vm_file_read_page(file, pgoff << PAGE_SHIFT, phys_to_host(phys, *page));
		if (err) {
			phys_put(phys, *page);
			return err;
		}
		page_cache_add(&file->cache->pages, pgoff, *page);
	}
	phys_get(phys, *page);
	return 0;
}

/*
 * A missing page is the cache's: a private mapping gets it read-only (the
 * cache maps it too) and a write copies it, as Linux's filemap_fault.
 * mmusim has no model of the host's page cache or of readahead: every page
 * of a file is taken to be cached (a file a program reads is, on a warm
 * host), so reading it into the simulated cache is free, as mapping a
 * cached page is on Linux (an entry, no copy); only a private write pays
 * a copy (do_cow_page).  Pages past end of file are not cached.
 */
static int file_fault(struct vm_fault *vmf)
{
	int err = find_page(vmf->vma, vmf->mm->phys, vmf->pgoff, &vmf->page);

	vmf->kind = err == -ENOMEM ? FAULT_KIND_OOM : err < 0 ? FAULT_KIND_SIGBUS : FAULT_KIND_FILE;
	if (err < 0)
		return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
	return VM_FAULT_DONE;
}

/* Fault-around maps every cached page: see file_fault. */
static bool file_cached_page(struct vm_fault *vmf, uint64_t pgoff, phys_addr_t *page)
{
	return find_page(vmf->vma, vmf->mm->phys, pgoff, page) == 0;
}

/* The cache's page, as against a private copy a write made. */
static bool file_owns_page(const struct vma *vma, uint64_t pgoff, phys_addr_t pa)
{
	const struct vm_file *file = vma->vm_private_data;
	phys_addr_t cached;

	return file->cache && page_cache_lookup(&file->cache->pages, pgoff, &cached) && cached == pa;
}

static void file_vma_dup(struct vma *copy, const struct vma *vma)
{
	vm_file_get(vma->vm_private_data);
}

static void file_vma_close(struct vma *vma)
{
	vm_file_put(vma->vm_private_data);
}

static const char *file_vma_name(const struct vma *vma)
{
	return vm_file_name(vma->vm_private_data);
}

static int file_vma_access(const struct vma *vma, uint64_t addr, void *buf, size_t len)
{
	uint8_t *page = g_malloc(PAGE_SIZE);
	uint64_t offset = linear_page_index(vma, addr) << PAGE_SHIFT;
	int err = vm_file_read_page(vma->vm_private_data, offset, page);

	if (!err)
		memcpy(buf, page + (addr & ~PAGE_MASK), len);
	g_free(page);
	return err;
}

/* mincore: the cache is taken to be warm (see file_fault), so every page
 * the file has is resident, mapped or not; a page wholly beyond end of
 * file is not (Linux finds no page in the cache there). */
static bool file_vma_resident(const struct vma *vma, uint64_t addr)
{
	const struct vm_file *file = vma->vm_private_data;
	struct stat st;

	return fstat(file->fd, &st) == 0 &&
	       linear_page_index(vma, addr) << PAGE_SHIFT < (uint64_t)st.st_size;
}

static void file_vma_id(const struct vma *vma, unsigned *major, unsigned *minor, uint64_t *ino)
{
	const struct vm_file *file = vma->vm_private_data;

	*major = gnu_dev_major(file->dev);
	*minor = gnu_dev_minor(file->dev);
	*ino = file->ino;
}

const struct vm_ops file_vm_ops = {
	.fault = file_fault,
	.dup = file_vma_dup,
	.close = file_vma_close,
	.name = file_vma_name,
	.access = file_vma_access,
	.resident = file_vma_resident,
	.file_id = file_vma_id,
	.backing = BACKING_FILE,
	.object_page_refs = 1,	/* the page cache's */
	.cached_page = file_cached_page,
	.owns_page = file_owns_page,
};
