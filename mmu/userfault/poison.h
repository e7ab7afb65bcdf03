/*
 * userfault poison (UFFDIO_POISON, UFFD_FEATURE_POISON), as Linux 6.12's
 * mfill_atomic_poison: the handler declares pages lost instead of filling
 * them.  Each page of the range gets a poison marker (PTE_MARKER_POISON,
 * mmu/pgtable.h): an entry that maps nothing, on which any access of the
 * VMA's permissions is VM_FAULT_HWPOISON (a user access: SIGBUS with
 * BUS_MCEERR_AR, si_addr the address, si_addr_lsb PAGE_SHIFT; a kernel
 * copy: EFAULT).  COPY and ZEROPAGE replace a marker as they would an
 * empty entry (Linux's pte_none_mostly); munmap and MADV_DONTNEED clear it;
 * mremap moves it; a fork child inherits the markers of private VMAs
 * (Linux's copy_pte_marker; POISON marks such a VMA as holding pages, as
 * Linux's anon_vma_prepare).  Not modelled: a shmem range past the file's
 * end is not EFAULT.
 */
#ifndef MMU_USERFAULT_POISON_H
#define MMU_USERFAULT_POISON_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/userfault/userfault.h"

#define UFFD_FEATURE_POISON	(1u << 14)

/* UFFDIO_POISON of [start, start+len), inside one registered VMA (else
 * -ENOENT): the bytes poisoned, or -errno when none was: -EEXIST at any
 * entry already there (a page, a marker), -ENOMEM without a table page,
 * -EAGAIN while an event is not read, -ESRCH once the mm is gone.  With
 * `wake` the poisoned part's waiters are woken (their access then gets
 * SIGBUS).  The table pages and markers written are added to *work. */
long userfault_poison(struct userfault_ctx *ctx, uint64_t start, uint64_t len, bool wake,
		      struct userfault_work *work);

#endif
