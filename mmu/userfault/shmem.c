/*
 * userfault on shmem: missing pages of shmem objects (see shmem.h).
 */
#include "mmu/userfault/shmem.h"

#include <errno.h>
#include <string.h>

#include "mmu/shmem.h"
#include "mmu/uaccess.h"

bool userfault_vma_is_shmem(const struct vma *vma)
{
	return vma->vm_ops == &shmem_vm_ops;
}

bool userfault_shmem_holds(const struct vm_fault *vmf)
{
	return userfault_vma_is_shmem(vmf->vma) &&
	       shmem_holds(vmf->vma->vm_private_data, linear_page_index(vmf->vma, vmf->address));
}

int userfault_shmem_fill(struct vm_fault *vmf, struct mm *src_mm, uint64_t src, phys_addr_t *page)
{
	struct shmem *sh = vmf->vma->vm_private_data;
	struct phys *phys = vmf->mm->phys;
	uint64_t pgoff = linear_page_index(vmf->vma, vmf->address);
	uint8_t data[PAGE_SIZE];
	int ret;

	if (shmem_holds(sh, pgoff))
		return -EEXIST;
	if (src_mm && copy_from_user(src_mm, data, src, PAGE_SIZE))
		return -EFAULT;
	ret = shmem_find_page(sh, pgoff, page);	/* zeroed */
	if (ret < 0)
		return ret;
	if (src_mm)
		memcpy(phys_to_host(phys, *page), data, PAGE_SIZE);
	else
		vmf->pages_zeroed++;
	phys_get(phys, *page);		/* the entry's reference */
	return 0;
}
