/*
 * notifier: the chain is a singly linked list in registration order; it is
 * short (a handful of subscribers), so walking it is cheap.
 */
#include "mmu/notifier.h"

#include <stddef.h>

#include "mmu/mm.h"

void mmu_notifier_register(struct mmu_notifier *sub, struct mm *mm)
{
	struct mmu_notifier **link = &mm->notifiers;

	while (*link)
		link = &(*link)->next;
	sub->next = NULL;
	*link = sub;
}

void mmu_notifier_unregister(struct mmu_notifier *sub, struct mm *mm)
{
	for (struct mmu_notifier **link = &mm->notifiers; *link; link = &(*link)->next) {
		if (*link == sub) {
			*link = sub->next;
			sub->next = NULL;
			return;
		}
	}
}

void mmu_notifier_invalidate_range(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct mmu_notifier *sub = mm->notifiers; sub; sub = sub->next)
		if (sub->ops->invalidate_range)
			sub->ops->invalidate_range(sub, mm, start, end);
}

void mmu_notifier_invalidate_code(struct mm *mm, uint64_t start, uint64_t end)
{
	for (struct mmu_notifier *sub = mm->notifiers; sub; sub = sub->next)
		if (sub->ops->invalidate_code)
			sub->ops->invalidate_code(sub, mm, start, end);
}

void mmu_notifier_switch_in(struct mm *mm, int cpu)
{
	for (struct mmu_notifier *sub = mm->notifiers; sub; sub = sub->next)
		if (sub->ops->switch_in)
			sub->ops->switch_in(sub, mm, cpu);
}

void mmu_notifier_release(struct mm *mm)
{
	struct mmu_notifier *sub;

	while ((sub = mm->notifiers)) {
		mm->notifiers = sub->next;
		sub->next = NULL;
		if (sub->ops->release)
			sub->ops->release(sub, mm);
	}
}
