/*
 * sys_vas_state: the look-ups of the VAS design's state that its calls
 * (sim/sys_vas.c) and its files (sim/sys_vas_fs.c) both make (contract in
 * sys_vas.h).
 */
#include "sim/sys_vas.h"

struct mm *vas_original_mm(struct task *t)
{
	return g_ptr_array_index(t->mms, 0);
}

GPtrArray *vas_attachments(struct vas_state *s, struct task *t)
{
	struct vas_context *ctx = g_hash_table_lookup(s->contexts, vas_original_mm(t));

	return ctx ? ctx->atts : NULL;
}

static gint compare_ids(gconstpointer a, gconstpointer b)
{
	return GPOINTER_TO_INT(a) - GPOINTER_TO_INT(b);	/* ids are positive */
}

GList *vas_sorted_ids(GHashTable *table)
{
	return g_list_sort(g_hash_table_get_keys(table), compare_ids);
}
