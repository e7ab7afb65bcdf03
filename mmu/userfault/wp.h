/*
 * userfault write-protection (UFFDIO_REGISTER_MODE_WP, UFFDIO_WRITEPROTECT,
 * UFFDIO_COPY_MODE_WP), as Linux 6.12 does it on x86-64: arm64 6.12 has no
 * uffd-wp (no CONFIG_HAVE_ARCH_USERFAULTFD_WP: it lacked a free PTE bit);
 * mmusim owns its entries' software bits and offers it, beyond arm64 6.12.
 *
 * A write-protected page has PTE_UFFD_WP in its entry and is read-only; a
 * write to it in a VMA registered in WP mode is a user fault with
 * UFFD_PAGEFAULT_FLAG_WP (the watch's `wp`), which sleeps until
 * UFFDIO_WRITEPROTECT without MODE_WP (or WAKE) wakes it.  Entries keep the
 * bit through mprotect, fork's copy-on-write and mremap; a VMA that is not
 * (or no longer) registered in WP mode ignores it (its write faults go on
 * as plain copy-on-write faults), and unregistering clears it.  Only
 * present pages are protected (no WP_UNPOPULATED markers).
 */
#ifndef MMU_USERFAULT_WP_H
#define MMU_USERFAULT_WP_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm.h"
#include "mmu/userfault/userfault.h"

#define UFFD_PAGEFAULT_FLAG_WP		(1u << 1)
#define UFFD_FEATURE_PAGEFAULT_FLAG_WP	(1u << 0)

/* UFFDIO_WRITEPROTECT of [start, start+len): every VMA of it registered
 * in WP mode (else -ENOENT), -EAGAIN while an event is not read, -ESRCH
 * once the mm is gone.  Protecting sets the bit on present pages;
 * resolving clears it, makes a page nobody else maps writable again, and
 * with `wake` wakes the range's waiters. */
int userfault_writeprotect(struct userfault_ctx *ctx, uint64_t start, uint64_t len, bool wp, bool wake);
/* Write-protect the present entry at addr (COPY with MODE_WP). */
void userfault_wp_page(struct mm *mm, uint64_t addr);
/* A change of vma's modes to `mode` over [start, end): dropping WP mode
 * clears the bit there. */
void userfault_wp_clear(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end, unsigned mode);

#endif
