/*
 * vm_object: a radix tree of 64-slot nodes; leaves point to entries.
 */
#include "mmu/gmem/vm_object.h"

#include <glib.h>

#define SLOTS (1u << VM_OBJECT_SLOT_BITS)

struct radix_node {
	void *slot[SLOTS];		/* nodes, or entries at the last level */
	unsigned used;
};

struct vm_object {
	struct radix_node *root;	/* NULL: empty */
	struct vm_object_stats stats;
};

static unsigned slot_of(uint64_t vpn, int level)
{
	return (unsigned)(vpn >> (VM_OBJECT_SLOT_BITS * (VM_OBJECT_LEVELS - 1 - level))) & (SLOTS - 1);
}

struct vm_object *vm_object_create(void)
{
	return g_new0(struct vm_object, 1);
}

static struct radix_node *new_node(struct vm_object *obj)
{
	obj->stats.nodes++;
	obj->stats.peak_nodes = MAX(obj->stats.peak_nodes, obj->stats.nodes);
	return g_new0(struct radix_node, 1);
}

static void free_node(struct vm_object *obj, struct radix_node *n)
{
	obj->stats.nodes--;
	g_free(n);
}

static void free_entry(struct vm_object *obj, struct gm_mapping *m)
{
	obj->stats.entries--;
	g_free(m);
}

static void destroy_below(struct vm_object *obj, struct radix_node *n, int level)
{
	for (unsigned i = 0; i < SLOTS; i++) {
		if (!n->slot[i])
			continue;
		if (level == VM_OBJECT_LEVELS - 1)
			free_entry(obj, n->slot[i]);
		else
			destroy_below(obj, n->slot[i], level + 1);
	}
	free_node(obj, n);
}

void vm_object_destroy(struct vm_object *obj)
{
	if (obj->root)
		destroy_below(obj, obj->root, 0);
	g_free(obj);
}

/* The leaf node of `vpn`, creating the nodes on the way when `create`. */
static struct radix_node *leaf_of(struct vm_object *obj, uint64_t vpn, bool create)
{
	struct radix_node **np = &obj->root, *parent = NULL;

	for (int level = 0; level < VM_OBJECT_LEVELS; level++) {
		if (!*np) {
			if (!create)
				return NULL;
			*np = new_node(obj);
			if (parent)
				parent->used++;
		}
		parent = *np;
		if (level < VM_OBJECT_LEVELS - 1)
			np = (struct radix_node **)&parent->slot[slot_of(vpn, level)];
	}
	return parent;
}

struct gm_mapping *vm_object_lookup(struct vm_object *obj, uint64_t va)
{
	uint64_t vpn = va >> PAGE_SHIFT;
	struct radix_node *n = leaf_of(obj, vpn, false);

	return n ? n->slot[slot_of(vpn, VM_OBJECT_LEVELS - 1)] : NULL;
}

struct gm_mapping *vm_object_lookup_or_create(struct vm_object *obj, uint64_t va)
{
	uint64_t vpn = va >> PAGE_SHIFT;
	struct radix_node *n = leaf_of(obj, vpn, true);
	void **slot = &n->slot[slot_of(vpn, VM_OBJECT_LEVELS - 1)];
	struct gm_mapping *m = *slot;

	if (!m) {
		m = *slot = g_new0(struct gm_mapping, 1);
		m->flag = GM_PAGE_NOMAP;
		n->used++;
		obj->stats.entries++;
		obj->stats.peak_entries = MAX(obj->stats.peak_entries, obj->stats.entries);
	}
	return m;
}

void gm_mapping_set_state(struct gm_mapping *m, unsigned state)
{
	m->flag = (m->flag & ~GM_PAGE_TYPE_MASK) | state;
}

/* A walk over the pages [lo, hi) (page numbers) of a subtree. */
struct range_walk {
	struct vm_object *obj;
	uint64_t lo, hi;
	bool erase;
	void (*fn)(void *ctx, uint64_t va, struct gm_mapping *m);
	void *ctx;
};

static uint64_t span_pages(int level)
{
	return UINT64_C(1) << (VM_OBJECT_SLOT_BITS * (VM_OBJECT_LEVELS - 1 - level));
}

/* Visit (and when erasing, free) the entries of `n`, whose first page is
 * `base`, within the walk's range; true if `n` is left empty. */
static bool walk_node(struct range_walk *w, struct radix_node *n, int level, uint64_t base)
{
	uint64_t span = span_pages(level);

	for (unsigned i = 0; i < SLOTS; i++) {
		uint64_t first = base + i * span;

		if (!n->slot[i] || first + span <= w->lo || first >= w->hi)
			continue;
		if (level == VM_OBJECT_LEVELS - 1) {
			if (w->fn)
				w->fn(w->ctx, first << PAGE_SHIFT, n->slot[i]);
			if (!w->erase)
				continue;
			free_entry(w->obj, n->slot[i]);
		} else if (!walk_node(w, n->slot[i], level + 1, first) || !w->erase) {
			continue;
		} else {
			free_node(w->obj, n->slot[i]);
		}
		n->slot[i] = NULL;
		n->used--;
	}
	return n->used == 0;
}

static void walk_range(struct range_walk *w)
{
	if (w->obj->root && walk_node(w, w->obj->root, 0, 0) && w->erase) {
		free_node(w->obj, w->obj->root);
		w->obj->root = NULL;
	}
}

void vm_object_for_each(struct vm_object *obj, uint64_t start, uint64_t end,
			void (*fn)(void *ctx, uint64_t va, struct gm_mapping *m), void *ctx)
{
	struct range_walk w = { obj, start >> PAGE_SHIFT, end >> PAGE_SHIFT, false, fn, ctx };

	walk_range(&w);
}

void vm_object_erase_range(struct vm_object *obj, uint64_t start, uint64_t end)
{
	struct range_walk w = { obj, start >> PAGE_SHIFT, end >> PAGE_SHIFT, true, NULL, NULL };

	walk_range(&w);
}

const struct vm_object_stats *vm_object_stats(const struct vm_object *obj)
{
	return &obj->stats;
}

uint64_t vm_object_bytes(const struct vm_object *obj)
{
	return obj->stats.entries * sizeof(struct gm_mapping) +
	       obj->stats.nodes * sizeof(struct radix_node);
}
