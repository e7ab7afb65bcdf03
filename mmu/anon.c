#include "mmu/anon.h"

/* Linux's do_anonymous_page: a read maps the shared zero page (unless
 * vm.zero_page=0); a write, or a read without it, gets a zeroed frame. */
static int anon_fault(struct vm_fault *vmf)
{
	if (vmf->access != FAULT_WRITE && vmf->mm->tunables->zero_page) {
		vmf->kind = FAULT_KIND_ZERO_PAGE;
		return phys_zero_page(vmf->mm->phys, &vmf->page) ? VM_FAULT_OOM : VM_FAULT_DONE;
	}
	vmf->kind = FAULT_KIND_ANON;
	if (phys_alloc(vmf->mm->phys, FRAME_DATA, &vmf->page))
		return VM_FAULT_OOM;
	vmf->pages_zeroed++;
	return VM_FAULT_DONE;
}

const struct vm_ops anon_vm_ops = {
	.fault = anon_fault,
};
