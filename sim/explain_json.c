/*
 * explain_json: a fault's story (sim/explain_story.h) as one line of JSON,
 * for tools (--explain-format json; the members are in docs/explain.md).
 * Addresses, descriptors and the syndrome are strings of hexadecimal
 * digits ("0x..."), which no JSON reader rounds; counts are numbers.
 */
#include <inttypes.h>
#include <json-glib/json-glib.h>

#include "mmu/fault.h"
#include "report/json.h"
#include "sim/explain_story.h"

static void add_hex(JsonBuilder *b, const char *key, uint64_t value)
{
	gchar *text = g_strdup_printf("%#" PRIx64, value);

	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, text);
	g_free(text);
}

static void add_int(JsonBuilder *b, const char *key, int64_t value)
{
	json_builder_set_member_name(b, key);
	json_builder_add_int_value(b, value);
}


static void add_walk(JsonBuilder *b, const char *key, const struct walk_trace *w)
{
	GString *text = g_string_new(NULL);

	json_builder_set_member_name(b, key);
	json_builder_begin_object(b);
	add_hex(b, "root", w->root);
	json_builder_set_member_name(b, "levels");
	json_builder_begin_array(b);
	for (int level = 0; level < w->levels; level++) {
		json_builder_begin_object(b);
		add_int(b, "level", level);
		add_hex(b, "table", w->steps[level].table);
		add_int(b, "index", w->steps[level].index);
		add_hex(b, "descriptor", w->steps[level].desc);
		g_string_truncate(text, 0);
		pte_describe(w->steps[level].desc, level, text);
		report_json_add_string(b, "decoded", text->str);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	g_string_truncate(text, 0);
	walk_verdict_describe(w, text);
	report_json_add_string(b, "verdict", text->str);
	json_builder_end_object(b);
	g_string_free(text, TRUE);
}

static void add_tlb(JsonBuilder *b, const char *key, const struct tlb_view *v)
{
	json_builder_set_member_name(b, key);
	if (!v->modelled) {
		json_builder_add_null_value(b);
		return;
	}
	json_builder_begin_object(b);
	for (int c = 0; c < TLB_NR_CACHES; c++) {
		json_builder_set_member_name(b, tlb_cache_name(c));
		json_builder_add_boolean_value(b, v->probe.held[c]);
	}
	add_int(b, "walk_cache_level", v->probe.pwc_level);
	if (v->tagged)
		add_int(b, "asid", v->asid);
	json_builder_end_object(b);
}

static void add_record(JsonBuilder *b, const struct vm_fault *vmf)
{
	json_builder_set_member_name(b, "handler");
	json_builder_begin_object(b);
	report_json_add_string(b, "kind", fault_kind_name(vmf->kind));
	report_json_add_string(b, "path", fault_path_describe(vmf));
	add_int(b, "tables_allocated", vmf->tables_allocated);
	add_int(b, "pages_zeroed", vmf->pages_zeroed);
	add_int(b, "pages_copied", vmf->pages_copied);
	add_int(b, "entries_installed", vmf->ptes_installed);
	add_int(b, "fault_around", vmf->pages_around);
	add_int(b, "flushes", vmf->flushes);
	report_json_add_string(b, "signal", fault_signal_name(vmf));
	json_builder_end_object(b);
}

static void add_cost(JsonBuilder *b, const struct fault_story *s, const struct vm_fault *vmf)
{
	json_builder_set_member_name(b, "cost");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "steps");
	json_builder_begin_object(b);
	for (int step = 0; step < NR_COST_STEPS; step++)
		if (vmf->cost.cycles[step])
			add_int(b, cost_step_key(step), (int64_t)vmf->cost.cycles[step]);
	if (vmf->cost.device_wait)
		add_int(b, DEVICE_WAIT_STEP, (int64_t)vmf->cost.device_wait);
	json_builder_end_object(b);
	add_int(b, "cycles", (int64_t)vmf->cost.total);
	json_builder_set_member_name(b, "ns");
	json_builder_add_double_value(b, (double)vmf->cost.total / s->frequency_ghz);
	json_builder_end_object(b);
}

static void add_notes(JsonBuilder *b, const GString *notes)
{
	gchar **lines = g_strsplit(notes->str, "\n", -1);

	json_builder_set_member_name(b, "design_steps");
	json_builder_begin_array(b);
	for (gchar **l = lines; *l; l++)
		if (**l)
			json_builder_add_string_value(b, *l);
	json_builder_end_array(b);
	g_strfreev(lines);
}

static void add_story(JsonBuilder *b, const struct fault_story *s, const struct vm_fault *vmf)
{
	GString *syndrome = g_string_new(NULL);

	syndrome_describe(s->syndrome, syndrome);
	add_int(b, "fault", (int64_t)s->number);
	add_int(b, "task", s->tid);
	add_int(b, "cpu", s->cpu);
	add_hex(b, "pc", s->pc);
	report_json_add_string(b, "instruction", s->insn->str);
	add_hex(b, "address", s->address);
	report_json_add_string(b, "access", fault_access_name(s->access));
	add_hex(b, "syndrome", s->syndrome);
	report_json_add_string(b, "syndrome_decoded", syndrome->str);
	json_builder_set_member_name(b, "indices");
	json_builder_begin_array(b);
	for (int level = 0; level < PGTABLE_LEVELS; level++)
		json_builder_add_int_value(b, pgtable_index(s->address, level));
	json_builder_end_array(b);
	add_hex(b, "page_offset", s->address & (PAGE_SIZE - 1));
	add_walk(b, "walk", &s->before);
	report_json_add_string(b, "vma", s->vma->len ? s->vma->str : NULL);
	add_record(b, vmf);
	add_notes(b, s->notes);
	add_walk(b, "walk_after", &s->after);
	add_tlb(b, "tlb_before", &s->tlb_before);
	add_tlb(b, "tlb_after", &s->tlb_after);
	add_cost(b, s, vmf);
	g_string_free(syndrome, TRUE);
}

void explain_write_json(FILE *out, const struct fault_story *s, const struct vm_fault *vmf)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *gen = json_generator_new();
	JsonNode *root;
	gchar *line;

	json_builder_begin_object(b);
	add_story(b, s, vmf);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	line = json_generator_to_data(gen, NULL);
	fprintf(out, "%s\n", line);
	g_free(line);
	json_node_unref(root);
	g_object_unref(gen);
	g_object_unref(b);
}
