/*
 * move: moving anonymous page-table entries between two ranges of one mm
 * (see move.h for the contract).
 */
#include "mmu/userfault/move.h"

#include <errno.h>

#include "mmu/agent.h"
#include "mmu/mmu_gather.h"
#include "mmu/pgtable.h"
#include "mmu/phys.h"

static bool vma_is_private_anon(const struct vma *vma)
{
	return vma->vm_ops->backing == BACKING_ANON && !vma->vm_private_data &&
	       !(vma->flags & VM_SHARED);
}

int move_check_vmas(const struct vma *dst_vma, const struct vma *src_vma, uint64_t dst, uint64_t src,
		    uint64_t len)
{
	if (src < src_vma->start || src_vma->end - src < len || dst < dst_vma->start ||
	    dst_vma->end - dst < len)
		return -EINVAL;
	if (!vma_is_private_anon(src_vma) || !vma_is_private_anon(dst_vma))
		return -EINVAL;
	if (src_vma->prot != dst_vma->prot ||
	    (src_vma->flags & VM_LOCKED) != (dst_vma->flags & VM_LOCKED))
		return -EINVAL;
	return 0;
}

/* Shoot down the source's translation of `src` now, as ptep_clear_flush,
 * and add what the agent running the move paid for it to `cost`. */
static void flush_source(struct mm *mm, uint64_t src, struct event_cost *cost)
{
	struct agent *a = mm_current_agent(mm);
	struct event_cost shootdown;

	if (a)
		agent_begin_event(a, &shootdown);
	flush_tlb_mm_range(mm, src, src + PAGE_SIZE);
	if (a) {
		agent_end_event(a, NULL);	/* into the move's own event */
		event_add(cost, &shootdown);
	}
}

static void charge(struct mm *mm, struct event_cost *cost, enum cost_step step, uint64_t n)
{
	if (mm->domain && n)
		event_charge(cost, mm->domain->profile, step, n);
}

/* One page: 0 moved (or a hole passed over), else the error. */
static int move_one(struct mm *mm, struct vma *dst_vma, uint64_t dst, uint64_t src, unsigned flags,
		    struct move_work *work, struct event_cost *cost)
{
	pte_t *src_pte, *dst_pte = pgtable_walk(mm->phys, mm->pgd, dst);
	phys_addr_t page;
	int created;

	if (dst_pte && *dst_pte)
		return -EEXIST;		/* a page, or a marker (Linux: !pte_none) */
	src_pte = pgtable_walk(mm->phys, mm->pgd, src);
	if (!src_pte || !*src_pte) {
		if (!(flags & MOVE_ALLOW_SRC_HOLES))
			return -ENOENT;
		work->holes++;
		return 0;
	}
	if (!pte_present(*src_pte))
		return -EFAULT;		/* a marker or device-private entry (a non-swap entry) */
	page = pte_addr(*src_pte);
	if (!phys_is_zero_page(mm->phys, page) && phys_refcount(mm->phys, page) > 1)
		return -EBUSY;
	created = pgtable_walk_alloc(mm->phys, mm->pgd, dst, &dst_pte);
	if (created < 0)
		return created;
	pte_set(mm->phys, dst_pte, pte_mk_page(page, phys_is_zero_page(mm->phys, page) ? dst_vma->prot & ~VM_WRITE
								      : dst_vma->prot));
	pte_set(mm->phys, src_pte, 0);		/* the frame's reference went with the entry */
	if (!phys_is_zero_page(mm->phys, page))
		dst_vma->flags |= VM_ANON_PAGES;
	work->tables_allocated += (unsigned)created;
	work->pages_moved++;
	work->flushes++;
	charge(mm, cost, COST_PGTABLE_ALLOC, (uint64_t)created);
	charge(mm, cost, COST_PTE_INSTALL, 1);
	flush_source(mm, src, cost);
	if (dst_vma->prot & VM_EXEC)
		mmu_notifier_invalidate_code(mm, dst, dst + PAGE_SIZE);
	return 0;
}

long move_anon_pages(struct mm *mm, struct vma *dst_vma, uint64_t dst, uint64_t src, uint64_t len,
		     unsigned flags, struct move_work *work, move_page_fn moved, void *arg)
{
	uint64_t done = 0;
	int err = 0;

	while (done < len) {
		struct event_cost cost = { 0 };
		unsigned before = work->pages_moved;

		err = move_one(mm, dst_vma, dst + done, src + done, flags, work, &cost);
		if (err)
			break;
		if (moved && work->pages_moved != before)
			moved(arg, dst + done, &cost);
		done += PAGE_SIZE;
	}
	return done ? (long)done : err;
}

void userfault_waiters_charge(void *queue, uint64_t dst, const struct event_cost *cost)
{
	for (GList *l = ((GQueue *)queue)->head; l; l = l->next) {
		struct userfault_waiter *w = l->data;

		if (w->address == dst)
			event_add(&w->cost, cost);
	}
}

long userfault_move(struct userfault_ctx *ctx, uint64_t dst, uint64_t src, uint64_t len, uint64_t mode,
		    struct move_work *work)
{
	struct vma *dst_vma, *src_vma;
	long ret;

	if (!ctx->mm)
		return -ESRCH;
	dst_vma = vma_lookup(ctx->mm, dst);
	src_vma = dst_vma ? vma_lookup(ctx->mm, src) : NULL;
	if (!src_vma)
		return -ENOENT;
	ret = move_check_vmas(dst_vma, src_vma, dst, src, len);
	if (ret)
		return ret;
	if (!(src_vma->prot & VM_WRITE) || dst_vma->watch_data != ctx)
		return -EINVAL;		/* Linux moves only between writable VMAs, into its own range */
	ret = move_anon_pages(ctx->mm, dst_vma, dst, src, len,
			      mode & UFFDIO_MOVE_MODE_ALLOW_SRC_HOLES ? MOVE_ALLOW_SRC_HOLES : 0, work,
			      userfault_waiters_charge, &ctx->waiters);
	ctx->moved_pages += work->pages_moved;
	if (ret > 0 && !(mode & UFFDIO_MOVE_MODE_DONTWAKE))
		userfault_wake(ctx, dst, (uint64_t)ret);
	return ret;
}
