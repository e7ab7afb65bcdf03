/*
 * userfault events: FORK, REMAP, REMOVE and UNMAP (see events.h for the
 * contract).
 */
#include "mmu/userfault/events.h"

#include "mmu/userfault/wp.h"

/* A new event for ctx, marked as changing its context until done. */
static struct userfault_event *prepare(struct userfault_events *ev, struct userfault_ctx *ctx,
				       uint8_t event, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct userfault_event *e = g_new0(struct userfault_event, 1);

	e->msg.event = event;
	e->msg.arg[0] = a0;
	e->msg.arg[1] = a1;
	e->msg.arg[2] = a2;
	e->ctx = ctx;
	e->ready = true;
	ctx->mmap_changing++;
	if (!ev->prepared)
		ev->prepared = g_ptr_array_new();
	g_ptr_array_add(ev->prepared, e);
	return e;
}

/* The context of vma if it asked for `feature`, else NULL. */
static struct userfault_ctx *ctx_wanting(const struct vma *vma, unsigned feature)
{
	struct userfault_ctx *ctx = vma_userfault_ctx(vma);

	return ctx && (ctx->features & feature) ? ctx : NULL;
}

/* Whether ev holds an event `event` for ctx on [a0, a1) already. */
static bool has_event(const struct userfault_events *ev, const struct userfault_ctx *ctx, uint8_t event,
		      uint64_t a0, uint64_t a1)
{
	for (guint i = 0; ev->prepared && i < ev->prepared->len; i++) {
		const struct userfault_event *e = g_ptr_array_index(ev->prepared, i);

		if (e->ctx == ctx && e->msg.event == event && e->msg.arg[0] == a0 && e->msg.arg[1] == a1)
			return true;
	}
	return false;
}

/* Linux's userfaultfd_unmap_prep, for every VMA in [start, end). */
static void prep_unmap(struct userfault_events *ev, struct mm *mm, uint64_t start, uint64_t end,
		       bool ready)
{
	for (struct vma *vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma)) {
		struct userfault_ctx *ctx = ctx_wanting(vma, UFFD_FEATURE_EVENT_UNMAP);

		if (ctx && !has_event(ev, ctx, UFFD_EVENT_UNMAP, start, end))
			prepare(ev, ctx, UFFD_EVENT_UNMAP, start, end, 0)->ready = ready;
	}
}

void userfault_prep_unmap(struct userfault_events *ev, struct mm *mm, uint64_t start, uint64_t end)
{
	prep_unmap(ev, mm, start, end, true);
}

/* Linux's userfaultfd_remove, called by madvise for each VMA. */
void userfault_prep_madvise(struct userfault_events *ev, struct mm *mm, uint64_t start, uint64_t len,
			    int advice)
{
	uint64_t end = start + PAGE_ALIGN(len);

	if (advice != MM_MADV_DONTNEED && advice != MM_MADV_DONTNEED_LOCKED && advice != MM_MADV_FREE &&
	    advice != MM_MADV_REMOVE)
		return;
	if ((start & ~PAGE_MASK) || end < start)
		return;
	for (struct vma *vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma)) {
		struct userfault_ctx *ctx = ctx_wanting(vma, UFFD_FEATURE_EVENT_REMOVE);

		if (ctx)
			prepare(ev, ctx, UFFD_EVENT_REMOVE, MAX(start, vma->start), MIN(end, vma->end), 0);
	}
}

/* Linux's mremap_userfaultfd_prep, with the unmap of the old range that
 * move_vma does; before it, the unmaps of mremap_to's target and of a
 * shrink. */
void userfault_prep_mremap(struct userfault_events *ev, struct mm *mm, uint64_t old_addr,
			   uint64_t old_len, uint64_t new_len, unsigned flags, uint64_t new_addr)
{
	struct vma *vma;
	struct userfault_ctx *ctx;

	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (flags & MM_REMAP_FIXED)
		prep_unmap(ev, mm, new_addr, new_addr + new_len, true);
	if (new_len < old_len)
		prep_unmap(ev, mm, old_addr + new_len, old_addr + old_len, true);
	vma = vma_lookup(mm, old_addr);
	ctx = vma ? ctx_wanting(vma, UFFD_FEATURE_EVENT_REMAP) : NULL;
	ev->remap_drops_wp = vma && vma_userfault_ctx(vma) && !ctx;
	if (ctx) {
		struct userfault_event *e = prepare(ev, ctx, UFFD_EVENT_REMAP, old_addr, 0, old_len);

		e->ready = false;
		e->mode = userfault_vma_mode(vma);
	}
	if (!(flags & MM_REMAP_DONTUNMAP) && old_len)
		prep_unmap(ev, mm, old_addr, old_addr + MIN(old_len, new_len), false);
}

void userfault_remap_done(struct userfault_events *ev, struct mm *mm, uint64_t to, uint64_t new_len)
{
	if (ev->remap_drops_wp)
		userfault_wp_drop_moved(mm, to, to + new_len);
	for (guint i = 0; ev->prepared && i < ev->prepared->len; i++) {
		struct userfault_event *e = g_ptr_array_index(ev->prepared, i);

		if (e->ready)
			continue;
		e->ready = true;
		if (e->msg.event != UFFD_EVENT_REMAP)
			continue;
		e->msg.arg[1] = to;
		if (e->ctx->mm == mm)
			userfault_set_watch(mm, to, to + new_len, e->ctx, e->mode);
	}
}

/* The child's context for octx (one per context, however many VMAs). */
static struct userfault_ctx *child_ctx(struct userfault_events *ev, struct userfault_ctx *octx,
				       struct mm *child,
				       struct userfault_ctx *(*make)(struct userfault_ctx *, struct mm *),
				       void (*drop)(struct userfault_ctx *))
{
	struct userfault_event *e;

	for (guint i = 0; ev->prepared && i < ev->prepared->len; i++) {
		e = g_ptr_array_index(ev->prepared, i);
		if (e->ctx == octx && e->msg.event == UFFD_EVENT_FORK)
			return e->child;
	}
	e = prepare(ev, octx, UFFD_EVENT_FORK, 0, 0, 0);
	e->child = make(octx, child);
	e->child->features = octx->features;
	e->child->api_done = true;
	e->child->user_mode_only = octx->user_mode_only;
	e->drop_child = drop;
	return e->child;
}

/* Linux's dup_userfaultfd for every VMA fork copied. */
void userfault_prep_fork(struct userfault_events *ev, struct mm *old, struct mm *child,
			 struct userfault_ctx *(*make)(struct userfault_ctx *octx, struct mm *child),
			 void (*drop)(struct userfault_ctx *child))
{
	for (struct vma *vma = vma_first(old); vma; vma = vma_next(old, vma)) {
		struct userfault_ctx *octx = ctx_wanting(vma, UFFD_FEATURE_EVENT_FORK);
		struct vma *copy = vma_lookup(child, vma->start);

		if (!copy || copy->start != vma->start)
			continue;
		if (octx)
			userfault_set_watch(child, vma->start, vma->end, child_ctx(ev, octx, child, make, drop),
					    userfault_vma_mode(vma));
		else if (userfault_vma_mode(vma) & UFFDIO_REGISTER_MODE_WP)
			userfault_wp_forget(child, copy);	/* Linux's copy_present_pte: pte_clear_uffd_wp */
	}
}

/* Finish e: its context is no longer changing; its thread wakes with the
 * batch's last event. */
static void finish(struct userfault_event *e)
{
	struct userfault_ctx *ctx = e->ctx;

	ctx->mmap_changing--;
	if (e->batch && !--e->batch->pending) {
		ctx->host.wake(ctx->host.arg, e->batch);
		g_free(e->batch);
	}
	if (e->child)
		e->drop_child(e->child);	/* a FORK never read */
	g_free(e);
}

struct userfault_batch *userfault_raise(struct userfault_events *ev, bool ok)
{
	struct userfault_batch *batch = NULL;

	for (guint i = 0; ev->prepared && i < ev->prepared->len; i++) {
		struct userfault_event *e = g_ptr_array_index(ev->prepared, i);

		if (!ok || !e->ready) {
			finish(e);
			continue;
		}
		if (!batch)
			batch = g_new0(struct userfault_batch, 1);
		batch->pending++;
		e->batch = batch;
		g_queue_push_tail(&e->ctx->events, e);
		e->ctx->host.queued(e->ctx->host.arg);
	}
	if (ev->prepared)
		g_ptr_array_free(ev->prepared, TRUE);
	ev->prepared = NULL;
	return batch;
}

struct userfault_event *userfault_next_event(struct userfault_ctx *ctx)
{
	return g_queue_peek_head(&ctx->events);
}

void userfault_event_done(struct userfault_event *e)
{
	g_queue_remove(&e->ctx->events, e);
	e->child = NULL;	/* the reader's descriptor holds it now */
	finish(e);
}

void userfault_events_release(struct userfault_ctx *ctx)
{
	struct userfault_event *e;

	while ((e = g_queue_pop_head(&ctx->events)))
		finish(e);
}
