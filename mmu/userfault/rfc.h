/*
 * rfc: the memory side of the 2014 userfault RFC (Andrea Arcangeli's v2:
 * MADV_USERFAULT, the read/write userfaultfd protocol, remap_anon_pages;
 * ../shared/notes/designs.md, section 3), on mmusim's own numbers
 * (guest/mmusim.h).  The file and the calls are sim/userfaultfd_rfc.c;
 * remap_anon_pages moves with mmu/userfault/move.c.
 *
 * MADV_USERFAULT sets VM_USERFAULT on private anonymous VMAs (others
 * -EINVAL) and the RFC's watch on them: a fault finding no entry there is
 * SIGBUS (the sender's si_addr the address) unless a context registered
 * the range, MADV_NOUSERFAULT clears both.  A registered range without
 * VM_USERFAULT faults as usual: VM_USERFAULT decides whether a missing page
 * is the user's business, registration who hears of it.
 *
 * A context (one per descriptor, several per mm) starts ASKING: a protocol
 * written (rfc_handshake) moves it to ACKING with the answer read(2) will
 * give, UFFD_RFC_PROTOCOL (0xaa) or -1; reading it moves it to RUNNING,
 * or back to ASKING after -1.  RUNNING, a 16-byte range write is a
 * register (start|1), unregister (start|2) or wake (neither) and a read
 * gives one fault address.
 *
 * A fault in a registered VM_USERFAULT range queues a waiter and sleeps
 * (VM_FAULT_RETRY on the waiter) until a wake of its page, then runs the
 * access again: the RFC's retry without FAULT_FLAG_ALLOW_RETRY, which is
 * SIGBUS if the page is still missing (a wake without a page, or a wake by
 * the descriptor's close).  A fault that cannot sleep (a kernel copy) is
 * SIGBUS, so its call gets -EFAULT.
 *
 * Costs as mmu/userfault's: the round trip of each woken fault is
 * recorded as "fault:userfault-rfc" (trap and enqueue, the handler's
 * wake-up and read, the remap's entries and the source's shootdown, the
 * wake write and uffd_wake, the switch back and the retried access).
 */
#ifndef MMU_USERFAULT_RFC_H
#define MMU_USERFAULT_RFC_H

#include <glib.h>
#include <stdint.h>

#include "mmu/userfault/move.h"
#include "mmu/userfault/userfault.h"

#define UFFD_RFC_PROTOCOL	UINT64_C(0xaa)
#define UFFD_RFC_UNKNOWN	UINT64_MAX	/* the answer to an unknown protocol */
#define UFFD_RFC_REGISTER	UINT64_C(1)	/* low bits of a written range's start */
#define UFFD_RFC_UNREGISTER	UINT64_C(2)
#define RAP_ALLOW_SRC_HOLES	UINT64_C(1)

enum rfc_state { RFC_ASKING, RFC_ACKING, RFC_RUNNING };

struct rfc_ctx {
	struct mmu_notifier notifier;	/* on mm: its release */
	struct mm *mm;			/* NULL once the mm is gone */
	enum rfc_state state;
	uint64_t answer;		/* ACKING: what read(2) gives */
	struct userfault_host host;
	GQueue waiters;			/* struct userfault_waiter *, in fault order */
	GArray *retrying;		/* struct userfault_waiter: woken without a page */
	uint64_t faults, wakes;
};

/* MADV_USERFAULT (on) / MADV_NOUSERFAULT of [start, end): -EINVAL for a
 * VMA that is not private anonymous memory, -ENOMEM for holes. */
int rfc_madvise(struct mm *mm, uint64_t start, uint64_t end, bool on);
/* fork copied a VMA's VM_USERFAULT into `child` (a vm_flags bit, as the
 * RFC keeps it, which dup_mmap copies): the child's copy gets the SIGBUS
 * watch, without the parent's registration (a descriptor serves its own
 * mm only). */
void rfc_fork(struct mm *child);

struct rfc_ctx *rfc_new(struct mm *mm, const struct userfault_host *host);
/* The descriptor's last close: unregister, wake every waiter (each retry
 * then finds a VM_USERFAULT range nobody serves: SIGBUS), free. */
void rfc_release(struct rfc_ctx *ctx);

/* The protocol write (ASKING only, else -EINVAL). */
int rfc_handshake(struct rfc_ctx *ctx, uint64_t protocol);
/* A read: ACKING, the answer; RUNNING, the oldest fault not read yet
 * (-EAGAIN: none); ASKING, -EINVAL. */
int rfc_read(struct rfc_ctx *ctx, uint64_t *out);
/* A range write while RUNNING: register, unregister or wake, with the
 * RFC's checks (see sim/userfaultfd_rfc.c); a wake of nobody is -ENOENT. */
int rfc_range_write(struct rfc_ctx *ctx, uint64_t start, uint64_t end);
/* poll: a fault waits to be read (POLLIN); one was read, not woken (POLLOUT). */
bool rfc_fault_pending(const struct rfc_ctx *ctx);
bool rfc_wake_pending(const struct rfc_ctx *ctx);

/* remap_anon_pages(dst, src, len, flags): bytes moved or -errno; the
 * faults waiting at a moved page of a registered range carry its cost. */
long rfc_remap_anon_pages(struct mm *mm, uint64_t dst, uint64_t src, uint64_t len, uint64_t flags,
			  struct move_work *work);

#endif
