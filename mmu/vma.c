/*
 * vma: the ordered set of an mm's VMAs, a GLib balanced tree keyed by start
 * address (O(log n) lookup), plus the split and merge steps every mm
 * operation is written with.
 */
#include "mmu/mm.h"

static gint compare_start(gconstpointer a, gconstpointer b, gpointer unused)
{
	const struct vma *x = a, *y = b;

	(void)unused;
	return x->start < y->start ? -1 : x->start > y->start;
}

GTree *vma_tree_new(void)
{
	return g_tree_new_full(compare_start, NULL, NULL, NULL);
}

unsigned mm_map_count(struct mm *mm)
{
	return (unsigned)g_tree_nnodes(mm->vmas);
}

static struct vma *node_vma(GTreeNode *node)
{
	return node ? g_tree_node_value(node) : NULL;
}

/* The last VMA starting at or below addr. */
static GTreeNode *node_at_or_below(struct mm *mm, uint64_t addr)
{
	struct vma key = { .start = addr };
	GTreeNode *above = g_tree_upper_bound(mm->vmas, &key);

	return above ? g_tree_node_previous(above) : g_tree_node_last(mm->vmas);
}

struct vma *vma_lookup(struct mm *mm, uint64_t addr)
{
	struct vma *vma = node_vma(node_at_or_below(mm, addr));

	return vma && addr < vma->end ? vma : NULL;
}

struct vma *find_vma(struct mm *mm, uint64_t addr)
{
	struct vma key = { .start = addr };
	struct vma *vma = vma_lookup(mm, addr);

	return vma ? vma : node_vma(g_tree_upper_bound(mm->vmas, &key));
}

struct vma *vma_prev(struct mm *mm, struct vma *vma)
{
	return node_vma(g_tree_node_previous(g_tree_lookup_node(mm->vmas, vma)));
}

struct vma *vma_next(struct mm *mm, struct vma *vma)
{
	return node_vma(g_tree_node_next(g_tree_lookup_node(mm->vmas, vma)));
}

struct vma *vma_first(struct mm *mm)
{
	return node_vma(g_tree_node_first(mm->vmas));
}

struct vma *vma_last(struct mm *mm)
{
	return node_vma(g_tree_node_last(mm->vmas));
}

void vma_link(struct mm *mm, struct vma *vma)
{
	g_assert(vma->start < vma->end);
	g_tree_insert(mm->vmas, vma, vma);
}

void vma_unlink_free(struct mm *mm, struct vma *vma)
{
	g_tree_remove(mm->vmas, vma);
	if (vma->vm_ops->close)
		vma->vm_ops->close(vma);
	g_free(vma);
}

struct vma *vma_dup(const struct vma *vma)
{
	struct vma *copy = g_memdup2(vma, sizeof(*vma));

	if (vma->vm_ops->dup)
		vma->vm_ops->dup(copy, vma);
	return copy;
}

int vma_split(struct mm *mm, struct vma *vma, uint64_t addr, struct vma **out)
{
	struct vma *upper;
	int err = vma->vm_ops->may_split ? vma->vm_ops->may_split(vma, addr) : 0;

	g_assert(addr > vma->start && addr < vma->end && !(addr & ~PAGE_MASK));
	if (err)
		return err;
	upper = vma_dup(vma);
	upper->start = addr;
	upper->pgoff += (addr - vma->start) >> PAGE_SHIFT;
	/* Shrinking the lower part keeps its key, so the tree stays ordered. */
	vma->end = addr;
	vma_link(mm, upper);
	if (out)
		*out = upper;
	return 0;
}

/* Two adjacent VMAs can become one when nothing would tell them apart: the
 * same ops on the same object, at consecutive offsets of it. */
static bool vma_mergeable(const struct vma *lo, const struct vma *hi)
{
	return lo->end == hi->start && lo->prot == hi->prot &&
	       (lo->flags & ~VM_ANON_PAGES) == (hi->flags & ~VM_ANON_PAGES) &&
	       lo->vm_ops == hi->vm_ops && lo->vm_private_data == hi->vm_private_data &&
	       lo->name == hi->name &&
	       (!lo->vm_private_data ||
		lo->pgoff + ((lo->end - lo->start) >> PAGE_SHIFT) == hi->pgoff);
}

struct vma *vma_merge(struct mm *mm, struct vma *vma)
{
	struct vma *prev = vma_prev(mm, vma), *next = vma_next(mm, vma);

	if (next && vma_mergeable(vma, next)) {
		vma->end = next->end;
		vma->flags |= next->flags;
		vma_unlink_free(mm, next);
	}
	if (prev && vma_mergeable(prev, vma)) {
		prev->end = vma->end;
		prev->flags |= vma->flags;
		vma_unlink_free(mm, vma);
		vma = prev;
	}
	return vma;
}

/* One line as Linux's show_map_vma() prints it: the fields, padded to a
 * 64-bit kernel's width (72), then a space and the name, if any. */
void vma_format_maps_line(const struct vma *vma, GString *out)
{
	const char *name = vma->name ? vma->name : vma->vm_ops->name ? vma->vm_ops->name(vma) : NULL;
	unsigned major = 0, minor = 0;
	uint64_t ino = 0;
	gsize line = out->len;

	if (vma->vm_ops->file_id)
		vma->vm_ops->file_id(vma, &major, &minor, &ino);
	g_string_append_printf(out, "%08" G_GINT64_MODIFIER "x-%08" G_GINT64_MODIFIER
			       "x %c%c%c%c %08" G_GINT64_MODIFIER "x %02x:%02x %" G_GUINT64_FORMAT " ",
			       vma->start, vma->end,
			       vma->prot & VM_READ ? 'r' : '-',
			       vma->prot & VM_WRITE ? 'w' : '-',
			       vma->prot & VM_EXEC ? 'x' : '-',
			       vma->flags & VM_SHARED ? 's' : 'p',
			       vma->vm_private_data ? vma->pgoff << PAGE_SHIFT : 0, major, minor, ino);
	if (name) {
		while (out->len - line < 72)
			g_string_append_c(out, ' ');
		g_string_append_printf(out, " %s", name);
	}
	g_string_append_c(out, '\n');
}

void mm_format_maps(struct mm *mm, GString *out)
{
	for (struct vma *vma = vma_first(mm); vma; vma = vma_next(mm, vma))
		vma_format_maps_line(vma, out);
}
