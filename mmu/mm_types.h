/*
 * mm_types: the structures every room of the memory model shares, as in
 * Linux's <linux/mm_types.h>: an address space (struct mm), its regions
 * (struct vma), what a region's backing object does (struct vm_ops), and a
 * page fault in flight (struct vm_fault).  Only types and constants: the
 * operations live in mm.h, vma.c, fault.h.
 *
 * A VMA's backing is an ops table plus the object it works on: anonymous
 * memory (mmu/anon), a private file mapping (mmu/vm_file), shared anonymous
 * memory (mmu/shmem); designs add their own (a userfault range, an mshare
 * region, device memory).  The fault path, splits, merges, fork and the maps
 * listing ask the ops, never the kind of object.
 */
#ifndef MMU_MM_TYPES_H
#define MMU_MM_TYPES_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmu/cost.h"
#include "mmu/latency.h"
#include "mmu/phys.h"
#include "mmu/stats.h"

struct domain;
struct mmu_notifier;
struct vm_fault;
struct vma;

/* User address space: [MMAP_MIN_ADDR, TASK_SIZE).  TASK_SIZE is 2^47 because
 * the emulator only accepts virtual addresses inside its memory regions
 * (see docs/design.md). */
#define TASK_SIZE	(UINT64_C(1) << 47)
#define MMAP_MIN_ADDR	UINT64_C(0x10000)
#define STACK_TOP	TASK_SIZE
#define STACK_SIZE	(UINT64_C(8) << 20)	/* RLIMIT_STACK */
#define STACK_GUARD_GAP	(UINT64_C(1) << 20)	/* kept free below the stack (256 pages) */
#define STACK_EXPAND	(UINT64_C(128) << 10)	/* a new stack's room below its arguments */
#define MMAP_BASE	(STACK_TOP - STACK_SIZE - (UINT64_C(128) << 20))

/* vma->flags: every bit distinct (the assertion below: their sum is their
 * union; a new flag joins both lists).  VM_SHARED, VM_GROWSDOWN, VM_ANON_PAGES,
 * VM_SEALED and the mbind mode are mmusim's own (bits 0-3 and 28-30); a new flag
 * Linux has takes Linux's bit, a new one of mmusim's own a free one. */
#define VM_SHARED	0x1u
#define VM_GROWSDOWN	0x2u
#define VM_ANON_PAGES	0x4u	/* has held pages of its own (Linux: has an anon_vma) */
#define VM_SEALED	0x8u	/* mseal(2): may not be unmapped, moved or changed */
/* Linux's values for the flags Linux has (<linux/mm.h>). */
#define VM_USERFAULT	0x00000400u	/* MADV_USERFAULT (the 2014 RFC, mmu/userfault/rfc): "uf" */
#define VM_LOCKED	0x00002000u	/* mlock: populated, shown as "lo" in smaps VmFlags */
#define VM_DONTCOPY	0x00020000u	/* MADV_DONTFORK: a fork child does not get it ("dc") */
#define VM_LOCKONFAULT	0x00080000u	/* with VM_LOCKED: lock pages as they fault in */
#define VM_WIPEONFORK	0x02000000u	/* MADV_WIPEONFORK: a fork child gets it empty ("wf") */
#define VM_LOCKED_MASK	(VM_LOCKED | VM_LOCKONFAULT)
#define VM_MPOL_SHIFT	28	/* bits 28-30: the mbind mode (MPOL_*), 0: none */
#define VM_MPOL_MASK	(0x7u << VM_MPOL_SHIFT)
_Static_assert(VM_SHARED + VM_GROWSDOWN + VM_ANON_PAGES + VM_SEALED + VM_LOCKED + VM_DONTCOPY +
		       VM_LOCKONFAULT + VM_WIPEONFORK + VM_MPOL_MASK ==
		       (VM_SHARED | VM_GROWSDOWN | VM_ANON_PAGES | VM_SEALED | VM_LOCKED | VM_DONTCOPY |
			VM_LOCKONFAULT | VM_WIPEONFORK | VM_MPOL_MASK),
	       "two vma flags share a bit");

/* What the pages of a kind of backing object are to reports (smaps,
 * pagemap: mmu/pagewalk). */
enum vm_backing {
	BACKING_ANON,		/* anonymous memory */
	BACKING_FILE,		/* a file's pages (private copies once writable) */
	BACKING_SHMEM,		/* shared anonymous memory */
};

/* What may happen to the regions of one kind of backing object, after
 * Linux's vm_operations_struct.  Every op but fault (or handle_fault) may
 * be NULL. */
struct vm_ops {
	/* Find or make the frame for vmf->address and put it in vmf->page,
	 * with one reference for the entry about to map it; say in the record
	 * what was done (kind, pages zeroed or copied).  Returns VM_FAULT_DONE,
	 * or RETRY (only with FAULT_FLAG_ALLOW_RETRY), SIGBUS, OOM. */
	int (*fault)(struct vm_fault *vmf);
	/* The whole fault once the VMA allows the access, instead of the path
	 * that walks this mm's tables and calls fault: for a region whose
	 * faults are resolved in another address space (an mshare region: its
	 * host mm) or that owes entries first (a lazily attached VAS fills
	 * itself from its source, mmu/vas).  It may go on with
	 * handle_vma_fault() on this or another mm's VMA.  NULL: that path. */
	int (*handle_fault)(struct vm_fault *vmf);
	/* Whether `vma` may be split at `addr`: 0, or the errno of the veto. */
	int (*may_split)(const struct vma *vma, uint64_t addr);
	/* `copy` now maps the object too (a split, or fork copying `vma`):
	 * take what it holds. */
	void (*dup)(struct vma *copy, const struct vma *vma);
	/* `vma` leaves its address space: drop what it holds. */
	void (*close)(struct vma *vma);
	/* mremap moved the entries of `old` (the whole VMA, before it is
	 * closed or, with MREMAP_DONTUNMAP, left empty) to `moved`: move what
	 * the object keys by address (Linux's vm_ops->mremap).  NULL: nothing. */
	void (*mremap)(struct vma *moved, const struct vma *old);
	/* Whether unmapping `vma` leaves its page-table entries in place (the
	 * mshare RFC v3's quirk, --mshare-v3-bugs).  NULL: they go. */
	bool (*keeps_tables)(const struct vma *vma);
	/* The name shown in a maps listing, or NULL for none. */
	const char *(*name)(const struct vma *vma);
	/* Read `len` bytes at `addr` of a page that is not mapped, as a fault
	 * would fill it, without allocating anything (reports about a dead
	 * guest; Linux's vm_ops->access).  NULL: the page would be zeroes. */
	int (*access)(const struct vma *vma, uint64_t addr, void *buf, size_t len);
	/* Whether the object holds the page at `addr`, mapped here or not
	 * (mincore; Linux asks the page cache).  NULL: only mapped pages are. */
	bool (*resident)(const struct vma *vma, uint64_t addr);
	/* The device numbers and inode a maps listing shows (none: 00:00 0). */
	void (*file_id)(const struct vma *vma, unsigned *major, unsigned *minor, uint64_t *ino);
	/* What its pages are to reports (BACKING_ANON unless set). */
	enum vm_backing backing;
	/* References the object keeps on each page it handed out (a shmem
	 * object keeps one): a frame's mappers are its count less these. */
	unsigned object_page_refs;
	/* Fault-around (Linux's map_pages): if the object holds the page at
	 * `pgoff` already (its page cache), put it in *page with one reference
	 * for the entry about to map it and return true; never allocate a
	 * page the object does not hold.  NULL: no fault-around. */
	bool (*cached_page)(struct vm_fault *vmf, uint64_t pgoff, phys_addr_t *page);
	/* Whether the frame `pa` mapped at `pgoff` is the object's own (it
	 * keeps object_page_refs on it), not a private copy of it.  NULL: every
	 * mapped frame is the object's. */
	bool (*owns_page)(const struct vma *vma, uint64_t pgoff, phys_addr_t pa);
};

/* A design that sees a region's missing pages before its object does (a
 * userfaultfd registration: Linux's vma->vm_userfaultfd_ctx), set on the
 * VMA with its state in vma->watch_data.  Splits keep it, VMAs merge only
 * with the same watch and data; a fork child's copy and a range mremap
 * moves are without it (Linux without UFFD_FEATURE_EVENT_FORK and
 * EVENT_REMAP; MREMAP_DONTUNMAP's old range keeps it). */
struct vm_watch_ops {
	/* A fault found no entry at vmf->address: VM_FAULT_DONE lets the
	 * object's fault go on, anything else is the fault's outcome (RETRY,
	 * only with FAULT_FLAG_ALLOW_RETRY, with the channel; SIGBUS). */
	int (*missing)(struct vm_fault *vmf);
	/* A write found a present entry with PTE_UFFD_WP: the same answers
	 * (VM_FAULT_DONE: the copy-on-write fault goes on).  NULL: the VMA
	 * protects no writes, and ignores the bit and write-protect markers
	 * (mmu/fault.c). */
	int (*wp)(struct vm_fault *vmf);
	/* No fault-around in the VMA (Linux's uffd_disable_fault_around). */
	bool no_fault_around;
};

/* A VMA's links in its mm's tree (mmu/vma_tree) and the figures of the
 * subtree below it, as Linux's vm_rb and rb_subtree_gap. */
struct vma_node {
	struct vma *left, *right;
	uint32_t prio;			/* treap priority: above both children's */
	uint64_t first_start, last_end;	/* of the subtree's VMAs */
	uint64_t max_gap;		/* largest hole between two of them */
};

struct vma_tree {
	struct vma *root;
	unsigned count;
	uint32_t seq;			/* insertions so far: the next priority */
};

struct vma {
	uint64_t start, end;		/* [start, end), page aligned */
	unsigned prot;			/* VM_READ | VM_WRITE | VM_EXEC */
	unsigned flags;			/* VM_* above */
	const struct vm_ops *vm_ops;
	void *vm_private_data;		/* the backing object (file, shmem), or NULL */
	uint64_t pgoff;			/* page offset of `start` in the object */
	const char *name;		/* "[heap]", "[stack]", or NULL: ask the ops */
	uint64_t stamp;			/* mm->vma_clock at its last link, resize or
					 * mprotect (the RFC's vas_last_update) */
	const struct vm_watch_ops *watch;	/* NULL: none */
	void *watch_data;
	struct mm *vm_mm;		/* the mm it was last linked in (vma_link) */
	struct vma_node rb;		/* owned by mmu/vma_tree */
};

/* Whether vma's watch protects writes (userfaultfd's WP mode: Linux's
 * userfaultfd_wp): its PTE_UFFD_WP bits and write-protect markers count. */
static inline bool vma_watches_writes(const struct vma *vma)
{
	return vma->watch && vma->watch->wp;
}

/* The page offset in the VMA's object of the page holding `addr` (Linux's
 * linear_page_index). */
static inline uint64_t linear_page_index(const struct vma *vma, uint64_t addr)
{
	return vma->pgoff + ((addr - vma->start) >> PAGE_SHIFT);
}

struct mm {
	int users;			/* tasks holding it (mmget/mmput) */
	uint64_t id;			/* 1, 2, ... in order of creation */
	struct phys *phys;
	phys_addr_t pgd;
	uint64_t context_id;		/* ASID and generation (mmu/asid); 0: none yet */
	uint64_t cpumask;		/* agents whose TLBs may hold its entries (lazy) */
	struct vma_tree vmas;
	unsigned def_flags;		/* VM_LOCKED_MASK given to new VMAs (mlockall MCL_FUTURE) */
	uint64_t start_brk, brk;
	uint64_t arg_start, arg_end;	/* the argv strings (exec), for /proc/PID/cmdline */
	uint64_t env_start, env_end;	/* the environment strings, for /proc/PID/environ */
	uint64_t mmap_base;
	struct vm_stats *stats;
	struct mmu_notifier *notifiers;	/* the chain (mmu/notifier) */
	struct domain *domain;		/* the agents that run it (mmu/agent); NULL: none */
	const struct vm_tunables *tunables;	/* which faults happen (mmu/cost.h) */
	uint64_t min_flt;		/* faults resolved (getrusage's ru_minflt) */
	unsigned long flags;		/* MMF_* (mmu/mm.h) */
	uint64_t vma_clock;		/* VMA changes so far (struct vma's stamp) */
	uint64_t total_vm, hiwater_vm;	/* bytes the VMAs span, now and at most (mmu/vma.c) */
};

enum fault_access { FAULT_READ, FAULT_WRITE, FAULT_EXEC };

/* vm_fault.flags */
#define FAULT_FLAG_KERNEL	0x1u	/* taken by a kernel copy (uaccess, populate) */
#define FAULT_FLAG_ALLOW_RETRY	0x2u	/* the caller can sleep and run the access again */
#define FAULT_FLAG_FORCE	0x4u	/* FOLL_FORCE: a write to a private read-only VMA (mmu/uaccess.h) */

/* How a fault ended. */
typedef enum {
	VM_FAULT_DONE,		/* the translation now allows the access: run it again */
	VM_FAULT_RETRY,		/* sleep on vmf->wait_channel, then run the access again */
	VM_FAULT_SIGSEGV,	/* kind says MAPERR or ACCERR */
	VM_FAULT_SIGBUS,	/* e.g. a file page beyond end of file */
	VM_FAULT_OOM,		/* simulated memory exhausted */
	VM_FAULT_HWPOISON,	/* a poisoned page (a poison marker): SIGBUS BUS_MCEERR_AR */
} vm_fault_t;

/* A page fault in flight, after Linux's struct vm_fault: the input, the
 * outcome, and a record of the work done, from which its cost is reckoned
 * (the same way for a fault of the CPU and of a kernel copy). */
struct vm_fault {
	/* input */
	struct mm *mm;
	struct vma *vma;		/* set by handle_mm_fault; NULL: none there */
	uint64_t address;		/* page aligned */
	uint64_t real_address;		/* the byte accessed */
	enum fault_access access;
	unsigned flags;			/* FAULT_FLAG_* */
	uint64_t pgoff;			/* of address in the VMA's object */
	/* outcome */
	vm_fault_t result;
	enum fault_kind kind;
	phys_addr_t page;		/* the frame a missing page got (ops->fault) */
	const void *wait_channel;	/* RETRY: what the task sleeps on */
	const char *wait_what;		/* RETRY: for a deadlock report */
	/* record */
	unsigned tables_allocated;	/* table pages the walk created */
	unsigned pages_zeroed, pages_copied;
	unsigned ptes_installed;
	unsigned pages_around;		/* of those, neighbours mapped by fault-around */
	unsigned flushes;		/* flush_tlb_mm_range() calls issued */
	struct event_cost cost;		/* what it cost the agent that took it */
	GString *notes;			/* design steps, one per line (vm_fault_note); NULL: none kept */
};

/* The owner of a memory node whose pages the CPU's table may hold as
 * device-private entries (mmu/pgtable.h), after Linux's struct dev_pagemap:
 * a CPU fault on such an entry is its migrate_to_ram (mmu/fault.c), which
 * brings the page back and returns the fault's outcome. */
struct dev_pagemap {
	vm_fault_t (*migrate_to_ram)(const struct dev_pagemap *pgmap, struct vm_fault *vmf);
	void *owner;
};

#endif
