#include "sim/procfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/procfs_internal.h"

/* pseudo_node.entry: which kind of node.  id is a pid (or tid); index says
 * which file of a process, which descriptor, or which system-wide entry. */
enum proc_kind {
	PROC_ROOT,
	PROC_SELF,		/* link: the caller's pid */
	PROC_THREAD_SELF,	/* link: the caller's pid/task/tid */
	PROC_PID,		/* directory of a process or thread */
	PROC_PID_FILE,		/* index: pid_entries[] */
	PROC_FD,		/* fd/N, a link; index N */
	PROC_FDINFO,		/* fdinfo/N; index N */
	PROC_SYS,		/* index: proc_sys_entries[] */
	PROC_DESIGN,		/* a design's node (struct design_ops proc_dir): index
				 * its number << 3 | the design's rank */
	PROC_MOUNTS,		/* link: self/mounts */
};

/* What a name in a process's directory is. */
enum pid_what { PID_TEXT, PID_CWD, PID_EXE, PID_FD_DIR, PID_FDINFO_DIR, PID_TASK_DIR, PID_MEM, PID_PAGEMAP };

struct pid_entry {
	const char *name;
	unsigned mode;
	enum pid_what what;
	pid_show_fn show;	/* PID_TEXT */
};

static const struct pid_entry pid_entries[] = {
	{ "cmdline", S_IFREG | 0444, PID_TEXT, proc_pid_cmdline },
	{ "comm", S_IFREG | 0644, PID_TEXT, proc_pid_comm },
	{ "cwd", S_IFLNK | 0777, PID_CWD, NULL },
	{ "environ", S_IFREG | 0400, PID_TEXT, proc_pid_environ },
	{ "exe", S_IFLNK | 0777, PID_EXE, NULL },
	{ "fd", S_IFDIR | 0500, PID_FD_DIR, NULL },
	{ "fdinfo", S_IFDIR | 0500, PID_FDINFO_DIR, NULL },
	{ "maps", S_IFREG | 0444, PID_TEXT, proc_pid_maps },
	{ "mem", S_IFREG | 0600, PID_MEM, NULL },
	{ "mounts", S_IFREG | 0444, PID_TEXT, proc_pid_mounts },
	{ "pagemap", S_IFREG | 0400, PID_PAGEMAP, NULL },
	{ "smaps", S_IFREG | 0444, PID_TEXT, proc_pid_smaps },
	{ "smaps_rollup", S_IFREG | 0444, PID_TEXT, proc_pid_smaps_rollup },
	{ "stat", S_IFREG | 0444, PID_TEXT, proc_pid_stat },
	{ "statm", S_IFREG | 0444, PID_TEXT, proc_pid_statm },
	{ "status", S_IFREG | 0444, PID_TEXT, proc_pid_status },
	{ "task", S_IFDIR | 0555, PID_TASK_DIR, NULL },
};

/* Inode numbers: 1 the root, then the id, kind and index of the node. */
static uint64_t ino_of(int id, enum proc_kind kind, int index)
{
	return ((uint64_t)(uint32_t)id << 32) | ((uint64_t)kind << 24) | (uint64_t)(index + 1);
}

static struct pseudo_node make_node(unsigned mode, enum proc_kind kind, int id, int index)
{
	return (struct pseudo_node){ mode, kind == PROC_ROOT ? 1 : ino_of(id, kind, index), kind, id, index,
				     .in_place = kind == PROC_PID_FILE && (pid_entries[index].what == PID_MEM ||
									   pid_entries[index].what == PID_PAGEMAP) };
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

static gint compare_design_names(gconstpointer a, gconstpointer b)
{
	return strcmp(((const struct design_ops *)a)->name, ((const struct design_ops *)b)->name);
}

/* The design of `rank` among those with a directory in /proc/PID (at
 * most 8), by name, and its state; NULL past the last. */
static const struct design_ops *proc_design(struct machine *m, int rank, void **state)
{
	GList *designs = m->designs ? g_list_sort(g_hash_table_get_keys(m->designs), compare_design_names)
				    : NULL;
	const struct design_ops *found = NULL;
	int r = 0;

	for (GList *l = designs; l && !found && rank < 8; l = l->next)
		if (((const struct design_ops *)l->data)->proc_dir && r++ == rank)
			found = l->data;
	g_list_free(designs);
	if (found)
		*state = g_hash_table_lookup(m->designs, found);
	return found;
}

static struct pseudo_node design_node(unsigned mode, int pid, int node, int rank)
{
	return make_node(mode, PROC_DESIGN, pid, node << 3 | rank);
}

/* `name` in process `owner`'s directory, if a design's directory. */
static int lookup_design_dir(struct machine *m, int pid, const char *name, struct pseudo_node *out)
{
	const struct design_ops *ops;
	void *state;

	for (int rank = 0; (ops = proc_design(m, rank, &state)); rank++) {
		if (!strcmp(name, ops->proc_dir)) {
			*out = design_node(S_IFDIR | 0555, pid, 0, rank);
			return 0;
		}
	}
	return -ENOENT;
}

static int lookup_design(struct machine *m, struct task *owner, const struct pseudo_node *dir,
			 const char *name, struct pseudo_node *out)
{
	void *state;
	const struct design_ops *ops = proc_design(m, dir->index & 7, &state);
	unsigned mode;
	int node = ops && owner ? ops->proc_lookup(state, owner, dir->index >> 3, name, &mode) : -ENOENT;

	if (node < 0)
		return node;
	*out = design_node(mode, dir->id, node, dir->index & 7);
	return 0;
}

/* The zombie of pid `id` (every thread gone, not yet reaped), or NULL. */
static struct process *zombie_of(struct machine *m, int id)
{
	for (GList *p = m->processes; p; p = p->next) {
		struct process *proc = p->data;

		if (proc->pid == id && proc->zombie)
			return proc;
	}
	return NULL;
}

static struct pseudo_node sys_node(int index)
{
	return make_node(proc_sys_entries[index].mode, PROC_SYS, 0, index);
}

static void proc_root(struct pseudo_node *out)
{
	*out = make_node(S_IFDIR | 0555, PROC_ROOT, 0, 0);
}

/* A decimal number with nothing else ("0012" is not one). */
static int parse_id(const char *name, int min)
{
	char *end;
	long id = strtol(name, &end, 10);

	if (*end || name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1]) || id < min ||
	    id > INT32_MAX)
		return -1;
	return (int)id;
}

static int lookup_root(struct machine *m, const char *name, struct pseudo_node *out)
{
	int id, i;

	if (!strcmp(name, "self")) {
		*out = make_node(S_IFLNK | 0777, PROC_SELF, 0, 0);
		return 0;
	}
	if (!strcmp(name, "thread-self")) {
		*out = make_node(S_IFLNK | 0777, PROC_THREAD_SELF, 0, 0);
		return 0;
	}
	if (!strcmp(name, "mounts")) {
		*out = make_node(S_IFLNK | 0777, PROC_MOUNTS, 0, 0);
		return 0;
	}
	id = parse_id(name, 1);
	if (id > 0) {
		if (!task_of(m, id) && !zombie_of(m, id))
			return -ENOENT;
		*out = make_node(S_IFDIR | 0555, PROC_PID, id, 0);
		return 0;
	}
	i = pseudo_table_lookup(proc_sys_entries, proc_sys_nr_entries, -1, name);
	if (i < 0)
		return -ENOENT;
	*out = sys_node(i);
	return 0;
}

/* A name in fd/, fdinfo/ or task/ of process `owner`. */
static int lookup_item(struct machine *m, struct task *owner, enum pid_what what, const char *name,
		       struct pseudo_node *out)
{
	int n = parse_id(name, 0);
	struct task *thread;

	if (n < 0)
		return -ENOENT;
	if (what == PID_TASK_DIR) {
		thread = g_hash_table_lookup(m->tasks, GINT_TO_POINTER(n));
		if (!thread || thread->state == TASK_DEAD || thread->proc != owner->proc)
			return -ENOENT;
		*out = make_node(S_IFDIR | 0555, PROC_PID, n, 0);
		return 0;
	}
	if (n >= FD_MAX || !fd_get(&owner->files->fdt, n))
		return -ENOENT;
	*out = what == PID_FD_DIR ? make_node(S_IFLNK | 0700, PROC_FD, owner->tid, n)
				  : make_node(S_IFREG | 0444, PROC_FDINFO, owner->tid, n);
	return 0;
}

static int proc_lookup(void *data, struct task *t, const struct pseudo_node *dir, const char *name,
		       struct pseudo_node *out)
{
	struct machine *m = data;
	struct task *owner = dir->entry == PROC_ROOT || dir->entry == PROC_SYS ? NULL : task_of(m, dir->id);
	int i;

	switch (dir->entry) {
	case PROC_ROOT:
		return lookup_root(m, name, out);
	case PROC_SYS:
		i = pseudo_table_lookup(proc_sys_entries, proc_sys_nr_entries, dir->index, name);
		if (i < 0)
			return -ENOENT;
		*out = sys_node(i);
		return 0;
	case PROC_PID:
		for (i = 0; (owner || zombie_of(m, dir->id)) && i < (int)G_N_ELEMENTS(pid_entries); i++) {
			if (!strcmp(name, pid_entries[i].name)) {
				*out = make_node(pid_entries[i].mode, PROC_PID_FILE, dir->id, i);
				return 0;
			}
		}
		return owner ? lookup_design_dir(m, dir->id, name, out) : -ENOENT;
	case PROC_PID_FILE:
		return owner ? lookup_item(m, owner, pid_entries[dir->index].what, name, out) : -ENOENT;
	case PROC_DESIGN:
		return lookup_design(m, owner, dir, name, out);
	default:
		return -ENOENT;
	}
}

struct emit_ctx {
	void (*emit)(void *arg, const char *name, const struct pseudo_node *node);
	void *arg;
};

static gint compare_pid(gconstpointer a, gconstpointer b)
{
	return ((const struct process *)a)->pid - ((const struct process *)b)->pid;
}

/* The root: the system-wide entries, self links, then each live process. */
static void list_root(struct machine *m, struct emit_ctx *ctx)
{
	struct pseudo_node node;
	GList *procs = g_list_sort(g_list_copy(m->processes), compare_pid);
	char name[16];

	pseudo_table_list(proc_sys_entries, proc_sys_nr_entries, -1, sys_node, ctx->emit, ctx->arg);
	node = make_node(S_IFLNK | 0777, PROC_SELF, 0, 0);
	ctx->emit(ctx->arg, "self", &node);
	node = make_node(S_IFLNK | 0777, PROC_THREAD_SELF, 0, 0);
	ctx->emit(ctx->arg, "thread-self", &node);
	node = make_node(S_IFLNK | 0777, PROC_MOUNTS, 0, 0);
	ctx->emit(ctx->arg, "mounts", &node);
	for (GList *p = procs; p; p = p->next) {
		struct process *proc = p->data;

		if (!task_of(m, proc->pid) && !proc->zombie)
			continue;
		snprintf(name, sizeof(name), "%d", proc->pid);
		node = make_node(S_IFDIR | 0555, PROC_PID, proc->pid, 0);
		ctx->emit(ctx->arg, name, &node);
	}
	g_list_free(procs);
}

/* fd/, fdinfo/: the open descriptors; task/: the live threads, by tid. */
static void list_items(struct task *owner, enum pid_what what, struct emit_ctx *ctx)
{
	struct pseudo_node node;
	char name[16];

	if (what == PID_TASK_DIR) {
		GList *threads = g_list_copy(owner->proc->threads);

		for (GList *l = threads; l; l = l->next) {
			struct task *thread = l->data;

			if (thread->state == TASK_DEAD)
				continue;
			snprintf(name, sizeof(name), "%d", thread->tid);
			node = make_node(S_IFDIR | 0555, PROC_PID, thread->tid, 0);
			ctx->emit(ctx->arg, name, &node);
		}
		g_list_free(threads);
		return;
	}
	for (int fd = 0; fd < FD_MAX; fd++) {
		if (!fd_get(&owner->files->fdt, fd))
			continue;
		snprintf(name, sizeof(name), "%d", fd);
		node = what == PID_FD_DIR ? make_node(S_IFLNK | 0700, PROC_FD, owner->tid, fd)
					  : make_node(S_IFREG | 0444, PROC_FDINFO, owner->tid, fd);
		ctx->emit(ctx->arg, name, &node);
	}
}

struct design_emit {
	struct emit_ctx *ctx;
	int pid, rank;
};

static void emit_design_node(void *arg, const char *name, int node, unsigned mode)
{
	struct design_emit *d = arg;
	struct pseudo_node n = design_node(mode, d->pid, node, d->rank);

	d->ctx->emit(d->ctx->arg, name, &n);
}

/* The designs' directories in a process's (node 0), or a design's node. */
static void list_design(struct machine *m, struct task *owner, const struct pseudo_node *dir,
			struct emit_ctx *ctx)
{
	const struct design_ops *ops;
	void *state;

	if (dir->entry == PROC_PID) {
		for (int rank = 0; (ops = proc_design(m, rank, &state)); rank++) {
			struct pseudo_node n = design_node(S_IFDIR | 0555, dir->id, 0, rank);

			ctx->emit(ctx->arg, ops->proc_dir, &n);
		}
	} else if ((ops = proc_design(m, dir->index & 7, &state))) {
		struct design_emit d = { ctx, dir->id, dir->index & 7 };

		ops->proc_readdir(state, owner, dir->index >> 3, emit_design_node, &d);
	}
}

static void proc_readdir(void *data, const struct pseudo_node *dir,
			 void (*emit)(void *arg, const char *name, const struct pseudo_node *node),
			 void *arg)
{
	struct machine *m = data;
	struct emit_ctx ctx = { emit, arg };
	struct task *owner = dir->entry == PROC_PID || dir->entry == PROC_PID_FILE ||
			     dir->entry == PROC_DESIGN ? task_of(m, dir->id) : NULL;
	struct pseudo_node node;

	switch (dir->entry) {
	case PROC_ROOT:
		list_root(m, &ctx);
		break;
	case PROC_SYS:
		pseudo_table_list(proc_sys_entries, proc_sys_nr_entries, dir->index, sys_node, emit, arg);
		break;
	case PROC_PID:
		for (int i = 0; owner && i < (int)G_N_ELEMENTS(pid_entries); i++) {
			node = make_node(pid_entries[i].mode, PROC_PID_FILE, dir->id, i);
			emit(arg, pid_entries[i].name, &node);
		}
		if (owner)
			list_design(m, owner, dir, &ctx);
		break;
	case PROC_PID_FILE:
		if (owner)
			list_items(owner, pid_entries[dir->index].what, &ctx);
		break;
	case PROC_DESIGN:
		if (owner)
			list_design(m, owner, dir, &ctx);
		break;
	}
}

static int proc_readlink(void *data, struct task *t, const struct pseudo_node *link, GString *out)
{
	struct task *owner = task_of(data, link->id);
	const struct design_ops *ops;
	struct file *f;
	void *state;

	switch (link->entry) {
	case PROC_SELF:
		g_string_printf(out, "%d", t->proc->pid);
		return 0;
	case PROC_THREAD_SELF:
		g_string_printf(out, "%d/task/%d", t->proc->pid, t->tid);
		return 0;
	case PROC_MOUNTS:
		g_string_assign(out, "self/mounts");
		return 0;
	case PROC_FD:
		f = owner ? fd_get(&owner->files->fdt, link->index) : NULL;
		if (!f)
			return -ENOENT;
		g_string_assign(out, f->path);
		return 0;
	case PROC_DESIGN:
		ops = proc_design(data, link->index & 7, &state);
		return ops && owner ? ops->proc_readlink(state, owner, link->index >> 3, out) : -ENOENT;
	default:
		if (!owner)
			return -ENOENT;
		g_string_assign(out, pid_entries[link->index].what == PID_CWD ? owner->fs->cwd : owner->proc->exe);
		return 0;
	}
}

static int show_design(struct machine *m, struct task *t, const struct pseudo_node *node, GString *out)
{
	void *state;
	const struct design_ops *ops = proc_design(m, node->index & 7, &state);

	return ops ? ops->proc_show(state, t, node->index >> 3, out) : 0;
}

/* A zombie's files: stat and status from the process, statm zeroes, the
 * rest (maps, cmdline...) empty, as Linux shows a task without an mm. */
static int zombie_show(struct machine *m, struct process *z, const struct pseudo_node *node, GString *out)
{
	pid_show_fn show = node->entry == PROC_PID_FILE ? pid_entries[node->index].show : NULL;

	if (show == proc_pid_stat)
		return proc_zombie_stat(m, z, out);
	if (show == proc_pid_status)
		return proc_zombie_status(m, z, out);
	if (show == proc_pid_statm)
		g_string_assign(out, "0 0 0 0 0 0 0\n");
	return 0;
}

/* A process gone since it was opened reads as empty, as in Linux. */
static int proc_show(void *data, const struct pseudo_node *node, GString *out)
{
	struct task *t = node->entry == PROC_SYS ? NULL : task_of(data, node->id);
	struct process *z;

	if (node->entry == PROC_SYS)
		return proc_sys_entries[node->index].show(data, out);
	if (!t) {
		z = zombie_of(data, node->id);
		return z ? zombie_show(data, z, node, out) : 0;
	}
	if (node->entry == PROC_FDINFO)
		return proc_fdinfo(t, node->index, out);
	if (node->entry == PROC_DESIGN)
		return show_design(data, t, node, out);
	return pid_entries[node->index].show(data, t, out);
}

/* mem and pagemap: a process gone reads as end of file. */
static long proc_read(void *data, const struct pseudo_node *node, void *buf, size_t len, int64_t offset)
{
	struct task *t = task_of(data, node->id);

	if (!t)
		return 0;
	if (pid_entries[node->index].what == PID_MEM)
		return proc_mem_rw(t, buf, len, (uint64_t)offset, false);
	return proc_pagemap_read(t, buf, len, offset);
}

/* Root may open any file of a process for writing (its mode aside), as in
 * Linux; the sysctls under sys/ are read-only (mode 0444, which Linux
 * checks even for root: EACCES). */
static int proc_may_write(void *data, const struct pseudo_node *node)
{
	if (node->entry == PROC_SYS && !strncmp(proc_sys_entries[node->index].path, "sys/", 4))
		return -EACCES;
	return 0;
}

/* Only mem takes writes.  Linux answers a write to another file of a
 * process EINVAL (a seq_file without write) and to the system-wide ones
 * EIO (proc_reg_write without one). */
static long proc_write(void *data, const struct pseudo_node *node, const void *buf, size_t len,
		       int64_t offset)
{
	struct task *t;

	if (node->entry == PROC_SYS)
		return -EIO;
	if (node->entry != PROC_PID_FILE || pid_entries[node->index].what != PID_MEM)
		return -EINVAL;
	t = task_of(data, node->id);
	return t ? proc_mem_rw(t, (void *)buf, len, (uint64_t)offset, true) : 0;
}

static const struct fs_type proc_fs = {
	.name = "proc",
	.root = proc_root,
	.lookup = proc_lookup,
	.readdir = proc_readdir,
	.readlink = proc_readlink,
	.show = proc_show,
	.read = proc_read,
	.may_write = proc_may_write,
	.write = proc_write,
};

void procfs_mount(struct machine *m)
{
	vfs_mount(&m->vfs, "/proc", &proc_fs, m);
}
