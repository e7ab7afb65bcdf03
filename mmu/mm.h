/*
 * mm: the operations on one address space (struct mm in mmu/mm_types.h, as
 * Linux's mm_struct: its VMAs in an ordered tree, its root translation table,
 * its ASID context, the agents that may cache its translations, the heap
 * break).  They are the kernel's: mmap, munmap, mprotect, brk, mremap,
 * madvise(MADV_DONTNEED), and the copy-on-write duplicate that fork needs.  Arguments are checked as the kernel checks them and errors come
 * back as negative errno values.  Flag words use the MM_* semantics below;
 * decoding a guest ABI into them is the caller's job.
 *
 * Whenever an operation downgrades or removes a valid translation it calls
 * flush_tlb_mm_range() (mmu/mmu_gather) once for the affected range, which
 * tells every subscriber on the mm's notifier chain (mmu/notifier).  A split
 * the VMA's ops veto (may_split) fails the operation with their errno,
 * before anything changed.  Nothing here includes the emulator.
 */
#ifndef MMU_MM_H
#define MMU_MM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm_types.h"
#include "mmu/mmu_gather.h"
#include "mmu/notifier.h"
#include "mmu/pgtable.h"

struct vm_file;
struct shmem;

/* vm.max_map_count (Linux's DEFAULT_MAX_MAP_COUNT, 65535 - 5): mmap refuses
 * to add a VMA once an mm has more, a split once it has as many (ENOMEM). */
#define MAX_MAP_COUNT		65530u

/* mm_mmap() flags */
#define MM_MAP_SHARED		0x01u
#define MM_MAP_FIXED		0x02u
#define MM_MAP_NOREPLACE	0x04u	/* with FIXED: fail with -EEXIST on overlap */
#define MM_MAP_POPULATE		0x08u
#define MM_MAP_GROWSDOWN	0x10u
#define MM_MAP_NORESERVE	0x20u	/* not subject to the overcommit heuristic */
#define MM_MAP_LOCKED		0x40u	/* VM_LOCKED: populated now */
/* mm_mremap() flags */
#define MM_REMAP_MAYMOVE	0x1u
#define MM_REMAP_FIXED		0x2u
#define MM_REMAP_DONTUNMAP	0x4u	/* the old range stays mapped, empty */

/* mm->flags, after Linux's MMF_* bits: memory-deny-write-execute
 * (prctl PR_SET_MDWE): mmap and mprotect refuse a writable executable
 * mapping and one gaining PROT_EXEC (-EACCES); NO_INHERIT: a forked or
 * exec'd address space does not keep it. */
#define MMF_HAS_MDWE		0x1ul
#define MMF_HAS_MDWE_NO_INHERIT	0x2ul
#define MMF_OOM_SKIP		0x4ul	/* reaped (mm_oom_reap): nothing more to free */

/* A new, empty address space with one user. */
int mm_create(struct phys *phys, struct vm_stats *stats, struct mm **out);
void mm_destroy(struct mm *mm);
struct mm *mmget(struct mm *mm);
/* Drop a user; the last one destroys the address space. */
void mmput(struct mm *mm);
/* A copy-on-write duplicate (fork): private pages become shared read-only,
 * shared mappings stay shared.  Entries of VMAs without pages of their own
 * (VM_ANON_PAGES) are not copied unless vm.fork_skip_refillable=0. */
int mm_dup(struct mm *old, struct mm **out);

/* What a new address space made from `old` (fork, exec) keeps of its
 * flags: MDWE unless NO_INHERIT (Linux's mmf_init_flags). */
void mm_inherit_flags(struct mm *new, const struct mm *old);

/* mmap, munmap, mremap, mprotect and a madvise that discards the pages of
 * a read-only private anonymous mapping fail with -EPERM on a sealed VMA
 * (VM_SEALED), as Linux's mm/mseal.c has it. */
int mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	    struct vm_file *file, uint64_t offset, uint64_t *out);
/* Map the shmem object `sh` from byte `offset` (a memfd), shared or
 * private (copy on write) as `flags` say; not charged to memory here. */
int mm_mmap_shmem(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
		  struct shmem *sh, uint64_t offset, uint64_t *out);
/* Map an object with ops of its own (SysV shared memory), from its start:
 * as mm_mmap, the VMA taking its reference with ops->dup. */
int mm_mmap_object(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
		   const struct vm_ops *ops, void *object, uint64_t *out);
int mm_munmap(struct mm *mm, uint64_t addr, uint64_t len);
int mm_mprotect(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot);
/* Private writable mappings, shared anonymous ones and the heap are checked
 * against memory as Linux's heuristic overcommit does (vm.overcommit_memory
 * = 0): a single request larger than all of simulated memory (there is no
 * swap) fails with -ENOMEM, or leaves the break where it was.
 * MM_MAP_NORESERVE mappings are exempt. */
/* Set the break; like the system call, the result is the break in force. */
uint64_t mm_brk(struct mm *mm, uint64_t addr);
int mm_mremap(struct mm *mm, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
	      unsigned flags, uint64_t new_addr, uint64_t *out);
/* MADV_DONTNEED: drop the entries of [addr, addr+len); a shmem VMA that
 * protects writes (vma_watches_writes) keeps its protection as
 * write-protect markers. */
int mm_madvise_dontneed(struct mm *mm, uint64_t addr, uint64_t len);
/* Grow the stack `vma` (VM_GROWSDOWN) down to the page of `addr`, below
 * it, as Linux's expand_downwards: -ENOMEM when vm.stack_growth is off,
 * when it would come closer than STACK_GUARD_GAP to the VMA below or
 * exceed RLIMIT_STACK (STACK_SIZE); -EPERM below MMAP_MIN_ADDR. */
int expand_stack(struct mm *mm, struct vma *vma, uint64_t addr);
/* The first address of [start, end) in a sealed read-only private
 * anonymous VMA, whose pages madvise may not discard, or `end`. */
uint64_t mm_discard_limit(struct mm *mm, uint64_t start, uint64_t end);
/* Seal every VMA of [start, start + len) (mseal(2)): -EINVAL for an
 * unaligned start or an overflowing range, -ENOMEM (nothing sealed) if a
 * page of it is not mapped. */
int mm_mseal(struct mm *mm, uint64_t start, uint64_t len);
/* Fault in every page of [start, end) that its VMAs allow (MAP_POPULATE). */
int mm_populate(struct mm *mm, uint64_t start, uint64_t end);
/* Set `set` and clear `clear` in the flags of the VMAs of [start, end)
 * (page aligned), splitting at the ends and merging after, as Linux's
 * vma_modify_flags.  Holes give -ENOMEM: at once (stop_at_hole, as mlock),
 * or after the VMAs beyond them were changed too (as madvise). */
int mm_change_flags(struct mm *mm, uint64_t start, uint64_t end, unsigned set, unsigned clear,
		    bool stop_at_hole);

/* mlock family (mmu/mlock.c), after Linux's mm/mlock.c.  Arguments as the
 * system calls take them; flags are VM_LOCKED_MASK bits.  The guest is
 * root (CAP_IPC_LOCK): RLIMIT_MEMLOCK never refuses. */
int mm_mlock(struct mm *mm, uint64_t start, uint64_t len, unsigned flags);
int mm_munlock(struct mm *mm, uint64_t start, uint64_t len);
#define MM_MCL_CURRENT	1u
#define MM_MCL_FUTURE	2u
#define MM_MCL_ONFAULT	4u
int mm_mlockall(struct mm *mm, unsigned mcl_flags);
int mm_munlockall(struct mm *mm);

/* madvise advice: Linux's uapi numbers (asm-generic/mman-common.h). */
enum {
	MM_MADV_NORMAL, MM_MADV_RANDOM, MM_MADV_SEQUENTIAL, MM_MADV_WILLNEED, MM_MADV_DONTNEED,
	MM_MADV_FREE = 8, MM_MADV_REMOVE, MM_MADV_DONTFORK, MM_MADV_DOFORK, MM_MADV_MERGEABLE,
	MM_MADV_UNMERGEABLE, MM_MADV_HUGEPAGE, MM_MADV_NOHUGEPAGE, MM_MADV_DONTDUMP,
	MM_MADV_DODUMP, MM_MADV_WIPEONFORK, MM_MADV_KEEPONFORK, MM_MADV_COLD, MM_MADV_PAGEOUT,
	MM_MADV_POPULATE_READ, MM_MADV_POPULATE_WRITE, MM_MADV_DONTNEED_LOCKED, MM_MADV_COLLAPSE,
};
/* mmusim's own advice (guest/mmusim.h): the 2014 userfault RFC's
 * MADV_USERFAULT and MADV_NOUSERFAULT (its 18 and 19 are WIPEONFORK and
 * KEEPONFORK today; mmu/userfault/rfc.h). */
#define MM_MADV_USERFAULT	1018
#define MM_MADV_NOUSERFAULT	1019
/* madvise, mincore and msync (mmu/madvise.c), with Linux's checks and errno. */
int mm_madvise(struct mm *mm, uint64_t start, uint64_t len, int advice);
/* Whether each page of [start, start + pages * PAGE_SIZE) is resident
 * (mapped, or held by the VMA's object), one byte per page in vec, up to
 * the first page no VMA covers; start is page aligned, pages at most
 * INT_MAX.  Returns how many bytes it filled. */
int mm_mincore(struct mm *mm, uint64_t start, uint64_t pages, uint8_t *vec);
#define MM_MS_ASYNC	1u
#define MM_MS_INVALIDATE 2u
#define MM_MS_SYNC	4u
int mm_msync(struct mm *mm, uint64_t start, uint64_t len, unsigned flags);

/* Free at once the pages of every private mapping of a dying address
 * space, leaving its VMAs (Linux's OOM reaper, for process_mrelease), and
 * mark it MMF_OOM_SKIP. */
void mm_oom_reap(struct mm *mm);

/* Name a VMA that starts at `addr` ("[heap]", "[stack]"; static strings). */
void mm_set_vma_name(struct mm *mm, uint64_t addr, const char *name);

/* VMA tree (mmu/vma.c). */
struct vma *vma_lookup(struct mm *mm, uint64_t addr);	/* the VMA containing addr */
struct vma *find_vma(struct mm *mm, uint64_t addr);	/* first VMA ending above addr */
struct vma *vma_prev(struct mm *mm, struct vma *vma);
struct vma *vma_next(struct mm *mm, struct vma *vma);
struct vma *vma_first(struct mm *mm);
struct vma *vma_last(struct mm *mm);
unsigned mm_map_count(struct mm *mm);
void vma_link(struct mm *mm, struct vma *vma);
void vma_unlink_free(struct mm *mm, struct vma *vma);
/* Move a linked VMA's bounds (not past a neighbour): the one way to change
 * them, so the tree's gap figures follow (stack growth, merges, mremap). */
void vma_set_range(struct mm *mm, struct vma *vma, uint64_t start, uint64_t end);
struct vma *vma_dup(const struct vma *vma);
/* Split `vma` at `addr` (strictly inside it), unless its ops veto it (their
 * errno) or the mm already has MAX_MAP_COUNT VMAs (-ENOMEM, Linux's
 * split_vma); *upper gets the upper part.  __vma_split skips the count
 * check (munmap checks its own way). */
int vma_split(struct mm *mm, struct vma *vma, uint64_t addr, struct vma **upper);
int __vma_split(struct mm *mm, struct vma *vma, uint64_t addr, struct vma **upper);
/* Merge `vma` with compatible neighbours; returns the surviving VMA. */
struct vma *vma_merge(struct mm *mm, struct vma *vma);
/* One line per VMA in /proc/PID/maps form. */
void mm_format_maps(struct mm *mm, GString *out);
void vma_format_maps_line(const struct vma *vma, GString *out);

#endif
