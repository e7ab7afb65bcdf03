/*
 * move: anonymous pages moved from one range of an mm to another without
 * copying them, the primitive under UFFDIO_MOVE (Linux 6.12's move_pages
 * in mm/userfaultfd.c) and the 2014 RFC's remap_anon_pages.
 *
 * Page by page: the destination entry must be empty (-EEXIST, checked
 * before the source; a poison or write-protect marker is not empty); an
 * empty source entry is -ENOENT, or with MOVE_ALLOW_SRC_HOLES a hole that
 * counts as moved and changes nothing; a source entry that maps no page (a
 * marker, a device-private entry) is -EFAULT (Linux's non-swap entry); a
 * source frame mapped more than once (after fork, or a page another
 * mapping shares) is -EBUSY (Linux: not PageAnonExclusive).  The zero page
 * moves as an entry.  Otherwise the entry (and its frame's one reference)
 * goes to the destination with the destination VMA's protection, and the
 * source's translation is shot down at once, as ptep_clear_flush does:
 * flush_tlb_mm_range on the page, IPIs (or broadcast TLBIs) to every CPU
 * whose TLB may hold the mm, paid by the agent running the move.
 *
 * The result is the bytes moved, or the error when nothing was: a later
 * page's error leaves a short count.  The VMA checks are the callers'
 * (each interface has its own errnos); move_check_vmas holds the ones
 * both share.
 */
#ifndef MMU_USERFAULT_MOVE_H
#define MMU_USERFAULT_MOVE_H

#include <stdint.h>

#include "mmu/latency.h"
#include "mmu/mm.h"
#include "mmu/userfault/userfault.h"

#define MOVE_ALLOW_SRC_HOLES	1u

/* The work of a move, for its caller to charge (the shootdowns are paid
 * already, by the agent running the move). */
struct move_work {
	unsigned pages_moved;		/* entries moved */
	unsigned holes;			/* source holes passed over */
	unsigned tables_allocated;	/* destination tables created */
	unsigned flushes;		/* flush_tlb_mm_range calls, one per page moved */
};

/* Told of each page moved to `dst`, with the modelled steps of its move
 * (destination tables and entry, the source's shootdown). */
typedef void (*move_page_fn)(void *arg, uint64_t dst, const struct event_cost *cost);

/* -EINVAL unless [src, src+len) lies in `src_vma` and [dst, dst+len) in
 * `dst_vma`, both private anonymous memory with the same protection and
 * the same mlock state. */
int move_check_vmas(const struct vma *dst_vma, const struct vma *src_vma, uint64_t dst, uint64_t src,
		    uint64_t len);

/* Move the pages of [src, src+len) to [dst, dst+len) (page aligned; the
 * VMAs checked), `flags` MOVE_*; `moved` (may be NULL) hears of each. */
long move_anon_pages(struct mm *mm, struct vma *dst_vma, uint64_t dst, uint64_t src, uint64_t len,
		     unsigned flags, struct move_work *work, move_page_fn moved, void *arg);

/* A move_page_fn for a GQueue of struct userfault_waiter: each waiting at
 * `dst` gets the page's move in its round trip. */
void userfault_waiters_charge(void *queue, uint64_t dst, const struct event_cost *cost);

/* UFFDIO_MOVE (Linux 6.12): move [src, src+len) into the range `ctx`
 * registered at dst (both validated ranges of ctx's mm): -ENOENT without a
 * VMA at either start, -EINVAL for VMAs move_check_vmas refuses, read-only
 * ones or a destination not registered with ctx; then move_anon_pages,
 * charging each page's move to the faults waiting for it, and waking the
 * moved part unless UFFDIO_MOVE_MODE_DONTWAKE. */
long userfault_move(struct userfault_ctx *ctx, uint64_t dst, uint64_t src, uint64_t len, uint64_t mode,
		    struct move_work *work);

#endif
