/*
 * hmm mirror: the device-memory design of today's Linux (HMM,
 * mm/hmm.c): a device mirrors the CPU's page table of the address space it
 * works in.  A device fault is resolved as hmm_range_fault() does: the
 * CPU's entry is looked up and, when missing or read-only for a write,
 * faulted in through the CPU's own fault path (handle_mm_fault, the VMA's
 * rules: no VMA or one that forbids the access is -EFAULT); the device then
 * maps the same frame, writable only if the CPU's entry is.  The mirror
 * hears the mm's notifier chain: every CPU invalidation (munmap, COW,
 * mprotect, migration) drops the device's entries of the range, with its
 * TLB invalidation.  CPU and device memory management are one: the device
 * never holds a page the CPU's table does not.
 */
#ifndef MMU_HMM_MIRROR_H
#define MMU_HMM_MIRROR_H

#include "mmu/device/device.h"

extern const struct device_mm_ops hmm_mirror_ops;

#endif
