/*
 * rfc: MADV_USERFAULT, the RFC userfaultfd's ranges and waiters, and
 * remap_anon_pages (see rfc.h for the contract).
 */
#include "mmu/userfault/rfc.h"

#include <errno.h>

#include "mmu/agent.h"
#include "mmu/fault.h"
#include "mmu/pgtable.h"

static const struct vm_watch_ops rfc_watch;

/* ------------------------------------------------------------- ownership */

/* A VMA's RFC state: served by `ctx`, else SIGBUS when VM_USERFAULT, else
 * nothing. */
static void set_owner(struct vma *vma, struct rfc_ctx *ctx)
{
	vma->watch = ctx || (vma->flags & VM_USERFAULT) ? &rfc_watch : NULL;
	vma->watch_data = ctx;
}

/* Whether the RFC may change the watch of `vma` (no context owns it, and
 * no other kind of watch is there). */
static bool unowned(const struct vma *vma)
{
	return !vma->watch_data && (!vma->watch || vma->watch == &rfc_watch);
}

static int split_at(struct mm *mm, uint64_t addr)
{
	struct vma *vma = vma_lookup(mm, addr), *upper;

	return vma && vma->start < addr ? vma_split(mm, vma, addr, &upper) : 0;
}

static void merge_range(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct vma *vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma))
		vma = vma_merge(mm, vma);
}

static int private_anon(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct vma *vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma))
		if (vma->vm_ops->backing != BACKING_ANON || vma->vm_private_data || (vma->flags & VM_SHARED))
			return -EINVAL;
	return 0;
}

void rfc_fork(struct mm *child)
{
	for (struct vma *vma = vma_first(child); vma; vma = vma_next(child, vma))
		if ((vma->flags & VM_USERFAULT) && unowned(vma))
			set_owner(vma, NULL);
}

int rfc_madvise(struct mm *mm, uint64_t start, uint64_t end, bool on)
{
	int err = private_anon(mm, start, end), holes;

	if (err)
		return err;
	holes = mm_change_flags(mm, start, end, on ? VM_USERFAULT : 0, on ? 0 : VM_USERFAULT, false);
	if (holes && holes != -ENOMEM)
		return holes;
	for (struct vma *vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma))
		if (unowned(vma))
			set_owner(vma, NULL);
	merge_range(mm, start, end);
	return holes;
}

/* ---------------------------------------------------------------- costs */

static void charge(struct rfc_ctx *ctx, struct event_cost *ev, const enum cost_step *steps, int n)
{
	if (!ctx->mm || !ctx->mm->domain)
		return;
	for (int i = 0; i < n; i++)
		event_charge(ev, ctx->mm->domain->profile, steps[i], 1);
}

/* The blocked fault's trap; the handler woken to read it; the wake, the
 * faulting thread back on a CPU and its retried access. */
static const enum cost_step trap_steps[] = { COST_TRAP_ENTRY, COST_UFFD_ENQUEUE, COST_TRAP_EXIT };
static const enum cost_step read_steps[] = { COST_SCHED_PICK, COST_SYSCALL_ENTRY, COST_SYSCALL_EXIT };
static const enum cost_step wake_steps[] = { COST_SYSCALL_ENTRY, COST_SYSCALL_EXIT, COST_UFFD_WAKE,
					     COST_SCHED_PICK, COST_TRAP_ENTRY, COST_TRAP_EXIT };

/* ------------------------------------------------------------- waiters */

/* Whether `tid`'s fault at `address` is the retry of a woken one (which
 * found no page: SIGBUS).  Any older mark of the thread goes. */
static bool take_retry(struct rfc_ctx *ctx, int tid, uint64_t address)
{
	for (guint i = 0; i < ctx->retrying->len; i++) {
		const struct userfault_waiter *w = &g_array_index(ctx->retrying, struct userfault_waiter, i);
		bool same = w->address == address;

		if (w->tid != tid)
			continue;
		g_array_remove_index_fast(ctx->retrying, i);
		return same;
	}
	return false;
}

static bool page_present(struct mm *mm, uint64_t addr)
{
	pte_t *ptep = pgtable_walk(mm->phys, mm->pgd, addr);

	return ptep && pte_present(*ptep);
}

/* Wake `w`: record its round trip, remember it when its retry will find
 * no page, and free it. */
static void wake_waiter(struct rfc_ctx *ctx, struct userfault_waiter *w)
{
	charge(ctx, &w->cost, wake_steps, G_N_ELEMENTS(wake_steps));
	if (ctx->mm && ctx->mm->domain)
		domain_record_latency(ctx->mm->domain, "fault:userfault-rfc", &w->cost);
	if (ctx->mm && !page_present(ctx->mm, w->address))
		g_array_append_val(ctx->retrying, *w);
	ctx->wakes++;
	ctx->host.wake(ctx->host.arg, w);
	g_free(w);
}

/* Wake the waiters of [start, end) (all, or only those read); how many. */
static int wake_range(struct rfc_ctx *ctx, uint64_t start, uint64_t end, bool read_only)
{
	int n = 0;

	for (GList *l = ctx->waiters.head, *next; l; l = next) {
		struct userfault_waiter *w = l->data;

		next = l->next;
		if (w->address >= start && w->address < end && (w->read || !read_only)) {
			g_queue_delete_link(&ctx->waiters, l);
			wake_waiter(ctx, w);
			n++;
		}
	}
	return n;
}

/* A thread has one waiter: a fault run again after a signal replaces it. */
static void forget_thread(struct rfc_ctx *ctx, int tid)
{
	for (GList *l = ctx->waiters.head; l; l = l->next)
		if (((struct userfault_waiter *)l->data)->tid == tid) {
			g_free(l->data);
			g_queue_delete_link(&ctx->waiters, l);
			return;
		}
}

/* The RFC's handle_userfault, for a missing page. */
static int rfc_missing(struct vm_fault *vmf)
{
	struct rfc_ctx *ctx = vmf->vma->watch_data;
	struct agent *a = mm_current_agent(vmf->mm);
	struct userfault_waiter *w;
	int tid;

	if (!(vmf->vma->flags & VM_USERFAULT))
		return VM_FAULT_DONE;
	if (!ctx || !(vmf->flags & FAULT_FLAG_ALLOW_RETRY)) {
		vm_fault_note(vmf, "RFC userfault: MADV_USERFAULT range%s: SIGBUS with si_addr",
			      ctx ? " and the fault cannot sleep here" : " with no userfaultfd");
		return VM_FAULT_SIGBUS;
	}
	tid = ctx->host.current_tid(ctx->host.arg);
	if (take_retry(ctx, tid, vmf->address)) {
		vm_fault_note(vmf, "RFC userfault: woken, the retry still finds no page: SIGBUS");
		return VM_FAULT_SIGBUS;
	}
	forget_thread(ctx, tid);
	w = g_new0(struct userfault_waiter, 1);
	w->address = vmf->address;
	w->tid = tid;
	charge(ctx, &w->cost, trap_steps, G_N_ELEMENTS(trap_steps));
	g_queue_push_tail(&ctx->waiters, w);
	ctx->faults++;
	if (a)
		agent_charge(a, COST_UFFD_ENQUEUE, 1);
	vmf->wait_channel = w;
	vmf->wait_what = "userfaultfd (RFC)";
	ctx->host.queued(ctx->host.arg);
	vm_fault_note(vmf, "RFC userfault: the address is queued for the reader's 8-byte read; the "
		      "task sleeps until a wake write covers it, then retries");
	return VM_FAULT_RETRY;
}

static const struct vm_watch_ops rfc_watch = {
	.missing = rfc_missing,
};

/* ------------------------------------------------------------- contexts */

static void mm_released(struct mmu_notifier *sub, struct mm *mm)
{
	struct rfc_ctx *ctx = G_STRUCT_MEMBER_P(sub, -G_STRUCT_OFFSET(struct rfc_ctx, notifier));
	struct userfault_waiter *w;

	(void)mm;
	while ((w = g_queue_pop_head(&ctx->waiters)))
		g_free(w);
	ctx->mm = NULL;
}

static const struct mmu_notifier_ops rfc_notifier_ops = {
	.release = mm_released,
};

struct rfc_ctx *rfc_new(struct mm *mm, const struct userfault_host *host)
{
	struct rfc_ctx *ctx = g_new0(struct rfc_ctx, 1);

	ctx->mm = mm;
	ctx->host = *host;
	g_queue_init(&ctx->waiters);
	ctx->retrying = g_array_new(FALSE, FALSE, sizeof(struct userfault_waiter));
	ctx->notifier.ops = &rfc_notifier_ops;
	mmu_notifier_register(&ctx->notifier, mm);
	return ctx;
}

void rfc_release(struct rfc_ctx *ctx)
{
	if (ctx->mm) {
		for (struct vma *vma = vma_first(ctx->mm); vma; vma = vma_next(ctx->mm, vma))
			if (vma->watch_data == ctx)
				set_owner(vma, NULL);
		merge_range(ctx->mm, 0, TASK_SIZE);
		g_array_set_size(ctx->retrying, 0);	/* the retries meet the SIGBUS watch */
		wake_range(ctx, 0, TASK_SIZE, false);
		mmu_notifier_unregister(&ctx->notifier, ctx->mm);
	}
	g_array_free(ctx->retrying, TRUE);
	g_free(ctx);
}

int rfc_handshake(struct rfc_ctx *ctx, uint64_t protocol)
{
	if (ctx->state != RFC_ASKING)
		return -EINVAL;
	ctx->answer = protocol == UFFD_RFC_PROTOCOL ? protocol : UFFD_RFC_UNKNOWN;
	ctx->state = RFC_ACKING;
	return 0;
}

int rfc_read(struct rfc_ctx *ctx, uint64_t *out)
{
	switch (ctx->state) {
	case RFC_ASKING:
		return -EINVAL;
	case RFC_ACKING:
		*out = ctx->answer;
		ctx->state = ctx->answer == UFFD_RFC_PROTOCOL ? RFC_RUNNING : RFC_ASKING;
		return 0;
	case RFC_RUNNING:
		break;
	}
	for (GList *l = ctx->waiters.head; l; l = l->next) {
		struct userfault_waiter *w = l->data;

		if (!w->read) {
			w->read = true;
			charge(ctx, &w->cost, read_steps, G_N_ELEMENTS(read_steps));
			*out = w->address;
			return 0;
		}
	}
	return -EAGAIN;
}

static bool any_waiter(const struct rfc_ctx *ctx, bool read)
{
	for (GList *l = ctx->waiters.head; l; l = l->next)
		if (((struct userfault_waiter *)l->data)->read == read)
			return true;
	return false;
}

bool rfc_fault_pending(const struct rfc_ctx *ctx)
{
	return ctx->state == RFC_ACKING || (ctx->state == RFC_RUNNING && any_waiter(ctx, false));
}

bool rfc_wake_pending(const struct rfc_ctx *ctx)
{
	return any_waiter(ctx, true);
}

static int register_range(struct rfc_ctx *ctx, uint64_t start, uint64_t end, bool reg)
{
	struct mm *mm = ctx->mm;
	struct vma *vma = find_vma(mm, start);
	int err;

	if (!vma || vma->start >= end)
		return -ENOMEM;
	for (; reg && vma && vma->start < end; vma = vma_next(mm, vma))
		if (vma->watch && vma->watch_data != ctx && !unowned(vma))
			return -EBUSY;
	if ((err = split_at(mm, start)) || (err = split_at(mm, end)))
		return err;
	for (vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma))
		if (reg || vma->watch_data == ctx)
			set_owner(vma, reg ? ctx : NULL);
	if (!reg)
		wake_range(ctx, start, end, false);
	merge_range(mm, start, end);
	return 0;
}

int rfc_range_write(struct rfc_ctx *ctx, uint64_t start, uint64_t end)
{
	uint64_t op = start & (UFFD_RFC_REGISTER | UFFD_RFC_UNREGISTER);

	start &= ~op;
	if ((start & ~PAGE_MASK) || op == (UFFD_RFC_REGISTER | UFFD_RFC_UNREGISTER) || (end & ~PAGE_MASK))
		return -EINVAL;
	if (start >= end)
		return -ERANGE;
	if (end > TASK_SIZE || !ctx->mm)
		return -ENOMEM;
	if (!op)
		return wake_range(ctx, start, end, true) ? 0 : -ENOENT;
	return register_range(ctx, start, end, op == UFFD_RFC_REGISTER);
}

/* ------------------------------------------------------ remap_anon_pages */

long rfc_remap_anon_pages(struct mm *mm, uint64_t dst, uint64_t src, uint64_t len, uint64_t flags,
			  struct move_work *work)
{
	struct vma *dst_vma, *src_vma;
	struct rfc_ctx *ctx;
	int err;

	if ((flags & ~RAP_ALLOW_SRC_HOLES) || ((dst | src | len) & ~PAGE_MASK) || !len ||
	    dst >= TASK_SIZE || src >= TASK_SIZE || len > TASK_SIZE - dst || len > TASK_SIZE - src)
		return -EINVAL;
	dst_vma = vma_lookup(mm, dst);
	src_vma = vma_lookup(mm, src);
	if (!dst_vma || !src_vma)
		return -EINVAL;
	err = move_check_vmas(dst_vma, src_vma, dst, src, len);
	if (err)
		return err;
	ctx = dst_vma->watch == &rfc_watch ? dst_vma->watch_data : NULL;
	return move_anon_pages(mm, dst_vma, dst, src, len, flags & RAP_ALLOW_SRC_HOLES ? MOVE_ALLOW_SRC_HOLES : 0,
			       work, ctx ? userfault_waiters_charge : NULL, ctx ? &ctx->waiters : NULL);
}
