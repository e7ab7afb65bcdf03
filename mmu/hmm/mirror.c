/*
 * hmm mirror: device faults through the CPU's table, invalidations from the
 * mm's notifier chain, device-private pages behind device-private entries.
 */
#include "mmu/hmm/mirror.h"

#include <errno.h>

#include "mmu/anon.h"
#include "mmu/fault.h"
#include "mmu/mm.h"
#include "mmu/mmu_gather.h"
#include "mmu/pgtable.h"

/* The CPU's entry for `va`, or 0. */
static pte_t cpu_entry(struct mm *mm, uint64_t va)
{
	pte_t *ptep = pgtable_walk(mm->phys, mm->pgd, va);

	return ptep ? *ptep : 0;
}

/* An entry naming a page of `dev`'s memory: a device-private one, or a
 * present one of its coherent memory. */
static bool owned_by(const struct device *dev, pte_t e)
{
	return (pte_is_device_private(e) || pte_present(e)) &&
	       phys_node_of(dev->phys, pte_addr(e)) == dev->node;
}

/* A page of some device's memory (zone device, in Linux's words). */
static bool in_device_memory(const struct device *dev, pte_t e)
{
	return pte_is_device_private(e) || (pte_present(e) && phys_node_of(dev->phys, pte_addr(e)));
}

/* The frame at `va` for `dev`, allowing the access, faulted in if need be
 * (hmm_range_fault with HMM_PFN_REQ_FAULT): the CPU's page, or `dev`'s own
 * device-private page.  -EFAULT: no VMA, or one that cannot be read;
 * -EPERM: a write to a read-only one. */
static int range_fault_page(struct device *dev, uint64_t va, bool write, phys_addr_t *pa,
			    unsigned *prot)
{
	struct mm *mm = dev->mm;
	struct vma *vma = vma_lookup(mm, va);
	pte_t e = cpu_entry(mm, va);
	struct vm_fault vmf;

	if (!vma || !(vma->prot & VM_READ))
		return -EFAULT;
	if (write && !(vma->prot & VM_WRITE))
		return -EPERM;		/* hmm_vma_fault's answer */
	if (owned_by(dev, e) && (!write || pte_prot(e) & VM_WRITE)) {
		*pa = pte_addr(e);
		*prot = pte_prot(e);
		return 0;		/* else a read-only one migrates back first */
	}
	if (pgtable_translate(mm->phys, mm->pgd, va, pa, prot) && (!write || *prot & VM_WRITE))
		return 0;
	vm_fault_init(&vmf, mm, va, write ? FAULT_WRITE : FAULT_READ, FAULT_FLAG_KERNEL);
	switch (handle_mm_fault(&vmf)) {
	case VM_FAULT_DONE:
		break;
	case VM_FAULT_OOM:
		return -ENOMEM;
	default:
		return -EFAULT;
	}
	return pgtable_translate(mm->phys, mm->pgd, va, pa, prot) ? 0 : -EFAULT;
}

static int mirror_fault(struct device *dev, uint64_t va, bool write)
{
	phys_addr_t pa;
	unsigned prot;
	int err = range_fault_page(dev, va, write, &pa, &prot);

	if (err)
		return err;
	device_unmap_range(dev, va, va + PAGE_SIZE);	/* a read-only entry, for a write */
	phys_get(dev->phys, pa);
	err = device_map(dev, va, pa, prot & (VM_READ | VM_WRITE));
	if (err) {
		phys_put(dev->phys, pa);
		return err;
	}
	dev->counters.mirrored++;
	return 0;
}

int hmm_range_fault(struct device *dev, uint64_t start, uint64_t end, bool write)
{
	int err = 0;

	for (uint64_t va = start; va < end && !err; va += PAGE_SIZE) {
		phys_addr_t pa;
		unsigned prot;

		if (!pgtable_translate(dev->phys, dev->pgd, va, &pa, &prot) || (write && !(prot & VM_WRITE)))
			err = mirror_fault(dev, va, write);
	}
	return err;
}

static void mirror_invalidate(struct device *dev, uint64_t start, uint64_t end)
{
	device_unmap_range(dev, start, end);
}

/* ------------------------------------------------------ device-private */

/* A device-private page of `dev` at `va` back into a CPU frame, in place
 * in `mm`'s table (the device's mm, or a fork's child sharing the page);
 * the device's own mapping of it goes first. */
static int to_ram(struct device *dev, struct mm *mm, struct vma *vma, uint64_t va,
		  struct migrate_record *rec)
{
	struct migrate_cpu_side cpu;
	pte_t e = cpu_entry(mm, va);
	int err;

	device_unmap_range(dev, va, va + PAGE_SIZE);
	migrate_cpu_side_init(&cpu, mm);
	/* a coherent page keeps its entry's protection (a fork's COW page
	 * stays read-only); a device-private one comes back as the VMA allows */
	err = migrate_page(dev->phys, &cpu.side, &cpu.side, va, 0,
			   pte_present(e) ? pte_prot(e) : vma->prot, rec);
	g_assert(!rec->stale);
	if (!err) {
		dev->counters.to_cpu++;
		device_pay_link(dev, 1);
	}
	return err;
}

static vm_fault_t mirror_migrate_to_ram(struct device *dev, struct vm_fault *vmf)
{
	struct migrate_record rec = { 0 };

	if (to_ram(dev, vmf->mm, vmf->vma, vmf->address, &rec))
		return VM_FAULT_OOM;
	vmf->kind = FAULT_KIND_DEVICE;
	vmf->pages_copied++;
	vmf->ptes_installed++;
	vmf->tables_allocated += (unsigned)rec.tables_allocated;
	return VM_FAULT_DONE;
}

/* Every VMA of [start, end) exists and is readable (the driver's check). */
static int check_vmas(struct mm *mm, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end;) {
		struct vma *vma = vma_lookup(mm, va);

		if (!vma || !(vma->prot & VM_READ))
			return -EINVAL;
		va = vma->end;
	}
	return 0;
}

/* One page of system memory to `dev` (migrate_vma with
 * MIGRATE_VMA_SELECT_SYSTEM): a private anonymous page, or a hole or the
 * zero page of one (a zeroed device page).  *moved: whether it did. */
static int page_to_device(struct device *dev, struct vma *vma, uint64_t va, bool *moved)
{
	struct mm *mm = dev->mm;
	pte_t e = cpu_entry(mm, va), *ptep;
	struct migrate_cpu_side cpu;
	struct migrate_record rec = { 0 };
	phys_addr_t page;
	int err;

	*moved = false;
	if (vma->vm_ops != &anon_vm_ops || in_device_memory(dev, e))
		return 0;		/* not selected: left where it is */
	device_unmap_range(dev, va, va + PAGE_SIZE);	/* its mirror of the CPU's page */
	if (pte_present(e) && phys_refcount(mm->phys, pte_addr(e)) > 1 &&
	    !phys_is_zero_page(mm->phys, pte_addr(e)))
		return 0;		/* others map it too (a fork's COW page): left */
	if (pte_present(e) && !phys_is_zero_page(mm->phys, pte_addr(e))) {
		migrate_cpu_side_init(&cpu, mm);
		err = migrate_page(dev->phys, &cpu.side, &dev->side, va, dev->node, vma->prot, &rec);
		g_assert(!rec.stale);
		if (err)
			return err;
		dev->counters.pte_updates++;
		device_pay(dev, dev->costs->pte_update);
		dev->counters.to_device++;
		page = pgtable_leaf(dev->phys, dev->pgd, va) & PTE_ADDR_MASK;
	} else {
		if (pte_present(e) && (err = mm_madvise_dontneed(mm, va, PAGE_SIZE)))
			return err;
		err = phys_alloc_node(dev->phys, dev->node, FRAME_DATA, &page);
		if (!err && (err = device_map(dev, va, page, vma->prot & (VM_READ | VM_WRITE))))
			phys_put(dev->phys, page);
		if (err)
			return err;
		dev->counters.zero_pages++;
	}
	if (pgtable_walk_alloc(mm->phys, mm->pgd, va, &ptep) < 0)
		return -ENOMEM;
	phys_get(dev->phys, page);
	pte_set(mm->phys, ptep, dev->coherent ? pte_mk_page(page, vma->prot) : pte_mk_device_private(page, vma->prot));
	*moved = true;
	return 0;
}

int hmm_migrate_to_device(struct device *dev, uint64_t start, uint64_t end, uint64_t *migrated)
{
	uint64_t before = dev->counters.to_device;
	int err = check_vmas(dev->mm, start, end);

	*migrated = 0;
	for (uint64_t va = start; va < end && !err; va += PAGE_SIZE) {
		bool moved;

		err = page_to_device(dev, vma_lookup(dev->mm, va), va, &moved);
		*migrated += moved;
	}
	if (dev->counters.to_device > before)
		device_pay_link(dev, dev->counters.to_device - before);
	return err;
}

/* `dev`'s device-private pages of [start, end) back, counted in *migrated. */
static int pages_to_system(struct device *dev, uint64_t start, uint64_t end, uint64_t *migrated)
{
	int err = 0;

	for (uint64_t va = start; va < end && !err; va += PAGE_SIZE) {
		struct migrate_record rec = { 0 };

		if (!owned_by(dev, cpu_entry(dev->mm, va)))
			continue;
		err = to_ram(dev, dev->mm, vma_lookup(dev->mm, va), va, &rec);
		*migrated += !err;
	}
	return err;
}

int hmm_migrate_to_system(struct device *dev, uint64_t start, uint64_t end, uint64_t *migrated)
{
	int err = check_vmas(dev->mm, start, end);

	*migrated = 0;
	return err ? err : pages_to_system(dev, start, end, migrated);
}

int hmm_evict_device(struct device *dev, uint64_t *migrated)
{
	int err = 0;

	*migrated = 0;
	for (struct vma *vma = vma_first(dev->mm); vma && !err; vma = vma_next(dev->mm, vma))
		err = pages_to_system(dev, vma->start, vma->end, migrated);
	return err;
}

/* ---------------------------------------------------- device-exclusive */

/* One page made exclusive to `dev`: faulted in writable through the CPU's
 * fault path (a device-private page comes back, copy-on-write breaks), its
 * entry turned device-exclusive with every translation invalidated, and
 * mapped by `dev`.  Linux 6.12 takes anonymous folios only
 * (folio_make_device_exclusive): any page of a private mapping is one
 * after that write fault (a file's page gets its private copy), a shared
 * mapping's never is. */
static int make_exclusive(struct device *dev, uint64_t va)
{
	struct mm *mm = dev->mm;
	struct vma *vma = vma_lookup(mm, va);
	struct vm_fault vmf;
	phys_addr_t pa;
	pte_t *ptep;
	int err;

	if (!vma || (vma->flags & VM_SHARED))
		return -EBUSY;		/* its page would not be an anonymous one */
	vm_fault_init(&vmf, mm, va, FAULT_WRITE, FAULT_FLAG_KERNEL);
	if (handle_mm_fault(&vmf) != VM_FAULT_DONE)
		return -EBUSY;
	ptep = pgtable_walk(mm->phys, mm->pgd, va);
	if (!ptep || !pte_present(*ptep) || !(pte_prot(*ptep) & VM_WRITE))
		return -EBUSY;
	pa = pte_addr(*ptep);
	pte_set(mm->phys, ptep, pte_mk_device_private(pa, pte_prot(*ptep)) | PTE_DEVICE_EXCLUSIVE);
	flush_tlb_mm_range(mm, va, va + PAGE_SIZE);
	phys_get(dev->phys, pa);
	err = device_map(dev, va, pa, VM_READ | VM_WRITE);
	if (err) {
		phys_put(dev->phys, pa);
		return err;
	}
	dev->counters.pte_updates++;
	device_pay(dev, dev->costs->pte_update);
	return 0;
}

int hmm_make_exclusive(struct device *dev, uint64_t start, uint64_t end)
{
	int err = 0;

	for (uint64_t va = start; va < end && !err; va += PAGE_SIZE)
		err = make_exclusive(dev, va);
	return err;
}

int hmm_check_exclusive(struct device *dev, uint64_t start, uint64_t end)
{
	for (uint64_t va = start; va < end; va += PAGE_SIZE) {
		phys_addr_t pa;
		unsigned prot;

		if (pgtable_translate(dev->phys, dev->pgd, va, &pa, &prot) &&
		    pte_is_device_exclusive(cpu_entry(dev->mm, va)))
			return -EPERM;
	}
	return 0;
}

unsigned hmm_snapshot_page(struct device *dev, uint64_t va, phys_addr_t *pa)
{
	struct mm *mm = dev->mm;
	struct vma *vma = vma_lookup(mm, va);
	pte_t e = cpu_entry(mm, va);
	unsigned prot;

	if (!vma || !(vma->prot & VM_READ))
		return HMM_PFN_ERROR;
	if (owned_by(dev, e)) {
		*pa = pte_addr(e);
		prot = pte_prot(e);
	} else if (!pgtable_translate(mm->phys, mm->pgd, va, pa, &prot)) {
		return 0;
	}
	return HMM_PFN_VALID | (prot & VM_WRITE ? HMM_PFN_WRITE : 0);
}

const struct device_mm_ops hmm_mirror_ops = {
	.name = "hmm",
	.fault = mirror_fault,
	.invalidate = mirror_invalidate,
	.migrate_to_ram = mirror_migrate_to_ram,
};
