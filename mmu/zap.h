/*
 * zap: taking pages out of an mm's page tables (mmu/zap.c).
 */
#ifndef MMU_ZAP_H
#define MMU_ZAP_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm_types.h"

/* Drop every entry of [start, end) and the pages they hold (munmap). */
void zap_page_range(struct mm *mm, uint64_t start, uint64_t end);
/* Drop the entries of [start, end), part of `vma`, keeping write-protection
 * as Linux's zap_install_uffd_wp_if_needed without ZAP_FLAG_DROP_MARKER: a
 * page protected in a VMA that protects writes leaves a write-protect
 * marker, markers stay. */
void zap_range_keep_wp(struct mm *mm, const struct vma *vma, uint64_t start, uint64_t end);
/* Linux's unmap_mapping_range for [start, end) of vma, in its mm (without
 * ZAP_FLAG_DROP_MARKER): drop the entries mapping the object's own pages
 * (vm_ops->owns_page), and a private mapping's copies too if `even_cows`
 * (a truncation; a hole punched keeps them); markers stay, and a page
 * protected in a VMA that protects writes leaves a write-protect marker. */
void unmap_mapping_pages(const struct vma *vma, uint64_t start, uint64_t end, bool even_cows);

#endif
