/*
 * sys_vas_fs: the guest's view of first-class address spaces, as the RFC
 * offers it (docs/design.md "First-class address spaces").
 *
 * /sys/kernel/vas/ (mounted when the machine's first VAS call makes the
 * design's state; the RFC keeps a kobject per VAS and segment, named by
 * id, since a name may hold '/'):
 *   N/            a VAS by id: name mode user group readers writers
 *                 segments (the ids of the segments attached to it)
 *   segments/N/   a segment by id: name start end mode user group vases
 * /proc/PID/vas/ (struct design_ops proc_*, served by sim/procfs.c):
 *   N/status      "pid:", "vid:", "type:" (rw, ro or wo) of the process's
 *                 attach of VAS N, as the RFC's att_vas_show_status
 *   N/mappings    the attached address space in maps form, or "EMPTY"
 *   N/vas         a link to /sys/kernel/vas/N
 * Every file is read-only; mode is octal, start and end hexadecimal.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim/pseudo.h"
#include "sim/sys_vas.h"
#include "sim/vfs.h"

/* ------------------------------------------------------ /sys/kernel/vas */

/* pseudo_node.entry; id the VAS's or segment's, index its attribute. */
enum vas_fs_kind { VAS_FS_ROOT, VAS_FS_VAS, VAS_FS_VAS_ATTR, VAS_FS_SEGS, VAS_FS_SEG, VAS_FS_SEG_ATTR };

struct vas_fs_attr {
	const char *name;
	void (*show)(const void *object, GString *out);
};

static void show_perm(const struct vas_attr *attr, const char *which, GString *out)
{
	if (which[0] == 'm')
		g_string_append_printf(out, "%04o\n", attr->mode);
	else
		g_string_append_printf(out, "%u\n", which[0] == 'u' ? attr->user : attr->group);
}

static void vas_name(const void *o, GString *out) { g_string_append_printf(out, "%s\n", ((const struct vas *)o)->name); }
static void vas_mode(const void *o, GString *out) { show_perm(&((const struct vas *)o)->attr, "mode", out); }
static void vas_user(const void *o, GString *out) { show_perm(&((const struct vas *)o)->attr, "user", out); }
static void vas_group(const void *o, GString *out) { show_perm(&((const struct vas *)o)->attr, "group", out); }
static void vas_readers(const void *o, GString *out) { g_string_append_printf(out, "%d\n", ((const struct vas *)o)->readers); }
static void vas_writers(const void *o, GString *out) { g_string_append_printf(out, "%d\n", ((const struct vas *)o)->writers); }

static void vas_segments(const void *o, GString *out)
{
	const struct vas *vas = o;

	for (guint i = 0; i < vas->segs->len; i++)
		g_string_append_printf(out, "%s%d", i ? " " : "",
				       ((const struct vas_seg *)g_ptr_array_index(vas->segs, i))->id);
	g_string_append_c(out, '\n');
}

static void seg_name(const void *o, GString *out) { g_string_append_printf(out, "%s\n", ((const struct vas_seg *)o)->name); }
static void seg_start(const void *o, GString *out) { g_string_append_printf(out, "%#" PRIx64 "\n", ((const struct vas_seg *)o)->start); }
static void seg_end(const void *o, GString *out) { g_string_append_printf(out, "%#" PRIx64 "\n", ((const struct vas_seg *)o)->end); }
static void seg_mode(const void *o, GString *out) { show_perm(&((const struct vas_seg *)o)->attr, "mode", out); }
static void seg_user(const void *o, GString *out) { show_perm(&((const struct vas_seg *)o)->attr, "user", out); }
static void seg_group(const void *o, GString *out) { show_perm(&((const struct vas_seg *)o)->attr, "group", out); }
static void seg_vases(const void *o, GString *out) { g_string_append_printf(out, "%d\n", ((const struct vas_seg *)o)->vases); }

static const struct vas_fs_attr vas_attrs[] = {
	{ "name", vas_name }, { "mode", vas_mode }, { "user", vas_user }, { "group", vas_group },
	{ "readers", vas_readers }, { "writers", vas_writers }, { "segments", vas_segments },
};

static const struct vas_fs_attr seg_attrs[] = {
	{ "name", seg_name }, { "start", seg_start }, { "end", seg_end }, { "mode", seg_mode },
	{ "user", seg_user }, { "group", seg_group }, { "vases", seg_vases },
};

/* What a directory holds: VASes or segments (by id), or their attributes. */
struct vas_fs_class {
	enum vas_fs_kind dir, attr;
	const struct vas_fs_attr *attrs;
	int nr_attrs;
};

static const struct vas_fs_class vas_class = { VAS_FS_VAS, VAS_FS_VAS_ATTR, vas_attrs, G_N_ELEMENTS(vas_attrs) };
static const struct vas_fs_class seg_class = { VAS_FS_SEG, VAS_FS_SEG_ATTR, seg_attrs, G_N_ELEMENTS(seg_attrs) };

static struct pseudo_node vas_fs_node(unsigned mode, enum vas_fs_kind kind, int id, int index)
{
	return (struct pseudo_node){ mode, 1 + ((uint64_t)kind << 40) + ((uint64_t)(uint32_t)id << 8) +
					   (uint64_t)index, kind, id, index, .in_place = false };
}

static void vas_fs_root(struct pseudo_node *out)
{
	*out = vas_fs_node(S_IFDIR | 0755, VAS_FS_ROOT, 0, 0);
}

static const struct vas_fs_class *class_of(enum vas_fs_kind kind)
{
	return kind == VAS_FS_VAS || kind == VAS_FS_VAS_ATTR ? &vas_class : &seg_class;
}

static void *object_of(struct vas_state *s, const struct vas_fs_class *c, int id)
{
	return g_hash_table_lookup(c == &vas_class ? s->reg.vases : s->reg.segs, GINT_TO_POINTER(id));
}

/* A positive decimal id with nothing else. */
static int parse_id(const char *name)
{
	char *end;
	long id = strtol(name, &end, 10);

	return *end || name[0] < '1' || name[0] > '9' || id > INT32_MAX ? -1 : (int)id;
}

static int vas_fs_lookup(void *data, struct task *t, const struct pseudo_node *dir, const char *name,
			 struct pseudo_node *out)
{
	const struct vas_fs_class *c = dir->entry == VAS_FS_ROOT ? &vas_class : &seg_class;
	int id;

	(void)t;
	if (dir->entry == VAS_FS_ROOT && !strcmp(name, "segments")) {
		*out = vas_fs_node(S_IFDIR | 0755, VAS_FS_SEGS, 0, 0);
		return 0;
	}
	if (dir->entry == VAS_FS_ROOT || dir->entry == VAS_FS_SEGS) {
		id = parse_id(name);
		if (id < 0 || !object_of(data, c, id))
			return -ENOENT;
		*out = vas_fs_node(S_IFDIR | 0755, c->dir, id, 0);
		return 0;
	}
	c = class_of(dir->entry);
	for (int i = 0; dir->entry == (int)c->dir && i < c->nr_attrs; i++) {
		if (!strcmp(name, c->attrs[i].name)) {
			*out = vas_fs_node(S_IFREG | 0444, c->attr, dir->id, i);
			return 0;
		}
	}
	return -ENOENT;
}

/* One directory per object of `table`, by id. */
static void list_objects(GHashTable *table, enum vas_fs_kind kind,
			 void (*emit)(void *arg, const char *name, const struct pseudo_node *node),
			 void *arg)
{
	GList *ids = vas_sorted_ids(table);
	char name[16];

	for (GList *l = ids; l; l = l->next) {
		struct pseudo_node node = vas_fs_node(S_IFDIR | 0755, kind, GPOINTER_TO_INT(l->data), 0);

		snprintf(name, sizeof(name), "%d", GPOINTER_TO_INT(l->data));
		emit(arg, name, &node);
	}
	g_list_free(ids);
}

static void vas_fs_readdir(void *data, const struct pseudo_node *dir,
			   void (*emit)(void *arg, const char *name, const struct pseudo_node *node),
			   void *arg)
{
	struct vas_state *s = data;
	const struct vas_fs_class *c = class_of(dir->entry);
	struct pseudo_node node;

	switch (dir->entry) {
	case VAS_FS_ROOT:
		list_objects(s->reg.vases, VAS_FS_VAS, emit, arg);
		node = vas_fs_node(S_IFDIR | 0755, VAS_FS_SEGS, 0, 0);
		emit(arg, "segments", &node);
		break;
	case VAS_FS_SEGS:
		list_objects(s->reg.segs, VAS_FS_SEG, emit, arg);
		break;
	default:
		for (int i = 0; dir->entry == (int)c->dir && i < c->nr_attrs; i++) {
			node = vas_fs_node(S_IFREG | 0444, c->attr, dir->id, i);
			emit(arg, c->attrs[i].name, &node);
		}
	}
}

static int vas_fs_readlink(void *data, struct task *t, const struct pseudo_node *link, GString *out)
{
	(void)data, (void)t, (void)link, (void)out;
	return -EINVAL;	/* no links */
}

/* An attribute of an object deleted since it was opened reads as empty. */
static int vas_fs_show(void *data, const struct pseudo_node *node, GString *out)
{
	const struct vas_fs_class *c = class_of(node->entry);
	const void *object = object_of(data, c, node->id);

	if (object)
		c->attrs[node->index].show(object, out);
	return 0;
}

static const struct fs_type vas_fs = {
	.name = "sysfs",
	.root = vas_fs_root,
	.lookup = vas_fs_lookup,
	.readdir = vas_fs_readdir,
	.readlink = vas_fs_readlink,
	.show = vas_fs_show,
};

void vas_fs_mount(struct machine *m, struct vas_state *s)
{
	vfs_mount(&m->vfs, "/sys/kernel/vas", &vas_fs, s);
}

/* ------------------------------------------------------- /proc/PID/vas */

/* Nodes: 0 the directory; 4 vid + 0 the VAS's directory, + 1 status,
 * + 2 mappings, + 3 the link. */
enum { PROC_VAS_DIR, PROC_VAS_STATUS, PROC_VAS_MAPPINGS, PROC_VAS_LINK };

/* The largest VAS id shown: procfs keeps a node number << 3 in an int. */
#define MAX_PROC_VID (INT32_MAX / 32)

static const struct {
	const char *name;
	unsigned mode;
} proc_vas_files[] = {
	[PROC_VAS_STATUS] = { "status", S_IFREG | 0444 },
	[PROC_VAS_MAPPINGS] = { "mappings", S_IFREG | 0444 },
	[PROC_VAS_LINK] = { "vas", S_IFLNK | 0777 },
};

/* The attach of VAS `vid` in t's process, or NULL. */
static struct vas_attachment *attached(struct vas_state *s, struct task *t, int vid)
{
	GPtrArray *a = vas_attachments(s, t);

	for (guint i = 0; a && i < a->len; i++)
		if (((struct vas_attachment *)g_ptr_array_index(a, i))->vas->id == vid)
			return g_ptr_array_index(a, i);
	return NULL;
}

int vas_proc_lookup(void *state, struct task *t, int dir, const char *name, unsigned *mode)
{
	int vid = parse_id(name);

	if (dir == 0) {
		if (vid < 0 || vid > MAX_PROC_VID || !attached(state, t, vid))
			return -ENOENT;
		*mode = S_IFDIR | 0555;
		return 4 * vid;
	}
	for (int f = PROC_VAS_STATUS; dir % 4 == 0 && f <= PROC_VAS_LINK; f++) {
		if (!strcmp(name, proc_vas_files[f].name)) {
			*mode = proc_vas_files[f].mode;
			return dir + f;
		}
	}
	return -ENOENT;
}

void vas_proc_readdir(void *state, struct task *t, int dir,
		      void (*emit)(void *arg, const char *name, int node, unsigned mode), void *arg)
{
	GPtrArray *a = vas_attachments(state, t);
	char name[16];

	if (dir % 4)
		return;
	if (dir) {
		for (int f = PROC_VAS_STATUS; f <= PROC_VAS_LINK; f++)
			emit(arg, proc_vas_files[f].name, dir + f, proc_vas_files[f].mode);
		return;
	}
	for (guint i = 0; a && i < a->len; i++) {
		int vid = ((struct vas_attachment *)g_ptr_array_index(a, i))->vas->id;

		if (vid > MAX_PROC_VID)
			continue;
		snprintf(name, sizeof(name), "%d", vid);
		emit(arg, name, 4 * vid, S_IFDIR | 0555);
	}
}

/* The RFC's vas_access_type_str. */
static const char *access_type(unsigned may)
{
	if (may & VAS_MAY_WRITE)
		return may & VAS_MAY_READ ? "rw" : "wo";
	return "ro";
}

/* A VAS detached since the file was opened reads as empty. */
int vas_proc_show(void *state, struct task *t, int node, GString *out)
{
	struct vas_attachment *att = attached(state, t, node / 4);

	if (!att)
		return 0;
	if (node % 4 == PROC_VAS_STATUS) {
		g_string_append_printf(out, "pid:  %d\nvid:  %d\ntype: %s\n", t->proc->pid, att->vas->id,
				       access_type(att->may));
	} else if (vma_first(att->mm)) {
		mm_format_maps(att->mm, out);
	} else {
		g_string_append(out, "EMPTY\n");
	}
	return 0;
}

int vas_proc_readlink(void *state, struct task *t, int node, GString *out)
{
	if (!attached(state, t, node / 4))
		return -ENOENT;
	g_string_printf(out, "/sys/kernel/vas/%d", node / 4);
	return 0;
}
