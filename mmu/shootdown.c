/*
 * shootdown: the holders of an mm's translations, the flush of each model
 * TLB, and the cost on both sides.
 */
#include "mmu/shootdown.h"

static uint64_t cpu_bit(int cpu)
{
	return UINT64_C(1) << cpu;
}

/* The CPUs whose TLBs may hold entries of `mm`; CPUs that cannot (untagged,
 * switched away) leave the mask. */
static uint64_t holders(struct shootdown_cpu *cpus, int nr_cpus, struct mm *mm,
			const struct cost_profile *p)
{
	for (int c = 0; c < nr_cpus && !p->tlb.asid_tagged; c++)
		if (cpus[c].active_mm != mm->id)
			mm->cpumask &= ~cpu_bit(c);
	return mm->cpumask;
}

static void flush_model(struct tlb *tlb, uint16_t asid, uint64_t start, const struct shootdown *sd)
{
	if (!tlb)
		return;
	if (sd->full)
		tlb_flush_asid(tlb, asid);
	for (uint64_t i = 0; i < sd->pages; i++)
		tlb_flush_page(tlb, asid, start + i * PAGE_SIZE);
}

/* A CPU flushed while it does not run the mm holds nothing of it any more. */
static void flush_cpu(struct shootdown_cpu *cpus, int c, struct mm *mm, uint16_t asid,
		      uint64_t start, const struct shootdown *sd)
{
	flush_model(cpus[c].tlb, asid, start, sd);
	if (cpus[c].active_mm != mm->id)
		mm->cpumask &= ~cpu_bit(c);
}

static void charge_local_flush(struct event_cost *ev, const struct cost_profile *p,
			       const struct shootdown *sd)
{
	if (sd->full)
		event_charge(ev, p, COST_TLB_FLUSH_ALL, 1);
	else
		event_charge(ev, p, COST_TLB_FLUSH_PAGE, sd->pages);
}

static void shoot_ipis(struct shootdown_cpu *cpus, int nr_cpus, int self, struct mm *mm,
		       uint16_t asid, uint64_t start, const struct cost_profile *p, struct shootdown *out)
{
	uint64_t mask = holders(cpus, nr_cpus, mm, p);

	if (mask & cpu_bit(self)) {
		flush_cpu(cpus, self, mm, asid, start, out);
		charge_local_flush(&out->initiator, p, out);
	}
	for (int c = 0; c < nr_cpus; c++) {
		if (c == self || !(mask & cpu_bit(c)))
			continue;
		flush_cpu(cpus, c, mm, asid, start, out);
		out->targets |= cpu_bit(c);
		out->nr_targets++;
	}
	if (!out->nr_targets)
		return;
	event_charge(&out->target, p, COST_IPI_HANDLE, 1);
	charge_local_flush(&out->target, p, out);
	event_charge(&out->initiator, p, COST_IPI_SEND, out->nr_targets);
	/* Every target does the same work: the slowest acknowledges after one
	 * target's handling. */
	event_add(&out->initiator, &out->target);
	event_charge(&out->initiator, p, COST_ACK_WAIT, 1);
}

static void shoot_broadcast(struct shootdown_cpu *cpus, int nr_cpus, struct mm *mm, uint16_t asid,
			    uint64_t start, const struct cost_profile *p, struct shootdown *out)
{
	for (int c = 0; c < nr_cpus; c++)	/* leaves only the CPUs running mm in its mask */
		flush_cpu(cpus, c, mm, asid, start, out);
	event_charge(&out->initiator, p, COST_TLBI_BROADCAST, out->full ? 1 : out->pages);
	event_charge(&out->initiator, p, COST_TLBI_SYNC, 1);
}

void shootdown_flush(struct shootdown_cpu *cpus, int nr_cpus, int self, struct mm *mm,
		     uint16_t asid, uint64_t start, uint64_t end, const struct cost_profile *p,
		     struct shootdown *out)
{
	uint64_t pages = (PAGE_ALIGN(end) - (start & PAGE_MASK)) >> PAGE_SHIFT;

	*out = (struct shootdown){ .full = pages > FLUSH_CEILING_PAGES };
	out->pages = out->full ? 0 : pages;
	start &= PAGE_MASK;
	if (!pages)
		return;
	if (p->shootdown == SHOOTDOWN_IPI)
		shoot_ipis(cpus, nr_cpus, self, mm, asid, start, p, out);
	else
		shoot_broadcast(cpus, nr_cpus, mm, asid, start, p, out);
}
