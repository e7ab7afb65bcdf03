/*
 * vm_object: gmem's logical page table (seed 004, ../shared/notes/designs.md
 * section 4): per address space, where each virtual page lives, whatever
 * the CPU's or a device's (physical) tables say.  A radix tree keyed by
 * virtual page number, as the RFC's xarray: 6 levels of 6 bits cover the
 * 36-bit page numbers of a 48-bit address space; each node is an array of
 * 64 slots, created on the way down and freed when it empties.
 *
 * An entry, struct gm_mapping, is in exactly one of three states (the
 * RFC's flag values):
 *
 *   GM_PAGE_NOMAP    nothing yet: a new entry starts here; a touch gets a
 *                    zeroed page where it happens
 *   GM_PAGE_CPU      the page is in CPU memory (`page`), mapped by the CPU
 *   GM_PAGE_DEVICE   the page is in a device's memory (`dev`, `page`),
 *                    mapped by that device only: no live CPU entry
 *
 * and may carry GM_PAGE_WILLNEED, a prefetch hint.  One owner at a time: no
 * replication (the RFC's "TODO: support multiple devices").  Entries hold
 * no frame references: the table that maps a page holds it.
 *
 * Memory accounting is that of the RFC's structures: entries and radix
 * nodes allocated now and at most.
 */
#ifndef MMU_GMEM_VM_OBJECT_H
#define MMU_GMEM_VM_OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/phys.h"

#define GM_PAGE_CPU		0x10u
#define GM_PAGE_DEVICE		0x20u
#define GM_PAGE_NOMAP		0x40u
#define GM_PAGE_WILLNEED	0x80u
#define GM_PAGE_TYPE_MASK	(GM_PAGE_CPU | GM_PAGE_DEVICE | GM_PAGE_NOMAP)

#define VM_OBJECT_LEVELS	6
#define VM_OBJECT_SLOT_BITS	6

struct device;

struct gm_mapping {
	unsigned flag;
	struct device *dev;		/* GM_PAGE_DEVICE: the owner */
	phys_addr_t page;		/* GM_PAGE_CPU, GM_PAGE_DEVICE: the frame */
};

struct vm_object_stats {
	uint64_t entries, nodes;		/* now */
	uint64_t peak_entries, peak_nodes;
};

struct vm_object;

struct vm_object *vm_object_create(void);
/* Free every entry and node. */
void vm_object_destroy(struct vm_object *obj);
/* The entry of the page holding `va`, or NULL. */
struct gm_mapping *vm_object_lookup(struct vm_object *obj, uint64_t va);
/* The same, made (GM_PAGE_NOMAP) when missing. */
struct gm_mapping *vm_object_lookup_or_create(struct vm_object *obj, uint64_t va);
/* Set the state (one of the type flags) keeping the other flags, as the
 * RFC's gm_mapping_flags_set. */
void gm_mapping_set_state(struct gm_mapping *m, unsigned state);
/* Call `fn` on each entry of [start, end) in address order. */
void vm_object_for_each(struct vm_object *obj, uint64_t start, uint64_t end,
			void (*fn)(void *ctx, uint64_t va, struct gm_mapping *m), void *ctx);
/* Free the entries of [start, end) and the nodes left empty. */
void vm_object_erase_range(struct vm_object *obj, uint64_t start, uint64_t end);
const struct vm_object_stats *vm_object_stats(const struct vm_object *obj);
/* Bytes of entries and nodes now (the logical table's memory). */
uint64_t vm_object_bytes(const struct vm_object *obj);

#endif
