/*
 * userfaultfd_fill: the fill ioctls' charging and results (see
 * userfaultfd_fill.h).
 */
#include "sim/userfaultfd_fill.h"

#include <errno.h>

#include "mmu/agent.h"
#include "mmu/uaccess.h"

void uffd_charge_work(struct machine *m, const struct userfault_work *w)
{
	struct agent *a = machine_agent(m);
	struct event_cost ev = { 0 };

	event_charge(&ev, &m->profile, COST_PGTABLE_ALLOC, w->tables_allocated);
	event_charge(&ev, &m->profile, COST_PAGE_COPY, w->pages_copied);
	event_charge(&ev, &m->profile, COST_PAGE_ZERO, w->pages_zeroed);
	event_charge(&ev, &m->profile, COST_PTE_INSTALL, w->ptes_installed);
	agent_charge_cost(a, &ev);
}

long uffd_fill_result(struct mm *mm, uint64_t field, long ret, uint64_t len)
{
	int64_t out = ret;

	if (copy_to_user(mm, field, &out, sizeof(out)))
		return -EFAULT;
	if (ret < 0)
		return ret;
	return (uint64_t)ret == len ? 0 : -EAGAIN;
}
