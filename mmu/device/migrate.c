/*
 * migrate: one page's contents and mapping from one table to another.
 */
#include "mmu/device/migrate.h"

#include <errno.h>
#include <string.h>

#include "mmu/agent.h"
#include "mmu/mmu_gather.h"
#include "mmu/pgtable.h"

static void cpu_invalidate(struct migrate_side *side, uint64_t va)
{
	flush_tlb_mm_range(((struct migrate_cpu_side *)side)->mm, va, va + PAGE_SIZE);
}

static unsigned cpu_take_stale(struct migrate_side *side, uint64_t va)
{
	struct mm *mm = ((struct migrate_cpu_side *)side)->mm;
	uint64_t first;
	int agent;

	return mm->domain ? domain_take_stale(mm->domain, mm, va, va + PAGE_SIZE, &agent, &first) : 0;
}

void migrate_cpu_side_init(struct migrate_cpu_side *cpu, struct mm *mm)
{
	*cpu = (struct migrate_cpu_side){
		.side = { .root = mm->pgd, .invalidate = cpu_invalidate, .take_stale = cpu_take_stale },
		.mm = mm,
	};
}

/* The debug check: nothing but `to` translates `va`, to `page`. */
static uint64_t count_stale(struct phys *phys, struct migrate_side *from, struct migrate_side *to,
			    uint64_t va, phys_addr_t page)
{
	phys_addr_t pa;
	unsigned prot;
	uint64_t stale = from->take_stale(from, va);

	if (to != from) {
		stale += to->take_stale(to, va);
		stale += pgtable_translate(phys, from->root, va, &pa, &prot);
	}
	stale += !pgtable_translate(phys, to->root, va, &pa, &prot) || pa != page;
	return stale;
}

/* `to`'s entry for `va`, made if need be: -EEXIST if it maps a page
 * (unless it is the source entry itself), -ENOMEM. */
static int destination(struct phys *phys, struct migrate_side *from, struct migrate_side *to,
		       uint64_t va, pte_t **dst)
{
	int created = pgtable_walk_alloc(phys, to->root, va, dst);

	if (created >= 0 && to != from && (pte_present(**dst) || pte_is_device_private(**dst)))
		return -EEXIST;
	return created;
}

int migrate_page(struct phys *phys, struct migrate_side *from, struct migrate_side *to,
		 uint64_t va, int node, unsigned prot, struct migrate_record *rec)
{
	pte_t *src = pgtable_walk(phys, from->root, va), *dst, saved;
	phys_addr_t page;
	int created, err;

	if (!src || !(pte_present(*src) || pte_is_device_private(*src)))
		return -ENOENT;
	err = phys_alloc_node(phys, node, FRAME_DATA, &page);
	if (err)
		return err;
	created = destination(phys, from, to, va, &dst);
	if (created < 0) {
		phys_put(phys, page);
		return created;
	}
	saved = *src;
	memcpy(phys_to_host(phys, page), phys_to_host(phys, pte_addr(saved)), PAGE_SIZE);
	pte_set(phys, src, 0);
	from->invalidate(from, va);
	/* The invalidation may have freed tables of `to` (a mirror dropping
	 * its entries): find the entry again. */
	err = destination(phys, from, to, va, &dst);
	if (err < 0) {
		src = pgtable_walk(phys, from->root, va);
		g_assert(src);		/* an invalidation of `from` frees none of its tables */
		pte_set(phys, src, saved);
		phys_put(phys, page);
		return err;
	}
	phys_put(phys, pte_addr(saved));
	pte_set(phys, dst, pte_mk_page(page, prot));
	rec->pages++;
	rec->tables_allocated += (unsigned)created + (unsigned)err;
	rec->stale += count_stale(phys, from, to, va, page);
	return 0;
}
