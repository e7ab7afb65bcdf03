/*
 * userfault MINOR mode: pages shmem holds but a mapping lacks (see minor.h).
 */
#include "mmu/userfault/minor.h"

#include <errno.h>

#include "mmu/shmem.h"
#include "mmu/userfault/shmem.h"
#include "mmu/userfault/userfault.h"

/* Whether vma's object has a page (up to date or fallocated) for addr:
 * Linux's filemap_get_entry finding one. */
static bool object_has_page(const struct vma *vma, uint64_t addr)
{
	return userfault_vma_is_shmem(vma) && shmem_has_entry(vma->vm_private_data, linear_page_index(vma, addr));
}

bool userfault_minor_fault(const struct vm_fault *vmf)
{
	return (userfault_vma_mode(vmf->vma) & UFFDIO_REGISTER_MODE_MINOR) &&
	       object_has_page(vmf->vma, vmf->address);
}

int userfault_continue_page(struct vm_fault *vmf, phys_addr_t *page)
{
	int ret;

	if (!object_has_page(vmf->vma, vmf->address))
		return -EFAULT;
	ret = shmem_find_page(vmf->vma->vm_private_data, linear_page_index(vmf->vma, vmf->address), page);
	if (ret < 0)
		return ret;
	phys_get(vmf->mm->phys, *page);	/* the entry's reference */
	return 0;
}
