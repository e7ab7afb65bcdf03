/*
 * record: the run's accesses and MMU events into a trace (sim/record.h).
 */
#include "sim/record.h"

#include "mmu/figures.h"
#include "mmu/notifier.h"
#include "traces/journal.h"

struct recorder {
	struct trace_writer *w;		/* NULL once finished */
	struct journal_recorder *journal;
	const struct phys *phys;
};

/* The recorder's subscription to one mm's chain. */
struct mm_watch {
	struct mmu_notifier sub;
	struct recorder *r;
};

static void on_switch_in(struct mmu_notifier *sub, struct mm *mm, int cpu)
{
	struct mm_watch *mw = (struct mm_watch *)sub;

	if (mw->r->w)
		trace_write_event(mw->r->w, cpu, TRACE_SWITCH, &mm->id);
}

static void on_release(struct mmu_notifier *sub, struct mm *mm)
{
	struct mm_watch *mw = (struct mm_watch *)sub;

	if (mw->r->w)
		trace_write_event(mw->r->w, -1, TRACE_MM_DROP, &mm->id);
	g_free(mw);
}

static const struct mmu_notifier_ops watch_ops = {
	.release = on_release,
	.switch_in = on_switch_in,
};

struct recorder *recorder_open(const char *path, const struct trace_header *h, struct domain *d,
			       struct phys *phys, GString *error)
{
	struct trace_writer *w = trace_writer_open(path, h, error);
	struct recorder *r;

	if (!w)
		return NULL;
	r = g_new0(struct recorder, 1);
	r->w = w;
	r->phys = phys;
	r->journal = journal_record(w, d, phys);
	return r;
}

void recorder_attach_mm(struct recorder *r, struct mm *mm, const struct mm *parent)
{
	struct mm_watch *mw;
	uint64_t args[2] = { parent ? parent->id : mm->id, mm->id };
	uint64_t root[2] = { mm->id, mm->pgd };

	if (!r || !r->w)
		return;
	if (parent)
		trace_write_event(r->w, -1, TRACE_MM_DUP, args);
	else
		trace_write_event(r->w, -1, TRACE_MM_NEW, args);
	trace_write_event(r->w, -1, TRACE_ROOT, root);
	mw = g_new0(struct mm_watch, 1);
	mw->sub.ops = &watch_ops;
	mw->r = r;
	mmu_notifier_register(&mw->sub, mm);
}

void recorder_access(struct recorder *r, int cpu, enum trace_kind kind, uint64_t va,
		     uint64_t size)
{
	if (r->w)
		trace_write_access(r->w, cpu, kind, va, size);
}

struct trace_log *recorder_log(struct recorder *r, int cpu)
{
	return r->w ? trace_writer_log(r->w, cpu) : NULL;
}

void recorder_mm_op(struct recorder *r, enum trace_type type, const uint64_t *args)
{
	if (r && r->w)
		trace_write_event(r->w, -1, type, args);
}

void recorder_write_totals(struct recorder *r, const struct vm_stats *vs)
{
	struct memory_figures mf;

	if (!r || !r->w)
		return;
	memory_figures_read(r->phys, &mf);
	trace_write_event(r->w, -1, TRACE_VM_COUNTS,
			  (uint64_t[]){ vs->fault_around_pages, vs->tlb_flushes });
	trace_write_event(r->w, -1, TRACE_MEMORY,
			  (uint64_t[]){ mf.data, mf.page_tables, mf.simulator, mf.peak,
					mf.peak_page_tables, mf.peak_cpu_page_tables });
}

void recorder_write_device(struct recorder *r, int dev, const struct device_figures *f)
{
	const struct device_counters *c = &f->counters;

	if (!r || !r->w)
		return;
	trace_write_event(r->w, -1, TRACE_DEV_COUNTS,
			  (uint64_t[]){ (uint64_t)dev, c->kernels, c->accesses, c->faults, c->to_device,
					c->to_cpu, c->zero_pages, c->mirrored, c->pte_updates,
					c->inval_pages, c->inval_ranges, c->link_bytes,
					f->peak_frames, f->peak_pt_frames });
}

int recorder_finish(struct recorder *r, GString *error)
{
	int ret;

	if (!r || !r->w)
		return 0;
	journal_stop(r->journal);
	r->journal = NULL;
	ret = trace_writer_close(r->w, error);
	r->w = NULL;
	return ret;
}

void recorder_free(struct recorder *r)
{
	GString *ignored = g_string_new(NULL);

	recorder_finish(r, ignored);	/* a run that ended early: its trace has an end */
	g_string_free(ignored, TRUE);
	g_free(r);
}
