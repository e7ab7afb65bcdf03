/*
 * mm: one address space, as in Linux's struct mm_struct: its VMAs (an ordered
 * tree, O(log n) lookup), its root translation table, its ASID context, the
 * CPUs that may cache its translations, and the heap break.  The operations are the kernel's: mmap, munmap, mprotect, brk,
 * mremap, madvise(MADV_DONTNEED), and the copy-on-write duplicate that fork
 * needs.  Arguments are checked as the kernel checks them and errors come
 * back as negative errno values.  Flag words use the MM_* semantics below;
 * decoding a guest ABI into them is the caller's job.
 *
 * Whenever an operation downgrades or removes a valid translation it calls
 * flush_tlb_mm_range() once for the affected range, which hands the flush to
 * the hooks the CPU side registered (struct mm_notifier).  Nothing here
 * includes the emulator.
 */
#ifndef MMU_MM_H
#define MMU_MM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/pgtable.h"
#include "mmu/phys.h"
#include "mmu/stats.h"

struct mm;
struct vm_file;
struct shmem;

/* User address space: [MMAP_MIN_ADDR, TASK_SIZE).  TASK_SIZE is 2^47 because
 * the emulator only accepts virtual addresses inside its memory regions
 * (see docs/design.md). */
#define TASK_SIZE	(UINT64_C(1) << 47)
#define MMAP_MIN_ADDR	UINT64_C(0x10000)
#define STACK_TOP	TASK_SIZE
#define STACK_SIZE	(UINT64_C(8) << 20)	/* RLIMIT_STACK */
#define STACK_GUARD_GAP	(UINT64_C(1) << 20)	/* kept free below the stack */
#define MMAP_BASE	(STACK_TOP - STACK_SIZE - (UINT64_C(128) << 20))

/* vma->flags */
#define VM_SHARED	0x1u
#define VM_GROWSDOWN	0x2u

struct vma {
	uint64_t start, end;		/* [start, end), page aligned */
	unsigned prot;			/* VM_READ | VM_WRITE | VM_EXEC */
	unsigned flags;			/* VM_SHARED, VM_GROWSDOWN */
	struct vm_file *file;		/* private file mapping, or NULL */
	struct shmem *shmem;		/* shared anonymous object, or NULL */
	uint64_t pgoff;			/* page offset of `start` in file or shmem */
	const char *name;		/* "[heap]", "[stack]", or NULL */
};

/* What the CPU side wants to hear about: stale translations and rewritten
 * code.  Either hook may be NULL. */
struct mm_notifier {
	void (*flush_tlb_range)(void *ctx, struct mm *mm, uint64_t start, uint64_t end);
	void (*invalidate_code)(void *ctx, struct mm *mm, uint64_t start, uint64_t end);
	void *ctx;
};

struct mm {
	int users;			/* tasks holding it (mmget/mmput) */
	uint64_t id;			/* 1, 2, ... in order of creation */
	struct phys *phys;
	phys_addr_t pgd;
	uint64_t context_id;		/* ASID and generation (mmu/asid); 0: none yet */
	uint64_t cpumask;		/* CPUs whose TLBs may hold its entries (lazy) */
	GTree *vmas;
	uint64_t start_brk, brk;
	uint64_t mmap_base;
	struct vm_stats *stats;
	struct mm_notifier notifier;
};

/* mm_mmap() flags */
#define MM_MAP_SHARED		0x01u
#define MM_MAP_FIXED		0x02u
#define MM_MAP_NOREPLACE	0x04u	/* with FIXED: fail with -EEXIST on overlap */
#define MM_MAP_POPULATE		0x08u
#define MM_MAP_GROWSDOWN	0x10u
#define MM_MAP_NORESERVE	0x20u	/* not subject to the overcommit heuristic */
/* mm_mremap() flags */
#define MM_REMAP_MAYMOVE	0x1u
#define MM_REMAP_FIXED		0x2u

/* A new, empty address space with one user. */
int mm_create(struct phys *phys, struct vm_stats *stats, struct mm **out);
void mm_destroy(struct mm *mm);
struct mm *mmget(struct mm *mm);
/* Drop a user; the last one destroys the address space. */
void mmput(struct mm *mm);
/* A copy-on-write duplicate (fork): private pages become shared read-only,
 * shared mappings stay shared. */
int mm_dup(struct mm *old, struct mm **out);

int mm_mmap(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags,
	    struct vm_file *file, uint64_t offset, uint64_t *out);
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
int mm_madvise_dontneed(struct mm *mm, uint64_t addr, uint64_t len);
/* Fault in every page of [start, end) that its VMAs allow (MAP_POPULATE). */
int mm_populate(struct mm *mm, uint64_t start, uint64_t end);

/* Name a VMA that starts at `addr` ("[heap]", "[stack]"; static strings). */
void mm_set_vma_name(struct mm *mm, uint64_t addr, const char *name);

void flush_tlb_mm_range(struct mm *mm, uint64_t start, uint64_t end);

/* Batching the flushes of one operation, as Linux's mmu_gather: ranges added
 * between gather and finish are flushed once, as one range. */
struct mmu_gather {
	struct mm *mm;
	uint64_t start, end;		/* end 0: nothing to flush */
};
void tlb_gather_mmu(struct mmu_gather *tlb, struct mm *mm);
void tlb_gather_range(struct mmu_gather *tlb, uint64_t start, uint64_t end);
void tlb_finish_mmu(struct mmu_gather *tlb);

/* VMA tree (mmu/vma.c). */
struct vma *vma_lookup(struct mm *mm, uint64_t addr);	/* the VMA containing addr */
struct vma *find_vma(struct mm *mm, uint64_t addr);	/* first VMA ending above addr */
struct vma *vma_prev(struct mm *mm, struct vma *vma);
struct vma *vma_next(struct mm *mm, struct vma *vma);
struct vma *vma_first(struct mm *mm);
struct vma *vma_last(struct mm *mm);
unsigned mm_map_count(struct mm *mm);
GTree *vma_tree_new(void);
void vma_link(struct mm *mm, struct vma *vma);
void vma_unlink_free(struct mm *mm, struct vma *vma);
struct vma *vma_dup(const struct vma *vma);
/* Split `vma` at `addr` (strictly inside it); returns the upper part. */
struct vma *vma_split(struct mm *mm, struct vma *vma, uint64_t addr);
/* Merge `vma` with compatible neighbours; returns the surviving VMA. */
struct vma *vma_merge(struct mm *mm, struct vma *vma);
/* One line per VMA in /proc/PID/maps form. */
void mm_format_maps(struct mm *mm, GString *out);

#endif
