/*
 * userfault on shmem (UFFD_FEATURE_MISSING_SHMEM): ranges of shared
 * anonymous memory and memfds, mapped shared or private, registered in
 * MISSING mode, as Linux 6.12's shmem_get_folio_gfp and
 * shmem_mfill_atomic_pte do.  A fault is a user fault only when the object
 * holds no page at its offset (a page another mapping or write(2) put there
 * is mapped as usual).  COPY and ZEROPAGE into a shared mapping put the
 * page in the object (-EEXIST when it holds one already), so every mapping
 * sees it; into a private mapping they install a private page as on
 * anonymous memory.  WP mode on shmem (UFFD_FEATURE_WP_HUGETLBFS_SHMEM,
 * as a kernel with CONFIG_PTE_MARKER_UFFD_WP) is wp.h's.  MINOR mode and
 * UFFDIO_CONTINUE are minor.h's.
 */
#ifndef MMU_USERFAULT_SHMEM_H
#define MMU_USERFAULT_SHMEM_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm.h"

#define UFFD_FEATURE_MISSING_SHMEM	(1u << 5)

/* Whether vma maps a shmem object. */
bool userfault_vma_is_shmem(const struct vma *vma);
/* Whether the fault's page is in its shmem object already (no user fault). */
bool userfault_shmem_holds(const struct vm_fault *vmf);
/* The page COPY (src in src_mm) or ZEROPAGE (src_mm NULL) puts at
 * vmf->address of a shared shmem mapping: the object's new page, with a
 * reference for the entry; -EEXIST, -ENOMEM or -EFAULT. */
int userfault_shmem_fill(struct vm_fault *vmf, struct mm *src_mm, uint64_t src, phys_addr_t *page);

#endif
