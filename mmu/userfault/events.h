/*
 * userfault events: the non-cooperative messages of Linux 6.12's
 * fs/userfaultfd.c, UFFD_EVENT_FORK, REMAP, REMOVE and UNMAP, which tell a
 * handler that the memory it serves changed under it.
 *
 * A call that changes a registered range prepares its events before the
 * change (struct userfault_events; each context concerned is marked as
 * changing, so COPY and ZEROPAGE answer -EAGAIN until the event is read,
 * Linux's mmap_changing) and raises them after it (userfault_raise): they
 * are queued on their contexts, read(2) returns them after any page fault
 * waiting, and the thread that made the change sleeps (killable) on the
 * batch userfault_raise returns until every one of its events was read or
 * its context released.
 *
 *  - FORK (UFFD_FEATURE_EVENT_FORK): the child's copies of the VMAs of a
 *    context get a new context of the child's mm with the same features;
 *    read(2) of the event gives the handler a descriptor for it
 *    (arg.fork.ufd).  If the parent's context goes before the event is
 *    read, the child's context is dropped and its VMAs unregistered.
 *    Without the feature the child's VMAs are not registered.
 *  - REMAP (EVENT_REMAP): mremap moved a registered VMA; the new range keeps
 *    the registration and the event says from, to and the old length.
 *    Without the feature the new range is not registered and its entries
 *    lose their uffd-wp bits and write-protect markers (Linux's move_ptes
 *    with vma_has_uffd_without_event_remap; userfault_wp_drop_moved).
 *  - REMOVE (EVENT_REMOVE): madvise DONTNEED, DONTNEED_LOCKED, FREE or
 *    REMOVE dropped pages of a registered VMA; one event per VMA with the
 *    part of the range inside it.
 *  - UNMAP (EVENT_UNMAP): munmap, mremap or mmap with MAP_FIXED unmapped
 *    part of a registered range; one event per context with the call's
 *    whole range.
 *
 * Linux raises REMOVE before dropping the pages and waits there; here the
 * pages are dropped first and the thread waits after, which no handler can
 * tell apart: it runs only once the event is queued, and COPY answers
 * -EAGAIN until it has read it.
 */
#ifndef MMU_USERFAULT_EVENTS_H
#define MMU_USERFAULT_EVENTS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm.h"
#include "mmu/userfault/userfault.h"

/* <linux/userfaultfd.h> (Linux 6.12) */
#define UFFD_EVENT_FORK		0x13
#define UFFD_EVENT_REMAP	0x14
#define UFFD_EVENT_REMOVE	0x15
#define UFFD_EVENT_UNMAP	0x16

/* What the thread raising events sleeps on: its events not done yet. */
struct userfault_batch {
	unsigned pending;
};

struct userfault_event {
	struct uffd_msg msg;
	struct userfault_ctx *ctx;	/* the context told */
	bool ready;			/* false: raised only if the call moved the range */
	unsigned mode;			/* REMAP: the modes the moved range keeps */
	struct userfault_ctx *child;	/* FORK: the child's context, until read */
	void (*drop_child)(struct userfault_ctx *child);
	struct userfault_batch *batch;
};

/* The events one call prepares. */
struct userfault_events {
	GPtrArray *prepared;		/* struct userfault_event *; NULL: none yet */
	bool remap_drops_wp;		/* mremap of a range whose context lacks EVENT_REMAP */
};

/* Prepare the events of munmap(start, end - start) (and of mmap MAP_FIXED
 * over it), of madvise(start,
 * len, advice) and of mremap (MM_REMAP_* flags): see the file top.  A
 * mremap's REMAP and the UNMAP of its old range are raised only if the
 * range moves (userfault_remap_done). */
void userfault_prep_unmap(struct userfault_events *ev, struct mm *mm, uint64_t start, uint64_t end);
void userfault_prep_madvise(struct userfault_events *ev, struct mm *mm, uint64_t start, uint64_t len,
			    int advice);
void userfault_prep_mremap(struct userfault_events *ev, struct mm *mm, uint64_t old_addr,
			   uint64_t old_len, uint64_t new_len, unsigned flags, uint64_t new_addr);
/* The range moved to [to, to+new_len): it keeps the registration with
 * EVENT_REMAP, else loses its uffd-wp state. */
void userfault_remap_done(struct userfault_events *ev, struct mm *mm, uint64_t to, uint64_t new_len);
/* fork copied `old` into `child`: register the child's copies of the VMAs
 * of each context with EVENT_FORK on a context `make` creates for it
 * (`drop` frees one whose event is never read); unregister the rest. */
void userfault_prep_fork(struct userfault_events *ev, struct mm *old, struct mm *child,
			 struct userfault_ctx *(*make)(struct userfault_ctx *octx, struct mm *child),
			 void (*drop)(struct userfault_ctx *child));

/* Queue the ready events when the call succeeded (`ok`), else drop them:
 * the batch to sleep on, or NULL when nothing was queued. */
struct userfault_batch *userfault_raise(struct userfault_events *ev, bool ok);

/* The oldest event of ctx not read yet, or NULL. */
struct userfault_event *userfault_next_event(struct userfault_ctx *ctx);
/* It was read: take it off its context and wake its thread once the
 * batch is done. */
void userfault_event_done(struct userfault_event *e);
/* The context goes: finish every event (a FORK's child is dropped). */
void userfault_events_release(struct userfault_ctx *ctx);

#endif
