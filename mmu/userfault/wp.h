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
 * bit through mprotect, fork's copy-on-write (into a child registered by
 * EVENT_FORK; other children lose it) and mremap (with EVENT_REMAP; without
 * it the moved entries lose bits and markers); a VMA that is not
 * (or no longer) registered in WP mode ignores it (its write faults go on
 * as plain copy-on-write faults), and unregistering clears it.
 *
 * UFFD_FEATURE_WP_UNPOPULATED: protecting also puts a write-protect marker
 * (PTE_MARKER_UFFD_WP, mmu/pgtable.h) in each empty entry of the range, so
 * a page never touched is protected too: its first read maps the zero page
 * protected, its first write comes in protected and is a WP fault
 * (mmu/fault.c's do_uffd_wp_marker, Linux's pte_marker_handle_uffd_wp).
 * Resolving and unregistering clear markers; MADV_DONTNEED and munmap
 * drop them; mprotect keeps them; fork copies them into a child that loses
 * them unless its copy is registered in WP mode (FORK event); COPY,
 * ZEROPAGE and CONTINUE replace them; POISON and MOVE onto one are
 * -EEXIST, MOVE from one -EFAULT.
 *
 * shmem (UFFD_FEATURE_WP_HUGETLBFS_SHMEM, Linux with
 * CONFIG_PTE_MARKER_UFFD_WP): protecting always writes markers, since the
 * object may hold the page of an empty entry; MADV_DONTNEED turns a
 * protected entry into a marker and keeps markers (Linux's
 * zap_install_uffd_wp_if_needed; munmap drops them), and so does a hole
 * punched in the object (fallocate, MADV_REMOVE: shmem_punch_hole, Linux's
 * unmap_mapping_range without ZAP_FLAG_DROP_MARKER); fork copies the
 * entries of a VMA that protects writes even when shared (Linux's
 * vma_needs_copy for a uffd-wp VMA), and a child without EVENT_FORK loses
 * bits and markers (userfault_wp_forget; Linux's copy_present_pte clears
 * the bit, copy_pte_marker skips the marker).
 *
 * UFFD_FEATURE_WP_ASYNC (Linux 6.7): the kernel resolves a write to a
 * protected page itself, with no message: it clears the bit and goes on
 * with the write fault (do_wp_page), so the bit (pagemap's 57) tells
 * which pages were not written since they were protected.  It brings
 * WP_UNPOPULATED (a write to a marker installs the page protected, then
 * resolves it), and a range registered in WP mode alone may be any memory
 * the fault path serves, file mappings too (Linux's vma_can_userfault).
 */
#ifndef MMU_USERFAULT_WP_H
#define MMU_USERFAULT_WP_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm.h"
#include "mmu/userfault/userfault.h"

#define UFFD_FEATURE_PAGEFAULT_FLAG_WP	(1u << 0)
#define UFFD_FEATURE_WP_HUGETLBFS_SHMEM	(1u << 12)

/* UFFDIO_WRITEPROTECT of [start, start+len): every VMA of it registered
 * in WP mode (else -ENOENT), -EAGAIN while an event is not read, -ESRCH
 * once the mm is gone.  Protecting sets the bit on present pages (and
 * markers on empty entries with WP_UNPOPULATED; -ENOMEM without tables);
 * resolving clears it, makes a page nobody else maps writable again, and
 * with `wake` wakes the range's waiters. */
int userfault_writeprotect(struct userfault_ctx *ctx, uint64_t start, uint64_t len, bool wp, bool wake);
/* Write-protect the present entry at addr (COPY with MODE_WP). */
void userfault_wp_page(struct mm *mm, uint64_t addr);
/* fork's child copy of a VMA registered in WP mode that the child does not
 * keep registered (no EVENT_FORK): clear its bits and markers. */
void userfault_wp_forget(struct mm *child, struct vma *copy);
/* mremap moved entries of a VMA whose context lacks EVENT_REMAP to [start,
 * end) (Linux's move_ptes with vma_has_uffd_without_event_remap): clear
 * their PTE_UFFD_WP (a page stays read-only: its next write is a plain
 * write fault) and drop their write-protect markers. */
void userfault_wp_drop_moved(struct mm *mm, uint64_t start, uint64_t end);
/* A change of vma's modes to `mode` over [start, end): dropping WP mode
 * clears the bit there. */
void userfault_wp_clear(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end, unsigned mode);

#endif
