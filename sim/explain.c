/*
 * explain: see explain.h.  A fault's story is gathered in two halves around
 * handle_mm_fault(): the walk and the TLB as the CPU found them, then the
 * walk, the TLB, the path and the cost as the handler left them.  The text
 * form is written here; the JSON form by sim/explain_json.c.
 */
#include "sim/explain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/fault.h"
#include "sim/disasm.h"
#include "sim/explain_story.h"
#include "util/parse.h"

enum explain_mode { EXPLAIN_ALL, EXPLAIN_FIRST, EXPLAIN_RANGE };

struct explainer {
	enum explain_mode mode;
	uint64_t first;			/* EXPLAIN_FIRST */
	uint64_t start, end;		/* EXPLAIN_RANGE: [start, end) */
	bool json;
	FILE *out;			/* NULL: the machine's log */
	uint64_t faults;		/* taken so far, selected or not */
};

static bool parse_range(const char *s, uint64_t *start, uint64_t *end)
{
	const char *dash = strchr(s, '-');
	gchar *lo;
	bool ok;

	if (!dash)
		return false;
	lo = g_strndup(s, (gsize)(dash - s));
	ok = parse_u64(lo, 0, start) && parse_u64(dash + 1, 0, end) && *start < *end;
	g_free(lo);
	return ok;
}

static bool parse_select(struct explainer *x, const char *select)
{
	uint64_t a;

	if (!strcmp(select, "all")) {
		x->mode = EXPLAIN_ALL;
		return true;
	}
	if (g_str_has_prefix(select, "first=")) {
		x->mode = EXPLAIN_FIRST;
		return parse_u64(select + 6, 0, &x->first) && x->first > 0;
	}
	if (g_str_has_prefix(select, "addr=") && parse_u64(select + 5, 0, &a)) {
		x->mode = EXPLAIN_RANGE;
		x->start = a & PAGE_MASK;
		x->end = x->start + PAGE_SIZE;
		return x->end > x->start;
	}
	x->mode = EXPLAIN_RANGE;
	return g_str_has_prefix(select, "range=") && parse_range(select + 6, &x->start, &x->end);
}

/* A selection by address must name user addresses (TTBR0, 48 bits). */
static bool in_user_space(const struct explainer *x)
{
	return x->mode != EXPLAIN_RANGE || !(x->start >> VA_BITS);
}

int explainer_open(const char *select, const char *format, const char *path,
		   struct explainer **out, GString *error)
{
	struct explainer *x = g_new0(struct explainer, 1);

	if (!parse_select(x, select)) {
		g_string_printf(error, "--explain %s: expected all, first=N, addr=ADDRESS or "
				"range=START-END", select);
		goto fail;
	}
	if (!in_user_space(x)) {
		g_string_printf(error, "--explain %s: beyond the %d-bit user address range", select,
				VA_BITS);
		goto fail;
	}
	if (format && strcmp(format, "text") && strcmp(format, "json")) {
		g_string_printf(error, "--explain-format %s: expected text or json", format);
		goto fail;
	}
	x->json = format && !strcmp(format, "json");
	if (path && !(x->out = fopen(path, "w"))) {
		g_string_printf(error, "--explain-file %s: %s", path, g_strerror(errno));
		goto fail;
	}
	*out = x;
	return 0;
fail:
	g_free(x);
	return -EINVAL;
}

void explainer_close(struct explainer *x)
{
	if (!x)
		return;
	if (x->out)
		fclose(x->out);
	g_free(x);
}

static bool selected(const struct explainer *x, uint64_t addr)
{
	switch (x->mode) {
	case EXPLAIN_ALL:
		return true;
	case EXPLAIN_FIRST:
		return x->faults <= x->first;
	case EXPLAIN_RANGE:
		return addr >= x->start && addr < x->end;
	}
	return false;
}

static void view_tlb(struct machine *m, struct mm *mm, uint64_t va, struct tlb_view *v)
{
	struct agent *a = machine_agent(m);

	*v = (struct tlb_view){ .modelled = a->tlb != NULL };
	if (!v->modelled)
		return;
	v->tagged = tlb_asid_tagged(a->tlb);
	v->asid = agent_asid(a, mm);
	tlb_probe(a->tlb, v->asid, va, &v->probe);
}

struct fault_story *explain_fault_begin(struct machine *m, struct task *t,
					const struct cpu_exit *e, struct vm_fault *vmf)
{
	struct explainer *x = m->explain;
	struct fault_story *s;

	if (!x || (++x->faults, !selected(x, e->addr)))
		return NULL;
	s = g_new0(struct fault_story, 1);
	s->number = x->faults;
	s->tid = t->tid;
	s->cpu = m->this_cpu->id;
	s->pc = e->pc;
	s->insn = g_string_new(NULL);
	disassemble_at(t->mm, e->pc, s->insn);
	s->address = e->addr;
	s->access = vmf->access;
	s->syndrome = e->syndrome;
	s->frequency_ghz = m->profile.frequency_ghz;
	walk_trace(t->mm->phys, t->mm->pgd, e->addr, vmf->access, &s->before);
	view_tlb(m, t->mm, e->addr, &s->tlb_before);
	s->vma = g_string_new(NULL);
	s->notes = g_string_new(NULL);
	vmf->notes = s->notes;
	return s;
}



static void write_steps(GString *out, const struct walk_trace *w, const struct walk_trace *unless)
{
	for (int level = 0; level < w->levels; level++) {
		const struct walk_step *st = &w->steps[level];

		if (unless && level < unless->levels && unless->steps[level].desc == st->desc &&
		    unless->steps[level].table == st->table)
			continue;
		g_string_append_printf(out, "    L%d  table 0x%08" PRIx64 " [%3u] = 0x%016" PRIx64 "  ",
				       level, st->table, st->index, st->desc);
		pte_describe(st->desc, level, out);
		g_string_append_c(out, '\n');
	}
	g_string_append(out, "    -> ");
	walk_verdict_describe(w, out);
	g_string_append_c(out, '\n');
}

void explain_write_walk(GString *out, const struct walk_trace *w)
{
	g_string_append_printf(out, "  address %#" PRIx64 " = ", w->va);
	va_describe_indices(w->va, out);
	g_string_append_printf(out, "\n  walk (root %#" PRIx64 "):\n", w->root);
	write_steps(out, w, NULL);
}

static void write_tlb(GString *out, const char *when, const struct tlb_view *v)
{
	const char *sep = " held in ";

	g_string_append(out, when);
	for (int c = 0; c < TLB_NR_CACHES; c++) {
		if (!v->probe.held[c])
			continue;
		g_string_append_printf(out, "%s%s", sep, tlb_cache_name(c));
		sep = ", ";
	}
	if (*sep == ' ')
		g_string_append(out, " in no TLB");
	if (v->probe.pwc_level < 0)
		g_string_append(out, "; walk cache: no table of its walk");
	else
		g_string_append_printf(out, "; walk cache: its tables of levels 0-%d", v->probe.pwc_level);
}

static void write_record(GString *out, const struct vm_fault *vmf)
{
	g_string_append_printf(out, "  handler: %s, %s\n", fault_kind_name(vmf->kind),
			       fault_path_describe(vmf));
	if (vmf->tables_allocated || vmf->pages_zeroed || vmf->pages_copied || vmf->ptes_installed ||
	    vmf->flushes)
		g_string_append_printf(out, "    %u table pages allocated, %u pages zeroed, %u copied, "
				       "%u entries installed (%u by fault-around), %u TLB flushes\n",
				       vmf->tables_allocated, vmf->pages_zeroed, vmf->pages_copied,
				       vmf->ptes_installed, vmf->pages_around, vmf->flushes);
	if (vmf->result == VM_FAULT_RETRY && vmf->wait_what)
		g_string_append_printf(out, "    sleeps on: %s\n", vmf->wait_what);
	if (fault_signal_name(vmf))
		g_string_append_printf(out, "    the task gets %s\n", fault_signal_name(vmf));
}

/* The designs' steps, one per line, indented as the handler's. */
static void write_notes(GString *out, const char *notes)
{
	gchar **lines = g_strsplit(notes, "\n", -1);

	for (gchar **l = lines; *l; l++)
		if (**l)
			g_string_append_printf(out, "  %s\n", *l);
	g_strfreev(lines);
}

static void write_cost(GString *out, const struct fault_story *s, const struct vm_fault *vmf)
{
	const char *sep = "";

	g_string_append(out, "  cost: ");
	for (int step = 0; step < NR_COST_STEPS; step++) {
		if (!vmf->cost.cycles[step])
			continue;
		g_string_append_printf(out, "%s%s %" PRIu64, sep, cost_step_key(step),
				       vmf->cost.cycles[step]);
		sep = " + ";
	}
	if (vmf->cost.device_wait) {
		g_string_append_printf(out, "%s%s %" PRIu64, sep, DEVICE_WAIT_STEP, vmf->cost.device_wait);
		sep = " + ";
	}
	g_string_append_printf(out, "%s%" PRIu64 " cycles (%.0f ns at %.2f GHz)\n", *sep ? " = " : "",
			       vmf->cost.total, (double)vmf->cost.total / s->frequency_ghz,
			       s->frequency_ghz);
}

static void write_text(GString *out, const struct fault_story *s, const struct vm_fault *vmf)
{
	g_string_append_printf(out, "fault %" PRIu64 ": task %d on cpu %d, %s at %#" PRIx64 "\n",
			       s->number, s->tid, s->cpu, fault_access_name(s->access), s->address);
	g_string_append_printf(out, "  pc %#" PRIx64 ": %s\n  syndrome %#010x: ", s->pc,
			       s->insn->str, s->syndrome);
	syndrome_describe(s->syndrome, out);
	g_string_append_c(out, '\n');
	explain_write_walk(out, &s->before);
	g_string_append_printf(out, "  vma: %s\n", s->vma->len ? s->vma->str : "none");
	write_record(out, vmf);
	write_notes(out, s->notes->str);
	g_string_append(out, "  entries after:\n");
	write_steps(out, &s->after, &s->before);
	if (s->tlb_before.modelled) {
		g_string_append_printf(out, "  tlb of cpu %d", s->cpu);
		if (s->tlb_before.tagged)
			g_string_append_printf(out, " (asid %u)", s->tlb_before.asid);
		write_tlb(out, ":\n    before:", &s->tlb_before);
		write_tlb(out, "\n    after:", &s->tlb_after);
		g_string_append_c(out, '\n');
	} else {
		g_string_append(out, "  tlb: not modelled (--tlb off)\n");
	}
	write_cost(out, s, vmf);
}

static void free_story(struct fault_story *s)
{
	g_string_free(s->insn, TRUE);
	g_string_free(s->vma, TRUE);
	g_string_free(s->notes, TRUE);
	g_free(s);
}

void explain_fault_end(struct machine *m, struct fault_story *s, const struct vm_fault *vmf)
{
	FILE *out;
	GString *text;

	if (!s)
		return;
	out = m->explain->out ? m->explain->out : m->log;
	walk_trace(vmf->mm->phys, vmf->mm->pgd, s->address, s->access, &s->after);
	view_tlb(m, vmf->mm, s->address, &s->tlb_after);
	if (vmf->vma)
		vma_format_maps_line(vmf->vma, s->vma);
	g_strchomp(s->vma->str);
	s->vma->len = strlen(s->vma->str);
	if (m->explain->json) {
		explain_write_json(out, s, vmf);
	} else {
		text = g_string_new(NULL);
		write_text(text, s, vmf);
		fputs(text->str, out);
		g_string_free(text, TRUE);
	}
	free_story(s);
}
