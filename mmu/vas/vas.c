/*
 * vas: the registry of first-class address spaces and segments, their
 * permission and sharing rules, and the copies between the mms of an
 * attach (contract in vas.h).
 */
#include "mmu/vas/vas.h"

#include "mmu/fault.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>

/* ---------------------------------------------------------------- registry */

static void free_seg(struct vas_seg *seg)
{
	mmput(seg->mm);
	g_free(seg->name);
	g_free(seg);
}

static void free_vas(struct vas *vas)
{
	mmput(vas->mm);
	g_ptr_array_free(vas->segs, TRUE);
	g_free(vas->name);
	g_free(vas);
}

void vas_registry_init(struct vas_registry *r, struct phys *phys, struct vm_stats *stats)
{
	*r = (struct vas_registry){ .phys = phys, .stats = stats, .next_vid = 1, .next_sid = 1 };
	r->vases = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)free_vas);
	r->segs = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, (GDestroyNotify)free_seg);
	r->lazy_ops = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	r->lazy_mms = g_hash_table_new(g_direct_hash, g_direct_equal);
}

void vas_registry_fini(struct vas_registry *r)
{
	g_clear_pointer(&r->vases, g_hash_table_destroy);
	g_clear_pointer(&r->segs, g_hash_table_destroy);
	g_clear_pointer(&r->lazy_mms, g_hash_table_destroy);
	g_clear_pointer(&r->lazy_ops, g_hash_table_destroy);
}

static bool in_group(const struct vas_cred *cred, uint32_t gid)
{
	for (int i = 0; i < cred->ngroups; i++)
		if (cred->groups[i] == gid)
			return true;
	return cred->gid == gid;
}

bool vas_permitted(const struct vas_attr *attr, const struct vas_cred *cred, unsigned may)
{
	unsigned mode = attr->mode;

	if (cred->override)
		return true;
	if (cred->uid == attr->user)
		mode >>= 6;
	else if (in_group(cred, attr->group))
		mode >>= 3;
	return (mode & may & (VAS_MAY_READ | VAS_MAY_WRITE)) == (may & (VAS_MAY_READ | VAS_MAY_WRITE));
}

unsigned vas_type_to_may(int type)
{
	switch (type) {
	case O_RDONLY: return VAS_MAY_READ;
	case O_WRONLY: return VAS_MAY_WRITE;
	case O_RDWR: return VAS_MAY_READ | VAS_MAY_WRITE;
	default: return 0;
	}
}

static struct vas_attr new_attr(uint32_t mode, const struct vas_cred *cred)
{
	return (struct vas_attr){ .mode = mode & VAS_MODE_MASK, .user = cred->uid, .group = cred->gid };
}

/* The id of the object of `table` named `name`, or -ESRCH. */
static int find_named(GHashTable *table, const char *name, size_t name_offset)
{
	GHashTableIter it;
	gpointer key, value;

	g_hash_table_iter_init(&it, table);
	while (g_hash_table_iter_next(&it, &key, &value))
		if (!strcmp(*(char **)((char *)value + name_offset), name))
			return GPOINTER_TO_INT(key);
	return -ESRCH;
}

int vas_find(struct vas_registry *r, const char *name)
{
	return find_named(r->vases, name, offsetof(struct vas, name));
}

int vas_seg_find(struct vas_registry *r, const char *name)
{
	return find_named(r->segs, name, offsetof(struct vas_seg, name));
}

struct vas *vas_lookup(struct vas_registry *r, int vid)
{
	return g_hash_table_lookup(r->vases, GINT_TO_POINTER(vid));
}

static struct vas_seg *seg_lookup(struct vas_registry *r, int sid)
{
	return g_hash_table_lookup(r->segs, GINT_TO_POINTER(sid));
}

int vas_create(struct vas_registry *r, const char *name, uint32_t mode,
	       const struct vas_cred *cred)
{
	struct vas *vas;
	int err;

	if (vas_find(r, name) > 0)
		return -EEXIST;
	vas = g_new0(struct vas, 1);
	err = mm_create(r->phys, r->stats, &vas->mm);
	if (err) {
		g_free(vas);
		return err;
	}
	vas->id = r->next_vid++;
	vas->reg = r;
	vas->name = g_strdup(name);
	vas->attr = new_attr(mode, cred);
	vas->segs = g_ptr_array_new();
	g_hash_table_insert(r->vases, GINT_TO_POINTER(vas->id), vas);
	return vas->id;
}

int vas_delete(struct vas_registry *r, int vid, const struct vas_cred *cred)
{
	struct vas *vas = vas_lookup(r, vid);

	if (!vas)
		return -EINVAL;
	if (!vas_permitted(&vas->attr, cred, VAS_MAY_WRITE))
		return -EACCES;
	if (vas->readers || vas->writers)
		return -EBUSY;
	for (guint i = 0; i < vas->segs->len; i++)
		((struct vas_seg *)g_ptr_array_index(vas->segs, i))->vases--;
	g_hash_table_remove(r->vases, GINT_TO_POINTER(vid));
	return 0;
}

int vas_getattr(struct vas_registry *r, int vid, struct vas_attr *attr)
{
	struct vas *vas = vas_lookup(r, vid);

	if (!vas)
		return -EINVAL;
	*attr = vas->attr;
	return 0;
}

static int set_attr(struct vas_attr *attr, const struct vas_attr *new, const struct vas_cred *cred)
{
	if (!vas_permitted(attr, cred, VAS_MAY_WRITE))
		return -EACCES;
	*attr = (struct vas_attr){ .mode = new->mode & VAS_MODE_MASK, .user = new->user,
				   .group = new->group };
	return 0;
}

int vas_setattr(struct vas_registry *r, int vid, const struct vas_attr *attr,
		const struct vas_cred *cred)
{
	struct vas *vas = vas_lookup(r, vid);

	return vas ? set_attr(&vas->attr, attr, cred) : -EINVAL;
}

/* ---------------------------------------------------------------- copying */

static bool ranges_overlap(uint64_t s1, uint64_t e1, uint64_t s2, uint64_t e2)
{
	return s1 < e2 && s2 < e1;
}

/* Whether [start, end) of `mm` holds any VMA. */
static bool mm_overlaps(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *v = find_vma(mm, start);

	return v && v->start < end;
}

struct copy_ctx {
	struct mm *dst;
	struct mm *other;		/* the mm compared with (sync) */
	bool drop_write;
	struct vas_copy_stats *st;
};

/* Install in ctx->dst the entry `*ptep` has (write removed if asked),
 * sharing its frame, unless dst has that entry already. */
static int copy_entry(void *opaque, uint64_t va, pte_t *ptep)
{
	struct copy_ctx *c = opaque;
	pte_t e = *ptep, *dst;
	int err;

	if (c->drop_write)
		e = pte_mk_page(pte_addr(e), pte_prot(e) & ~VM_WRITE);
	err = pgtable_walk_alloc(c->dst->phys, c->dst->pgd, va, &dst);
	if (err < 0)
		return err;
	if (*dst == e)
		return 0;
	if (pte_present(*dst)) {
		phys_put(c->dst->phys, pte_addr(*dst));
		c->st->removed++;
	}
	phys_get(c->dst->phys, pte_addr(e));
	pte_set(c->dst->phys, dst, e);
	c->st->entries++;
	return 0;
}

/* Clear an entry of ctx->dst that ctx->other lacks or maps differently. */
static int drop_stale_entry(void *opaque, uint64_t va, pte_t *ptep)
{
	struct copy_ctx *c = opaque;
	pte_t *o = pgtable_walk(c->other->phys, c->other->pgd, va);

	if (o && *o == *ptep)
		return 0;
	phys_put(c->dst->phys, pte_addr(*ptep));
	pte_set(c->dst->phys, ptep, 0);
	c->st->removed++;
	return PTE_VISIT_CLEARED;
}

/* Copy `vma` of `src` into `dst` (free there), entries shared; *out (if
 * asked) is the copy. */
static int copy_vma(struct mm *src, const struct vma *vma, struct mm *dst, bool drop_write,
		    struct vas_copy_stats *st, struct vma **out)
{
	struct copy_ctx c = { dst, NULL, drop_write, st };
	struct vma *copy = vma_dup(vma);

	if (drop_write)
		copy->prot &= ~VM_WRITE;
	vma_link(dst, copy);
	st->vmas++;
	if (out)
		*out = copy;
	return pgtable_walk_range(src->phys, src->pgd, vma->start, vma->end, copy_entry, &c);
}

static void copy_layout(struct mm *dst, const struct mm *src)
{
	dst->start_brk = src->start_brk;
	dst->brk = src->brk;
	dst->mmap_base = src->mmap_base;
	dst->arg_start = src->arg_start;
	dst->arg_end = src->arg_end;
	dst->env_start = src->env_start;
	dst->env_end = src->env_end;
}

/* ------------------------------------------------------------- lazy attach */

/* The lazy twin of a VMA's ops: the same, but a fault first fills the VMA
 * from its source (the RFC's vas_lazy_attach_vma, called at the start of
 * handle_mm_fault), which makes it an ordinary VMA again. */
struct lazy_ops {
	struct vm_ops ops;		/* first: a VMA's vm_ops points here */
	const struct vm_ops *real;
	struct vas_registry *reg;
};

static int lazy_fault(struct vm_fault *vmf);

static const struct vm_ops *lazy_twin(struct vas_registry *r, const struct vm_ops *real)
{
	struct lazy_ops *lo = g_hash_table_lookup(r->lazy_ops, real);

	if (!lo) {
		lo = g_new(struct lazy_ops, 1);
		*lo = (struct lazy_ops){ .ops = *real, .real = real, .reg = r };
		lo->ops.handle_fault = lazy_fault;
		g_hash_table_insert(r->lazy_ops, (gpointer)real, lo);
	}
	return &lo->ops;
}

static bool vma_lazy(const struct vma *vma)
{
	return vma->vm_ops->handle_fault == lazy_fault;
}

static const struct vm_ops *real_ops(const struct vma *vma)
{
	return vma_lazy(vma) ? ((const struct lazy_ops *)vma->vm_ops)->real : vma->vm_ops;
}

static bool is_own(const struct vas_attachment *att, struct mm *mm, const struct vma *vma);

/* Fill the lazy `vma` of att->mm from its source: the original mm for an
 * own VMA, the VAS's for the VAS's (write removed for a read-only attach). */
static int fill_lazy(struct vas_attachment *att, struct vma *vma, struct vas_copy_stats *st)
{
	bool own = is_own(att, att->mm, vma);
	struct mm *src = own ? att->orig : att->vas->mm;
	struct copy_ctx c = { att->mm, NULL, !own && !(att->may & VAS_MAY_WRITE), st };

	vma->vm_ops = real_ops(vma);
	att->vas->reg->lazy_fills++;
	return pgtable_walk_range(src->phys, src->pgd, vma->start, vma->end, copy_entry, &c);
}

/* The fault of a lazy VMA: fill it (counting the entries in the fault's
 * record), then take the fault again with the VMA's own ops, which finds
 * its entry. */
static int lazy_fault(struct vm_fault *vmf)
{
	const struct lazy_ops *lo = (const struct lazy_ops *)vmf->vma->vm_ops;
	struct vas_attachment *att = g_hash_table_lookup(lo->reg->lazy_mms, vmf->mm);
	struct vas_copy_stats st = { 0 };

	g_assert(att);		/* a release fills every lazy VMA first */
	if (fill_lazy(att, vmf->vma, &st))
		return VM_FAULT_OOM;
	vmf->ptes_installed += (unsigned)st.entries;
	return handle_vma_fault(vmf);
}

/* Fill every lazy VMA of att->mm (before a merge, a copy, the release). */
static int fill_all_lazy(struct vas_attachment *att, struct vas_copy_stats *st)
{
	int err = 0;

	for (struct vma *v = vma_first(att->mm); v && !err; v = vma_next(att->mm, v))
		if (vma_lazy(v))
			err = fill_lazy(att, v, st);
	return err;
}

/* A skeleton copy of `vma` in dst, filled at its first fault. */
static struct vma *link_lazy(struct vas_registry *r, const struct vma *vma, struct mm *dst,
			     bool drop_write, struct vas_copy_stats *st)
{
	struct vma *copy = vma_dup(vma);

	if (drop_write)
		copy->prot &= ~VM_WRITE;
	copy->vm_ops = lazy_twin(r, vma->vm_ops);
	vma_link(dst, copy);
	st->vmas++;
	return copy;
}

/* Copy `vma` of `src` into the attached mm: eagerly, or (lazy attach) as
 * a skeleton unless it is code, which the RFC always copies. */
static int attach_vma(struct vas_attachment *att, struct mm *src, const struct vma *vma,
		      bool drop_write, struct vas_copy_stats *st, struct vma **out)
{
	struct vas_registry *r = att->vas->reg;
	struct vma *copy;

	if (!r->lazy || (vma->prot & VM_EXEC))
		return copy_vma(src, vma, att->mm, drop_write, st, out);
	copy = link_lazy(r, vma, att->mm, drop_write, st);
	if (out)
		*out = copy;
	return 0;
}

/* ------------------------------------------------------------------ attach */

static int side_of(const struct vas_attachment *att, const struct mm *mm)
{
	return mm == att->mm ? VAS_SIDE_ATTACHED : VAS_SIDE_ORIGINAL;
}

/* The record of the own VMA that started at `start`, or NULL. */
static struct vas_range *record_at(const struct vas_attachment *att, uint64_t start)
{
	for (guint i = 0; i < att->own->len; i++) {
		struct vas_range *r = &g_array_index(att->own, struct vas_range, i);

		if (r->start == start)
			return r;
	}
	return NULL;
}

/* `s` of `src` and its copy `c` of `dst` are in step now. */
static void record_pair(struct vas_attachment *att, struct mm *src, const struct vma *s,
			struct mm *dst, const struct vma *c)
{
	struct vas_range *r = record_at(att, s->start), fresh = { 0 };

	if (!r) {
		g_array_append_val(att->own, fresh);
		r = &g_array_index(att->own, struct vas_range, att->own->len - 1);
	}
	r->start = s->start;
	r->end = s->end;
	r->stamp[side_of(att, src)] = s->stamp;
	r->stamp[side_of(att, dst)] = c->stamp;
}

/* Whether `vma` of `mm` is the task's own rather than the VAS's: in the
 * attached mm, one over a recorded own VMA or in the brk area (a heap
 * grown inside the VAS stays the task's). */
static bool is_own(const struct vas_attachment *att, struct mm *mm, const struct vma *vma)
{
	if (mm != att->mm ||
	    ranges_overlap(mm->start_brk, PAGE_ALIGN(mm->brk), vma->start, vma->end))
		return true;
	for (guint i = 0; i < att->own->len; i++) {
		const struct vas_range *r = &g_array_index(att->own, struct vas_range, i);

		if (ranges_overlap(r->start, r->end, vma->start, vma->end))
			return true;
	}
	return false;
}

int vas_may_attach(const struct vas *vas, unsigned may, const struct vas_cred *cred)
{
	if (!vas_permitted(&vas->attr, cred, may))
		return -EACCES;
	if (may & VAS_MAY_WRITE)
		return vas->readers || vas->writers ? -EBUSY : 0;
	return vas->writers ? -EBUSY : 0;
}

int vas_attach_build(struct vas_attachment *att, struct vas *vas, unsigned may,
		     struct mm *orig, struct vas_copy_stats *st)
{
	struct vma *v;
	int err = 0;

	for (v = vma_first(vas->mm); v; v = vma_next(vas->mm, v))
		if (mm_overlaps(orig, v->start, v->end))
			return -EFAULT;
	*att = (struct vas_attachment){ .vas = vas, .may = may, .mm = att->mm, .orig = orig };
	att->own = g_array_new(FALSE, FALSE, sizeof(struct vas_range));
	for (v = vma_first(vas->mm); v && !err; v = vma_next(vas->mm, v))
		err = attach_vma(att, vas->mm, v, !(may & VAS_MAY_WRITE), st, NULL);
	for (v = vma_first(orig); v && !err; v = vma_next(orig, v)) {
		struct vma *copy;

		err = attach_vma(att, orig, v, false, st, &copy);
		record_pair(att, orig, v, att->mm, copy);
	}
	copy_layout(att->mm, orig);
	if (err) {
		g_array_free(att->own, TRUE);
		att->own = NULL;
		return err;
	}
	if (vas->reg->lazy)
		g_hash_table_insert(vas->reg->lazy_mms, att->mm, att);
	if (may & VAS_MAY_WRITE)
		vas->writers++;
	else
		vas->readers++;
	return 0;
}

/* The VAS's mappings become those of the attached mm's that are not the
 * task's own. */
static int vas_merge(struct vas_attachment *att, struct vas_copy_stats *st)
{
	struct mm *vm = att->vas->mm;
	struct vma *v;
	int err = 0;

	if (vma_first(vm))
		mm_munmap(vm, MMAP_MIN_ADDR, TASK_SIZE - MMAP_MIN_ADDR);
	for (v = vma_first(att->mm); v && !err; v = vma_next(att->mm, v))
		if (!is_own(att, att->mm, v))
			err = copy_vma(att->mm, v, vm, false, st, NULL);
	return err;
}

int vas_attach_release(struct vas_attachment *att, struct vas_copy_stats *st)
{
	int err = fill_all_lazy(att, st);

	g_hash_table_remove(att->vas->reg->lazy_mms, att->mm);
	if (err) {
		/* out of memory: the VAS keeps what it had */
	} else if (att->may & VAS_MAY_WRITE) {
		err = vas_merge(att, st);
	}
	if (att->may & VAS_MAY_WRITE)
		att->vas->writers--;
	else
		att->vas->readers--;
	g_array_free(att->own, TRUE);
	att->own = NULL;
	return err;
}

static bool same_vma(const struct vma *a, const struct vma *b)
{
	return a->start == b->start && a->end == b->end && a->prot == b->prot &&
	       a->flags == b->flags && real_ops(a) == real_ops(b) &&
	       a->vm_private_data == b->vm_private_data && a->pgoff == b->pgoff;
}

/* The own VMA of `mm` starting at `start`, or NULL. */
static struct vma *own_at(const struct vas_attachment *att, struct mm *mm, uint64_t start)
{
	struct vma *v = vma_lookup(mm, start);

	return v && v->start == start && is_own(att, mm, v) ? v : NULL;
}

/* Whether `vma` of `mm` changed since `rec` was taken (no record: it is
 * new). */
static bool changed_since(const struct vas_attachment *att, const struct vas_range *rec,
			  struct mm *mm, const struct vma *vma)
{
	return !rec || rec->stamp[side_of(att, mm)] != vma->stamp;
}

/* Bring the entries of the equal VMAs `d` (of dst) and `s` (of src) in line. */
static int sync_entries(struct mm *src, struct mm *dst, const struct vma *s,
			struct vas_copy_stats *st)
{
	struct copy_ctx c = { dst, src, false, st };
	uint64_t removed = st->removed;
	int err = pgtable_walk_range(dst->phys, dst->pgd, s->start, s->end, drop_stale_entry, &c);

	if (!err)
		err = pgtable_walk_range(src->phys, src->pgd, s->start, s->end, copy_entry, &c);
	if (st->removed != removed)
		flush_tlb_mm_range(dst, s->start, s->end);
	st->vmas++;
	return err;
}

/* What a synchronisation does, decided before anything changes. */
struct sync_plan {
	GPtrArray *drop;		/* own VMAs of dst to unmap */
	GPtrArray *copy;		/* own VMAs of src to copy into dst */
	GPtrArray *same;		/* own VMAs of src whose twin needs its entries */
	bool keep_brk;			/* dst's newer heap stays */
};

/* Decide for each own VMA of dst by the VMA timestamps: unchanged on both
 * sides, only the entries; changed in src alone, re-copied; changed in dst
 * alone, kept (it goes the other way at the next synchronisation);
 * changed on both sides, the source is stale: -EFAULT. */
static int plan_dst(struct vas_attachment *att, struct mm *src, struct mm *dst,
		    struct sync_plan *p)
{
	for (struct vma *d = vma_first(dst); d; d = vma_next(dst, d)) {
		struct vas_range *rec = record_at(att, d->start);
		struct vma *s;
		bool dst_changed;

		if (!is_own(att, dst, d))
			continue;
		s = own_at(att, src, d->start);
		dst_changed = changed_since(att, rec, dst, d);
		if (!s) {		/* new in dst, or gone from src */
			if (rec && dst_changed)
				return -EFAULT;
			if (rec)
				g_ptr_array_add(p->drop, d);
			continue;
		}
		if (changed_since(att, rec, src, s) && dst_changed)
			return -EFAULT;
		if (dst_changed) {
			p->keep_brk |= dst->brk > dst->start_brk && d->end == PAGE_ALIGN(dst->brk);
		} else if (changed_since(att, rec, src, s) || !same_vma(s, d)) {
			g_ptr_array_add(p->drop, d);
			g_ptr_array_add(p->copy, s);
		} else if (!vma_lazy(s) && !vma_lazy(d)) {	/* a lazy one fills later */
			g_ptr_array_add(p->same, s);
		}
	}
	return 0;
}

/* The own VMAs of src with no own twin start in dst: new ones are copied;
 * one dst removed stays removed unless src changed it too (-EFAULT). */
static int plan_src(struct vas_attachment *att, struct mm *src, struct mm *dst,
		    struct sync_plan *p)
{
	for (struct vma *s = vma_first(src); s; s = vma_next(src, s)) {
		struct vas_range *rec;

		if (!is_own(att, src, s) || own_at(att, dst, s->start))
			continue;
		rec = record_at(att, s->start);
		if (!rec)
			g_ptr_array_add(p->copy, s);
		else if (changed_since(att, rec, src, s))
			return -EFAULT;
	}
	return 0;
}

/* Every copy must land where dst has nothing it keeps (its own mappings
 * not dropped, the VAS's): -EFAULT otherwise. */
static int check_room(struct mm *dst, const struct sync_plan *p)
{
	for (guint i = 0; i < p->copy->len; i++) {
		const struct vma *s = g_ptr_array_index(p->copy, i);

		for (struct vma *d = find_vma(dst, s->start); d && d->start < s->end;
		     d = vma_next(dst, d))
			if (!g_ptr_array_find(p->drop, d, NULL))
				return -EFAULT;
	}
	return 0;
}

/* Forget the records of VMAs gone from both mms. */
static void prune_records(struct vas_attachment *att, struct mm *orig)
{
	for (guint i = att->own->len; i-- > 0;) {
		struct vas_range *r = &g_array_index(att->own, struct vas_range, i);

		if (!own_at(att, orig, r->start) && !own_at(att, att->mm, r->start))
			g_array_remove_index(att->own, i);
	}
}

static int apply_plan(struct vas_attachment *att, struct mm *src, struct mm *dst,
		      const struct sync_plan *p, struct vas_copy_stats *st)
{
	int err = 0;

	for (guint i = 0; i < p->drop->len && !err; i++) {
		struct vma *d = g_ptr_array_index(p->drop, i);

		err = mm_munmap(dst, d->start, d->end - d->start);
	}
	for (guint i = 0; i < p->copy->len && !err; i++) {
		struct vma *s = g_ptr_array_index(p->copy, i), *copy;

		if (vma_lazy(s))
			err = fill_lazy(att, s, st);
		if (err)
			break;
		err = copy_vma(src, s, dst, false, st, &copy);
		record_pair(att, src, s, dst, copy);
	}
	for (guint i = 0; i < p->same->len && !err; i++)
		err = sync_entries(src, dst, g_ptr_array_index(p->same, i), st);
	return err;
}

int vas_sync_own(struct vas_attachment *att, struct mm *src, struct mm *dst,
		 struct vas_copy_stats *st)
{
	struct sync_plan p = { g_ptr_array_new(), g_ptr_array_new(), g_ptr_array_new(), false };
	uint64_t brk = dst->brk;
	int err = plan_dst(att, src, dst, &p);

	if (!err)
		err = plan_src(att, src, dst, &p);
	if (!err)
		err = check_room(dst, &p);
	if (!err)
		err = apply_plan(att, src, dst, &p, st);
	if (!err) {
		copy_layout(dst, src);
		if (p.keep_brk)
			dst->brk = brk;
		prune_records(att, src == att->mm ? dst : src);
	}
	g_ptr_array_free(p.drop, TRUE);
	g_ptr_array_free(p.copy, TRUE);
	g_ptr_array_free(p.same, TRUE);
	return err;
}

/* ---------------------------------------------------------------- segments */

static int check_seg_bounds(uint64_t start, uint64_t end)
{
	if ((start | end) & (PAGE_SIZE - 1) || end <= start || end > TASK_SIZE || start < MMAP_MIN_ADDR)
		return -EINVAL;
	return 0;
}

int vas_seg_create(struct vas_registry *r, const char *name, uint64_t start, uint64_t end,
		   uint32_t mode, const struct vas_cred *cred)
{
	struct vas_seg *seg;
	uint64_t addr;
	int err = check_seg_bounds(start, end);

	if (err)
		return err;
	if (vas_seg_find(r, name) > 0)
		return -EEXIST;
	seg = g_new0(struct vas_seg, 1);
	err = mm_create(r->phys, r->stats, &seg->mm);
	if (!err)
		err = mm_mmap(seg->mm, start, end - start, VM_READ | VM_WRITE,
			      MM_MAP_SHARED | MM_MAP_FIXED | MM_MAP_NORESERVE, NULL, 0, &addr);
	if (err) {
		if (seg->mm)
			mmput(seg->mm);
		g_free(seg);
		return err;
	}
	seg->id = r->next_sid++;
	seg->name = g_strdup(name);
	seg->start = start;
	seg->end = end;
	seg->attr = new_attr(mode, cred);
	g_hash_table_insert(r->segs, GINT_TO_POINTER(seg->id), seg);
	return seg->id;
}

int vas_seg_delete(struct vas_registry *r, int sid, const struct vas_cred *cred)
{
	struct vas_seg *seg = seg_lookup(r, sid);

	if (!seg)
		return -EINVAL;
	if (!vas_permitted(&seg->attr, cred, VAS_MAY_WRITE))
		return -EACCES;
	if (seg->vases)
		return -EBUSY;
	g_hash_table_remove(r->segs, GINT_TO_POINTER(sid));
	return 0;
}

int vas_seg_getattr(struct vas_registry *r, int sid, struct vas_attr *attr)
{
	struct vas_seg *seg = seg_lookup(r, sid);

	if (!seg)
		return -EINVAL;
	*attr = seg->attr;
	return 0;
}

int vas_seg_setattr(struct vas_registry *r, int sid, const struct vas_attr *attr,
		    const struct vas_cred *cred)
{
	struct vas_seg *seg = seg_lookup(r, sid);

	return seg ? set_attr(&seg->attr, attr, cred) : -EINVAL;
}

/* Look up both and check what attaching or detaching needs: write access
 * to the VAS, `seg_may` to the segment (0: none), the VAS attached nowhere. */
static int seg_op_check(struct vas_registry *r, int vid, int sid, unsigned seg_may,
			const struct vas_cred *cred, struct vas **vas, struct vas_seg **seg)
{
	*vas = vas_lookup(r, vid);
	*seg = seg_lookup(r, sid);
	if (!*vas || !*seg)
		return -EINVAL;
	if (!vas_permitted(&(*vas)->attr, cred, VAS_MAY_WRITE) ||
	    !vas_permitted(&(*seg)->attr, cred, seg_may))
		return -EACCES;
	return (*vas)->readers || (*vas)->writers ? -EBUSY : 0;
}

int vas_seg_attach(struct vas_registry *r, int vid, int sid, int type,
		   const struct vas_cred *cred)
{
	struct vas_copy_stats st = { 0 };
	unsigned may = vas_type_to_may(type);
	struct vas *vas;
	struct vas_seg *seg;
	int err = may ? seg_op_check(r, vid, sid, may, cred, &vas, &seg) : -EINVAL;

	if (err)
		return err;
	if (g_ptr_array_find(vas->segs, seg, NULL))
		return 0;
	if (mm_overlaps(vas->mm, seg->start, seg->end))
		return -EFAULT;
	err = copy_vma(seg->mm, vma_first(seg->mm), vas->mm, !(may & VAS_MAY_WRITE), &st, NULL);
	if (err) {
		mm_munmap(vas->mm, seg->start, seg->end - seg->start);
		return err;
	}
	g_ptr_array_add(vas->segs, seg);
	seg->vases++;
	return 0;
}

int vas_seg_detach(struct vas_registry *r, int vid, int sid, const struct vas_cred *cred)
{
	struct vas *vas;
	struct vas_seg *seg;
	int err = seg_op_check(r, vid, sid, 0, cred, &vas, &seg);

	if (err)
		return err;
	if (!g_ptr_array_remove(vas->segs, seg))
		return -EINVAL;
	seg->vases--;
	return mm_munmap(vas->mm, seg->start, seg->end - seg->start);
}
