/*
 * fault: handle_mm_fault(), the one place a missing or insufficient
 * translation is resolved, for the CPU and for kernel copies alike.  The
 * caller fills the input of a struct vm_fault (mmu/mm_types.h) with
 * vm_fault_init(); the VMA's ops find the page of a missing entry (zeroes,
 * file bytes, the shared object's frame, or whatever a design provides);
 * this file installs it and breaks copy-on-write.  It never calls back into
 * the emulator: the outcome says what the caller must do (run the access
 * again, sleep and run it again, raise a signal).
 *
 * Every fault is counted by kind in mm->stats and, when the mm belongs to a
 * domain with a running agent, costed on that agent as the event
 * "fault:KIND": trap entry and exit, and the steps the record lists (table
 * pages allocated, pages zeroed or copied, entries installed), plus the
 * shootdowns it initiated.  vmf->cost holds the result.
 */
#ifndef MMU_FAULT_H
#define MMU_FAULT_H

#include <stdint.h>

#include "mmu/mm.h"

void vm_fault_init(struct vm_fault *vmf, struct mm *mm, uint64_t addr,
		   enum fault_access access, unsigned flags);
vm_fault_t handle_mm_fault(struct vm_fault *vmf);
/* A fault that slept (VM_FAULT_RETRY) is tried again when its task wakes,
 * as Linux's do_page_fault retries it: when the entry now allows the
 * access, the retry completes and is counted as a minor fault
 * (mm_account_fault); otherwise the access faults again. */
void account_retried_fault(struct mm *mm, uint64_t addr, enum fault_access access);
/* The fault in vmf->vma (NULL: none, SEGV_MAPERR) of vmf->mm, without the
 * accounting handle_mm_fault adds: for a design resolving a fault in
 * another mm (vm_ops->handle_fault). */
vm_fault_t handle_vma_fault(struct vm_fault *vmf);
/* Turn the device-exclusive entry at `ptep` back into the page's entry
 * with the VMA's protection, and invalidate the range's translations (the
 * device holding it hears the notifier chain). */
void restore_exclusive_pte(struct mm *mm, const struct vma *vma, uint64_t va, pte_t *ptep);

/* Map `page` (its reference moves to the entry, or is dropped on failure)
 * at vmf->address of vmf->vma, whose entry must be empty, as a missing-page
 * fault does; the record counts the tables and the entry.  0, -EEXIST when
 * an entry is present, -ENOMEM without memory for a table (Linux's
 * mfill_atomic_install_pte, for UFFDIO_COPY and UFFDIO_ZEROPAGE). */
int vm_fault_install_page(struct vm_fault *vmf, phys_addr_t page);

/* Add a line to the story of the fault (--explain): what a design did,
 * e.g. "mshare: linked the region's table into this mm".  Nothing unless
 * someone keeps the story (vmf->notes). */
void vm_fault_note(struct vm_fault *vmf, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Whether a VMA's protection allows an access at all. */
bool vma_permits(const struct vma *vma, enum fault_access access);

/* The modelled steps of a fault, from its record (shootdowns not included:
 * they are charged as they happen). */
struct event_cost vm_fault_steps(const struct vm_fault *vmf, const struct cost_profile *p);

#endif
