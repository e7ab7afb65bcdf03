/*
 * roi: the region-of-interest calls and their bookkeeping (see roi.h).
 */
#include "sim/roi.h"

#include <errno.h>

#include "guest/mmusim.h"
#include "sim/syscall.h"

void run_counters_read(const struct machine *m, struct run_counters *out)
{
	*out = (struct run_counters){
		.instructions = cpu_insns(m->cpu),
		.simulated_ns = machine_simulated_ns(m),
		.fault_around_pages = m->vmstats.fault_around_pages,
		.tlb_flushes = m->vmstats.tlb_flushes,
		.shootdowns = m->domain.shootdowns,
		.process_switches = m->sched.process_switches,
		.thread_switches = m->sched.thread_switches,
		.forks = m->sched.forks,
		.threads_created = m->sched.threads_created,
		.execs = m->sched.execs,
	};
	for (int k = 0; k < NR_FAULT_KINDS; k++)
		out->faults[k] = m->vmstats.faults[k];
	domain_tlb_stats(&m->domain, &out->tlb);
}

static void roi_open(struct machine *m)
{
	struct region *r = m->region;

	r->open = true;
	r->intervals++;
	run_counters_read(m, &r->start);
	latency_set_tee(m->domain.latency, r->latency);
}

static void roi_close(struct machine *m)
{
	struct region *r = m->region;
	struct run_counters now;

	run_counters_read(m, &now);
	run_counters_add_interval(&r->sum, &r->start, &now);
	latency_set_tee(m->domain.latency, NULL);
	r->open = false;
}

void roi_syscall_entry(struct machine *m, unsigned nr)
{
	if (nr == MMUSIM_ROI_END && m->region && m->region->open) {
		roi_close(m);
		m->region->closed_at_entry = true;
	}
}

/* Start the region's figures again from zero: after the reset call has
 * been counted and recorded, so that it is no part of them. */
static void roi_reset(struct machine *m)
{
	struct region *r = m->region;

	region_clear(r);
	if (r->open) {
		run_counters_read(m, &r->start);
		latency_set_tee(m->domain.latency, r->latency);
	}
}

void roi_syscall_exit(struct machine *m, unsigned nr, long ret)
{
	if (nr == MMUSIM_ROI_BEGIN && ret == 0)
		roi_open(m);
	else if (nr == MMUSIM_RESET_STATS && m->region)
		roi_reset(m);
}

void roi_finish(struct machine *m)
{
	if (m->region && m->region->open)
		roi_close(m);
}

void roi_counters(const struct machine *m, struct run_counters *out)
{
	struct run_counters now;

	*out = m->region->sum;
	if (m->region->open) {
		run_counters_read(m, &now);
		run_counters_add_interval(out, &m->region->start, &now);
	}
}

/* The region opens when this returns 0 (roi_syscall_exit). */
SYSCALL(mmusim_roi_begin)
{
	if (m->region && m->region->open)
		return -EINVAL;
	if (!m->region)
		m->region = region_new();
	return 0;
}

/* The region closed when this call entered (roi_syscall_entry). */
SYSCALL(mmusim_roi_end)
{
	if (!m->region || !m->region->closed_at_entry)
		return -EINVAL;
	m->region->closed_at_entry = false;
	return 0;
}

/* The figures are reset when this returns (roi_syscall_exit). */
SYSCALL(mmusim_reset_stats)
{
	return 0;
}

const struct syscall_desc roi_syscalls[] = {
	SYSCALL_DESC(MMUSIM_ROI_BEGIN, mmusim_roi_begin, ""),
	SYSCALL_DESC(MMUSIM_ROI_END, mmusim_roi_end, ""),
	SYSCALL_DESC(MMUSIM_RESET_STATS, mmusim_reset_stats, ""),
	{ 0 }
};
