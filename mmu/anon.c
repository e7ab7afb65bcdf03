#include "mmu/anon.h"

static int anon_fault(struct vm_fault *vmf)
{
	vmf->kind = FAULT_KIND_ANON;
	if (phys_alloc(vmf->mm->phys, FRAME_DATA, &vmf->page))
		return VM_FAULT_OOM;
	vmf->pages_zeroed++;
	return VM_FAULT_DONE;
}

const struct vm_ops anon_vm_ops = {
	.fault = anon_fault,
};
