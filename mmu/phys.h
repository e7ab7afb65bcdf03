/*
 * phys: simulated physical memory.
 *
 * One contiguous host mapping holds every frame.  It is reserved with
 * MAP_NORESERVE, so only frames the simulation touches cost host memory, and
 * the same bytes are what the emulated CPU sees as RAM at physical address 0:
 * page-table pages written here are walked by the emulated MMU as they are.
 *
 * Frames are 4 KiB.  Each frame has a reference count; a frame is free when
 * its count is zero.  Frame 0 is reserved so that physical address 0 never
 * names a real page.  Allocation hands out a zeroed frame with count 1;
 * phys_put() frees the frame when the count drops to zero.
 *
 * Placement: frames that will hold code (phys_alloc_code) come from the top
 * of physical memory downward, every other frame from the bottom upward,
 * each side reusing its own freed frames first; only when one side is
 * exhausted does it take the other's.  Keeping code apart from data keeps
 * the emulator's code tracking, which works in 1 MiB ranges of physical
 * memory, off data stores (docs/design.md, "Speed").
 *
 * Memory nodes: node 0 is the CPU's memory, the frames above are device
 * memory (simulated accelerators, mmu/device), one node per device, each of
 * its own size and lying above the CPU's.  A device's memory is private
 * (Linux's MEMORY_DEVICE_PRIVATE: the CPU cannot address it) or coherent
 * (MEMORY_DEVICE_COHERENT: the CPU can, and maps its pages as any other):
 * the coherent nodes come first, right after node 0, so that node 0 and
 * they are one range, [0, phys_reachable_size()), the one the emulated CPU
 * maps; the private nodes lie above it, where the CPU can never reach.
 * phys_size() stays the CPU's own memory (node 0: what the guest is told
 * it has).  A frame knows its node (phys_node_of); phys_alloc takes node
 * 0, and phys_alloc_node any node, each node with its own free list.
 *
 * Errors are negative errno values, as in the kernel.
 */
#ifndef MMU_PHYS_H
#define MMU_PHYS_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (UINT64_C(1) << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

typedef uint64_t phys_addr_t;

/* What a frame holds, for accounting and sanity checks. */
enum frame_kind {
	FRAME_FREE = 0,
	FRAME_DATA,		/* guest-visible page: anonymous, file, shmem */
	FRAME_PGTABLE,		/* a page-table page at any level */
	FRAME_KERNEL,		/* simulator-private page (e.g. the EL1 trampoline) */
	FRAME_NR_KINDS
};

struct phys;

#define PHYS_MAX_NODES 9	/* the CPU's and eight devices' */

/* Reserve `size` bytes (a multiple of PAGE_SIZE, at least two frames). */
int phys_create(uint64_t size, struct phys **out);
/* The same, with `nr_devices` device nodes of `device_size` bytes each (a
 * multiple of PAGE_SIZE, at least one frame) above the CPU's memory:
 * nodes 1 to nr_devices. */
int phys_create_nodes(uint64_t size, int nr_devices, uint64_t device_size, struct phys **out);
/* The same, the nodes whose bit is set in `coherent` (bit n: node n, 1 to
 * nr_devices; -EINVAL for another bit) coherent memory the CPU reaches. */
int phys_create_coherent(uint64_t size, int nr_devices, uint64_t device_size, unsigned coherent,
			 struct phys **out);
void phys_destroy(struct phys *phys);
/* The frames' contents matter only for page tables (a replay has no
 * data): the host backs the memory a 4 KiB page at a time, not in huge
 * pages, so the data frames handed out cost no host memory and a table
 * frame does not bring the 2 MiB of data frames around it in. */
void phys_tables_only(struct phys *phys);
int phys_nr_nodes(const struct phys *phys);
/* The node the frame at `pa` lives in. */
int phys_node_of(const struct phys *phys, phys_addr_t pa);
/* A zeroed frame of node `node` with count 1: -EINVAL for a node that does
 * not exist, -ENOMEM when it is full (no other node is tried). */
int phys_alloc_node(struct phys *phys, int node, enum frame_kind kind, phys_addr_t *pa);
/* Frames of node `node` allocated now, the most at once (node 0: of every
 * node), and its size in frames. */
uint64_t phys_node_in_use(const struct phys *phys, int node);
uint64_t phys_node_peak(const struct phys *phys, int node);
uint64_t phys_node_frames(const struct phys *phys, int node);
/* The most page-table frames node `node` held at once: the CPU's tables
 * (node 0) or a device's own (its node). */
uint64_t phys_node_pgtable_peak(const struct phys *phys, int node);
/* Whether node `node` is a device's coherent memory. */
bool phys_node_coherent(const struct phys *phys, int node);
/* Bytes of physical memory from address 0 the CPU reaches: node 0 and the
 * coherent nodes (the emulated machine's RAM). */
uint64_t phys_reachable_size(const struct phys *phys);
/* Who owns node `node`'s pages when the CPU's table holds them as
 * device-private entries (a struct dev_pagemap, mmu/mm_types.h); NULL:
 * nobody. */
void phys_set_node_owner(struct phys *phys, int node, const void *owner);
const void *phys_node_owner(const struct phys *phys, int node);

int phys_alloc(struct phys *phys, enum frame_kind kind, phys_addr_t *pa);
/* As phys_alloc, for a frame that will hold code: placed among code frames. */
int phys_alloc_code(struct phys *phys, enum frame_kind kind, phys_addr_t *pa);
void phys_get(struct phys *phys, phys_addr_t pa);
void phys_put(struct phys *phys, phys_addr_t pa);
unsigned phys_refcount(const struct phys *phys, phys_addr_t pa);

/* The shared zero page (Linux's ZERO_PAGE): one frame of zeroes that read
 * faults on private anonymous memory map read-only.  It is allocated
 * (FRAME_DATA, counted once) when first needed and freed when its last
 * entry goes; *pa gets a reference for the caller's entry.  It must never
 * be written, even with one reference. */
int phys_zero_page(struct phys *phys, phys_addr_t *pa);
bool phys_is_zero_page(const struct phys *phys, phys_addr_t pa);
/* Whether a private entry mapping `pa` must stay read-only until a write
 * copies it: others hold the frame too, or it is the zero page. */
bool phys_page_shared(const struct phys *phys, phys_addr_t pa);
enum frame_kind phys_kind(const struct phys *phys, phys_addr_t pa);

/* Host view of simulated memory: the byte at `pa`, and the whole RAM. */
void *phys_to_host(const struct phys *phys, phys_addr_t pa);
/* A journal of page-table memory (mmusim run --record): told of every
 * store into a page-table entry (pte_set, mmu/pgtable.h) and of every
 * page-table frame handed out (zeroed), so that a replay can build the same
 * tables in its own memory.  With none (the default) a store costs one
 * test. */
struct phys_journal {
	void (*store)(void *data, phys_addr_t pa, uint64_t val);
	void (*table)(void *data, phys_addr_t pa);
	void *data;
};
/* `j` (NULL: none) must outlive its use. */
void phys_set_journal(struct phys *phys, const struct phys_journal *j);
/* The 8 bytes at `host` (inside `phys`'s memory) were set to `val`. */
void phys_journal_store(struct phys *phys, const void *host, uint64_t val);

void *phys_base(const struct phys *phys);
uint64_t phys_size(const struct phys *phys);

/* Frames currently allocated of one kind, and the most ever at once (all kinds). */
uint64_t phys_in_use(const struct phys *phys, enum frame_kind kind);
uint64_t phys_peak(const struct phys *phys);
/* The most frames of `kind` in use at once (page tables: the run's peak
 * page-table memory). */
uint64_t phys_kind_peak(const struct phys *phys, enum frame_kind kind);

#endif
