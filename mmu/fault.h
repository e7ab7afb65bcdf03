/*
 * fault: handle_mm_fault(), the one place a missing or insufficient
 * translation is resolved: demand-zero anonymous pages, private file pages
 * read on first touch, shared anonymous pages, copy-on-write.  It never calls
 * back into the emulator; it says what happened and the caller acts on it
 * (retry the instruction, or raise a signal).
 */
#ifndef MMU_FAULT_H
#define MMU_FAULT_H

#include <stdint.h>

#include "mmu/mm.h"
#include "mmu/stats.h"

enum fault_access { FAULT_READ, FAULT_WRITE, FAULT_EXEC };

enum vm_fault {
	VM_FAULT_DONE,		/* the translation now allows the access: retry */
	VM_FAULT_SIGSEGV,	/* kind says MAPERR or ACCERR */
	VM_FAULT_SIGBUS,	/* file page beyond end of file */
	VM_FAULT_OOM,		/* simulated memory exhausted */
};

/* Resolve a fault at `addr`; *kind says which path ran (and is counted in
 * mm->stats). */
enum vm_fault handle_mm_fault(struct mm *mm, uint64_t addr, enum fault_access access,
			      enum fault_kind *kind);

/* Whether a VMA's protection allows an access at all. */
bool vma_permits(const struct vma *vma, enum fault_access access);

#endif
