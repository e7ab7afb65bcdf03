/*
 * mshare: the region, its host mm and the vm_ops of a process's mapping of
 * it (mmu/mshare/mshare.h).  The links a region's VMAs made are kept by VMA,
 * so that a VMA leaving its mm undoes exactly its own.
 */
#include "mmu/mshare/mshare.h"

#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include "mmu/agent.h"
#include "mmu/fault.h"
#include "mmu/pagewalk.h"

struct mshare_region {
	struct mmu_notifier host_watch;	/* first: on the host mm's chain */
	int refs;
	struct ptshare *ps;
	struct mm *host;
	uint64_t start, size;	/* size 0: not set up */
	GHashTable *sharers;	/* struct vma * -> its struct mm *: VMAs holding links */
	GHashTable *subs;	/* struct mm * -> struct sharer: their notifiers */
	bool passing;		/* passing a flush on: the sharers' own are not passed back */
	enum mshare_flush flush;
	bool v3_bugs;
	uint64_t links, peak_sharers, flushes_passed;
	struct mshare_stats flushing;	/* changes .. stale_cpu */
	struct mshare_ledger *ledger;	/* where its sharers' tables go; NULL: nowhere */
	uint64_t id;			/* its name there */
};

struct mshare_ledger {
	GArray *tables;	/* struct mshare_tables */
};

/* A sharer mm's subscription: its flushes of linked ranges are passed on
 * to every other holder of those tables (mmu/ptshare). */
struct sharer {
	struct mmu_notifier n;	/* first: the notifier is the sharer */
	struct mshare_region *r;
	unsigned vmas;		/* its VMAs holding links */
	unsigned left;		/* v3: unmapped VMAs whose links stay (and their references) */
};

static const struct mmu_notifier_ops host_watch_ops;

int mshare_region_new(struct ptshare *ps, struct phys *phys, struct vm_stats *stats,
		      const struct vm_tunables *tunables, struct mshare_region **out)
{
	struct mshare_region *r = g_new0(struct mshare_region, 1);
	int err = mm_create(phys, stats, &r->host);

	if (err) {
		g_free(r);
		return err;
	}
	r->host->tunables = tunables;
	r->refs = 1;
	r->ps = ps;
	r->flush = MSHARE_FLUSH_PER_SHARER;
	r->sharers = g_hash_table_new(g_direct_hash, g_direct_equal);
	r->subs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	r->host_watch.ops = &host_watch_ops;
	mmu_notifier_register(&r->host_watch, r->host);
	*out = r;
	return 0;
}

struct mshare_region *mshare_region_get(struct mshare_region *r)
{
	r->refs++;
	return r;
}

void mshare_region_put(struct mshare_region *r)
{
	if (!r || --r->refs)
		return;
	g_assert(g_hash_table_size(r->sharers) == 0);	/* every VMA holds a reference */
	mmu_notifier_unregister(&r->host_watch, r->host);
	g_hash_table_destroy(r->sharers);
	g_hash_table_destroy(r->subs);
	mmput(r->host);
	g_free(r);
}

struct mm *mshare_host_mm(const struct mshare_region *r)
{
	return r->host;
}

static const char *const flush_names[NR_MSHARE_FLUSH] = {
	[MSHARE_FLUSH_NONE] = "none",
	[MSHARE_FLUSH_ALL] = "all",
	[MSHARE_FLUSH_HOST_MASK] = "host-mask",
	[MSHARE_FLUSH_PER_SHARER] = "per-sharer",
	[MSHARE_FLUSH_UNION_MASK] = "union-mask",
};

int mshare_flush_parse(const char *name, enum mshare_flush *out)
{
	for (int f = 0; f < NR_MSHARE_FLUSH; f++) {
		if (!strcmp(name, flush_names[f])) {
			*out = f;
			return 0;
		}
	}
	return -EINVAL;
}

const char *mshare_flush_name(enum mshare_flush f)
{
	return flush_names[f];
}

void mshare_set_flush(struct mshare_region *r, enum mshare_flush f)
{
	r->flush = f;
}

void mshare_set_v3_bugs(struct mshare_region *r, bool on)
{
	r->v3_bugs = on;
}

void mshare_region_stats(const struct mshare_region *r, struct mshare_stats *st)
{
	*st = r->flushing;
	st->flush = r->flush;
	st->links = r->links;
	st->sharers = g_hash_table_size(r->sharers);
	st->peak_sharers = r->peak_sharers;
	st->flushes_passed = r->flushes_passed;
	mm_pgtable_pages_by_level(r->host, st->tables);
}

struct mshare_ledger *mshare_ledger_new(void)
{
	struct mshare_ledger *l = g_new(struct mshare_ledger, 1);

	l->tables = g_array_new(FALSE, TRUE, sizeof(struct mshare_tables));
	return l;
}

void mshare_ledger_free(struct mshare_ledger *l)
{
	g_array_free(l->tables, TRUE);
	g_free(l);
}

const struct mshare_tables *mshare_ledger_tables(const struct mshare_ledger *l, unsigned *n)
{
	*n = l->tables->len;
	return (const struct mshare_tables *)(void *)l->tables->data;
}

void mshare_set_ledger(struct mshare_region *r, struct mshare_ledger *l, uint64_t id)
{
	r->ledger = l;
	r->id = id;
}

/* `mm` lets go of the region: its tables replace any it had recorded. */
static void record_tables(struct mshare_region *r, struct mm *mm)
{
	GArray *all;
	struct mshare_tables *t = NULL;

	if (!r->ledger)
		return;
	all = r->ledger->tables;
	for (unsigned i = 0; i < all->len && !t; i++) {
		struct mshare_tables *e = &g_array_index(all, struct mshare_tables, i);

		if (e->region == r->id && e->mm == mm->id)
			t = e;
	}
	if (!t) {
		g_array_set_size(all, all->len + 1);
		t = &g_array_index(all, struct mshare_tables, all->len - 1);
		t->region = r->id;
		t->mm = mm->id;
	}
	mm_pgtable_pages_split(mm, t->own, t->shared);
}

void mshare_get_size(const struct mshare_region *r, uint64_t *start, uint64_t *size)
{
	*start = r->start;
	*size = r->size;
}

static bool pgdir_aligned(uint64_t addr)
{
	return !(addr & (PGDIR_SIZE - 1));
}

/* v3 knows a region set up by its start, and checks no size. */
static int set_size_v3(struct mshare_region *r, uint64_t start, uint64_t size)
{
	if (r->start || !pgdir_aligned(start) || !pgdir_aligned(start + size))
		return -EINVAL;
	r->start = start;
	r->size = size ? size : UINT64_MAX;
	return 0;
}

int mshare_set_size(struct mshare_region *r, uint64_t start, uint64_t size)
{
	uint64_t end = start + size;

	if (r->v3_bugs)
		return set_size_v3(r, start, size);
	if (r->size || !size || end < start || !pgdir_aligned(start) || !pgdir_aligned(end) ||
	    start < MMAP_MIN_ADDR || end > TASK_SIZE)
		return -EINVAL;
	r->start = start;
	r->size = size;
	return 0;
}

int mshare_create_mapping(struct mshare_region *r, uint64_t addr, uint64_t size, unsigned prot,
			  unsigned flags, uint32_t fd)
{
	uint64_t end = r->start + r->size, out;

	if (!r->size || addr < r->start || addr >= end || size > end - addr ||
	    (flags & (MM_MAP_SHARED | MM_MAP_FIXED)) != (MM_MAP_SHARED | MM_MAP_FIXED) ||
	    fd != UINT32_MAX)
		return -EINVAL;
	return mm_mmap(r->host, addr, size, prot, MM_MAP_SHARED | MM_MAP_FIXED | MM_MAP_NOREPLACE,
		       NULL, 0, &out);
}

int mshare_check_mmap(const struct mshare_region *r, uint64_t addr, uint64_t len, uint64_t offset)
{
	len = PAGE_ALIGN(len);
	if (!r->size || !len || !pgdir_aligned(addr) || !pgdir_aligned(len) || addr < r->start ||
	    len > r->start + r->size - addr || (!r->v3_bugs && offset != addr - r->start))
		return -EINVAL;
	return 0;
}

/* ------------------------------------------------------- sharers' flushes */

/* Another holder's alias of the changed leaves. */
struct alias {
	struct mm *mm;
	uint64_t start, end;
};

struct passing {
	struct mm *from;	/* flushes its own range itself */
	GArray *aliases;	/* struct alias */
};

static void collect_alias(void *ctx, struct mm *holder, uint64_t start, uint64_t end)
{
	struct passing *p = ctx;

	if (holder != p->from)
		g_array_append_val(p->aliases, ((struct alias){ holder, start, end }));
}

/* The agents whose TLBs the strategy flushes, and the ASIDs of `mms`. */
static uint64_t flush_mask(const struct mshare_region *r, const struct domain *d,
			   struct mm *const *mms, int n)
{
	uint64_t mask = 0;

	if (r->flush == MSHARE_FLUSH_ALL)
		return d->nr_agents == 64 ? UINT64_MAX : (UINT64_C(1) << d->nr_agents) - 1;
	if (r->flush == MSHARE_FLUSH_HOST_MASK)
		return r->host->cpumask;
	for (int i = 0; i < n; i++)
		mask |= mms[i]->cpumask;
	return mask;
}

/* Every holder's chain hears its range with the domain's own flushes held
 * back; then one shootdown for all, unless v3's none. */
static void flush_together(struct mshare_region *r, struct domain *d, GArray *aliases)
{
	struct mm **mms = g_new(struct mm *, aliases->len);
	uint64_t start = UINT64_MAX, end = 0;
	int n = (int)aliases->len;

	d->flush_deferred = true;
	for (int i = 0; i < n; i++) {
		struct alias *a = &g_array_index(aliases, struct alias, i);

		flush_tlb_mm_range(a->mm, a->start, a->end);
		mms[i] = a->mm;
		start = MIN(start, a->start);
		end = MAX(end, a->end);
	}
	d->flush_deferred = false;
	if (r->flush != MSHARE_FLUSH_NONE)
		domain_flush_shared(d, flush_mask(r, d, mms, n), mms,
				    r->flush == MSHARE_FLUSH_ALL ? 0 : n, start, end);
	g_free(mms);
}

/* Each other holder flushes its alias itself, one after the other. */
static void flush_each(struct mshare_region *r, GArray *aliases)
{
	for (unsigned i = 0; i < aliases->len; i++) {
		struct alias *a = &g_array_index(aliases, struct alias, i);

		r->flushes_passed++;
		flush_tlb_mm_range(a->mm, a->start, a->end);
	}
}

/* What the flush cost, and what the holders' CPUs still translate. */
static void account_flush(struct mshare_region *r, struct domain *d,
			  const struct shootdown_stats *before, GArray *aliases)
{
	struct mshare_stats *st = &r->flushing;

	st->shootdowns += d->shootdowns.shootdowns - before->shootdowns;
	st->ipis += d->shootdowns.ipis - before->ipis;
	st->cpus_flushed += d->shootdowns.cpus - before->cpus;
	st->initiator_ns += cost_ns(d->profile,
				    d->shootdowns.initiator_cycles - before->initiator_cycles);
	for (unsigned i = 0; i < aliases->len; i++) {
		struct alias *a = &g_array_index(aliases, struct alias, i);
		uint64_t va;
		int cpu;
		unsigned n = domain_take_stale(d, a->mm, a->start, a->end, &cpu, &va);

		if (n && !st->stale) {
			st->stale_mm = a->mm->id;
			st->stale_va = va;
			st->stale_cpu = cpu;
		}
		st->stale += n;
	}
}

/* One change of shared leaves: every holder in `aliases` forgets its alias
 * of them by the region's strategy, from a CPU of `d` (NULL: no model TLBs). */
static void flush_aliases(struct mshare_region *r, struct domain *d, GArray *aliases)
{
	struct shootdown_stats before = d ? d->shootdowns : (struct shootdown_stats){ 0 };

	r->flushing.changes++;
	if (r->flush == MSHARE_FLUSH_PER_SHARER || !d)
		flush_each(r, aliases);
	else
		flush_together(r, d, aliases);
	if (d)
		account_flush(r, d, &before, aliases);
}

/* Leaves of shared tables changed through `mm`: every other holder of them
 * forgets the same leaves where it has them, by the region's strategy.
 * Their own flushes come back here and are not passed on again. */
static void sharer_invalidate(struct mmu_notifier *n, struct mm *mm, uint64_t start, uint64_t end)
{
	struct mshare_region *r = ((struct sharer *)n)->r;
	struct passing p = { mm, g_array_new(FALSE, FALSE, sizeof(struct alias)) };

	if (!r->passing) {
		r->passing = true;
		ptshare_for_each_alias(r->ps, mm, start, end, collect_alias, &p);
		if (p.aliases->len)
			flush_aliases(r, mm->domain, p.aliases);
		r->passing = false;
	}
	g_array_free(p.aliases, TRUE);
}

/* The part of a host change [start, end) in one slot, and the aliases of
 * it in that slot's holders. */
struct host_change {
	uint64_t slot, start, end;
	GArray *aliases;	/* struct alias */
};

static void collect_holder(void *ctx, const struct ptshare_link *link)
{
	struct host_change *c = ctx;

	g_array_append_val(c->aliases, ((struct alias){ link->mm, link->va + (c->start - c->slot),
							 link->va + (c->end - c->slot) }));
}

/* The host mm changed its own leaves in [start, end) (what reclaim or
 * migration do through the reverse map, which points at the host): every
 * holder of those tables forgets them, by the region's strategy, from a
 * CPU of the first holder's domain (the host runs on none). */
static void host_invalidate(struct mmu_notifier *n, struct mm *host, uint64_t start, uint64_t end)
{
	struct mshare_region *r = (struct mshare_region *)n;
	struct host_change c = { .aliases = g_array_new(FALSE, FALSE, sizeof(struct alias)) };
	phys_addr_t table;

	for (c.slot = start & ~(PGDIR_SIZE - 1); c.slot < end; c.slot += PGDIR_SIZE) {
		c.start = MAX(start, c.slot);
		c.end = MIN(end, c.slot + PGDIR_SIZE);
		if (pgtable_table_at(host->phys, host->pgd, c.slot, PGD_LEVEL, &table))
			ptshare_for_each_sharer(r->ps, table, collect_holder, &c);
	}
	if (c.aliases->len) {
		r->passing = true;
		flush_aliases(r, g_array_index(c.aliases, struct alias, 0).mm->domain, c.aliases);
		r->passing = false;
	}
	g_array_free(c.aliases, TRUE);
}

static const struct mmu_notifier_ops host_watch_ops = {
	.invalidate_range = host_invalidate,
};

/* A CPU begins running a sharer: it joins the host mm's mask. */
static void sharer_switch_in(struct mmu_notifier *n, struct mm *mm, int cpu)
{
	((struct sharer *)n)->r->host->cpumask |= UINT64_C(1) << cpu;
}

/* The mm goes: its links go with its VMAs, which no longer need it, and
 * those v3 left behind with the references of the VMAs that left them. */
static void sharer_release(struct mmu_notifier *n, struct mm *mm)
{
	struct mshare_region *r = ((struct sharer *)n)->r;
	unsigned left = ((struct sharer *)n)->left;

	record_tables(r, mm);
	if (left)
		ptshare_unlink_range(r->ps, mm, r->start, r->start + MIN(r->size, TASK_SIZE - r->start));
	g_hash_table_remove(r->subs, mm);
	while (left--)
		mshare_region_put(r);
}

static const struct mmu_notifier_ops sharer_ops = {
	.invalidate_range = sharer_invalidate,
	.release = sharer_release,
	.switch_in = sharer_switch_in,
};

/* `vma` of `mm` holds links now. */
static void add_sharer(struct mshare_region *r, struct vma *vma, struct mm *mm)
{
	struct sharer *sub = g_hash_table_lookup(r->subs, mm);

	if (g_hash_table_contains(r->sharers, vma))
		return;
	g_hash_table_insert(r->sharers, vma, mm);
	r->peak_sharers = MAX(r->peak_sharers, g_hash_table_size(r->sharers));
	r->host->cpumask |= mm->cpumask;	/* CPUs running it already */
	if (!sub) {
		sub = g_new0(struct sharer, 1);
		sub->n.ops = &sharer_ops;
		sub->r = r;
		mmu_notifier_register(&sub->n, mm);
		g_hash_table_insert(r->subs, mm, sub);
	}
	sub->vmas++;
}

/* `vma` of `mm` let go of its links. */
static void remove_sharer(struct mshare_region *r, struct vma *vma, struct mm *mm)
{
	struct sharer *sub = g_hash_table_lookup(r->subs, mm);

	g_hash_table_remove(r->sharers, vma);
	if (sub && !--sub->vmas && !sub->left) {
		mmu_notifier_unregister(&sub->n, mm);
		g_hash_table_remove(r->subs, mm);
	}
}

/* ---------------------------------------------------------------- vm_ops */

/* Whether `vma`'s link must forbid writes below it: its mapping is
 * read-only while the shared leaves carry the host's permissions (v3 does
 * not care). */
static bool link_rdonly(const struct mshare_region *r, const struct vma *vma)
{
	return !r->v3_bugs && !(vma->prot & VM_WRITE);
}

/* Point the faulting mm's top-level entry for `slot` at the host's table,
 * read-only for a read-only mapping (APTable).  Private tables there
 * (entries a fork copied) give way first. */
static vm_fault_t link_host_table(struct vm_fault *vmf, struct mshare_region *r, uint64_t slot,
				  phys_addr_t table)
{
	struct mm *mm = vmf->mm;

	if (pgtable_unmap_range(mm->phys, mm->pgd, slot, slot + PGDIR_SIZE))
		flush_tlb_mm_range(mm, slot, slot + PGDIR_SIZE);
	if (ptshare_link(r->ps, mm, mm->pgd, slot, PGD_LEVEL, table))
		return VM_FAULT_OOM;	/* no page for a table above: the only error left */
	pgtable_table_set_rdonly(mm->phys, mm->pgd, slot, PGD_LEVEL, link_rdonly(r, vmf->vma));
	add_sharer(r, vmf->vma, mm);
	r->links++;
	vmf->kind = FAULT_KIND_LINK;
	vm_fault_note(vmf, "mshare: this mm's level-0 entry for the slot %#" PRIx64 " did not reach the "
		      "region's tables: linked it to the host mm's level-1 table %#" PRIx64 "%s; the "
		      "access retries through it", slot, table,
		      link_rdonly(r, vmf->vma) ? " with APTable read-only (a read-only mapping)" : "");
	return VM_FAULT_DONE;
}

/* The RFC's find_shared_vma: link the host's table if this mm does not
 * reach it yet, else resolve the fault in the host's VMA (none: SIGSEGV). */
static int mshare_fault(struct vm_fault *vmf)
{
	struct mshare_region *r = vmf->vma->vm_private_data;
	struct mm *mm = vmf->mm;
	struct vma *vma = vmf->vma;
	uint64_t slot = vmf->address & ~(PGDIR_SIZE - 1);
	phys_addr_t host_table, table;
	bool hosted = pgtable_table_at(mm->phys, r->host->pgd, slot, PGD_LEVEL, &host_table);
	vm_fault_t ret;

	if (hosted && !(pgtable_table_at(mm->phys, mm->pgd, slot, PGD_LEVEL, &table) && table == host_table))
		return link_host_table(vmf, r, slot, host_table);
	if (vmf->access == FAULT_WRITE && pgtable_table_rdonly(mm->phys, mm->pgd, slot, PGD_LEVEL)) {
		/* the VMA became writable since the link (mprotect): writes below */
		pgtable_table_set_rdonly(mm->phys, mm->pgd, slot, PGD_LEVEL, false);
		vmf->kind = FAULT_KIND_LINK;
		vm_fault_note(vmf, "mshare: the mapping became writable since the link: APTable "
			      "cleared on the level-0 entry");
		return VM_FAULT_DONE;
	}
	/* The record accrues to the fault this mm took. */
	vm_fault_note(vmf, hosted ? "mshare: the level-0 entry reaches the region's tables: the fault is "
				    "handled in the host mm's VMA, and what it installs every sharer sees" :
			      "mshare: the host mm has no table for this slot yet: the fault is handled "
			      "there first, building its tables; this mm links them when the access "
			      "retries");
	vmf->mm = r->host;
	vmf->vma = vma_lookup(r->host, vmf->address);
	ret = handle_vma_fault(vmf);
	vmf->mm = mm;
	vmf->vma = vma;
	return ret;
}

/* The RFC allows no partial unmap (nor a partial mprotect). */
static int mshare_may_split(const struct vma *vma, uint64_t addr)
{
	return -EINVAL;
}

static void mshare_dup(struct vma *copy, const struct vma *vma)
{
	mshare_region_get(copy->vm_private_data);
}

/* v3 leaves the links of an unmapped VMA in place (the page-table walk
 * still reaches the region's pages) until the mm goes. */
static bool mshare_keeps_tables(const struct vma *vma)
{
	return ((const struct mshare_region *)vma->vm_private_data)->v3_bugs;
}

/* v3: `vma` of `mm`, still running (`sub`), leaves its links and keeps its
 * reference on the region for them; false if it has none to leave. */
static bool leave_links(struct mshare_region *r, struct vma *vma, struct mm *mm,
			struct sharer *sub)
{
	if (!r->v3_bugs || !sub)
		return false;
	sub->left++;
	remove_sharer(r, vma, mm);
	return true;
}

/* The VMA leaves its mm: its links go, and that mm's translations of them. */
static void mshare_close(struct vma *vma)
{
	struct mshare_region *r = vma->vm_private_data;
	struct mm *mm = g_hash_table_lookup(r->sharers, vma);

	struct sharer *sub = mm ? g_hash_table_lookup(r->subs, mm) : NULL;

	if (sub && sub->vmas == 1)
		record_tables(r, mm);	/* its last linked mapping, the mm alive */
	if (leave_links(r, vma, mm, sub))
		return;
	if (mm) {
		if (ptshare_unlink_range(r->ps, mm, vma->start, vma->end))
			flush_tlb_mm_range(mm, vma->start, vma->end);
		remove_sharer(r, vma, mm);
	}
	mshare_region_put(r);
}

const struct vm_ops mshare_vm_ops = {
	.handle_fault = mshare_fault,
	.may_split = mshare_may_split,
	.dup = mshare_dup,
	.close = mshare_close,
	.keeps_tables = mshare_keeps_tables,
	.backing = BACKING_SHMEM,
	.object_page_refs = 1,
};
