/*
 * sys_vas: the sixteen calls of first-class virtual address spaces (the
 * 2017 RFC; the model is mmu/vas), numbers MMUSIM_SYSCALL_BASE + 0..15 in
 * the RFC's order (guest/vas.h).
 *
 * As in the RFC, the VASes attached to a task are those of its context
 * (struct vas_context), shared by the tasks that share its original mm
 * (mms[0]: the threads and vfork children made with CLONE_VM); a fork child
 * or an exec starts a new, empty one.  Each attach (struct vas_attachment)
 * has its mm, held by the context; vas_switch makes it the calling thread's
 * active mm (task_switch_mm; the thread holds the mm it runs in), after
 * synchronising the own mappings from the mm left into the mm entered, and
 * does the hardware switch on the running agent (agent_switch_mm: a flush
 * without ASIDs, none with them), recorded as "switch:vas" with the TLB
 * refills that follow.  Each thread has its active VAS (the RFC's
 * tsk->active_vas); vas_detach refuses only the target thread's own active
 * one, so a sibling running in a detached VAS keeps running in that mm,
 * still reports the VAS active and may switch back (the RFC's weak spot).
 * The state is a design of the machine (struct design_ops): a task that
 * exits or execs switches back first; the last task of a context detaches
 * everything.
 *
 * Permissions are the mode bits against the caller's effective uid, gid
 * and supplementary groups (sim/cred.h); a new VAS or segment belongs to
 * them.  CAP_DAC_OVERRIDE bypasses the bits, so root passes until it
 * changes its ids.
 */
#include <errno.h>
#include <fcntl.h>

#include "mmu/pagewalk.h"
#include "mmu/uaccess.h"
#include "mmu/vas/vas.h"
#include "report/model.h"
#include "sim/sys_vas.h"
#include "sim/syscall.h"

/* MMUSIM_SYSCALL_BASE + n (guest/mmusim.h, guest/vas.h) */
#define NR_VAS(n) (1000 + (n))


/* The task's effective ids and groups, as SysV IPC's ipcperms checks them;
 * CAP_DAC_OVERRIDE (root until it changes its ids) passes every check. */
static struct vas_cred current_cred(const struct task *t)
{
	const struct cred *c = &t->cred;

	return (struct vas_cred){ .uid = c->euid, .gid = c->egid,
				  .override = cred_capable(c, CAP_DAC_OVERRIDE),
				  .groups = c->groups ? c->groups->gid : NULL,
				  .ngroups = c->groups ? c->groups->ngroups : 0 };
}

static void free_attachment(struct vas_attachment *att)
{
	if (att->own)
		g_array_free(att->own, TRUE);
	mmput(att->mm);
	g_free(att);
}

static void free_context(struct vas_context *ctx)
{
	g_ptr_array_unref(ctx->atts);
	g_free(ctx);
}

static struct vas_state *vas_state(struct machine *m)
{
	struct vas_state *s = machine_design(m, &vas_design);

	if (!s) {
		s = g_new0(struct vas_state, 1);
		vas_registry_init(&s->reg, m->phys, &m->vmstats);
		s->reg.lazy = m->opt.vas_lazy;
		s->contexts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
						    (GDestroyNotify)free_context);
		s->active = g_hash_table_new(g_direct_hash, g_direct_equal);
		machine_add_design(m, &vas_design, s);
		vas_fs_mount(m, s);
	}
	return s;
}

static struct vas_context *get_context(struct vas_state *s, struct task *t)
{
	struct vas_context *ctx = g_hash_table_lookup(s->contexts, vas_original_mm(t));

	if (!ctx) {
		ctx = g_new0(struct vas_context, 1);
		ctx->atts = g_ptr_array_new_with_free_func((GDestroyNotify)free_attachment);
		ctx->pid = t->proc->pid;
		g_hash_table_insert(s->contexts, vas_original_mm(t), ctx);
	}
	return ctx;
}

static int active_vid(struct vas_state *s, struct task *t)
{
	return GPOINTER_TO_INT(g_hash_table_lookup(s->active, t));
}

static struct vas_attachment *find_attachment(struct vas_state *s, struct task *t, int vid)
{
	GPtrArray *a = vas_attachments(s, t);

	for (guint i = 0; a && i < a->len; i++) {
		struct vas_attachment *att = g_ptr_array_index(a, i);

		if (att->vas->id == vid)
			return att;
	}
	return NULL;
}

/* The attachment whose mm `t` runs in, or NULL (its original mm, or the
 * mm of a VAS detached under it). */
static struct vas_attachment *active_attachment(struct vas_state *s, struct task *t)
{
	struct vas_attachment *att = find_attachment(s, t, active_vid(s, t));

	return att && att->mm == t->mm ? att : NULL;
}

/* A name argument: -EFAULT for a wild pointer, -EINVAL past the RFC's
 * VAS_MAX_NAME_LENGTH (strndup_user). */
static long get_name(struct task *t, uint64_t uname, char name[VAS_MAX_NAME_LENGTH])
{
	long len = strncpy_from_user(t->mm, name, uname, VAS_MAX_NAME_LENGTH);

	return len == -ENAMETOOLONG ? -EINVAL : len < 0 ? len : 0;
}

static struct task *find_target(struct machine *m, struct task *t, int64_t pid)
{
	if (pid == 0)
		return t;
	if (pid < 0 || pid > INT32_MAX)
		return NULL;
	return g_hash_table_lookup(m->tasks, GINT_TO_POINTER((int)pid));
}

/* Charge a copy's entries to the call running. */
static void charge_copy(struct machine *m, const struct vas_copy_stats *st)
{
	agent_charge(machine_agent(m), COST_PTE_INSTALL, st->entries);
}

SYSCALL(vas_create)
{
	char name[VAS_MAX_NAME_LENGTH];
	long err = get_name(t, a[0], name);
	struct vas_cred cred = current_cred(t);

	return err ? err : vas_create(&vas_state(m)->reg, name, (uint32_t)a[1], &cred);
}

SYSCALL(vas_delete)
{
	struct vas_cred cred = current_cred(t);

	return vas_delete(&vas_state(m)->reg, (int)a[0], &cred);
}

SYSCALL(vas_find)
{
	char name[VAS_MAX_NAME_LENGTH];
	long err = get_name(t, a[0], name);

	return err ? err : vas_find(&vas_state(m)->reg, name);
}

SYSCALL(vas_attach)
{
	struct vas_state *s = vas_state(m);
	struct vas *vas = vas_lookup(&s->reg, (int)a[1]);
	struct task *target = find_target(m, t, (int64_t)a[0]);
	unsigned may = vas_type_to_may((int)a[2]);
	struct vas_cred cred = current_cred(t);
	struct vas_copy_stats st = { 0 };
	struct vas_attachment *att;
	long err;

	if (!target)
		return -ESRCH;
	if (!vas || !may)
		return -EINVAL;
	if (find_attachment(s, target, vas->id))
		return 0;
	err = vas_may_attach(vas, may, &cred);
	if (err)
		return err;
	att = g_new0(struct vas_attachment, 1);
	err = machine_new_mm(m, &att->mm);
	if (err) {
		g_free(att);
		return err;
	}
	err = vas_attach_build(att, vas, may, vas_original_mm(target), &st);
	charge_copy(m, &st);
	if (err) {
		free_attachment(att);
		return err;
	}
	g_ptr_array_add(get_context(s, target)->atts, att);
	s->reg.attaches++;
	return 0;
}

/* End an attach of `atts`: merge a writable VAS back, drop the context's
 * mm (a sibling thread running in it keeps its own reference). */
static void detach(struct vas_state *s, struct machine *m, GPtrArray *atts,
		   struct vas_attachment *att)
{
	struct vas_copy_stats st = { 0 };

	vas_attach_release(att, &st);
	charge_copy(m, &st);
	s->reg.detaches++;
	g_ptr_array_remove(atts, att);
}

SYSCALL(vas_detach)
{
	struct vas_state *s = vas_state(m);
	struct task *target = find_target(m, t, (int64_t)a[0]);
	struct vas_attachment *att;

	if (!target)
		return -ESRCH;
	att = find_attachment(s, target, (int)a[1]);
	if (!att)
		return -EINVAL;
	if (active_vid(s, target) == att->vas->id)
		return -EBUSY;
	detach(s, m, vas_attachments(s, target), att);
	return 0;
}

/* Move `t` from its active mm to `to` (its original mm or an attachment's):
 * the own mappings follow, then the agent switches address space.  The
 * thread holds the mm it runs in; the one left (not the original) it lets
 * go once the agent has left it too. */
static long switch_to(struct machine *m, struct vas_state *s, struct task *t,
		      struct vas_attachment *to)
{
	struct vas_attachment *from = active_attachment(s, t);
	struct mm *orig = vas_original_mm(t), *left = t->mm;
	struct vas_copy_stats st = { 0 };
	struct agent *ag = machine_agent(m);
	struct event_cost ev;
	long err = 0;

	if (from)
		err = vas_sync_own(from, from->mm, orig, &st);
	if (!err && to)
		err = vas_sync_own(to, orig, to->mm, &st);
	charge_copy(m, &st);
	if (err)
		return err;
	if (to) {
		task_attach_mm(t, to->mm);
		g_hash_table_insert(s->active, t, GINT_TO_POINTER(to->vas->id));
	} else {
		g_hash_table_remove(s->active, t);
	}
	task_switch_mm(t, to ? to->mm : orig);
	ev = agent_switch_mm(ag, t->mm);
	agent_charge_cost(ag, &ev);
	agent_open_switch(ag, "switch:vas", &ev);
	if (left != orig && g_ptr_array_remove(t->mms, left))
		mmput(left);
	s->reg.switches++;
	return 0;
}

SYSCALL(vas_switch)
{
	struct vas_state *s = vas_state(m);
	int vid = (int)a[0];
	struct vas_attachment *to = vid ? find_attachment(s, t, vid) : NULL;

	if (vid && !to)
		return -EINVAL;
	if (t->mm == (to ? to->mm : vas_original_mm(t)))
		return 0;
	return switch_to(m, s, t, to);
}

SYSCALL(active_vas)
{
	(void)a;
	return active_vid(vas_state(m), t);
}

SYSCALL(vas_getattr)
{
	struct vas_attr attr;
	long err = vas_getattr(&vas_state(m)->reg, (int)a[0], &attr);

	return err ? err : copy_to_user(t->mm, a[1], &attr, sizeof(attr));
}

SYSCALL(vas_setattr)
{
	struct vas_cred cred = current_cred(t);
	struct vas_attr attr;
	long err = copy_from_user(t->mm, &attr, a[1], sizeof(attr));

	return err ? err : vas_setattr(&vas_state(m)->reg, (int)a[0], &attr, &cred);
}

SYSCALL(vas_seg_create)
{
	char name[VAS_MAX_NAME_LENGTH];
	long err = get_name(t, a[0], name);
	struct vas_cred cred = current_cred(t);

	return err ? err : vas_seg_create(&vas_state(m)->reg, name, a[1], a[2], (uint32_t)a[3], &cred);
}

SYSCALL(vas_seg_delete)
{
	struct vas_cred cred = current_cred(t);

	return vas_seg_delete(&vas_state(m)->reg, (int)a[0], &cred);
}

SYSCALL(vas_seg_find)
{
	char name[VAS_MAX_NAME_LENGTH];
	long err = get_name(t, a[0], name);

	return err ? err : vas_seg_find(&vas_state(m)->reg, name);
}

SYSCALL(vas_seg_attach)
{
	struct vas_cred cred = current_cred(t);

	return vas_seg_attach(&vas_state(m)->reg, (int)a[0], (int)a[1], (int)a[2], &cred);
}

SYSCALL(vas_seg_detach)
{
	struct vas_cred cred = current_cred(t);

	return vas_seg_detach(&vas_state(m)->reg, (int)a[0], (int)a[1], &cred);
}

SYSCALL(vas_seg_getattr)
{
	struct vas_attr attr;
	long err = vas_seg_getattr(&vas_state(m)->reg, (int)a[0], &attr);

	return err ? err : copy_to_user(t->mm, a[1], &attr, sizeof(attr));
}

SYSCALL(vas_seg_setattr)
{
	struct vas_cred cred = current_cred(t);
	struct vas_attr attr;
	long err = copy_from_user(t->mm, &attr, a[1], sizeof(attr));

	return err ? err : vas_seg_setattr(&vas_state(m)->reg, (int)a[0], &attr, &cred);
}

/* The task exits or execs: back to its original mm (its own mappings
 * synchronised into it); the last task of its context detaches every VAS. */
static void vas_task_release(struct machine *m, struct task *t, void *state)
{
	struct vas_state *s = state;
	struct vas_attachment *active = active_attachment(s, t);
	struct mm *orig = vas_original_mm(t);
	GPtrArray *a = vas_attachments(s, t);
	struct vas_copy_stats st = { 0 };

	if (active && !vas_sync_own(active, active->mm, orig, &st))
		task_switch_mm(t, orig);
	g_hash_table_remove(s->active, t);
	if (orig->users > 1)
		return;
	while (a && a->len)
		detach(s, m, a, g_ptr_array_index(a, a->len - 1));
	g_hash_table_remove(s->contexts, orig);
}

static void vas_destroy(void *state)
{
	struct vas_state *s = state;

	g_hash_table_destroy(s->contexts);
	g_hash_table_destroy(s->active);
	vas_registry_fini(&s->reg);
	g_free(s);
}

static void report_attr(struct report_node *row, const struct vas_attr *attr)
{
	report_add_count(row, "mode", NULL, attr->mode);
	report_add_count(row, "user", NULL, attr->user);
	report_add_count(row, "group", NULL, attr->group);
}

static void report_vases(struct report_node *sec, struct vas_registry *r)
{
	struct report_node *list = report_add_list(sec, "vases", "VASes", TEXT_TABLE);
	GList *ids = vas_sorted_ids(r->vases);

	report_add_column(list, "id", "id", 4);
	report_add_column(list, "name", "name", -16);
	report_add_column(list, "readers", "readers", 8);
	report_add_column(list, "writers", "writers", 8);
	report_add_column(list, "segments", "segments", 9);
	report_add_column(list, "page_tables", "page tables", 12);
	for (GList *l = ids; l; l = l->next) {
		struct vas *vas = g_hash_table_lookup(r->vases, l->data);
		struct report_node *row = report_add_section(list, NULL, NULL, TEXT_INLINE);

		report_add_count(row, "id", NULL, (uint64_t)vas->id);
		report_add_string(row, "name", vas->name);
		report_attr(row, &vas->attr);
		report_add_count(row, "readers", NULL, (uint64_t)vas->readers);
		report_add_count(row, "writers", NULL, (uint64_t)vas->writers);
		report_add_count(row, "segments", NULL, vas->segs->len);
		report_add_count(row, "page_tables", NULL, mm_pgtable_pages(vas->mm));
	}
	g_list_free(ids);
}

static void report_segments(struct report_node *sec, struct vas_registry *r)
{
	struct report_node *list = report_add_list(sec, "segments", "segments", TEXT_TABLE);
	GList *ids = vas_sorted_ids(r->segs);

	report_add_column(list, "id", "id", 4);
	report_add_column(list, "name", "name", -16);
	report_add_column(list, "vases", "VASes", 8);
	report_add_column(list, "page_tables", "page tables", 12);
	for (GList *l = ids; l; l = l->next) {
		struct vas_seg *seg = g_hash_table_lookup(r->segs, l->data);
		struct report_node *row = report_add_section(list, NULL, NULL, TEXT_INLINE);

		report_add_count(row, "id", NULL, (uint64_t)seg->id);
		report_add_string(row, "name", seg->name);
		report_add_count(row, "start", NULL, seg->start);
		report_add_count(row, "end", NULL, seg->end);
		report_attr(row, &seg->attr);
		report_add_count(row, "vases", NULL, (uint64_t)seg->vases);
		report_add_count(row, "page_tables", NULL, mm_pgtable_pages(seg->mm));
	}
	g_list_free(ids);
}

static const char *access_name(unsigned may)
{
	if (may == (VAS_MAY_READ | VAS_MAY_WRITE))
		return "read-write";
	return may == VAS_MAY_READ ? "read-only" : "write-only";
}

static gint compare_pids(gconstpointer a, gconstpointer b)
{
	return ((const struct vas_context *)a)->pid - ((const struct vas_context *)b)->pid;
}

/* The threads running in `mm`. */
static uint64_t threads_in(struct vas_state *s, const struct mm *mm)
{
	GHashTableIter it;
	gpointer t;
	uint64_t n = 0;

	g_hash_table_iter_init(&it, s->active);
	while (g_hash_table_iter_next(&it, &t, NULL))
		n += ((struct task *)t)->mm == mm;
	return n;
}

/* The attaches still in force (a run cut short), by the pid their context
 * was made for, in attach order. */
static void report_attachments(struct report_node *sec, struct vas_state *s)
{
	struct report_node *list = report_add_list(sec, "attachments", NULL, TEXT_NONE);
	GList *contexts = g_list_sort(g_hash_table_get_values(s->contexts), compare_pids);

	for (GList *l = contexts; l; l = l->next) {
		struct vas_context *ctx = l->data;

		for (guint i = 0; i < ctx->atts->len; i++) {
			struct vas_attachment *att = g_ptr_array_index(ctx->atts, i);
			struct report_node *row = report_add_section(list, NULL, NULL, TEXT_NONE);

			report_add_count(row, "pid", NULL, (uint64_t)ctx->pid);
			report_add_count(row, "vas", NULL, (uint64_t)att->vas->id);
			report_add_string(row, "access", access_name(att->may));
			report_add_count(row, "threads", NULL, threads_in(s, att->mm));
			report_add_count(row, "page_tables", NULL, mm_pgtable_pages(att->mm));
		}
	}
	g_list_free(contexts);
}

/* The "vas" member of --report and --stats (docs/report-format.md). */
static void vas_report(struct machine *m, void *state, struct report_node *root)
{
	struct vas_state *s = state;
	struct report_node *sec = report_add_section(root, "vas", "virtual address spaces", TEXT_LINE);

	(void)m;
	report_add_count(sec, "switches", "VAS switches", s->reg.switches);
	report_add_count(sec, "attaches", "attaches", s->reg.attaches);
	report_add_count(sec, "detaches", "detaches", s->reg.detaches);
	report_add_string(sec, "attach", s->reg.lazy ? "lazy" : "eager");
	report_add_count(sec, "lazy_fills", "lazy fills", s->reg.lazy_fills);
	report_vases(sec, &s->reg);
	report_segments(sec, &s->reg);
	report_attachments(sec, s);
}

const struct design_ops vas_design = {
	.name = "vas",
	.task_release = vas_task_release,
	.destroy = vas_destroy,
	.report = vas_report,
	.proc_dir = "vas",
	.proc_lookup = vas_proc_lookup,
	.proc_readdir = vas_proc_readdir,
	.proc_show = vas_proc_show,
	.proc_readlink = vas_proc_readlink,
};

const struct syscall_desc vas_syscalls[] = {
	SYSCALL_DESC(NR_VAS(0), vas_create, "sm"),
	SYSCALL_DESC(NR_VAS(1), vas_delete, "d"),
	SYSCALL_DESC(NR_VAS(2), vas_find, "s"),
	SYSCALL_DESC(NR_VAS(3), vas_attach, "ddo"),
	SYSCALL_DESC(NR_VAS(4), vas_detach, "dd"),
	SYSCALL_DESC(NR_VAS(5), vas_switch, "d"),
	SYSCALL_DESC(NR_VAS(6), active_vas, ""),
	SYSCALL_DESC(NR_VAS(7), vas_getattr, "dp"),
	SYSCALL_DESC(NR_VAS(8), vas_setattr, "dp"),
	SYSCALL_DESC(NR_VAS(9), vas_seg_create, "sxxm"),
	SYSCALL_DESC(NR_VAS(10), vas_seg_delete, "d"),
	SYSCALL_DESC(NR_VAS(11), vas_seg_find, "s"),
	SYSCALL_DESC(NR_VAS(12), vas_seg_attach, "ddo"),
	SYSCALL_DESC(NR_VAS(13), vas_seg_detach, "dd"),
	SYSCALL_DESC(NR_VAS(14), vas_seg_getattr, "dp"),
	SYSCALL_DESC(NR_VAS(15), vas_seg_setattr, "dp"),
	{ 0 }
};
