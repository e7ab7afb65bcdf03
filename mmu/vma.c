/*
 * vma: an mm's VMAs (kept in mmu/vma_tree, ordered by start, O(log n)
 * lookup and free-area search), plus the split and merge steps every mm
 * operation is written with.
 */
#include "mmu/mm.h"

#include <errno.h>

#include "mmu/vma_tree.h"

unsigned mm_map_count(struct mm *mm)
{
	return mm->vmas.count;
}

struct vma *vma_lookup(struct mm *mm, uint64_t addr)
{
	struct vma *vma = vma_tree_at_or_below(&mm->vmas, addr);

	return vma && addr < vma->end ? vma : NULL;
}

struct vma *find_vma(struct mm *mm, uint64_t addr)
{
	struct vma *vma = vma_lookup(mm, addr);

	return vma ? vma : vma_tree_above(&mm->vmas, addr);
}

struct vma *vma_prev(struct mm *mm, struct vma *vma)
{
	return vma->start ? vma_tree_at_or_below(&mm->vmas, vma->start - 1) : NULL;
}

struct vma *vma_next(struct mm *mm, struct vma *vma)
{
	return vma_tree_above(&mm->vmas, vma->start);
}

struct vma *vma_first(struct mm *mm)
{
	return vma_tree_first(&mm->vmas);
}

struct vma *vma_last(struct mm *mm)
{
	return vma_tree_last(&mm->vmas);
}

/* The mm's size follows every VMA linked, resized or freed, and its peak
 * with it (Linux's total_vm and hiwater_vm: /proc's VmSize and VmPeak). */
static void account_vm(struct mm *mm, uint64_t added, uint64_t removed)
{
	mm->total_vm += added - removed;
	mm->hiwater_vm = MAX(mm->hiwater_vm, mm->total_vm);
}

void vma_link(struct mm *mm, struct vma *vma)
{
	g_assert(vma->start < vma->end);
	vma->vm_mm = mm;
	vma->stamp = ++mm->vma_clock;
	vma_tree_insert(&mm->vmas, vma);
	account_vm(mm, vma->end - vma->start, 0);
}

void vma_unlink_free(struct mm *mm, struct vma *vma)
{
	account_vm(mm, 0, vma->end - vma->start);
	vma_tree_erase(&mm->vmas, vma);
	if (vma->vm_ops->close)
		vma->vm_ops->close(vma);
	g_free(vma);
}

void vma_set_range(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end)
{
	g_assert(start < end);
	account_vm(mm, end - start, vma->end - vma->start);
	vma->start = start;
	vma->end = end;
	vma->stamp = ++mm->vma_clock;
	vma_tree_update(&mm->vmas, vma);
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
	if (mm_map_count(mm) >= MAX_MAP_COUNT)
		return -ENOMEM;
	return __vma_split(mm, vma, addr, out);
}

int __vma_split(struct mm *mm, struct vma *vma, uint64_t addr, struct vma **out)
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
	vma_set_range(mm, vma, vma->start, addr);
	vma_link(mm, upper);
	if (out)
		*out = upper;
	return 0;
}

/* Two adjacent VMAs can become one when nothing would tell them apart: the
 * same ops on the same object, at consecutive offsets of it, the same watch. */
static bool vma_mergeable(const struct vma *lo, const struct vma *hi)
{
	return lo->end == hi->start && lo->prot == hi->prot &&
	       (lo->flags & ~VM_ANON_PAGES) == (hi->flags & ~VM_ANON_PAGES) &&
	       lo->vm_ops == hi->vm_ops && lo->vm_private_data == hi->vm_private_data &&
	       lo->name == hi->name && lo->watch == hi->watch && lo->watch_data == hi->watch_data &&
	       (!lo->vm_private_data ||
		lo->pgoff + ((lo->end - lo->start) >> PAGE_SHIFT) == hi->pgoff);
}

struct vma *vma_merge(struct mm *mm, struct vma *vma)
{
	struct vma *prev = vma_prev(mm, vma), *next = vma_next(mm, vma);
	uint64_t end;

	if (next && vma_mergeable(vma, next)) {
		end = next->end;
		vma->flags |= next->flags;
		vma_unlink_free(mm, next);
		vma_set_range(mm, vma, vma->start, end);
	}
	if (prev && vma_mergeable(prev, vma)) {
		end = vma->end;
		prev->flags |= vma->flags;
		vma_unlink_free(mm, vma);
		vma_set_range(mm, prev, prev->start, end);
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
