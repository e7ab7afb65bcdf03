#include "sim/procfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mmu/uaccess.h"

/* pseudo_node.entry: the fixed nodes, or an index in pid_entries. */
enum { PROC_ROOT = -1, PROC_SELF = -2, PROC_PID = -3 };

struct pid_entry {
	const char *name;
	unsigned mode;
	int (*show)(struct task *t, GString *out);	/* a regular file's text */
};

/* The argv strings, as the process left them in its memory. */
static int show_cmdline(struct task *t, GString *out)
{
	struct mm *mm = t->mm;
	uint64_t len = mm->arg_end - mm->arg_start;

	if (!len)
		return 0;
	g_string_set_size(out, (gsize)len);
	return copy_from_user(mm, out->str, mm->arg_start, (size_t)len) ? -EFAULT : 0;
}

static int show_maps(struct task *t, GString *out)
{
	mm_format_maps(t->mm, out);
	return 0;
}

static const struct pid_entry pid_entries[] = {
	{ "cmdline", S_IFREG | 0444, show_cmdline },
	{ "exe", S_IFLNK | 0777, NULL },
	{ "maps", S_IFREG | 0444, show_maps },
};

/* Inode numbers: 1 the root, 2 self, then 16 bits of entry under each id. */
static uint64_t ino_of(int id, int entry)
{
	return ((uint64_t)id << 16) | (uint64_t)(entry + 4);
}

/* A live task of `id`: the thread of that tid, else a live thread of the
 * process of that pid. */
static struct task *task_of(struct machine *m, int id)
{
	struct task *t = g_hash_table_lookup(m->tasks, GINT_TO_POINTER(id));

	if (t && t->state != TASK_DEAD)
		return t;
	for (GList *p = m->processes; p; p = p->next) {
		struct process *proc = p->data;

		if (proc->pid != id)
			continue;
		for (GList *l = proc->threads; l; l = l->next)
			if (((struct task *)l->data)->state != TASK_DEAD)
				return l->data;
	}
	return NULL;
}

static void proc_root(struct pseudo_node *out)
{
	*out = (struct pseudo_node){ S_IFDIR | 0555, 1, PROC_ROOT, 0 };
}

static void pid_dir(int id, struct pseudo_node *out)
{
	*out = (struct pseudo_node){ S_IFDIR | 0555, ino_of(id, PROC_PID), PROC_PID, id };
}

static void pid_file(int id, int entry, struct pseudo_node *out)
{
	*out = (struct pseudo_node){ pid_entries[entry].mode, ino_of(id, entry), entry, id };
}

/* A decimal id with nothing else ("0012" is not one). */
static int parse_id(const char *name)
{
	char *end;
	long id = strtol(name, &end, 10);

	if (*end || name[0] < '1' || name[0] > '9' || id > INT32_MAX)
		return -1;
	return (int)id;
}

static int proc_lookup(void *data, struct task *t, const struct pseudo_node *dir, const char *name,
		       struct pseudo_node *out)
{
	struct machine *m = data;
	int id;

	if (dir->entry == PROC_ROOT && !strcmp(name, "self")) {
		*out = (struct pseudo_node){ S_IFLNK | 0777, 2, PROC_SELF, 0 };
		return 0;
	}
	if (dir->entry == PROC_ROOT) {
		id = parse_id(name);
		if (id < 0 || !task_of(m, id))
			return -ENOENT;
		pid_dir(id, out);
		return 0;
	}
	for (int i = 0; i < (int)G_N_ELEMENTS(pid_entries); i++) {
		if (!strcmp(name, pid_entries[i].name) && task_of(m, dir->id)) {
			pid_file(dir->id, i, out);
			return 0;
		}
	}
	return -ENOENT;
}

static gint compare_pid(gconstpointer a, gconstpointer b)
{
	return ((const struct process *)a)->pid - ((const struct process *)b)->pid;
}

static void proc_readdir(void *data, const struct pseudo_node *dir,
			 void (*emit)(void *arg, const char *name, const struct pseudo_node *node),
			 void *arg)
{
	struct machine *m = data;
	struct pseudo_node node;
	char name[16];
	GList *procs;

	if (dir->entry == PROC_PID) {
		for (int i = 0; i < (int)G_N_ELEMENTS(pid_entries); i++) {
			pid_file(dir->id, i, &node);
			emit(arg, pid_entries[i].name, &node);
		}
		return;
	}
	node = (struct pseudo_node){ S_IFLNK | 0777, 2, PROC_SELF, 0 };
	emit(arg, "self", &node);
	procs = g_list_sort(g_list_copy(m->processes), compare_pid);
	for (GList *p = procs; p; p = p->next) {
		struct process *proc = p->data;

		if (!task_of(m, proc->pid))
			continue;
		snprintf(name, sizeof(name), "%d", proc->pid);
		pid_dir(proc->pid, &node);
		emit(arg, name, &node);
	}
	g_list_free(procs);
}

static int proc_readlink(void *data, struct task *t, const struct pseudo_node *link, GString *out)
{
	struct task *owner;

	if (link->entry == PROC_SELF) {
		g_string_printf(out, "%d", t->proc->pid);
		return 0;
	}
	owner = task_of(data, link->id);
	if (!owner)
		return -ENOENT;
	g_string_assign(out, owner->proc->exe);
	return 0;
}

/* A process gone since it was opened reads as empty, as in Linux. */
static int proc_show(void *data, const struct pseudo_node *node, GString *out)
{
	struct task *t = task_of(data, node->id);

	return t ? pid_entries[node->entry].show(t, out) : 0;
}

static const struct fs_type proc_fs = {
	.name = "proc",
	.root = proc_root,
	.lookup = proc_lookup,
	.readdir = proc_readdir,
	.readlink = proc_readlink,
	.show = proc_show,
};

void procfs_mount(struct machine *m)
{
	vfs_mount(&m->vfs, "/proc", &proc_fs, m);
}
