/*
 * Shared fixture and helpers for the mmu/ unit tests.
 *
 * Every Criterion test runs in its own process, so one global fixture per
 * program is enough: a small simulated RAM, the shared statistics, one mm
 * whose notifier records every TLB flush and code invalidation it receives.
 */
#ifndef TESTS_UNIT_MMU_TEST_H
#define TESTS_UNIT_MMU_TEST_H

#include <glib.h>
#include <stdint.h>

#include "mmu/fault.h"
#include "mmu/mm.h"
#include "mmu/pgtable.h"
#include "mmu/phys.h"
#include "mmu/stats.h"

#define PG PAGE_SIZE
#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
#define FIXTURE_PHYS_SIZE (64 * MiB)

#define VM_RW (VM_READ | VM_WRITE)

/* Leaf attributes of user pages, from the AArch64 bit positions: valid|page
 * 0x3, AP[1] (EL0) 0x40, SH inner 0x300, AF 0x400, nG 0x800, PXN bit 53 and
 * UXN bit 54 = 0x0060000000000000; read-only adds AP[2] 0x80. */
#define LEAF_USER_RW UINT64_C(0x0060000000000f43)
#define LEAF_USER_RO UINT64_C(0x0060000000000fc3)

/* MMAP_BASE = 2^47 - 8 MiB stack - 128 MiB gap = 0x800000000000 - 0x8800000. */
#define EXPECTED_MMAP_BASE UINT64_C(0x7ffff7800000)

/* One notifier call: which mm, which range. */
struct range_rec {
	struct mm *mm;
	uint64_t start, end;
};

struct mmu_fixture {
	struct phys *phys;
	struct vm_stats stats;
	struct mm *mm;
	GArray *flushes;	/* of struct range_rec, flush_tlb_range calls */
	GArray *code_invals;	/* of struct range_rec, invalidate_code calls */
	struct vm_tunables tunables;	/* of every fixture mm: all off (no fault-around,
					 * zero page, fork skipping, stack growth) unless
					 * a test turns one on */
};

extern struct mmu_fixture fx;

/* Criterion .init/.fini: a FIXTURE_PHYS_SIZE RAM and fx.mm; teardown
 * destroys fx.mm (unless the test set it to NULL) and checks for leaks. */
void mmu_setup(void);
void mmu_teardown(void);
/* The same with a RAM of `nr_frames` frames (frame 0 included). */
void mmu_setup_frames(uint64_t nr_frames);

/* No frame of any kind may be allocated (mmu_teardown checks it too, after
 * destroying fx.mm; a test destroys any other mm it made). */
void expect_no_frames_in_use(void);

/* A copy-on-write duplicate of fx.mm (fork) whose notifier records too. */
struct mm *fork_mm(void);

/* Frames in use of one kind. */
uint64_t data_frames(void);
uint64_t table_frames(void);

/* mm_mmap of an anonymous region that must succeed; returns its address. */
uint64_t map_anon(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags);
/* The same in fx.mm, MAP_FIXED at `addr`. */
void map_fixed(uint64_t addr, uint64_t len, unsigned prot, unsigned flags);
/* A private MAP_FIXED file mapping in fx.mm of `pages` pages from byte `offset`. */
void map_file(struct vm_file *file, uint64_t addr, uint64_t pages, unsigned prot,
	      uint64_t offset);
/* handle_mm_fault that must return `ret` with fault kind `kind`. */
void expect_fault(struct mm *mm, uint64_t addr, enum fault_access access,
		  vm_fault_t ret, enum fault_kind kind);
/* The leaf entry for `va`, or 0 when no table covers it. */
pte_t pte_at(struct mm *mm, uint64_t va);
/* The frame mapped at `va`; the entry must be present. */
phys_addr_t frame_at(struct mm *mm, uint64_t va);
/* The VMA containing addr must be exactly [start, end) with `prot`. */
void expect_vma(struct mm *mm, uint64_t addr, uint64_t start, uint64_t end, unsigned prot);

/* Guest memory through uaccess; both must succeed. */
void poke_u64(struct mm *mm, uint64_t addr, uint64_t value);
uint64_t peek_u64(struct mm *mm, uint64_t addr);

/* The notifier log: calls so far, and the i-th one. */
unsigned nr_flushes(void);
struct range_rec flush_nr(unsigned i);
unsigned nr_code_invals(void);
struct range_rec code_inval_nr(unsigned i);
void forget_notifications(void);

/* A private temporary file holding `len` bytes of `data`, already unlinked,
 * wrapped as a vm_file named `name` (the caller owns one reference). */
struct vm_file *temp_vm_file(const void *data, size_t len, const char *name);

#endif
