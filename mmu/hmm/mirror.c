/*
 * hmm mirror: device faults through the CPU's table, invalidations from the
 * mm's notifier chain.
 */
#include "mmu/hmm/mirror.h"

#include <errno.h>

#include "mmu/fault.h"
#include "mmu/mm.h"
#include "mmu/pgtable.h"

/* The CPU's frame at `va` allowing the access, faulted in if need be. */
static int cpu_page(struct mm *mm, uint64_t va, bool write, phys_addr_t *pa, unsigned *prot)
{
	struct vma *vma = vma_lookup(mm, va);
	struct vm_fault vmf;

	if (!vma || !vma_permits(vma, write ? FAULT_WRITE : FAULT_READ))
		return -EFAULT;
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
	if (!pgtable_translate(mm->phys, mm->pgd, va, pa, prot))
		return -EFAULT;
	return 0;
}

static int mirror_fault(struct device *dev, uint64_t va, bool write)
{
	phys_addr_t pa;
	unsigned prot;
	int err = cpu_page(dev->mm, va, write, &pa, &prot);

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

static void mirror_invalidate(struct device *dev, uint64_t start, uint64_t end)
{
	device_unmap_range(dev, start, end);
}

const struct device_mm_ops hmm_mirror_ops = {
	.name = "hmm",
	.fault = mirror_fault,
	.invalidate = mirror_invalidate,
};
