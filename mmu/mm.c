/*
 * mm: address-space operations.  Each one finds or splits the VMAs it covers,
 * changes them, then brings the page tables in line and flushes once for the
 * whole range.  Adjacent compatible VMAs are merged afterwards, as the kernel
 * does, so /proc-style maps stay short.
 */
#include "mmu/mm.h"

#include <errno.h>
#include <string.h>

#include "mmu/anon.h"
#include "mmu/fault.h"
#include "mmu/shmem.h"
#include "mmu/vm_file.h"
#include "mmu/vma_tree.h"
#include "mmu/zap.h"

int mm_create(struct phys *phys, struct vm_stats *stats, struct mm **out)
{
	struct mm *mm = g_new0(struct mm, 1);
	int err = pgtable_create(phys, &mm->pgd);

	if (err) {
		g_free(mm);
		return err;
	}
	mm->users = 1;
	mm->id = ++stats->mms_created;
	mm->phys = phys;
	mm->stats = stats;
	mm->mmap_base = MMAP_BASE;
	mm->tunables = &vm_default_tunables;
	*out = mm;
	return 0;
}

void mm_destroy(struct mm *mm)
{
	struct vma *vma;

	if (!mm)
		return;
	mmu_notifier_release(mm);
	while ((vma = vma_first(mm)))
		vma_unlink_free(mm, vma);
	pgtable_put(mm->phys, mm->pgd, PGD_LEVEL);
	g_free(mm);
}

void mm_inherit_flags(struct mm *new, const struct mm *old)
{
	new->flags = old->flags & MMF_HAS_MDWE_NO_INHERIT ? 0 : old->flags;
}

struct mm *mmget(struct mm *mm)
{
	mm->users++;
	return mm;
}

void mmput(struct mm *mm)
{
	if (mm && --mm->users == 0)
		mm_destroy(mm);
}

static bool range_is_free(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *vma = find_vma(mm, start);

	return !vma || vma->start >= end;
}

/* Whether every page of [start, end) belongs to some VMA. */
static bool range_is_mapped(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct vma *vma = vma_lookup(mm, start); start < end; vma = vma_next(mm, vma)) {
		if (!vma || vma->start > start)
			return false;
		start = vma->end;
	}
	return true;
}

static bool can_modify_vma(const struct vma *vma)
{
	return !(vma->flags & VM_SEALED);
}

/* Whether no VMA in [start, end) is sealed. */
static bool can_modify_range(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct vma *vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma))
		if (!can_modify_vma(vma))
			return false;
	return true;
}

/* Linux's map_deny_write_exec(): under MDWE, a mapping may not become
 * writable and executable, nor executable if it was not. */
static bool map_deny_write_exec(const struct mm *mm, unsigned old, unsigned new)
{
	if (!(mm->flags & MMF_HAS_MDWE) || !(new & VM_EXEC))
		return false;
	return (new & VM_WRITE) || !(old & VM_EXEC);
}

/* Split VMAs so that none straddles `addr` (checked: against MAX_MAP_COUNT). */
static int split_at(struct mm *mm, uint64_t addr, bool checked)
{
	struct vma *vma = vma_lookup(mm, addr);

	if (!vma || vma->start == addr)
		return 0;
	return checked ? vma_split(mm, vma, addr, NULL) : __vma_split(mm, vma, addr, NULL);
}

/* Split VMAs so that none straddles `start` or `end`. */
static int split_range(struct mm *mm, uint64_t start, uint64_t end)
{
	int err = split_at(mm, start, true);

	return err ? err : split_at(mm, end, true);
}

int mm_change_flags(struct mm *mm, uint64_t start, uint64_t end, unsigned set, unsigned clear,
		    bool stop_at_hole)
{
	int err = 0;

	for (uint64_t at = start; at < end;) {
		struct vma *vma = find_vma(mm, at);

		if (!vma || vma->start >= end)
			return -ENOMEM;
		if (vma->start > at) {
			if (stop_at_hole)
				return -ENOMEM;
			err = -ENOMEM;
			at = vma->start;
		}
		if (((vma->flags & ~clear) | set) != vma->flags) {
			int split = split_range(mm, at, MIN(end, vma->end));

			if (split)
				return split;
			vma = vma_lookup(mm, at);
			vma->flags = (vma->flags & ~clear) | set;
		}
		at = vma->end;
		vma_merge(mm, vma);
	}
	return err;
}

/* Remove every VMA and translation in [start, end).  As Linux's munmap, it
 * may leave the mm one VMA above MAX_MAP_COUNT, but refuses to punch a hole
 * in one VMA (a net new one) once the mm has that many. */
static int unmap_region(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *vma = vma_lookup(mm, start), *next;
	int err;

	if (!can_modify_range(mm, start, end))
		return -EPERM;
	if (vma && vma->start < start && end < vma->end && mm_map_count(mm) >= MAX_MAP_COUNT)
		return -ENOMEM;
	err = split_at(mm, start, false);
	if (!err)
		err = split_at(mm, end, false);
	if (err)
		return err;
	for (vma = find_vma(mm, start); vma && vma->start < end; vma = next) {
		next = vma_next(mm, vma);
		if (vma->vm_ops->keeps_tables && vma->vm_ops->keeps_tables(vma)) {
			zap_page_range(mm, start, vma->start);
			start = vma->end;
		}
		vma_unlink_free(mm, vma);
	}
	zap_page_range(mm, start, end);
	return 0;
}

/* Top-down search for `len` free bytes below mmap_base, after a usable hint. */
static int get_unmapped_area(struct mm *mm, uint64_t hint, uint64_t len, uint64_t *out)
{
	hint = PAGE_ALIGN(hint);
	if (hint >= MMAP_MIN_ADDR && hint <= TASK_SIZE - len && range_is_free(mm, hint, hint + len)) {
		*out = hint;
		return 0;
	}
	return vma_tree_gap_topdown(&mm->vmas, MMAP_MIN_ADDR, mm->mmap_base, len, out);
}

/* __vm_enough_memory() under OVERCOMMIT_GUESS: only a single request larger
 * than RAM plus swap is refused. */
static bool vm_enough_memory(const struct mm *mm, uint64_t len)
{
	return len <= phys_size(mm->phys);
}

/* What Linux charges against memory unless MAP_NORESERVE: private writable
 * mappings (accountable_mapping()) and shared anonymous memory, whatever its
 * protection (shmem_acct_size()). */
static bool accountable_mapping(const struct vm_file *file, unsigned prot, unsigned flags)
{
	if (flags & MM_MAP_NORESERVE)
		return false;
	return (flags & MM_MAP_SHARED) ? !file : (prot & VM_WRITE) != 0;
}

/* Where a mapping of `len` (page aligned) bytes goes: MM_MAP_FIXED at
 * *addr, after unmapping what was there; otherwise at the hint in *addr or
 * where the top-down search puts it.  Sealed VMAs (-EPERM) and MDWE
 * (-EACCES for `prot`) are checked before anything is unmapped. */
static int mmap_place(struct mm *mm, uint64_t *addr, uint64_t len, unsigned prot, unsigned flags)
{
	int err = 0;

	if (!(flags & MM_MAP_FIXED))
		err = get_unmapped_area(mm, *addr, len, addr);
	else if (*addr & ~PAGE_MASK)
		err = -EINVAL;
	else if (*addr > TASK_SIZE - len)
		err = -ENOMEM;
	else if (*addr < MMAP_MIN_ADDR)
		err = -EPERM;
	else if ((flags & MM_MAP_NOREPLACE) && !range_is_free(mm, *addr, *addr + len))
		err = -EEXIST;
	else if (!can_modify_range(mm, *addr, *addr + len))
		err = -EPERM;
	if (err)
		return err;
	if (map_deny_write_exec(mm, prot, prot))
		return -EACCES;
	return flags & MM_MAP_FIXED ? unmap_region(mm, *addr, *addr + len) : 0;
}

/* A VMA for [addr, addr + len) with the mapping's protection and flags;
 * its backing is the caller's to set. */
static struct vma *mmap_vma(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot,
			    unsigned flags)
{
	struct vma *vma = g_new0(struct vma, 1);

	vma->start = addr;
	vma->end = addr + len;
	vma->prot = prot;
	vma->flags = (flags & MM_MAP_SHARED ? VM_SHARED : 0) |
		     (flags & MM_MAP_GROWSDOWN ? VM_GROWSDOWN : 0) |
		     (flags & MM_MAP_LOCKED ? VM_LOCKED : 0) | mm->def_flags;
	return vma;
}

/* Link the new VMA, merge it, and populate it if asked or locked. */
static uint64_t mmap_insert(struct mm *mm, struct vma *vma, unsigned flags)
{
	uint64_t start = vma->start, end = vma->end;

	if ((vma->flags & VM_LOCKED_MASK) == VM_LOCKED)
		flags |= MM_MAP_POPULATE;
	vma_link(mm, vma);
	vma_merge(mm, vma);
	if (flags & MM_MAP_POPULATE)
		mm_populate(mm, start, end);	/* best effort, as in Linux */
	return start;
}

/* Map `file`, or the shmem object `sh`, or (neither) anonymous memory. */
static int do_mmap(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
		   struct vm_file *file, struct shmem *sh, uint64_t offset, uint64_t *out)
{
	struct vma *vma;
	int err;

	if (!len || (offset & ~PAGE_MASK) || (prot & ~(VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL;
	if (len > TASK_SIZE)
		return -ENOMEM;
	len = PAGE_ALIGN(len);
	if (offset + len < offset)
		return -EOVERFLOW;
	if (mm_map_count(mm) > MAX_MAP_COUNT)
		return -ENOMEM;
	if (!sh && accountable_mapping(file, prot, flags) && !vm_enough_memory(mm, len))
		return -ENOMEM;
	err = mmap_place(mm, &addr, len, prot, flags);
	if (err)
		return err;
	vma = mmap_vma(mm, addr, len, prot, flags);
	if (file) {
		vma->vm_ops = &file_vm_ops;
		vma->vm_private_data = vm_file_get(file);
		vma->pgoff = offset >> PAGE_SHIFT;
	} else if (sh || (flags & MM_MAP_SHARED)) {
		vma->vm_ops = &shmem_vm_ops;
		vma->vm_private_data = sh ? shmem_get(sh) : shmem_new(mm->phys);
		vma->pgoff = offset >> PAGE_SHIFT;
		shmem_vma_open(vma);
	} else {
		vma->vm_ops = &anon_vm_ops;
	}
	*out = mmap_insert(mm, vma, flags);
	return 0;
}

int mm_mmap_object(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
		   const struct vm_ops *ops, void *object, uint64_t *out)
{
	struct vma *vma;
	int err;

	if (!len || (prot & ~(VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL;
	if (len > TASK_SIZE)
		return -ENOMEM;
	len = PAGE_ALIGN(len);
	if (mm_map_count(mm) > MAX_MAP_COUNT)
		return -ENOMEM;
	err = mmap_place(mm, &addr, len, prot, flags);
	if (err)
		return err;
	vma = mmap_vma(mm, addr, len, prot, flags);
	vma->vm_ops = ops;
	vma->vm_private_data = object;
	if (ops->dup)
		ops->dup(vma, vma);
	*out = mmap_insert(mm, vma, flags);
	return 0;
}

int mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	    struct vm_file *file, uint64_t offset, uint64_t *out)
{
	return do_mmap(mm, addr, len, prot, flags, file, NULL, offset, out);
}

int mm_mmap_shmem(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
		  struct shmem *sh, uint64_t offset, uint64_t *out)
{
	return do_mmap(mm, addr, len, prot, flags, NULL, sh, offset, out);
}

int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len)
{
	if ((addr & ~PAGE_MASK) || !len || len > TASK_SIZE || addr > TASK_SIZE - PAGE_ALIGN(len))
		return -EINVAL;
	return unmap_region(mm, addr, addr + PAGE_ALIGN(len));
}

struct change_prot {
	struct mm *mm;
	const struct vma *vma;
	bool downgraded, gained_exec;
};

/* A device-private or device-exclusive entry becomes read-only whatever
 * the new protection (Linux's change_pte_range: make_readable_*_entry),
 * and the devices mapping the page drop their mappings. */
static void change_device_entry_prot(struct change_prot *c, pte_t *ptep)
{
	pte_set(c->mm->phys, ptep, pte_mk_device_private(pte_addr(*ptep), c->vma->prot & ~VM_WRITE) |
		(*ptep & PTE_DEVICE_EXCLUSIVE));
	c->downgraded = true;
}

static int change_pte_prot(void *opaque, uint64_t va, pte_t *ptep)
{
	struct change_prot *c = opaque;
	phys_addr_t pa = pte_addr(*ptep);
	unsigned old = pte_prot(*ptep), new = c->vma->prot;

	(void)va;
	if (pte_is_marker(*ptep))
		return 0;	/* maps nothing: stays poisoned or write-protected */
	if (pte_is_device_private(*ptep)) {
		change_device_entry_prot(c, ptep);
		return 0;
	}
	if (!(c->vma->flags & VM_SHARED) && phys_page_shared(c->mm->phys, pa))
		new &= ~VM_WRITE;	/* still shared copy-on-write */
	c->downgraded |= (old & ~new) != 0;
	c->gained_exec |= (new & ~old & VM_EXEC) != 0;
	if (*ptep & PTE_UFFD_WP)
		new &= ~VM_WRITE;	/* still write-protected by userfaultfd */
	pte_set(c->mm->phys, ptep, pte_mk_page(pa, new) | (*ptep & PTE_UFFD_WP));
	return 0;
}

/* Bring the entries of one VMA in line with its (new) protection. */
static void change_protection(struct mmu_gather *tlb, struct mm *mm, struct vma *vma)
{
	struct change_prot c = { mm, vma, false, false };

	pgtable_walk_range_all(mm->phys, mm->pgd, vma->start, vma->end, change_pte_prot, &c);
	if (c.downgraded)
		tlb_gather_range(tlb, vma->start, vma->end);
	if (c.gained_exec)
		mmu_notifier_invalidate_code(mm, vma->start, vma->end);
}

int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot)
{
	uint64_t end = addr + PAGE_ALIGN(len);
	struct mmu_gather tlb;
	int err;

	if ((addr & ~PAGE_MASK) || (prot & ~(VM_READ | VM_WRITE | VM_EXEC)))
		return -EINVAL;
	if (end < addr || end > TASK_SIZE || (len && PAGE_ALIGN(len) == 0))
		return -ENOMEM;
	if (addr == end)
		return 0;
	if (!range_is_mapped(mm, addr, end))
		return -ENOMEM;
	err = split_range(mm, addr, end);
	if (err)
		return err;
	tlb_gather_mmu(&tlb, mm);
	/* Step by address: merging may free the VMA after the current one.
	 * As in Linux, a VMA refused (MDWE, a seal) ends the call there and
	 * the ones before it keep their new protection. */
	for (uint64_t at = addr; at < end;) {
		struct vma *vma = vma_lookup(mm, at);

		if (map_deny_write_exec(mm, vma->prot, prot))
			err = -EACCES;
		else if (!can_modify_vma(vma))
			err = -EPERM;
		if (err) {
			/* Undo the splits made for the VMAs left as they were. */
			vma_merge(mm, vma);
			vma_merge(mm, vma_lookup(mm, end - 1));
			break;
		}
		vma->prot = prot;
		vma->stamp = ++mm->vma_clock;
		change_protection(&tlb, mm, vma);
		at = vma->end;
		vma_merge(mm, vma);
	}
	tlb_finish_mmu(&tlb);
	return err;
}

uint64_t mm_brk(struct mm *mm, uint64_t addr)
{
	uint64_t old_end = PAGE_ALIGN(mm->brk), new_end = PAGE_ALIGN(addr);
	struct vma *heap;

	if (addr < mm->start_brk || addr > TASK_SIZE)
		return mm->brk;
	if (new_end < old_end && unmap_region(mm, new_end, old_end))
		return mm->brk;
	if (new_end > old_end) {
		if (!range_is_free(mm, old_end, new_end + STACK_GUARD_GAP) ||
		    mm_map_count(mm) > MAX_MAP_COUNT || !vm_enough_memory(mm, new_end - old_end))
			return mm->brk;
		heap = g_new0(struct vma, 1);
		heap->start = old_end;
		heap->end = new_end;
		heap->prot = VM_READ | VM_WRITE;
		heap->flags = mm->def_flags;
		heap->vm_ops = &anon_vm_ops;
		heap->name = "[heap]";
		mmap_insert(mm, heap, 0);
	}
	mm->brk = addr;
	return addr;
}

struct move_ptes {
	struct mm *mm;
	uint64_t from, to;	/* a source address and where it goes */
	bool install;		/* false: only create the destination tables */
};

static int move_pte(void *opaque, uint64_t va, pte_t *ptep)
{
	struct move_ptes *m = opaque;
	pte_t *dst;
	int err = pgtable_walk_alloc(m->mm->phys, m->mm->pgd, va - m->from + m->to, &dst);

	if (err < 0 || !m->install)
		return MIN(err, 0);
	pte_set(m->mm->phys, dst, *ptep);	/* the frame reference moves with the entry */
	pte_set(m->mm->phys, ptep, 0);
	return PTE_VISIT_CLEARED;
}

/* Move the entries of [from, from + len) to `to`: every destination table
 * is created first, so the move itself cannot fail. */
static int move_page_tables(struct mm *mm, uint64_t from, uint64_t len, uint64_t to)
{
	struct move_ptes m = { mm, from, to, false };
	int err = pgtable_walk_range_all(mm->phys, mm->pgd, from, from + len, move_pte, &m);

	if (err)
		return err;
	m.install = true;
	pgtable_walk_range_all(mm->phys, mm->pgd, from, from + len, move_pte, &m);
	flush_tlb_mm_range(mm, from, from + len);
	return 0;
}

/* Linux's move_vma(): map [old_addr, old_addr + old_len) (inside one VMA)
 * at `to` with room for `new_len` bytes, moving its entries.  The old range
 * is unmapped, or with MM_REMAP_DONTUNMAP stays mapped, empty and unlocked;
 * with old_len 0 (a shared mapping) nothing moves: a second mapping of the
 * same object appears. */
static int move_range(struct mm *mm, uint64_t old_addr, uint64_t old_len, uint64_t to,
		      uint64_t new_len, unsigned flags, uint64_t *out)
{
	struct vma *vma, *moved;
	int err;

	if (mm_map_count(mm) >= MAX_MAP_COUNT - 3)
		return -ENOMEM;
	err = old_len ? split_range(mm, old_addr, old_addr + old_len) : 0;
	if (err)
		return err;
	vma = vma_lookup(mm, old_addr);
	err = move_page_tables(mm, old_addr, old_len, to);
	if (err)
		return err;
	moved = vma_dup(vma);
	moved->start = to;
	moved->end = to + new_len;
	moved->pgoff = linear_page_index(vma, old_addr);
	moved->watch = NULL;		/* a design's watch stays behind */
	moved->watch_data = NULL;
	if (vma->vm_ops->mremap && old_len)
		vma->vm_ops->mremap(moved, vma);
	if (flags & MM_REMAP_DONTUNMAP) {
		vma->flags &= ~VM_LOCKED_MASK;
		vma_merge(mm, vma);
	} else if (old_len) {
		vma_unlink_free(mm, vma);
	}
	vma_link(mm, moved);
	moved = vma_merge(mm, moved);
	if ((moved->flags & VM_LOCKED_MASK) == VM_LOCKED && new_len > old_len)
		mm_populate(mm, to + old_len, to + new_len);
	*out = to;
	return 0;
}

/* mremap_to(): MM_REMAP_FIXED (to new_addr) or MM_REMAP_DONTUNMAP (to a
 * new place, new_addr a hint). */
static int mremap_to(struct mm *mm, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
		     unsigned flags, uint64_t new_addr, uint64_t *out)
{
	struct vma *vma;
	int err;

	if (flags & MM_REMAP_FIXED) {
		if ((new_addr & ~PAGE_MASK) || new_len > TASK_SIZE || new_addr > TASK_SIZE - new_len ||
		    (new_addr < old_addr + old_len && old_addr < new_addr + new_len))
			return -EINVAL;
	}
	if (mm_map_count(mm) + 2 >= MAX_MAP_COUNT - 3)
		return -ENOMEM;
	if (flags & MM_REMAP_FIXED) {
		err = unmap_region(mm, new_addr, new_addr + new_len);
		if (err)
			return err;
	}
	if (old_len > new_len) {
		err = unmap_region(mm, old_addr + new_len, old_addr + old_len);
		if (err)
			return err;
		old_len = new_len;
	}
	vma = vma_lookup(mm, old_addr);
	if (!vma)
		return -EFAULT;
	if (!old_len && !(vma->flags & VM_SHARED))
		return -EINVAL;
	if (old_len > vma->end - old_addr)
		return -EFAULT;
	if (!(flags & MM_REMAP_FIXED)) {
		err = get_unmapped_area(mm, new_addr, new_len, &new_addr);
		if (err)
			return err;
	}
	return move_range(mm, old_addr, old_len, new_addr, new_len, flags, out);
}

int mm_mremap(struct mm *mm, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
	      unsigned flags, uint64_t new_addr, uint64_t *out)
{
	uint64_t old_end, grow;
	struct vma *vma;
	int err;

	if ((old_addr & ~PAGE_MASK) ||
	    (flags & ~(MM_REMAP_MAYMOVE | MM_REMAP_FIXED | MM_REMAP_DONTUNMAP)) ||
	    ((flags & MM_REMAP_FIXED) && !(flags & MM_REMAP_MAYMOVE)) ||
	    ((flags & MM_REMAP_DONTUNMAP) && (!(flags & MM_REMAP_MAYMOVE) || old_len != new_len)))
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len)
		return -EINVAL;
	old_end = old_addr + old_len;
	if (old_end < old_addr)
		return -EFAULT;
	if (!can_modify_range(mm, old_addr, old_end))
		return -EPERM;
	if (flags & (MM_REMAP_FIXED | MM_REMAP_DONTUNMAP))
		return mremap_to(mm, old_addr, old_len, new_len, flags, new_addr, out);
	vma = vma_lookup(mm, old_addr);
	if (!vma || old_end > vma->end)
		return -EFAULT;
	if (!old_len && !(vma->flags & VM_SHARED))
		return -EINVAL;	/* old size 0 duplicates shared mappings only */
	if (new_len <= old_len) {
		err = unmap_region(mm, old_addr + new_len, old_end);
		if (!err)
			*out = old_addr;
		return err;
	}
	grow = new_len - old_len;
	if (old_len && old_end == vma->end && grow <= TASK_SIZE && old_end <= TASK_SIZE - grow &&
	    range_is_free(mm, old_end, old_end + grow)) {
		vma_set_range(mm, vma, vma->start, vma->end + grow);
		vma = vma_merge(mm, vma);
		if ((vma->flags & VM_LOCKED_MASK) == VM_LOCKED)
			mm_populate(mm, old_end, old_end + grow);	/* as Linux's mremap */
		*out = old_addr;
		return 0;
	}
	if (!(flags & MM_REMAP_MAYMOVE))
		return -ENOMEM;
	err = get_unmapped_area(mm, 0, new_len, &new_addr);
	if (err)
		return err;
	return move_range(mm, old_addr, old_len, new_addr, new_len, flags, out);
}

/* Zap [start, end) for MADV_DONTNEED: Linux's zap_install_uffd_wp_if_needed
 * keeps the write-protection of a shmem VMA that protects writes (its
 * object still holds the pages; munmap drops it, ZAP_FLAG_DROP_MARKER);
 * anonymous memory loses it with its pages. */
static void zap_pages(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct vma *vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma)) {
		uint64_t from = MAX(start, vma->start), to = MIN(end, vma->end);

		if (vma->vm_ops == &anon_vm_ops || !vma_watches_writes(vma))
			zap_page_range(mm, from, to);
		else
			zap_range_keep_wp(mm, vma, from, to);
	}
}

int mm_madvise_dontneed(struct mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + PAGE_ALIGN(len), limit;

	if ((addr & ~PAGE_MASK) || end < addr || end > TASK_SIZE || (len && PAGE_ALIGN(len) == 0))
		return -EINVAL;
	limit = mm_discard_limit(mm, addr, end);
	if (limit < end) {
		zap_pages(mm, addr, limit);
		return -EPERM;
	}
	if (!range_is_mapped(mm, addr, end))
		return -ENOMEM;
	zap_pages(mm, addr, end);
	return 0;
}

uint64_t mm_discard_limit(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct vma *vma = find_vma(mm, start); vma && vma->start < end; vma = vma_next(mm, vma)) {
		bool ro_anon = vma->vm_ops == &anon_vm_ops && !(vma->prot & VM_WRITE);

		if (!can_modify_vma(vma) && ro_anon)
			return MAX(vma->start, start);
	}
	return end;
}

int mm_mseal(struct mm *mm, uint64_t start, uint64_t len)
{
	uint64_t end = start + PAGE_ALIGN(len);
	int err;

	if ((start & ~PAGE_MASK) || (len && PAGE_ALIGN(len) == 0) || end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	if (end > TASK_SIZE || !range_is_mapped(mm, start, end))
		return -ENOMEM;
	err = split_range(mm, start, end);
	if (err)
		return err;
	for (uint64_t at = start; at < end;) {
		struct vma *vma = vma_lookup(mm, at);

		vma->flags |= VM_SEALED;
		at = vma->end;
		vma_merge(mm, vma);
	}
	return 0;
}

int mm_populate(struct mm *mm, uint64_t start, uint64_t end)
{
	for (uint64_t addr = start; addr < end; addr += PAGE_SIZE) {
		struct vma *vma = vma_lookup(mm, addr);
		enum fault_access access = vma && (vma->prot & VM_WRITE) ? FAULT_WRITE : FAULT_READ;
		struct vm_fault vmf;

		if (!vma || !vma_permits(vma, access))
			continue;
		vm_fault_init(&vmf, mm, addr, access, FAULT_FLAG_KERNEL);
		if (handle_mm_fault(&vmf) == VM_FAULT_OOM)
			return -ENOMEM;
	}
	return 0;
}

void mm_oom_reap(struct mm *mm)
{
	for (struct vma *vma = vma_first(mm); vma; vma = vma_next(mm, vma))
		if (!(vma->flags & VM_SHARED))
			zap_page_range(mm, vma->start, vma->end);
	mm->flags |= MMF_OOM_SKIP;
}

void mm_set_vma_name(struct mm *mm, uint64_t addr, const char *name)
{
	struct vma *vma = vma_lookup(mm, addr);

	if (vma)
		vma->name = name;
}

struct dup_ctx {
	struct mm *child;
	const struct vma *vma;
	bool downgraded;
	struct mm *parent;
};

/* Fork first gives the parent back the pages a device holds exclusively
 * (Linux's copy_nonpresent_pte restoring them), then copies them.  A
 * device-private entry is copied as a present one is: the child's names
 * the same device page, both read-only in a private mapping (a CPU access
 * from either migrates its own copy back). */
static int restore_exclusive(void *opaque, uint64_t va, pte_t *ptep)
{
	struct dup_ctx *d = opaque;

	if (pte_is_device_exclusive(*ptep))
		restore_exclusive_pte(d->parent, d->vma, va, ptep);
	return 0;
}

static int copy_pte(void *opaque, uint64_t va, pte_t *ptep)
{
	struct dup_ctx *d = opaque;
	phys_addr_t pa = pte_addr(*ptep);
	pte_t *dst;
	int err;

	/* Linux's copy_pte_marker: a private VMA's markers go with it, a
	 * shared one's only when it protects writes (vma_needs_copy for a
	 * uffd-wp VMA); a child not registered in WP mode loses the
	 * protection (mmu/userfault/events.c). */
	if (pte_is_marker(*ptep) && (d->vma->flags & VM_SHARED) && !vma_watches_writes(d->vma))
		return 0;
	err = pgtable_walk_alloc(d->child->phys, d->child->pgd, va, &dst);
	if (err < 0)
		return err;
	if (pte_is_marker(*ptep)) {
		pte_set(d->child->phys, dst, *ptep);
		return 0;
	}
	if (!(d->vma->flags & VM_SHARED) && (pte_prot(*ptep) & VM_WRITE)) {
		unsigned prot = pte_prot(*ptep) & ~VM_WRITE;

		pte_set(d->child->phys, ptep, pte_is_device_private(*ptep) ? pte_mk_device_private(pa, prot) : pte_mk_page(pa, prot));
		d->downgraded = true;
	}
	phys_get(d->child->phys, pa);
	pte_set(d->child->phys, dst, *ptep);
	return 0;
}

/* Linux's vma_needs_copy: a VMA whose pages a fault can find again (shared
 * memory, a file's cached pages, the zero page) is not copied; the child
 * faults them in.  One holding pages of its own is, and one whose entries
 * hold write-protection (userfaultfd's WP mode) that its object cannot. */
static bool vma_needs_copy(const struct mm *mm, const struct vma *vma)
{
	return !mm->tunables->fork_skip_refillable || (vma->flags & VM_ANON_PAGES) ||
	       vma_watches_writes(vma);
}

static int copy_vma_entries(struct mm *old, struct dup_ctx *d)
{
	const struct vma *vma = d->vma;
	int err = pgtable_walk_range_all(old->phys, old->pgd, vma->start, vma->end, restore_exclusive, d);

	return err ? err : pgtable_walk_range_all(old->phys, old->pgd, vma->start, vma->end, copy_pte, d);
}

int mm_dup(struct mm *old, struct mm **out)
{
	struct dup_ctx d = { NULL, NULL, false, old };
	int err = mm_create(old->phys, old->stats, &d.child);

	for (struct vma *vma = vma_first(old); vma && !err; vma = vma_next(old, vma)) {
		struct vma *copy;

		if (vma->flags & VM_DONTCOPY)
			continue;
		d.vma = vma;
		copy = vma_dup(vma);
		copy->flags &= ~VM_LOCKED_MASK;	/* locks are not inherited */
		copy->watch = NULL;		/* nor a design's watch */
		copy->watch_data = NULL;
		if (vma->flags & VM_WIPEONFORK)
			copy->flags &= ~VM_ANON_PAGES;	/* the child's starts empty */
		vma_link(d.child, copy);
		if (!(vma->flags & VM_WIPEONFORK) && vma_needs_copy(old, vma))
			err = copy_vma_entries(old, &d);
	}
	if (d.downgraded)
		flush_tlb_mm_range(old, 0, TASK_SIZE);
	if (err) {
		mm_destroy(d.child);
		return err;
	}
	d.child->start_brk = old->start_brk;
	d.child->brk = old->brk;
	d.child->mmap_base = old->mmap_base;
	d.child->arg_start = old->arg_start;
	d.child->arg_end = old->arg_end;
	d.child->env_start = old->env_start;
	d.child->env_end = old->env_end;
	d.child->tunables = old->tunables;
	mm_inherit_flags(d.child, old);
	*out = d.child;
	return 0;
}
