/*
 * userfault: the registry of a userfaultfd's ranges, its waiters and the
 * pages it installs (see userfault.h for the contract).
 */
#include "mmu/userfault/userfault.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "mmu/agent.h"
#include "mmu/fault.h"
#include "mmu/uaccess.h"
#include "mmu/userfault/shmem.h"

/* One watch per set of modes (UFFDIO_REGISTER_MODE_*, the index): a VMA's
 * watch says how it is registered, and VMAs of different modes never merge
 * (Linux's VM_UFFD_* flags). */
#define USERFAULT_MODES	8
static const struct vm_watch_ops userfault_watches[USERFAULT_MODES];

int userfault_validate_range(uint64_t start, uint64_t len)
{
	if ((start | len) & ~PAGE_MASK || !len || start >= TASK_SIZE || len > TASK_SIZE - start)
		return -EINVAL;
	return 0;
}

/* The profile costs are taken from, or NULL (an mm without a domain). */
static const struct cost_profile *ctx_profile(const struct userfault_ctx *ctx)
{
	return ctx->mm && ctx->mm->domain ? ctx->mm->domain->profile : NULL;
}

static void charge(struct userfault_ctx *ctx, struct event_cost *ev, enum cost_step step, uint64_t n)
{
	const struct cost_profile *p = ctx_profile(ctx);

	if (p && n)
		event_charge(ev, p, step, n);
}

/* Finish a waiter's round trip, record it, and wake its thread. */
static void wake_waiter(struct userfault_ctx *ctx, struct userfault_waiter *w)
{
	charge(ctx, &w->cost, COST_SCHED_PICK, 1);	/* the faulting thread back on a CPU */
	charge(ctx, &w->cost, COST_UFFD_WAKE, 1);
	charge(ctx, &w->cost, COST_TRAP_ENTRY, 1);	/* the retried access */
	charge(ctx, &w->cost, COST_TRAP_EXIT, 1);
	if (ctx_profile(ctx))
		domain_record_latency(ctx->mm->domain, "fault:userfault", &w->cost);
	ctx->wakes++;
	ctx->host.wake(ctx->host.arg, w);
	g_free(w);
}

/* Wake the waiters whose page is in [start, end). */
static void wake_range(struct userfault_ctx *ctx, uint64_t start, uint64_t end)
{
	for (GList *l = ctx->waiters.head, *next; l; l = next) {
		struct userfault_waiter *w = l->data;

		next = l->next;
		if (w->address >= start && w->address < end) {
			g_queue_delete_link(&ctx->waiters, l);
			wake_waiter(ctx, w);
		}
	}
}

/* Add the steps of resolving the page at `addr` to its waiters' round trips. */
static void charge_resolve(struct userfault_ctx *ctx, uint64_t addr, const struct vm_fault *vmf,
			   bool copied)
{
	for (GList *l = ctx->waiters.head; l; l = l->next) {
		struct userfault_waiter *w = l->data;

		if (w->address != addr)
			continue;
		charge(ctx, &w->cost, copied ? COST_PAGE_COPY : COST_PAGE_ZERO, copied || vmf->pages_zeroed);
		charge(ctx, &w->cost, COST_PGTABLE_ALLOC, vmf->tables_allocated);
		charge(ctx, &w->cost, COST_PTE_INSTALL, vmf->ptes_installed);
	}
}

static void drop_waiters(struct userfault_ctx *ctx)
{
	struct userfault_waiter *w;

	while ((w = g_queue_pop_head(&ctx->waiters)))
		g_free(w);
}

static void mm_released(struct mmu_notifier *sub, struct mm *mm)
{
	struct userfault_ctx *ctx = G_STRUCT_MEMBER_P(sub, -G_STRUCT_OFFSET(struct userfault_ctx, notifier));

	(void)mm;
	drop_waiters(ctx);	/* its threads are gone */
	ctx->mm = NULL;
}

static const struct mmu_notifier_ops userfault_notifier_ops = {
	.release = mm_released,
};

struct userfault_ctx *userfault_new(struct mm *mm, const struct userfault_host *host,
				    const struct userfault_modes *modes)
{
	struct userfault_ctx *ctx = g_new0(struct userfault_ctx, 1);

	ctx->mm = mm;
	ctx->modes = modes;
	ctx->host = *host;
	g_queue_init(&ctx->waiters);
	ctx->notifier.ops = &userfault_notifier_ops;
	mmu_notifier_register(&ctx->notifier, mm);
	return ctx;
}

struct userfault_ctx *vma_userfault_ctx(const struct vma *vma)
{
	return userfault_vma_mode(vma) ? vma->watch_data : NULL;
}

unsigned userfault_vma_mode(const struct vma *vma)
{
	const struct vm_watch_ops *w = vma->watch;

	return w >= userfault_watches && w < userfault_watches + USERFAULT_MODES ?
		       (unsigned)(w - userfault_watches) : 0;
}

/* vma's registration goes to `mode`: its context's modes hear of it. */
static void change_modes(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end, unsigned mode)
{
	struct userfault_ctx *old = vma_userfault_ctx(vma);

	if (old)
		old->modes->change_modes(mm, vma, start, end, mode);
}

int userfault_set_watch(struct mm *mm, uint64_t start, uint64_t end, struct userfault_ctx *ctx,
			unsigned mode)
{
	const struct vm_watch_ops *watch = ctx ? &userfault_watches[mode] : NULL;

	for (uint64_t at = start; at < end;) {
		struct vma *vma = find_vma(mm, at), *upper;
		int err;

		if (!vma || vma->start >= end)
			break;
		if (vma->start > at)
			at = vma->start;
		if (vma->watch_data == ctx && vma->watch == watch) {
			at = vma->end;
			continue;
		}
		if (vma->start < at) {
			err = vma_split(mm, vma, at, &upper);
			if (err)
				return err;
			vma = upper;
		}
		if (vma->end > end && (err = vma_split(mm, vma, end, &upper)))
			return err;
		change_modes(mm, vma, MAX(vma->start, start), MIN(vma->end, end), mode);
		vma->watch = watch;
		vma->watch_data = ctx;
		at = vma->end;
		vma_merge(mm, vma);
	}
	return 0;
}

void userfault_release(struct userfault_ctx *ctx)
{
	if (ctx->mm) {
		for (struct vma *vma = vma_first(ctx->mm); vma; vma = vma_next(ctx->mm, vma))
			if (vma->watch_data == ctx) {
				ctx->modes->change_modes(ctx->mm, vma, vma->start, vma->end, 0);
				vma->watch = NULL;
				vma->watch_data = NULL;
			}
		for (struct vma *vma = vma_first(ctx->mm); vma; vma = vma_next(ctx->mm, vma))
			vma = vma_merge(ctx->mm, vma);
		wake_range(ctx, 0, TASK_SIZE);
		mmu_notifier_unregister(&ctx->notifier, ctx->mm);
	}
	ctx->modes->release(ctx);
	g_free(ctx);
}

int userfault_api(struct userfault_ctx *ctx, uint64_t api, uint64_t features, uint64_t *offered)
{
	if (api != UFFD_API || (features & ~(uint64_t)USERFAULT_FEATURES) || ctx->api_done)
		return -EINVAL;
	*offered = USERFAULT_FEATURES;
	if (features & UFFD_FEATURE_WP_ASYNC)
		features |= UFFD_FEATURE_WP_UNPOPULATED;	/* as Linux: it relies on markers */
	ctx->features = (unsigned)features;
	ctx->api_done = true;
	return 0;
}

/* Linux's vma_can_userfault (with CONFIG_PTE_MARKER_UFFD_WP): private
 * anonymous memory and shmem (shmem.h), and with WP_ASYNC in WP mode alone
 * any memory the fault path serves (not a VMA with its own handle_fault,
 * as Linux's VM_SPECIAL mappings); hugetlbfs ranges are not modelled. */
static bool vma_can_userfault(const struct userfault_ctx *ctx, const struct vma *vma, uint64_t mode)
{
	if (userfault_vma_is_shmem(vma))
		return true;
	if ((ctx->features & UFFD_FEATURE_WP_ASYNC) && mode == UFFDIO_REGISTER_MODE_WP)
		return !vma->vm_ops->handle_fault;
	if (mode & UFFDIO_REGISTER_MODE_MINOR)
		return false;		/* minor.h */
	return vma->vm_ops->backing == BACKING_ANON && !vma->vm_private_data &&
	       !(vma->flags & VM_SHARED);
}

/* Linux's checks of the VMAs a (un)register touches: at least one, every
 * one of a kind that can userfault (in `mode`, or unregistering in the
 * modes it has), and (registering) none owned by another context. */
static int check_vmas(struct userfault_ctx *ctx, uint64_t start, uint64_t end, bool reg, uint64_t mode)
{
	struct vma *vma = find_vma(ctx->mm, start);

	if (!vma || vma->start >= end)
		return -EINVAL;
	for (; vma && vma->start < end; vma = vma_next(ctx->mm, vma)) {
		if (!vma_can_userfault(ctx, vma, reg ? mode : userfault_vma_mode(vma)))
			return -EINVAL;
		if (reg && vma->watch && vma->watch_data != ctx)
			return -EBUSY;
	}
	return 0;
}

int userfault_register(struct userfault_ctx *ctx, uint64_t start, uint64_t len, uint64_t mode)
{
	int err;

	/* WP as x86-64 (arm64 6.12 has no CONFIG_HAVE_ARCH_USERFAULTFD_WP);
	 * MINOR for shmem (minor.h). */
	if (!mode || (mode & ~(UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP |
			       UFFDIO_REGISTER_MODE_MINOR)))
		return -EINVAL;
	err = userfault_validate_range(start, len);
	if (err)
		return err;
	if (!ctx->mm)
		return -ENOMEM;
	err = check_vmas(ctx, start, start + len, true, mode);
	return err ? err : userfault_set_watch(ctx->mm, start, start + len, ctx, (unsigned)mode);
}

int userfault_unregister(struct userfault_ctx *ctx, uint64_t start, uint64_t len)
{
	int err = userfault_validate_range(start, len);

	if (err)
		return err;
	if (!ctx->mm)
		return -ENOMEM;
	err = check_vmas(ctx, start, start + len, false, 0);
	if (err)
		return err;
	wake_range(ctx, start, start + len);
	return userfault_set_watch(ctx->mm, start, start + len, NULL, 0);
}

int userfault_wake(struct userfault_ctx *ctx, uint64_t start, uint64_t len)
{
	int err = userfault_validate_range(start, len);

	if (!err)
		wake_range(ctx, start, start + len);
	return err;
}

int userfault_fill_vma(struct userfault_ctx *ctx, uint64_t dst, uint64_t len, struct vma **out)
{
	struct vma *vma;

	if (!ctx->mm)
		return -ESRCH;
	if (ctx->mmap_changing)
		return -EAGAIN;		/* an event not read yet */
	vma = vma_lookup(ctx->mm, dst);
	if (!vma || dst + len > vma->end || !userfault_vma_mode(vma))
		return -ENOENT;
	*out = vma;
	return 0;
}

/* The frame UFFDIO_COPY installs: a copy of the source page, in src_mm. */
static int copy_page(struct userfault_ctx *ctx, struct mm *src_mm, uint64_t src, phys_addr_t *page)
{
	struct phys *phys = ctx->mm->phys;
	int err;

	if (phys_alloc(phys, FRAME_DATA, page))
		return -ENOMEM;
	err = copy_from_user(src_mm, phys_to_host(phys, *page), src, PAGE_SIZE);
	if (err)
		phys_put(phys, *page);
	return err;
}

/* The frame UFFDIO_ZEROPAGE installs: the zero page (read-only until a
 * write copies it), or a zeroed frame without it (vm.zero_page=0). */
static int zero_page(struct userfault_ctx *ctx, struct vm_fault *vmf, phys_addr_t *page)
{
	if (ctx->mm->tunables->zero_page)
		return phys_zero_page(ctx->mm->phys, page) ? -ENOMEM : 0;
	if (phys_alloc(ctx->mm->phys, FRAME_DATA, page))
		return -ENOMEM;
	vmf->pages_zeroed++;
	return 0;
}

static void add_work(struct userfault_work *work, const struct vm_fault *vmf, bool copied)
{
	work->tables_allocated += vmf->tables_allocated;
	work->pages_copied += copied;
	work->pages_zeroed += vmf->pages_zeroed;
	work->ptes_installed += vmf->ptes_installed;
}

/* Linux's mfill_atomic: page by page; the bytes installed, else the error. */
static long mfill(struct userfault_ctx *ctx, uint64_t dst, struct mm *src_mm, uint64_t src, uint64_t len,
		  unsigned flags, struct userfault_work *work)
{
	bool copy = flags & USERFAULT_FILL_COPY;
	struct vma *vma;
	uint64_t done = 0;
	int err = userfault_fill_vma(ctx, dst, len, &vma);

	if (err)
		return err;
	if ((flags & USERFAULT_FILL_WP) && !(userfault_vma_mode(vma) & UFFDIO_REGISTER_MODE_WP))
		return -EINVAL;
	if ((flags & USERFAULT_FILL_CONTINUE) && !userfault_vma_is_shmem(vma))
		return -EINVAL;
	for (; done < len && !err; done += err ? 0 : PAGE_SIZE) {
		struct vm_fault vmf;
		phys_addr_t page;
		pte_t *ptep = pgtable_walk(ctx->mm->phys, ctx->mm->pgd, dst + done);

		vm_fault_init(&vmf, ctx->mm, dst + done, FAULT_WRITE, FAULT_FLAG_KERNEL);
		vmf.vma = vma;
		if (flags & USERFAULT_FILL_CONTINUE)
			err = ctx->modes->continue_page(&vmf, &page);	/* EEXIST: installing */
		else if (ptep && pte_present(*ptep))
			err = -EEXIST;
		else if (userfault_vma_is_shmem(vma) && (vma->flags & VM_SHARED))
			err = userfault_shmem_fill(&vmf, copy ? src_mm : NULL, src + done, &page);
		else
			err = copy ? copy_page(ctx, src_mm, src + done, &page) : zero_page(ctx, &vmf, &page);
		if (!err)
			err = vm_fault_install_page(&vmf, page);
		if (!err && (flags & USERFAULT_FILL_WP))
			ctx->modes->protect_page(ctx->mm, dst + done);
		if (!err) {
			add_work(work, &vmf, copy);
			charge_resolve(ctx, dst + done, &vmf, copy);
		}
	}
	if (copy)
		ctx->copied_pages += done >> PAGE_SHIFT;
	else if (flags & USERFAULT_FILL_CONTINUE)
		ctx->continued_pages += done >> PAGE_SHIFT;
	else
		ctx->zeroed_pages += done >> PAGE_SHIFT;
	return done ? (long)done : err;
}

long userfault_copy(struct userfault_ctx *ctx, uint64_t dst, struct mm *src_mm, uint64_t src, uint64_t len,
		    unsigned flags, struct userfault_work *work)
{
	long ret = mfill(ctx, dst, src_mm, src, len, flags | USERFAULT_FILL_COPY, work);

	if (ret > 0 && (flags & USERFAULT_FILL_WAKE))
		wake_range(ctx, dst, dst + (uint64_t)ret);
	return ret;
}

long userfault_zeropage(struct userfault_ctx *ctx, uint64_t start, uint64_t len, bool wake,
			struct userfault_work *work)
{
	long ret = mfill(ctx, start, NULL, 0, len, wake ? USERFAULT_FILL_WAKE : 0, work);

	if (ret > 0 && wake)
		wake_range(ctx, start, start + (uint64_t)ret);
	return ret;
}

long userfault_continue(struct userfault_ctx *ctx, uint64_t start, uint64_t len, unsigned flags,
			struct userfault_work *work)
{
	long ret = mfill(ctx, start, NULL, 0, len, flags | USERFAULT_FILL_CONTINUE, work);

	if (ret > 0 && (flags & USERFAULT_FILL_WAKE))
		wake_range(ctx, start, start + (uint64_t)ret);
	return ret;
}

int userfault_read(struct userfault_ctx *ctx, struct uffd_msg *out)
{
	for (GList *l = ctx->waiters.head; l; l = l->next) {
		struct userfault_waiter *w = l->data;

		if (w->read)
			continue;
		w->read = true;
		charge(ctx, &w->cost, COST_SCHED_PICK, 1);	/* the handler woken */
		charge(ctx, &w->cost, COST_SYSCALL_ENTRY, 1);
		charge(ctx, &w->cost, COST_SYSCALL_EXIT, 1);
		*out = w->msg;
		return 0;
	}
	return -EAGAIN;
}

bool userfault_pending(const struct userfault_ctx *ctx)
{
	for (GList *l = ctx->waiters.head; l; l = l->next)
		if (!((struct userfault_waiter *)l->data)->read)
			return true;
	return ctx->events.length > 0;
}

/* Forget the waiter `tid` left behind (a fault run again after a signal). */
static void forget_thread(struct userfault_ctx *ctx, int tid)
{
	for (GList *l = ctx->waiters.head; l; l = l->next) {
		struct userfault_waiter *w = l->data;

		if (w->tid == tid) {
			g_queue_delete_link(&ctx->waiters, l);
			g_free(w);
			return;
		}
	}
}

static struct userfault_waiter *new_waiter(struct userfault_ctx *ctx, const struct vm_fault *vmf)
{
	struct userfault_waiter *w = g_new0(struct userfault_waiter, 1);

	w->address = vmf->address;
	w->tid = ctx->host.current_tid(ctx->host.arg);
	w->msg.event = UFFD_EVENT_PAGEFAULT;
	w->msg.address = ctx->features & UFFD_FEATURE_EXACT_ADDRESS ? vmf->real_address : vmf->address;
	w->msg.flags = vmf->access == FAULT_WRITE ? UFFD_PAGEFAULT_FLAG_WRITE : 0;
	w->msg.ptid = ctx->features & UFFD_FEATURE_THREAD_ID ? (uint32_t)w->tid : 0;
	charge(ctx, &w->cost, COST_TRAP_ENTRY, 1);
	charge(ctx, &w->cost, COST_UFFD_ENQUEUE, 1);
	charge(ctx, &w->cost, COST_TRAP_EXIT, 1);
	return w;
}

/* Linux's handle_userfault: `reason` is the message's flag besides WRITE. */
static int handle_userfault(struct vm_fault *vmf, unsigned reason)
{
	struct userfault_ctx *ctx = vmf->vma->watch_data;
	struct agent *a = mm_current_agent(vmf->mm);
	struct userfault_waiter *w;

	if ((ctx->features & UFFD_FEATURE_SIGBUS) || !(vmf->flags & FAULT_FLAG_ALLOW_RETRY) ||
	    (ctx->user_mode_only && (vmf->flags & FAULT_FLAG_KERNEL))) {
		vm_fault_note(vmf, "userfaultfd: registered, but %s: SIGBUS instead of a message",
			      ctx->features & UFFD_FEATURE_SIGBUS ? "the descriptor asked for the SIGBUS "
								    "feature" : "the fault cannot sleep here");
		return VM_FAULT_SIGBUS;
	}
	w = new_waiter(ctx, vmf);
	w->msg.flags |= reason;
	forget_thread(ctx, w->tid);
	g_queue_push_tail(&ctx->waiters, w);
	ctx->faults++;
	if (a)
		agent_charge(a, COST_UFFD_ENQUEUE, 1);
	vmf->wait_channel = w;
	vmf->wait_what = "userfaultfd";
	ctx->host.queued(ctx->host.arg);
	vm_fault_note(vmf, "userfaultfd: the range is registered (%s): a uffd_msg for %#" PRIx64
		      " is queued and the handler's descriptor woken; the task sleeps until a COPY, "
		      "ZEROPAGE, MOVE, CONTINUE or WAKE covers the page, then the access retries",
		      reason & UFFD_PAGEFAULT_FLAG_MINOR ? "MINOR" : reason ? "WP" : "MISSING", w->msg.address);
	return VM_FAULT_RETRY;
}

static int userfault_missing(struct vm_fault *vmf)
{
	const struct userfault_ctx *ctx = vmf->vma->watch_data;

	if (ctx->modes->minor_fault(vmf))
		return handle_userfault(vmf, UFFD_PAGEFAULT_FLAG_MINOR);
	if (!(userfault_vma_mode(vmf->vma) & UFFDIO_REGISTER_MODE_MISSING) || userfault_shmem_holds(vmf))
		return VM_FAULT_DONE;
	return handle_userfault(vmf, 0);
}

/* A write to a page write-protected by the bit: a message, or with
 * WP_ASYNC the kernel's own resolution (Linux's do_wp_page: the write fault
 * goes on, and its new entry has no bit). */
static int userfault_wp(struct vm_fault *vmf)
{
	const struct userfault_ctx *ctx = vmf->vma->watch_data;

	if (ctx->features & UFFD_FEATURE_WP_ASYNC) {
		vm_fault_note(vmf, "userfaultfd: WP_ASYNC: the kernel clears the write-protection itself");
		return VM_FAULT_DONE;
	}
	return handle_userfault(vmf, UFFD_PAGEFAULT_FLAG_WP);
}

/* Indexed by mode: WP ones have `wp` (the fault path asks it of protected
 * entries and markers, mmu/fault.c), WP and MINOR ones do no fault-around. */
#define USERFAULT_WATCH(mode) { .missing = userfault_missing, \
				.wp = (mode) & UFFDIO_REGISTER_MODE_WP ? userfault_wp : NULL, \
				.no_fault_around = (mode) & (UFFDIO_REGISTER_MODE_WP | UFFDIO_REGISTER_MODE_MINOR) }
static const struct vm_watch_ops userfault_watches[USERFAULT_MODES] = {
	USERFAULT_WATCH(0), USERFAULT_WATCH(1), USERFAULT_WATCH(2), USERFAULT_WATCH(3),
	USERFAULT_WATCH(4), USERFAULT_WATCH(5), USERFAULT_WATCH(6), USERFAULT_WATCH(7),
};
