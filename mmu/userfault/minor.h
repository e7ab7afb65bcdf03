/*
 * userfault MINOR mode (UFFD_FEATURE_MINOR_SHMEM): ranges of shmem (shared
 * anonymous memory and memfds, mapped shared or private) registered with
 * UFFDIO_REGISTER_MODE_MINOR, as Linux 6.12's shmem_get_folio_gfp and
 * mfill_atomic_pte_continue do.  A fault with no entry is a minor user
 * fault (message flag UFFD_PAGEFAULT_FLAG_MINOR) when the object holds a
 * page at its offset, fallocated ones included; a page it does not hold is
 * a MISSING matter.  UFFDIO_CONTINUE maps the object's page as it is:
 * -EFAULT when the object holds none, -EEXIST at a present entry; into a
 * private mapping read-only (a write then copies it).  MINOR on anything
 * but shmem is -EINVAL.  Registered VMAs do no fault-around (Linux's
 * uffd_disable_fault_around), so every page reaches the handler.  Not
 * modelled: hugetlbfs (MINOR_HUGETLBFS not offered); CONTINUE past the
 * file's size (Linux: -EINVAL) maps the page the object still holds.
 */
#ifndef MMU_USERFAULT_MINOR_H
#define MMU_USERFAULT_MINOR_H

#include <stdbool.h>

#include "mmu/mm.h"

#define UFFD_FEATURE_MINOR_SHMEM	(1u << 10)

/* Whether the fault (no entry at vmf->address) is a minor user fault. */
bool userfault_minor_fault(const struct vm_fault *vmf);
/* The object's page UFFDIO_CONTINUE maps at vmf->address, with a
 * reference for the entry; -EFAULT when the object holds none. */
int userfault_continue_page(struct vm_fault *vmf, phys_addr_t *page);

#endif
