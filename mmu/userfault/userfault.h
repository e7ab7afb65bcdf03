/*
 * userfault: page faults resolved by user space, the memory side of
 * userfaultfd (Linux 6.12's fs/userfaultfd.c and mm/userfaultfd.c); the
 * file and its ioctls are sim/userfaultfd.c.
 *
 * A context (one per userfaultfd) belongs to the mm it was made in and
 * registers ranges of it (MISSING mode; WP mode: wp.h; MINOR mode: minor.h,
 * reached through struct userfault_modes) by setting its watch on their VMAs
 * (struct vm_watch_ops: split at the range's ends, merged after).  A fault
 * that finds no entry in such a VMA comes here before the VMA's object:
 *
 *  - with UFFD_FEATURE_SIGBUS, from a caller that cannot sleep (without
 *    FAULT_FLAG_ALLOW_RETRY: most kernel copies), or from a kernel copy
 *    when the context is UFFD_USER_MODE_ONLY, it is VM_FAULT_SIGBUS;
 *  - otherwise a waiter (struct userfault_waiter) is queued with the
 *    message read(2) will return, the host is told (readers and pollers
 *    look again), and the fault is VM_FAULT_RETRY on the waiter as its
 *    channel: the thread sleeps until a wake of a range holding the
 *    address (UFFDIO_WAKE, COPY, ZEROPAGE without DONTWAKE, UNREGISTER, or
 *    the context's release), then runs the access again.  A thread has one
 *    waiter at a time: a fault run again after a signal replaces its old one.
 *
 * COPY and ZEROPAGE install pages page by page as a fault would
 * (vm_fault_install_page), into one registered VMA: -ENOENT outside one,
 * -EEXIST at a present entry, a short count when a later page fails.
 *
 * Costs: the faulting agent pays uffd_enqueue inside its fault event; the
 * work of COPY and ZEROPAGE is returned (struct userfault_work) for the
 * caller to charge to the agent running the handler.  Each woken waiter
 * records its round trip as "fault:userfault": the blocked fault's trap
 * (trap_entry, uffd_enqueue, trap_exit), the handler's wake-up
 * (sched_pick), its read (syscall_entry, syscall_exit; when the message
 * was read), the resolve of its page (page_copy or page_zero,
 * pgtable_alloc, pte_install), the wake (uffd_wake), the switch back
 * (sched_pick) and the retried fault (trap_entry, trap_exit).
 *
 * When the mm goes first (its mmu notifier's release), the context forgets
 * it and its waiters; its calls then answer -ESRCH (Linux's
 * mmget_not_zero failing).
 */
#ifndef MMU_USERFAULT_USERFAULT_H
#define MMU_USERFAULT_USERFAULT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm.h"
#include "mmu/notifier.h"

/* <linux/userfaultfd.h> (Linux 6.12) */
#define UFFD_API			UINT64_C(0xaa)
#define UFFD_EVENT_PAGEFAULT		0x12
#define UFFD_PAGEFAULT_FLAG_WRITE	(1u << 0)
#define UFFD_PAGEFAULT_FLAG_WP		(1u << 1)	/* wp.h */
#define UFFD_PAGEFAULT_FLAG_MINOR	(1u << 2)	/* minor.h */
#define UFFD_FEATURE_EVENT_FORK		(1u << 1)
#define UFFD_FEATURE_EVENT_REMAP	(1u << 2)
#define UFFD_FEATURE_EVENT_REMOVE	(1u << 3)
#define UFFD_FEATURE_EVENT_UNMAP	(1u << 6)
#define UFFD_FEATURE_SIGBUS		(1u << 7)
#define UFFD_FEATURE_THREAD_ID		(1u << 8)
#define UFFD_FEATURE_EXACT_ADDRESS	(1u << 11)
#define UFFDIO_REGISTER_MODE_MISSING	UINT64_C(1)
#define UFFDIO_REGISTER_MODE_WP		UINT64_C(2)
#define UFFDIO_REGISTER_MODE_MINOR	UINT64_C(4)
#define UFFD_FEATURE_MOVE		(1u << 16)
#define UFFD_FEATURE_WP_UNPOPULATED	(1u << 13)	/* wp.h */
#define UFFD_FEATURE_WP_ASYNC		(1u << 15)	/* wp.h */
#define UFFDIO_MOVE_MODE_DONTWAKE	UINT64_C(1)
#define UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES UINT64_C(2)

/* The features this model implements: what UFFDIO_API offers. */
#define USERFAULT_FEATURES (UFFD_FEATURE_SIGBUS | UFFD_FEATURE_THREAD_ID | UFFD_FEATURE_EXACT_ADDRESS | \
			    UFFD_FEATURE_MOVE | (1u << 14) /* POISON: poison.h */ | \
			    USERFAULT_EVENT_FEATURES | (1u << 0) /* PAGEFAULT_FLAG_WP: wp.h */ | \
			    UFFD_FEATURE_WP_UNPOPULATED | UFFD_FEATURE_WP_ASYNC | \
			    (1u << 12) /* WP_HUGETLBFS_SHMEM: wp.h */ | \
			    (1u << 5) /* MISSING_SHMEM: shmem.h */ | (1u << 10) /* MINOR_SHMEM: minor.h */)
#define USERFAULT_EVENT_FEATURES (UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP | \
				  UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_EVENT_UNMAP)

/* struct uffd_msg as read(2) returns it (32 bytes): a page fault, or an
 * event's arguments (mmu/userfault/events.h). */
struct uffd_msg {
	uint8_t event;
	uint8_t reserved1;
	uint16_t reserved2;
	uint32_t reserved3;
	union {
		struct {
			uint64_t flags;		/* arg.pagefault.flags */
			uint64_t address;	/* arg.pagefault.address */
			uint32_t ptid;		/* arg.pagefault.feat.ptid (THREAD_ID) */
			uint32_t reserved4;
		};
		uint64_t arg[3];	/* fork.ufd; remap from, to, len; remove start, end */
	};
};
_Static_assert(sizeof(struct uffd_msg) == 32, "struct uffd_msg is 32 bytes");

/* What the simulator does for a context. */
struct userfault_host {
	void *arg;
	int (*current_tid)(void *arg);			/* the thread taking the fault */
	void (*queued)(void *arg);			/* a message was queued */
	void (*wake)(void *arg, const void *channel);	/* wake the tasks sleeping on it */
};

/* A thread sleeping in a user fault; its address is the channel. */
struct userfault_waiter {
	uint64_t address;		/* page */
	struct uffd_msg msg;
	int tid;
	bool read;			/* handed to read(2) */
	struct event_cost cost;		/* its round trip so far */
};

struct userfault_ctx;

/* The hooks the modes add to the core's paths: write-protection (wp.h),
 * MINOR (minor.h) and the events (events.h).  The core reaches the modes
 * only through the table its context was made with (userfault_new;
 * modes.h has the one of every mode), so that the modes build on the core
 * and not the other way round.  Every hook is set. */
struct userfault_modes {
	/* A fault found no entry in a registered VMA: whether it is a
	 * MINOR fault (the object holds the page). */
	bool (*minor_fault)(const struct vm_fault *vmf);
	/* CONTINUE's page at vmf->address, with the entry's reference;
	 * -EFAULT without one. */
	int (*continue_page)(struct vm_fault *vmf, phys_addr_t *page);
	/* A fill with USERFAULT_FILL_WP installed the entry at addr. */
	void (*protect_page)(struct mm *mm, uint64_t addr);
	/* vma's modes change to `mode` over [start, end) (0: unregistered). */
	void (*change_modes)(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end, unsigned mode);
	/* The context goes: finish its events. */
	void (*release)(struct userfault_ctx *ctx);
};

struct userfault_ctx {
	struct mmu_notifier notifier;	/* on mm: its release */
	struct mm *mm;			/* NULL once the mm is gone */
	const struct userfault_modes *modes;
	unsigned features;		/* the features UFFDIO_API enabled */
	bool api_done;			/* UFFDIO_API succeeded once */
	bool user_mode_only;		/* UFFD_USER_MODE_ONLY: kernel copies get SIGBUS */
	struct userfault_host host;
	GQueue waiters;			/* struct userfault_waiter *, in fault order */
	GQueue events;			/* struct userfault_event *, in order (events.h) */
	unsigned mmap_changing;		/* events prepared, not read: COPY is -EAGAIN */
	uint64_t faults, copied_pages, zeroed_pages, wakes;	/* for reports */
	uint64_t moved_pages;		/* UFFDIO_MOVE (mmu/userfault/move.c) */
	uint64_t continued_pages;	/* UFFDIO_CONTINUE (mmu/userfault/minor.h) */
};

/* The work of a COPY or ZEROPAGE, for its caller to charge. */
struct userfault_work {
	unsigned tables_allocated, pages_copied, pages_zeroed, ptes_installed;
};

struct userfault_ctx *userfault_new(struct mm *mm, const struct userfault_host *host,
				    const struct userfault_modes *modes);
/* The last reference to the file went: unregister every range, wake every
 * waiter (each retries and faults as if nothing were registered), free. */
void userfault_release(struct userfault_ctx *ctx);

/* UFFDIO_API: 0 with *offered the features available, or -EINVAL (a
 * second call; api not UFFD_API; a feature not offered).  WP_ASYNC brings
 * WP_UNPOPULATED with it (wp.h). */
int userfault_api(struct userfault_ctx *ctx, uint64_t api, uint64_t features, uint64_t *offered);
/* UFFDIO_REGISTER / UNREGISTER of [start, start+len) (Linux's errors;
 * holes inside are allowed, a range without a VMA is -EINVAL). */
int userfault_register(struct userfault_ctx *ctx, uint64_t start, uint64_t len, uint64_t mode);
int userfault_unregister(struct userfault_ctx *ctx, uint64_t start, uint64_t len);
/* UFFDIO_WAKE: wake the waiters in [start, start+len). */
int userfault_wake(struct userfault_ctx *ctx, uint64_t start, uint64_t len);
/* UFFDIO_COPY and UFFDIO_ZEROPAGE: bytes installed, or -errno when none
 * was; `wake` (COPY: USERFAULT_FILL_WAKE) wakes the waiters of the
 * installed part.  COPY reads its source in src_mm, the caller's (the
 * handler may be another process); with USERFAULT_FILL_WP (MODE_WP; the
 * range must be registered in WP mode, else -EINVAL) its pages are
 * write-protected. */
#define USERFAULT_FILL_WAKE	1u
#define USERFAULT_FILL_WP	2u
#define USERFAULT_FILL_COPY	4u	/* internal: COPY, not ZEROPAGE */
#define USERFAULT_FILL_CONTINUE	8u	/* internal: CONTINUE */
long userfault_copy(struct userfault_ctx *ctx, uint64_t dst, struct mm *src_mm, uint64_t src, uint64_t len,
		    unsigned flags, struct userfault_work *work);
long userfault_zeropage(struct userfault_ctx *ctx, uint64_t start, uint64_t len, bool wake,
			struct userfault_work *work);
/* UFFDIO_CONTINUE (minor.h): bytes mapped, or -errno when none was;
 * flags USERFAULT_FILL_WAKE and USERFAULT_FILL_WP as COPY's. */
long userfault_continue(struct userfault_ctx *ctx, uint64_t start, uint64_t len, unsigned flags,
			struct userfault_work *work);
/* The oldest message not read yet (marked read), or -EAGAIN. */
int userfault_read(struct userfault_ctx *ctx, struct uffd_msg *out);
/* Whether a message waits to be read (POLLIN). */
bool userfault_pending(const struct userfault_ctx *ctx);

/* The context registered on vma, or NULL; the modes it is registered in
 * (UFFDIO_REGISTER_MODE_*), or 0. */
struct userfault_ctx *vma_userfault_ctx(const struct vma *vma);
unsigned userfault_vma_mode(const struct vma *vma);
/* Register [start, end) of mm's VMAs to ctx in `mode` (ctx NULL:
 * unregister), splitting them at the ends and merging after. */
int userfault_set_watch(struct mm *mm, uint64_t start, uint64_t end, struct userfault_ctx *ctx,
			unsigned mode);

/* What a fill (COPY, ZEROPAGE, CONTINUE, POISON) checks first, as Linux's
 * mfill_atomic and uffd_mfill_lock: -ESRCH when the mm is gone, -EAGAIN
 * while events are not read, -ENOENT unless one registered VMA holds all
 * of [dst, dst+len), which goes to *out. */
int userfault_fill_vma(struct userfault_ctx *ctx, uint64_t dst, uint64_t len, struct vma **out);

/* Linux's validate_range: -EINVAL unless [start, start+len) is page
 * aligned, not empty and inside the user address space. */
int userfault_validate_range(uint64_t start, uint64_t len);

#endif
