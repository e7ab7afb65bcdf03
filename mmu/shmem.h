/*
 * shmem: the object behind shared anonymous memory (MAP_SHARED|MAP_ANONYMOUS).
 * It holds one reference to each page it has handed out, indexed by page
 * offset, so every mapping of the object, in any mm, sees the same frames.
 * Mappings share the object by reference count.
 */
#ifndef MMU_SHMEM_H
#define MMU_SHMEM_H

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

/* The ops of a VMA mapping a shmem object (vm_private_data). */
extern const struct vm_ops shmem_vm_ops;

#endif
