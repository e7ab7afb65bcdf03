/*
 * vma_tree: an mm's VMAs ordered by start address, with the free-area
 * search Linux does with its gap-augmented tree (rb_subtree_gap, now the
 * maple tree's gaps).  The tree is a treap: a binary search tree kept
 * balanced by node priorities drawn from a per-tree sequence (so its shape,
 * like everything else, is deterministic).  Every node also holds its
 * subtree's first start, last end and largest gap between two of its VMAs,
 * so lookups, insertions, removals and the top-down search take O(log n)
 * expected steps.
 *
 * The links live in the VMA itself (vma->rb), as Linux's vm_rb.  Whoever
 * changes the start or end of a linked VMA calls vma_tree_update() on it
 * afterwards; the change must not reorder the VMAs.
 */
#ifndef MMU_VMA_TREE_H
#define MMU_VMA_TREE_H

#include <stdint.h>

#include "mmu/mm_types.h"

void vma_tree_insert(struct vma_tree *tree, struct vma *vma);
void vma_tree_erase(struct vma_tree *tree, struct vma *vma);
/* Bring the gap figures in line after vma's start or end changed. */
void vma_tree_update(struct vma_tree *tree, struct vma *vma);

/* The last VMA starting at or below addr, or NULL. */
struct vma *vma_tree_at_or_below(const struct vma_tree *tree, uint64_t addr);
/* The first VMA starting above addr, or NULL. */
struct vma *vma_tree_above(const struct vma_tree *tree, uint64_t addr);
struct vma *vma_tree_first(const struct vma_tree *tree);
struct vma *vma_tree_last(const struct vma_tree *tree);

/* The start of the highest free range of `len` bytes inside [low, high)
 * (Linux's unmapped_area_topdown without alignment): 0 and *addr, or
 * -ENOMEM when no gap there is large enough. */
int vma_tree_gap_topdown(const struct vma_tree *tree, uint64_t low, uint64_t high, uint64_t len,
			 uint64_t *addr);

#endif
