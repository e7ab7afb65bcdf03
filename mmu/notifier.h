/*
 * notifier: who must hear that an address space's translations or code
 * changed, after Linux's mmu_notifier.  Any number of subscribers hang on
 * one mm's chain, each with its own ops and context:
 *
 *  - invalidate_range: translations of [start, end) were removed or
 *    downgraded; whatever caches them (a TLB model, the emulator's own TLB, a
 *    device's page table mirror) must drop them before the operation returns;
 *  - invalidate_code: the bytes of [start, end) changed behind the CPU's back
 *    (a page installed in an executable mapping, a kernel write, a protection
 *    that gained execute): translated code of those pages is stale;
 *  - switch_in: CPU (agent) `cpu` began running the mm (mmu/agent);
 *  - release: the mm is being destroyed; the subscriber must forget it (it
 *    may free its struct mmu_notifier here: the chain no longer holds it).
 *
 * Any op may be NULL.  Subscribers are called in the order they registered.
 * A callback must not register or unregister on the same mm.
 */
#ifndef MMU_NOTIFIER_H
#define MMU_NOTIFIER_H

#include <stdint.h>

struct mm;
struct mmu_notifier;

struct mmu_notifier_ops {
	void (*invalidate_range)(struct mmu_notifier *sub, struct mm *mm, uint64_t start,
				 uint64_t end);
	void (*invalidate_code)(struct mmu_notifier *sub, struct mm *mm, uint64_t start,
				uint64_t end);
	void (*release)(struct mmu_notifier *sub, struct mm *mm);
	void (*switch_in)(struct mmu_notifier *sub, struct mm *mm, int cpu);
};

/* One subscription: embed it in the subscriber's own structure. */
struct mmu_notifier {
	const struct mmu_notifier_ops *ops;
	struct mmu_notifier *next;	/* the mm's chain */
};

void mmu_notifier_register(struct mmu_notifier *sub, struct mm *mm);
void mmu_notifier_unregister(struct mmu_notifier *sub, struct mm *mm);

void mmu_notifier_invalidate_range(struct mm *mm, uint64_t start, uint64_t end);
void mmu_notifier_invalidate_code(struct mm *mm, uint64_t start, uint64_t end);
void mmu_notifier_switch_in(struct mm *mm, int cpu);
/* Tell every subscriber the mm is going, emptying the chain. */
void mmu_notifier_release(struct mm *mm);

#endif
