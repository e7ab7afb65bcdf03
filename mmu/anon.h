/*
 * anon: private anonymous memory (MAP_PRIVATE|MAP_ANONYMOUS, brk, stacks):
 * no backing object; a missing page is a fresh zeroed frame, or on a read
 * the shared zero page (mmu/phys), which a later write replaces.
 */
#ifndef MMU_ANON_H
#define MMU_ANON_H

#include "mmu/mm_types.h"

extern const struct vm_ops anon_vm_ops;

#endif
