/*
 * userfaultfd events on the simulator's side (mmu/userfault/events.h has
 * the model): the calls that raise them sleep here until the handler read
 * them, and a fork makes the child's context, which read(2) of the FORK
 * event turns into a descriptor of the reader (sim/userfaultfd.c).  A
 * descriptor table that is full makes that read fail
 * with EMFILE, and the event, like the child's context, is gone (Linux
 * keeps it queued).  A vfork child's parent waits for the child, not for
 * the events, which stay queued for the handler.  fork also hands the 2014
 * RFC's VM_USERFAULT ranges their SIGBUS watch in the child
 * (mmu/userfault/rfc.h).
 */
#include <errno.h>

#include "mmu/userfault/rfc.h"

#include "sim/syscall.h"
#include "sim/userfaultfd_file.h"

/* The child's context for octx: a file's state of the same flags. */
static struct userfault_ctx *make_child(struct userfault_ctx *octx, struct mm *child)
{
	const struct uffd_file *ouf = octx->host.arg;

	return uffd_file_new(ouf->m, child, ouf->flags)->ctx;
}

static void drop_child(struct userfault_ctx *child)
{
	uffd_file_free(child->host.arg);
}

void uffd_prep_fork(struct userfault_events *ev, struct mm *old, struct mm *child)
{
	userfault_prep_fork(ev, old, child, make_child, drop_child);
	rfc_fork(child);	/* the 2014 RFC's VM_USERFAULT goes with the VMA */
}

long uffd_events_finish(struct machine *m, struct task *t, struct userfault_events *ev, long ret)
{
	struct userfault_batch *batch = userfault_raise(ev, ret >= 0);

	if (batch)
		block_killable(m, t, batch, "userfaultfd event");
	return ret;
}
