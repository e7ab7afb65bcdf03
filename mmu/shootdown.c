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

/* Flushes CPU `c` (its model TLB and what it holds). */
struct flusher {
	void (*flush)(const struct flusher *f, int c);
	struct shootdown_cpu *cpus;
	const struct shootdown *sd;
	uint64_t start;
	struct mm *mm;			/* shootdown_flush() */
	uint16_t asid;
	const uint16_t *asids;		/* shootdown_flush_mask() */
	int nr_asids;
};

static void flush_mm_cpu(const struct flusher *f, int c)
{
	flush_cpu(f->cpus, c, f->mm, f->asid, f->start, f->sd);
}

static void shoot_ipis(const struct flusher *f, int nr_cpus, int self, uint64_t mask,
		       const struct cost_profile *p, struct shootdown *out)
{
	if (mask & cpu_bit(self)) {
		f->flush(f, self);
		charge_local_flush(&out->initiator, p, out);
		out->nr_flushed++;
	}
	for (int c = 0; c < nr_cpus; c++) {
		if (c == self || !(mask & cpu_bit(c)))
			continue;
		f->flush(f, c);
		out->targets |= cpu_bit(c);
		out->nr_targets++;
		out->nr_flushed++;
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

static void shoot_broadcast(const struct flusher *f, int nr_cpus, const struct cost_profile *p,
			    struct shootdown *out)
{
	for (int c = 0; c < nr_cpus; c++)
		f->flush(f, c);
	out->nr_flushed = nr_cpus;
	event_charge(&out->initiator, p, COST_TLBI_BROADCAST, out->full ? 1 : out->pages);
	event_charge(&out->initiator, p, COST_TLBI_SYNC, 1);
}

/* The range in pages: beyond the ceiling, the whole ASID. */
static uint64_t begin_shootdown(uint64_t start, uint64_t end, struct shootdown *out)
{
	uint64_t pages = (PAGE_ALIGN(end) - (start & PAGE_MASK)) >> PAGE_SHIFT;

	*out = (struct shootdown){ .full = pages > FLUSH_CEILING_PAGES };
	out->pages = out->full ? 0 : pages;
	return pages;
}

void shootdown_flush(struct shootdown_cpu *cpus, int nr_cpus, int self, struct mm *mm,
		     uint16_t asid, uint64_t start, uint64_t end, const struct cost_profile *p,
		     struct shootdown *out)
{
	struct flusher f = { flush_mm_cpu, cpus, out, start & PAGE_MASK, mm, asid, NULL, 0 };

	if (!begin_shootdown(start, end, out))
		return;
	if (p->shootdown == SHOOTDOWN_IPI)	/* leaves only the CPUs running mm in its mask */
		shoot_ipis(&f, nr_cpus, self, holders(cpus, nr_cpus, mm, p), p, out);
	else
		shoot_broadcast(&f, nr_cpus, p, out);
}

/* Every ASID of the list, or the whole TLB for none. */
static void flush_asids_cpu(const struct flusher *f, int c)
{
	if (!f->cpus[c].tlb)
		return;
	if (!f->nr_asids)
		tlb_flush_all(f->cpus[c].tlb);
	for (int i = 0; i < f->nr_asids; i++)
		flush_model(f->cpus[c].tlb, f->asids[i], f->start, f->sd);
}

void shootdown_flush_mask(struct shootdown_cpu *cpus, int nr_cpus, int self, uint64_t mask,
			  const uint16_t *asids, int nr_asids, uint64_t start, uint64_t end,
			  const struct cost_profile *p, struct shootdown *out)
{
	struct flusher f = { flush_asids_cpu, cpus, out, start & PAGE_MASK, NULL, 0, asids,
			     nr_asids };

	if (!begin_shootdown(start, end, out))
		return;
	out->full |= !nr_asids;
	if (out->full)
		out->pages = 0;
	if (p->shootdown == SHOOTDOWN_IPI)
		shoot_ipis(&f, nr_cpus, self, mask, p, out);
	else
		shoot_broadcast(&f, nr_cpus, p, out);
}
