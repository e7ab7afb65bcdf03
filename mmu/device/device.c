/*
 * device: an accelerator's table, TLB and clock, and the kernels it runs.
 */
#include "mmu/device/device.h"

#include <errno.h>
#include <stddef.h>

#include "mmu/mm.h"
#include "mmu/notifier.h"
#include "mmu/pgtable.h"

static struct device *side_device(struct migrate_side *side)
{
	return (struct device *)((char *)side - offsetof(struct device, side));
}

void device_pay(struct device *dev, uint64_t cycles)
{
	agent_pay_cycles(&dev->agent, cycles);
}

void device_pay_link(struct device *dev, uint64_t pages)
{
	device_pay(dev, dev->costs->link_latency + pages * dev->costs->link_page);
	dev->counters.link_bytes += pages * PAGE_SIZE;
}

/* A TLB invalidation: the device does it; a CPU that asked for it outside
 * a kernel waits for it. */
static void pay_invalidation(struct device *dev, uint64_t cycles)
{
	struct agent *cpu = dev->mm && !dev->running ? mm_current_agent(dev->mm) : NULL;
	struct event_cost wait = { .device_wait = cycles, .total = cycles };

	device_pay(dev, cycles);
	if (cpu)
		agent_charge_cost(cpu, &wait);
}

static void invalidate_page(struct migrate_side *side, uint64_t va)
{
	struct device *dev = side_device(side);

	agent_flush_page(&dev->agent, va);
	dev->counters.inval_pages++;
	pay_invalidation(dev, dev->costs->tlb_inval_page);
}

static unsigned take_stale(struct migrate_side *side, uint64_t va)
{
	return agent_take_range(&side_device(side)->agent, va, va + PAGE_SIZE);
}

static vm_fault_t migrate_to_ram(const struct dev_pagemap *pgmap, struct vm_fault *vmf)
{
	struct device *dev = pgmap->owner;

	return dev->ops->migrate_to_ram(dev, vmf);
}

int device_init(struct device *dev, struct domain *d, int id, int node,
		const struct device_mm_ops *ops)
{
	int err;

	*dev = (struct device){ .id = id, .node = node, .phys = d->phys, .costs = &d->profile->device,
				.ops = ops };
	dev->coherent = phys_node_coherent(d->phys, node);
	dev->agent = (struct agent){ .id = AGENT_DEVICE + id, .domain = d };
	if (node <= 0 || node >= phys_nr_nodes(d->phys))
		return -EINVAL;
	err = tlb_create(&d->profile->device.tlb, &dev->agent.tlb);
	if (!err)
		err = pgtable_create_node(d->phys, node, &dev->pgd);
	if (err) {
		tlb_destroy(dev->agent.tlb);
		return err;
	}
	agent_use_table(&dev->agent, dev->pgd);
	dev->side = (struct migrate_side){ .root = dev->pgd, .invalidate = invalidate_page,
					   .take_stale = take_stale };
	if (ops->migrate_to_ram) {
		dev->pgmap = (struct dev_pagemap){ migrate_to_ram, dev };
		phys_set_node_owner(dev->phys, node, &dev->pgmap);
	}
	return 0;
}

void device_fini(struct device *dev)
{
	device_unbind(dev);
	if (dev->ops->migrate_to_ram)
		phys_set_node_owner(dev->phys, dev->node, NULL);
	pgtable_put(dev->phys, dev->pgd, PGD_LEVEL);
	tlb_destroy(dev->agent.tlb);
	dev->agent.tlb = NULL;
}

int device_map(struct device *dev, uint64_t va, phys_addr_t pa, unsigned prot)
{
	int err = pgtable_map(dev->phys, dev->pgd, va, pa, prot);

	if (!err) {
		dev->counters.pte_updates++;
		device_pay(dev, dev->costs->pte_update);
	}
	return err;
}

struct zap {
	struct device *dev;
	uint64_t cleared;
};

/* Clear one entry; per page, invalidate it at once, else only drop it from
 * the TLB model: the range's one invalidation is paid after. */
static int zap_entry(void *ctx, uint64_t va, pte_t *ptep)
{
	struct zap *z = ctx;
	struct device *dev = z->dev;

	phys_put(dev->phys, pte_addr(*ptep));
	pte_set(dev->phys, ptep, 0);
	z->cleared++;
	if (dev->coalesce)
		agent_flush_page(&dev->agent, va);
	else
		invalidate_page(&dev->side, va);
	return PTE_VISIT_CLEARED;
}

uint64_t device_unmap_range(struct device *dev, uint64_t start, uint64_t end)
{
	struct zap z = { dev, 0 };

	pgtable_walk_range(dev->phys, dev->pgd, start, end, zap_entry, &z);
	dev->counters.pte_updates += z.cleared;
	device_pay(dev, z.cleared * dev->costs->pte_update);
	if (z.cleared && dev->coalesce) {
		dev->counters.inval_ranges++;
		pay_invalidation(dev, dev->costs->tlb_inval_range);
	}
	return z.cleared;
}

/* Let the design go, then drop every entry and table: the device starts
 * its next address space with an empty root and an empty TLB. */
static void forget_mm(struct device *dev, bool mm_ending)
{
	int err;

	if (dev->ops->unbind)
		dev->ops->unbind(dev, mm_ending);
	device_unmap_range(dev, 0, TASK_SIZE);
	pgtable_put(dev->phys, dev->pgd, PGD_LEVEL);
	err = pgtable_create_node(dev->phys, dev->node, &dev->pgd);
	g_assert(!err);		/* the old root's frame was just freed */
	dev->side.root = dev->pgd;
	agent_use_table(&dev->agent, dev->pgd);
	agent_flush_all(&dev->agent);
	dev->mm = NULL;
}

static struct device *sub_device(struct mmu_notifier *sub)
{
	return (struct device *)((char *)sub - offsetof(struct device, sub));
}

static void on_release(struct mmu_notifier *sub, struct mm *mm)
{
	forget_mm(sub_device(sub), true);
}

static void on_invalidate_range(struct mmu_notifier *sub, struct mm *mm, uint64_t start,
				uint64_t end)
{
	struct device *dev = sub_device(sub);

	if (dev->ops->invalidate)
		dev->ops->invalidate(dev, start, end);
}

static const struct mmu_notifier_ops sub_ops = {
	.invalidate_range = on_invalidate_range,
	.release = on_release,
};

void device_unbind(struct device *dev)
{
	if (!dev->mm)
		return;
	mmu_notifier_unregister(&dev->sub, dev->mm);
	forget_mm(dev, false);
}

void device_bind(struct device *dev, struct mm *mm)
{
	if (dev->mm == mm)
		return;
	device_unbind(dev);
	dev->mm = mm;
	dev->sub.ops = &sub_ops;
	mmu_notifier_register(&dev->sub, mm);
	if (dev->ops->bind)
		dev->ops->bind(dev);
}

/* ----------------------------------------------------------------- kernels */

static uint64_t accesses_per_rep(const struct device_kernel *k)
{
	if (k->pattern == DEVICE_STRIDED)
		return (k->size + k->stride - 1) / k->stride;
	return k->size / DEVICE_WORD;
}

static bool kernel_valid(const struct device_kernel *k)
{
	if (!k->size || k->start % DEVICE_WORD || k->size % DEVICE_WORD || k->start >= TASK_SIZE ||
	    k->size > TASK_SIZE - k->start || k->pattern >= DEVICE_NR_PATTERNS ||
	    !k->access || k->access & ~(DEVICE_READ | DEVICE_WRITE) || !k->reps)
		return false;
	if (k->pattern == DEVICE_STRIDED && (!k->stride || k->stride % DEVICE_WORD))
		return false;
	return k->reps <= DEVICE_MAX_ACCESSES / accesses_per_rep(k);
}

/* SplitMix64: a seeded stream, the same for every run. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint64_t offset_of(const struct device_kernel *k, uint64_t i, uint64_t *rng)
{
	switch (k->pattern) {
	case DEVICE_STRIDED:
		return i * k->stride;
	case DEVICE_RANDOM:
		return next_random(rng) % (k->size / DEVICE_WORD) * DEVICE_WORD;
	default:
		return i * DEVICE_WORD;
	}
}

/* The frame offset `va` reaches through the device's table for the access,
 * after the design resolved a fault if there was one. */
static int translate(struct device *dev, uint64_t va, bool write, phys_addr_t *pa)
{
	for (int tries = 0;; tries++) {
		struct tlb_lookup l;
		bool found = agent_lookup_table(&dev->agent, va, &l);
		unsigned prot;
		int err;

		if (found && pgtable_translate(dev->phys, dev->pgd, va, pa, &prot) &&
		    (!write || prot & VM_WRITE))
			return 0;
		if (tries)
			return -EFAULT;		/* the design left it unresolved */
		dev->counters.faults++;
		device_pay(dev, dev->costs->fault);
		err = dev->ops->fault(dev, va & PAGE_MASK, write);
		if (err)
			return err;
	}
}

static int access_word(struct device *dev, uint64_t va, unsigned access, uint64_t *sum)
{
	phys_addr_t pa;
	uint64_t *word;
	int err = translate(dev, va, access & DEVICE_WRITE, &pa);

	if (err)
		return err;
	word = phys_to_host(dev->phys, pa);
	if (access & DEVICE_READ)
		*sum += *word;
	if (access & DEVICE_WRITE)
		*word += 1;
	dev->counters.accesses++;
	device_pay(dev, dev->costs->access);
	return 0;
}

int device_run(struct device *dev, const struct device_kernel *k, uint64_t *checksum,
	       uint64_t *fault_va)
{
	uint64_t n, rng = k->seed;

	*checksum = 0;
	if (!kernel_valid(k))
		return -EINVAL;
	if (!dev->mm)
		return -ENXIO;
	n = accesses_per_rep(k);
	dev->counters.kernels++;
	dev->running = true;
	for (uint64_t rep = 0; rep < k->reps; rep++) {
		for (uint64_t i = 0; i < n; i++) {
			uint64_t va = k->start + offset_of(k, i, &rng);
			int err = access_word(dev, va, k->access, checksum);

			if (err) {
				*fault_va = va;
				dev->running = false;
				return err;
			}
		}
	}
	dev->running = false;
	return 0;
}
