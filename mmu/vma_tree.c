/*
 * vma_tree: the treap of an mm's VMAs and its gap search (contract in
 * vma_tree.h).  Insertion and removal are written with the two treap
 * primitives, split (by start address) and join (of two ordered trees);
 * both recompute the figures of every node they touch.
 */
#include "mmu/vma_tree.h"

#include <errno.h>
#include <glib.h>

/* A well-mixed priority for the n-th insertion (a 32-bit integer hash). */
static uint32_t next_prio(struct vma_tree *tree)
{
	uint32_t x = ++tree->seq;

	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

/* Recompute n's subtree figures from its children's. */
static void pull(struct vma *n)
{
	struct vma *l = n->rb.left, *r = n->rb.right;

	n->rb.first_start = l ? l->rb.first_start : n->start;
	n->rb.last_end = r ? r->rb.last_end : n->end;
	n->rb.max_gap = 0;
	if (l)
		n->rb.max_gap = MAX(l->rb.max_gap, n->start - l->rb.last_end);
	if (r)
		n->rb.max_gap = MAX(n->rb.max_gap, MAX(r->rb.max_gap, r->rb.first_start - n->end));
}

/* Split the subtree n into the VMAs starting below key (*lo) and the rest (*hi). */
static void split(struct vma *n, uint64_t key, struct vma **lo, struct vma **hi)
{
	if (!n) {
		*lo = *hi = NULL;
		return;
	}
	if (n->start < key) {
		split(n->rb.right, key, &n->rb.right, hi);
		*lo = n;
	} else {
		split(n->rb.left, key, lo, &n->rb.left);
		*hi = n;
	}
	pull(n);
}

/* One tree of lo and hi, every VMA of lo lying below every VMA of hi. */
static struct vma *join(struct vma *lo, struct vma *hi)
{
	if (!lo || !hi)
		return lo ? lo : hi;
	if (lo->rb.prio > hi->rb.prio) {
		lo->rb.right = join(lo->rb.right, hi);
		pull(lo);
		return lo;
	}
	hi->rb.left = join(lo, hi->rb.left);
	pull(hi);
	return hi;
}

void vma_tree_insert(struct vma_tree *tree, struct vma *vma)
{
	struct vma *lo, *hi;

	vma->rb = (struct vma_node){ .prio = next_prio(tree) };
	pull(vma);
	split(tree->root, vma->start, &lo, &hi);
	tree->root = join(join(lo, vma), hi);
	tree->count++;
}

void vma_tree_erase(struct vma_tree *tree, struct vma *vma)
{
	struct vma *lo, *rest, *mid, *hi;

	split(tree->root, vma->start, &lo, &rest);
	split(rest, vma->start + 1, &mid, &hi);
	g_assert(mid == vma);
	tree->root = join(lo, hi);
	tree->count--;
}

static void update_path(struct vma *n, const struct vma *vma)
{
	if (n != vma)
		update_path(vma->start < n->start ? n->rb.left : n->rb.right, vma);
	pull(n);
}

void vma_tree_update(struct vma_tree *tree, struct vma *vma)
{
	update_path(tree->root, vma);
}

struct vma *vma_tree_at_or_below(const struct vma_tree *tree, uint64_t addr)
{
	struct vma *best = NULL;

	for (struct vma *n = tree->root; n;) {
		if (n->start <= addr) {
			best = n;
			n = n->rb.right;
		} else {
			n = n->rb.left;
		}
	}
	return best;
}

struct vma *vma_tree_above(const struct vma_tree *tree, uint64_t addr)
{
	struct vma *best = NULL;

	for (struct vma *n = tree->root; n;) {
		if (n->start > addr) {
			best = n;
			n = n->rb.left;
		} else {
			n = n->rb.right;
		}
	}
	return best;
}

struct vma *vma_tree_first(const struct vma_tree *tree)
{
	struct vma *n = tree->root;

	while (n && n->rb.left)
		n = n->rb.left;
	return n;
}

struct vma *vma_tree_last(const struct vma_tree *tree)
{
	struct vma *n = tree->root;

	while (n && n->rb.right)
		n = n->rb.right;
	return n;
}

struct gap_query {
	uint64_t low, high, len;
};

/* The largest free range of [lo, hi), an interval holding exactly the VMAs
 * of the subtree n. */
static uint64_t largest_gap(const struct vma *n, uint64_t lo, uint64_t hi)
{
	return MAX(n->rb.max_gap, MAX(n->rb.first_start - lo, hi - n->rb.last_end));
}

/* Search the free ranges of [lo, hi) (holding the subtree n) from the top.
 * A subtree inside [low, high) is skipped exactly when its largest gap is
 * too small; only those straddling a limit are entered in vain, and they lie
 * on the two paths to the limits. */
static bool gap_topdown(const struct vma *n, uint64_t lo, uint64_t hi, const struct gap_query *q,
			uint64_t *addr)
{
	uint64_t from = MAX(lo, q->low), to = MIN(hi, q->high);

	if (from >= to || to - from < q->len)
		return false;
	if (!n) {
		*addr = to - q->len;
		return true;
	}
	if (largest_gap(n, lo, hi) < q->len)
		return false;
	return gap_topdown(n->rb.right, n->end, hi, q, addr) ||
	       gap_topdown(n->rb.left, lo, n->start, q, addr);
}

int vma_tree_gap_topdown(const struct vma_tree *tree, uint64_t low, uint64_t high, uint64_t len,
			 uint64_t *addr)
{
	struct gap_query q = { low, high, len };

	return gap_topdown(tree->root, 0, UINT64_MAX, &q, addr) ? 0 : -ENOMEM;
}
