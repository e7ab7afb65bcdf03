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
	mm->vmas = vma_tree_new();
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
	g_tree_destroy(mm->vmas);
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

static void zap_page_range(struct mm *mm, uint64_t start, uint64_t end)
{
	if (pgtable_unmap_range(mm->phys, mm->pgd, start, end))
		flush_tlb_mm_range(mm, start, end);
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

/* Split VMAs so that none straddles `addr`. */
static int split_at(struct mm *mm, uint64_t addr)
{
	struct vma *vma = vma_lookup(mm, addr);

	return vma && vma->start < addr ? vma_split(mm, vma, addr, NULL) : 0;
}

/* Split VMAs so that none straddles `start` or `end`. */
static int split_range(struct mm *mm, uint64_t start, uint64_t end)
{
	int err = split_at(mm, start);

	return err ? err : split_at(mm, end);
}

/* Remove every VMA and translation in [start, end). */
static int unmap_region(struct mm *mm, uint64_t start, uint64_t end)
{
	struct vma *vma, *next;
	int err;

	if (!can_modify_range(mm, start, end))
		return -EPERM;
	err = split_range(mm, start, end);
	if (err)
		return err;
	for (vma = find_vma(mm, start); vma && vma->start < end; vma = next) {
		next = vma_next(mm, vma);
		vma_unlink_free(mm, vma);
	}
	zap_page_range(mm, start, end);
	return 0;
}

/* Top-down search for `len` free bytes below mmap_base, after a usable hint. */
static int get_unmapped_area(struct mm *mm, uint64_t hint, uint64_t len, uint64_t *out)
{
	uint64_t high = mm->mmap_base;
	struct vma *vma;

	hint = PAGE_ALIGN(hint);
	if (hint >= MMAP_MIN_ADDR && hint <= TASK_SIZE - len && range_is_free(mm, hint, hint + len)) {
		*out = hint;
		return 0;
	}
	/* Walk the gaps below mmap_base downwards, starting at the highest VMA
	 * that begins below it. */
	vma = find_vma(mm, high);
	if (!vma)
		vma = vma_last(mm);
	else if (vma->start >= high)
		vma = vma_prev(mm, vma);
	for (;; vma = vma_prev(mm, vma)) {
		uint64_t low = vma ? vma->end : MMAP_MIN_ADDR;

		if (low <= high && high - low >= len) {
			*out = high - len;
			return 0;
		}
		if (!vma)
			return -ENOMEM;
		high = MIN(high, vma->start);
	}
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
	if (!sh && accountable_mapping(file, prot, flags) && !vm_enough_memory(mm, len))
		return -ENOMEM;
	if (flags & MM_MAP_FIXED) {
		if (addr & ~PAGE_MASK)
			return -EINVAL;
		if (addr > TASK_SIZE - len)
			return -ENOMEM;
		if (addr < MMAP_MIN_ADDR)
			return -EPERM;
		if ((flags & MM_MAP_NOREPLACE) && !range_is_free(mm, addr, addr + len))
			return -EEXIST;
		if (!can_modify_range(mm, addr, addr + len))
			return -EPERM;
	} else {
		err = get_unmapped_area(mm, addr, len, &addr);
		if (err)
			return err;
	}
	if (map_deny_write_exec(mm, prot, prot))
		return -EACCES;
	if (flags & MM_MAP_FIXED) {
		err = unmap_region(mm, addr, addr + len);
		if (err)
			return err;
	}
	vma = g_new0(struct vma, 1);
	vma->start = addr;
	vma->end = addr + len;
	vma->prot = prot;
	vma->flags = (flags & MM_MAP_SHARED ? VM_SHARED : 0) |
		     (flags & MM_MAP_GROWSDOWN ? VM_GROWSDOWN : 0);
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
	vma_link(mm, vma);
	vma_merge(mm, vma);
	if (flags & MM_MAP_POPULATE)
		mm_populate(mm, addr, addr + len);	/* best effort, as in Linux */
	*out = addr;
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

static int change_pte_prot(void *opaque, uint64_t va, pte_t *ptep)
{
	struct change_prot *c = opaque;
	phys_addr_t pa = pte_addr(*ptep);
	unsigned old = pte_prot(*ptep), new = c->vma->prot;

	(void)va;
	if (!(c->vma->flags & VM_SHARED) && phys_page_shared(c->mm->phys, pa))
		new &= ~VM_WRITE;	/* still shared copy-on-write */
	c->downgraded |= (old & ~new) != 0;
	c->gained_exec |= (new & ~old & VM_EXEC) != 0;
	*ptep = pte_mk_page(pa, new);
	return 0;
}

/* Bring the entries of one VMA in line with its (new) protection. */
static void change_protection(struct mmu_gather *tlb, struct mm *mm, struct vma *vma)
{
	struct change_prot c = { mm, vma, false, false };

	pgtable_walk_range(mm->phys, mm->pgd, vma->start, vma->end, change_pte_prot, &c);
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
		    !vm_enough_memory(mm, new_end - old_end))
			return mm->brk;
		heap = g_new0(struct vma, 1);
		heap->start = old_end;
		heap->end = new_end;
		heap->prot = VM_READ | VM_WRITE;
		heap->vm_ops = &anon_vm_ops;
		heap->name = "[heap]";
		vma_link(mm, heap);
		vma_merge(mm, heap);
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
	*dst = *ptep;	/* the frame reference moves with the entry */
	*ptep = 0;
	return PTE_VISIT_CLEARED;
}

/* Move the single VMA `vma` to `to`, with room for `new_len` bytes. */
static int move_vma(struct mm *mm, struct vma *vma, uint64_t to, uint64_t new_len, uint64_t *out)
{
	struct move_ptes m = { mm, vma->start, to, false };
	struct vma *moved;
	int err;

	/* Create every destination table first, so the move itself cannot fail. */
	err = pgtable_walk_range(mm->phys, mm->pgd, vma->start, vma->end, move_pte, &m);
	if (err)
		return err;
	m.install = true;
	pgtable_walk_range(mm->phys, mm->pgd, vma->start, vma->end, move_pte, &m);
	flush_tlb_mm_range(mm, vma->start, vma->end);
	moved = vma_dup(vma);
	moved->start = to;
	moved->end = to + new_len;
	vma_unlink_free(mm, vma);
	vma_link(mm, moved);
	vma_merge(mm, moved);
	*out = to;
	return 0;
}

int mm_mremap(struct mm *mm, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
	      unsigned flags, uint64_t new_addr, uint64_t *out)
{
	uint64_t old_end, grow;
	struct vma *vma;
	int err;

	if ((old_addr & ~PAGE_MASK) || (flags & ~(MM_REMAP_MAYMOVE | MM_REMAP_FIXED)) ||
	    ((flags & MM_REMAP_FIXED) && !(flags & MM_REMAP_MAYMOVE)))
		return -EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len || !old_len)	/* old_len 0 (duplicate a shared mapping) is not modelled */
		return -EINVAL;
	old_end = old_addr + old_len;
	vma = vma_lookup(mm, old_addr);
	if (!vma)
		return -EFAULT;
	if (!can_modify_vma(vma))
		return -EPERM;
	if (old_end > vma->end || old_end < old_addr)
		return -EFAULT;
	if (flags & MM_REMAP_FIXED) {
		if ((new_addr & ~PAGE_MASK) || new_addr > TASK_SIZE - new_len ||
		    (new_addr < old_end && old_addr < new_addr + new_len))
			return -EINVAL;
		err = unmap_region(mm, new_addr, new_addr + new_len);
		if (err)
			return err;
	} else if (new_len <= old_len) {
		err = unmap_region(mm, old_addr + new_len, old_end);
		if (!err)
			*out = old_addr;
		return err;
	} else {
		grow = new_len - old_len;
		if (old_end == vma->end && grow <= TASK_SIZE && old_end <= TASK_SIZE - grow &&
		    range_is_free(mm, old_end, old_end + grow)) {
			vma->end += grow;
			vma_merge(mm, vma);
			*out = old_addr;
			return 0;
		}
		if (!(flags & MM_REMAP_MAYMOVE))
			return -ENOMEM;
		err = get_unmapped_area(mm, 0, new_len, &new_addr);
		if (err)
			return err;
	}
	err = split_range(mm, old_addr, old_end);
	if (!err && new_len < old_len)
		err = unmap_region(mm, old_addr + new_len, old_end);
	if (err)
		return err;
	return move_vma(mm, vma_lookup(mm, old_addr), new_addr, new_len, out);
}

int mm_madvise_dontneed(struct mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t end = addr + PAGE_ALIGN(len), limit;

	if ((addr & ~PAGE_MASK) || end < addr || end > TASK_SIZE || (len && PAGE_ALIGN(len) == 0))
		return -EINVAL;
	limit = mm_discard_limit(mm, addr, end);
	if (limit < end) {
		zap_page_range(mm, addr, limit);
		return -EPERM;
	}
	if (!range_is_mapped(mm, addr, end))
		return -ENOMEM;
	zap_page_range(mm, addr, end);
	return 0;
}

int expand_stack(struct mm *mm, struct vma *vma, uint64_t addr)
{
	struct vma *prev = vma_prev(mm, vma);

	addr &= PAGE_MASK;
	g_assert((vma->flags & VM_GROWSDOWN) && addr < vma->start);
	if (!mm->tunables->stack_growth)
		return -ENOMEM;
	if (addr < MMAP_MIN_ADDR)
		return -EPERM;
	if (prev && !(prev->flags & VM_GROWSDOWN) && prev->prot && addr - prev->end < STACK_GUARD_GAP)
		return -ENOMEM;
	if (vma->end - addr > STACK_SIZE)	/* acct_stack_growth: RLIMIT_STACK */
		return -ENOMEM;
	vma->start = addr;	/* no neighbour is passed: the tree stays ordered */
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
};

static int copy_pte(void *opaque, uint64_t va, pte_t *ptep)
{
	struct dup_ctx *d = opaque;
	phys_addr_t pa = pte_addr(*ptep);
	pte_t *dst;
	int err = pgtable_walk_alloc(d->child->phys, d->child->pgd, va, &dst);

	if (err < 0)
		return err;
	if (!(d->vma->flags & VM_SHARED) && (pte_prot(*ptep) & VM_WRITE)) {
		*ptep = pte_mk_page(pa, pte_prot(*ptep) & ~VM_WRITE);
		d->downgraded = true;
	}
	phys_get(d->child->phys, pa);
	*dst = *ptep;
	return 0;
}

/* Linux's vma_needs_copy: a VMA whose pages a fault can find again (shared
 * memory, a file's cached pages, the zero page) is not copied; the child
 * faults them in.  One holding pages of its own is. */
static bool vma_needs_copy(const struct mm *mm, const struct vma *vma)
{
	return !mm->tunables->fork_skip_refillable || (vma->flags & VM_ANON_PAGES);
}

int mm_dup(struct mm *old, struct mm **out)
{
	struct dup_ctx d = { NULL, NULL, false };
	int err = mm_create(old->phys, old->stats, &d.child);

	for (struct vma *vma = vma_first(old); vma && !err; vma = vma_next(old, vma)) {
		d.vma = vma;
		vma_link(d.child, vma_dup(vma));
		if (vma_needs_copy(old, vma))
			err = pgtable_walk_range(old->phys, old->pgd, vma->start, vma->end, copy_pte, &d);
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
