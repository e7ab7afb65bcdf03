/*
 * shmem: the object behind shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS).
 * It holds one reference to each page it has handed out, indexed by page
 * offset, so every mapping of the object, in any mm, sees the same frames.
 * Mappings share the object by reference count.  A memfd (sim/memfd.c) is a
 * shmem object read and written as a file.
 */
#ifndef MMU_SHMEM_H
#define MMU_SHMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/mm_types.h"
#include "mmu/phys.h"

struct shmem;

struct shmem *shmem_new(struct phys *phys);
struct shmem *shmem_get(struct shmem *sh);
void shmem_put(struct shmem *sh);
/* The frame at page offset `pgoff`, allocated zeroed on first use.  The
 * object keeps its own reference; the caller takes another to map it.
 * Returns 1 when the page was allocated now, 0 when it existed, or -ENOMEM. */
int shmem_find_page(struct shmem *sh, uint64_t pgoff, phys_addr_t *pa);
/* fallocate: allocate the page at `pgoff` if missing, not up to date (a
 * fault or write makes it so); 0 or -ENOMEM. */
int shmem_fallocate_page(struct shmem *sh, uint64_t pgoff);

/* Byte access for a file whose contents the object holds (tmpfs): a read
 * of a page never handed out gives zeroes and allocates nothing; a write
 * allocates what it touches (-ENOMEM when simulated memory is exhausted,
 * having written nothing past the first page it could not get). */
void shmem_read(struct shmem *sh, uint64_t offset, void *buf, size_t len);
int shmem_write(struct shmem *sh, uint64_t offset, const void *buf, size_t len);
/* Drop the pages wholly past byte `size` and zero the rest of the page it
 * ends in (a truncated file reads zeroes when it grows again): every
 * mapping loses its entries there first, a private mapping its own copies
 * too (Linux's shmem_setattr: unmap_mapping_range with even_cows). */
void shmem_truncate(struct shmem *sh, uint64_t size);
/* Set the object's size, as a file's (memfd): shrinking truncates, and a
 * fault on a page wholly past the size is SIGBUS (Linux's i_size).  An
 * object never resized has no end (shared anonymous memory, SysV
 * segments, tmpfs files). */
void shmem_resize(struct shmem *sh, uint64_t size);
/* The size shmem_resize set (UINT64_MAX: none). */
uint64_t shmem_size(const struct shmem *sh);
/* Pages the object holds. */
uint64_t shmem_nr_pages(const struct shmem *sh);
/* How many VM_SHARED VMAs map the object (memfd's F_SEAL_WRITE rule). */
unsigned shmem_shared_mappings(const struct shmem *sh);
/* A new VMA maps the object (the reference it holds was taken): count it. */
void shmem_vma_open(struct vma *vma);

/* Drop the object's pages at [pgoff, pgoff + pages) (MADV_REMOVE, a hole
 * punched): every mapping drops its entries of them first (Linux's
 * shmem_fallocate: unmap_mapping_range without even_cows, so a private
 * mapping keeps its own copies, and without ZAP_FLAG_DROP_MARKER, so a
 * mapping that protects writes keeps its protection as markers:
 * unmap_mapping_pages); the next access finds a new zeroed page. */
void shmem_punch_hole(struct shmem *sh, uint64_t pgoff, uint64_t pages);

/* For ops of other VMAs built on a shmem object (SysV segments): the
 * fault (vmf->pgoff's page, as shmem's own VMAs get it) and whether the
 * object holds a page. */
int shmem_fault_page(struct shmem *sh, struct vm_fault *vmf);
bool shmem_holds(const struct shmem *sh, uint64_t pgoff);
/* Whether the object has a page at pgoff, fallocated or not (Linux's
 * filemap_get_entry finding one). */
bool shmem_has_entry(const struct shmem *sh, uint64_t pgoff);

/* The ops of a VMA mapping a shmem object (vm_private_data). */
extern const struct vm_ops shmem_vm_ops;

#endif
