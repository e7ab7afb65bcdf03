/*
 * mshare: regions whose page tables below the top level are shared by every
 * process that maps them (the mshare RFC v3, 2024; ../shared/notes/designs.md
 * section 2).  This is the model; sim/msharefs.c serves the regions as the
 * files of /sys/fs/mshare and decodes the guest's ioctls into these calls.
 *
 * A region owns a host mm holding its VMAs and page tables.  After
 * mshare_set_size() gives it [start, start + size) (both ends aligned to
 * PGDIR_SIZE, the span of one top-level entry), mshare_create_mapping() puts
 * shared anonymous memory there, and processes map the region with
 * mshare_vm_ops (checked by mshare_check_mmap()).  A fault in such a VMA is
 * resolved in the host mm: when the process's top-level entry does not point
 * to the host's table yet, the fault links it (ptshare_link: fault kind
 * "link") and the access runs again; otherwise the fault is handled in the
 * host's VMA at the same address, installing the page in the shared tables,
 * where every sharer sees it.  Faults per access (the design note's four
 * cases): empty host slot and unlinked 2, host slot filled and unlinked 1,
 * linked and page absent 1, linked and present 0.
 *
 * The region lives while something refers to it (mshare_region_get/put):
 * the file system's inode (a name or an open file) and every VMA mapping it.
 * A VMA lets go of its links when it leaves its mm (munmap, exit), flushing
 * that mm's translations of the range; the shared tables stay with the host
 * mm and go with the region.
 *
 * A sharer that changes shared leaves itself (MADV_DONTNEED of part of a
 * slot, mprotect of its whole mapping) flushes its own range; the region
 * hears it on the sharer's notifier chain and makes every other holder's
 * CPUs forget that range by the region's flush strategy (the review's
 * options; mshare_set_flush):
 *  - none: v3, whose reverse map points at the host mm, flushes nobody;
 *  - all: flush_tlb_all(), every CPU's whole TLB;
 *  - host-mask: the host mm's CPU mask, kept up to date (a CPU joins it
 *    when it starts running a sharer; nobody leaves it), one shootdown;
 *  - per-sharer (the default): each other holder's own flush, one after the
 *    other (a CPU in several masks is interrupted once per mm);
 *  - union-mask: one shootdown to the union of the holders' masks.
 * A change the host mm makes to its own leaves (reclaim, migration: the
 * reverse map points at the host) reaches the region on the host's chain,
 * and every holder of the changed tables forgets its alias of the range
 * by the same strategy.
 * Whatever the strategy, every holder's notifier chain hears its range
 * (the emulator's TLB, a device's mirror); the domain's model TLBs
 * (mmu/agent) are flushed only as the strategy does, and then every
 * translation of the range a holder's CPU still has is stale: counted,
 * reported (the first one) and taken out.
 *
 * A read-only mapping links the host's table read-only (APTable in its own
 * top-level entry, pgtable_table_set_rdonly), since the shared leaves carry
 * the host's permissions: it writes nothing.
 *
 * Not modelled yet: mremap of a mapping (it acts on the shared leaves as on
 * private ones).
 */
#ifndef MMU_MSHARE_MSHARE_H
#define MMU_MSHARE_MSHARE_H

#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm.h"
#include "mmu/ptshare.h"

struct mshare_region;

enum mshare_flush {
	MSHARE_FLUSH_NONE, MSHARE_FLUSH_ALL, MSHARE_FLUSH_HOST_MASK, MSHARE_FLUSH_PER_SHARER,
	MSHARE_FLUSH_UNION_MASK, NR_MSHARE_FLUSH
};

/* "none", "all", "host-mask", "per-sharer", "union-mask" (--mshare-flush);
 * -EINVAL for another name. */
int mshare_flush_parse(const char *name, enum mshare_flush *out);
const char *mshare_flush_name(enum mshare_flush f);

extern const struct vm_ops mshare_vm_ops;

/* A new region (one reference) with an empty host mm; links go in `ps`. */
int mshare_region_new(struct ptshare *ps, struct phys *phys, struct vm_stats *stats,
		      const struct vm_tunables *tunables, struct mshare_region **out);
struct mshare_region *mshare_region_get(struct mshare_region *r);
void mshare_region_put(struct mshare_region *r);

/* MSHAREFS_GET_SIZE: {0, 0} before set-up. */
void mshare_get_size(const struct mshare_region *r, uint64_t *start, uint64_t *size);
/* MSHAREFS_SET_SIZE: -EINVAL if set up already, if start or end is not
 * PGDIR_SIZE aligned, if the size is 0 or the range leaves user space
 * (v3's quirks aside). */
int mshare_set_size(struct mshare_region *r, uint64_t start, uint64_t size);
/* MSHAREFS_CREATE_MAPPING: shared anonymous memory at [addr, addr + size) of
 * the host mm.  -EINVAL unless set up, addr inside the region, addr + size
 * not past its end, `flags` (MM_MAP_*) holding MM_MAP_SHARED and
 * MM_MAP_FIXED, and fd -1 (0xffffffff: the field is unsigned); an overlap
 * with an earlier mapping is -EEXIST; mm_mmap's errors. */
int mshare_create_mapping(struct mshare_region *r, uint64_t addr, uint64_t size, unsigned prot,
			  unsigned flags, uint32_t fd);
/* Whether a process may map [addr, addr + len) of the region at the file
 * offset `offset`: -EINVAL unless set up, both ends PGDIR_SIZE aligned, the
 * range inside the region, and the offset where addr lies in the region
 * (addr - start: a mapping reaches the host's tables at its own address;
 * v3 ignores the offset, so another one aliases the host's addresses). */
int mshare_check_mmap(const struct mshare_region *r, uint64_t addr, uint64_t len, uint64_t offset);

/* How changes of shared leaves are flushed from the holders' CPUs. */
void mshare_set_flush(struct mshare_region *r, enum mshare_flush f);
/* The RFC v3's quirks (--mshare-v3-bugs): SET_SIZE takes a start of 0 and
 * then may be called again (set-up is known by a start other than 0), a
 * size of 0 is stored as all-ones, a read-only mapping links the host's
 * tables as they are (it can write populated pages), munmap leaves the
 * links in place (populated pages stay reachable until the mm goes), and
 * mmap ignores the file offset. */
void mshare_set_v3_bugs(struct mshare_region *r, bool on);

/* The host mm (for reports and tests). */
struct mm *mshare_host_mm(const struct mshare_region *r);

/* What a region has done and holds, for reports. */
struct mshare_stats {
	uint64_t links;			/* top-level entries linked to the host's tables */
	uint64_t sharers, peak_sharers;	/* VMAs holding links: now, and at most */
	uint64_t flushes_passed;	/* a sharer's flush of shared leaves, passed to another */
	enum mshare_flush flush;
	/* changes of shared leaves that other holders reach, and their flushes
	 * by the model TLBs of the domain (mmu/agent) */
	uint64_t changes, shootdowns, ipis, cpus_flushed, initiator_ns;
	uint64_t stale;			/* pages a holder's CPU still translated after one */
	uint64_t stale_mm, stale_va;	/* the first: the mm's id (0: none), the page */
	int stale_cpu;
	uint64_t tables[PGTABLE_LEVELS];	/* the host's table pages by level, its root included */
};
void mshare_region_stats(const struct mshare_region *r, struct mshare_stats *st);

/* One sharer's page tables as it last let go of a region (the munmap of
 * its last linked mapping, or its exit), by level: its own (the root
 * included: `own[PGD_LEVEL]` is 1) and those it reaches through a table
 * another tree holds too (mm_pgtable_pages_split). */
struct mshare_tables {
	uint64_t region;	/* the region's id in the ledger */
	uint64_t mm;		/* the mm's id */
	uint64_t own[PGTABLE_LEVELS], shared[PGTABLE_LEVELS];
};
/* Where regions record their sharers' tables; it outlives them (msharefs
 * keeps one for the report). */
struct mshare_ledger;
struct mshare_ledger *mshare_ledger_new(void);
void mshare_ledger_free(struct mshare_ledger *l);
/* Every (region, process) recorded, in the order first recorded; *n. */
const struct mshare_tables *mshare_ledger_tables(const struct mshare_ledger *l, unsigned *n);
/* Record `r`'s sharers in `l` under the id `id`. */
void mshare_set_ledger(struct mshare_region *r, struct mshare_ledger *l, uint64_t id);

#endif
