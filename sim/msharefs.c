/*
 * msharefs: the files of mshare regions, after the RFC v3's mm/mshare.c
 * (../shared/notes/designs.md section 2; the model is mmu/mshare).  One flat
 * directory holds `mshare_info` (read-only: PGDIR_SIZE in decimal and a
 * newline; it cannot be unlinked or renamed, EPERM) and the region files
 * the guest creates with open(O_CREAT).  Each region file is a region with
 * its host mm, alive while the inode has a name or an open file, or longer
 * while a VMA maps it.  Its descriptor answers the RFC's ioctls
 * (<linux/msharefs.h>, guest/msharefs.h) and mmap.
 *
 * Directories (mkdir, rmdir) hold region files and directories; mshare_info
 * stays in the top one.
 *
 * Not modelled yet: times (0), owners (root).
 */
#include "sim/msharefs.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "mmu/mshare/mshare.h"
#include "mmu/uaccess.h"
#include "report/model.h"
#include "sim/machine.h"

#define MSHARE_MAGIC 0x4d534852		/* "MSHR", the RFC's <linux/magic.h> */
#define ROOT_INO 1
#define INFO_INO 2
#define INFO_NAME "mshare_info"
#define NAME_MAX_GUEST 255

/* <linux/msharefs.h> of the RFC */
struct mshare_info {
	uint64_t start;
	uint64_t size;
};

struct mshare_create {
	uint64_t addr;
	uint64_t size;
	uint64_t offset;
	uint32_t prot;
	uint32_t flags;
	uint32_t fd;
};

#define MSHAREFS_GET_SIZE	_IOR('x', 0, struct mshare_info)
#define MSHAREFS_SET_SIZE	_IOW('x', 1, struct mshare_info)
#define MSHAREFS_CREATE_MAPPING	_IOW('x', 2, struct mshare_create)

struct mshare_inode {
	uint64_t ino;
	unsigned mode, nlink;
	int opens;
	struct mshare_region *region;	/* a region file's; NULL for directories and mshare_info */
	GTree *children;		/* a directory's: name -> struct mshare_inode * */
	struct mshare_inode *parent;	/* a directory's */
};

struct msharefs {
	struct machine *m;
	struct ptshare *ps;		/* the links of every region */
	struct mshare_inode root, info;	/* the root's children: the region files and directories */
	GHashTable *inodes;		/* ino -> inode: the others with a name or an open file */
	uint64_t next_ino;
	enum mshare_flush flush;	/* of every region (--mshare-flush) */
	struct mshare_ledger *ledger;	/* the sharers' page tables, by region inode */
};

struct msharefs_file {
	struct msharefs *fs;
	struct mshare_inode *inode;
};

static const struct file_ops msharefs_ops;
static const struct design_ops msharefs_design;

static struct msharefs_file *mf_of(struct file *f)
{
	return f->private_data;
}

static struct mshare_region *region_of(struct file *f)
{
	return mf_of(f)->inode->region;
}

static void free_inode(struct mshare_inode *inode)
{
	mshare_region_put(inode->region);
	if (inode->children)
		g_tree_destroy(inode->children);
	g_free(inode);
}

/* Free an inode with neither a name nor an open file (its VMAs keep a
 * region itself); the root and mshare_info stay. */
static void maybe_free(struct msharefs *fs, struct mshare_inode *inode)
{
	if (inode->ino > INFO_INO && !inode->nlink && !inode->opens)
		g_hash_table_remove(fs->inodes, &inode->ino);
}

static gint compare_names(gconstpointer a, gconstpointer b, gpointer unused)
{
	(void)unused;
	return strcmp(a, b);
}

/* A new inode of `mode` with one name, known by its number. */
static struct mshare_inode *new_inode(struct msharefs *fs, unsigned mode)
{
	struct mshare_inode *inode = g_new0(struct mshare_inode, 1);

	inode->ino = fs->next_ino++;
	inode->mode = mode;
	inode->nlink = 1;
	if (S_ISDIR(mode)) {
		inode->children = g_tree_new_full(compare_names, NULL, g_free, NULL);
		inode->nlink = 2;
	}
	g_hash_table_insert(fs->inodes, &inode->ino, inode);
	return inode;
}

static struct mshare_inode *inode_of(struct msharefs *fs, uint64_t ino)
{
	if (ino == ROOT_INO)
		return &fs->root;
	if (ino == INFO_INO)
		return &fs->info;
	return g_hash_table_lookup(fs->inodes, &ino);
}

/* ---------------------------------------------------------------- fs_type */

static void to_node(const struct mshare_inode *inode, struct pseudo_node *out)
{
	*out = (struct pseudo_node){ .mode = inode->mode, .ino = inode->ino };
}

static void msharefs_root(struct pseudo_node *out)
{
	*out = (struct pseudo_node){ .mode = S_IFDIR | 0777, .ino = ROOT_INO };
}

static struct mshare_inode *child_of(struct msharefs *fs, const struct mshare_inode *dir,
				     const char *name)
{
	if (dir == &fs->root && !strcmp(name, INFO_NAME))
		return &fs->info;
	return g_tree_lookup(dir->children, name);
}

static int msharefs_lookup(void *data, struct task *t, const struct pseudo_node *dir,
			   const char *name, struct pseudo_node *out)
{
	struct mshare_inode *child, *parent = inode_of(data, dir->ino);

	(void)t;
	if (!parent->children)
		return -ENOTDIR;
	if (strlen(name) > NAME_MAX_GUEST)
		return -ENAMETOOLONG;
	child = child_of(data, parent, name);
	if (!child)
		return -ENOENT;
	to_node(child, out);
	return 0;
}

/* A new region file: its inode and region with its host mm. */
static int msharefs_create(void *data, const struct pseudo_node *dir, const char *name,
			   unsigned mode, struct pseudo_node *out)
{
	struct msharefs *fs = data;
	struct mshare_inode *inode, *parent = inode_of(fs, dir->ino);
	struct mshare_region *region;
	int err;

	if (strlen(name) > NAME_MAX_GUEST)
		return -ENAMETOOLONG;
	if (!parent->children)
		return -ENOTDIR;
	if (!parent->nlink)
		return -ENOENT;	/* a removed directory */
	err = mshare_region_new(fs->ps, fs->m->phys, &fs->m->vmstats, &fs->m->profile.vm, &region);
	if (err)
		return err;
	mshare_set_flush(region, fs->flush);
	mshare_set_v3_bugs(region, fs->m->opt.mshare_v3_bugs);
	inode = new_inode(fs, S_IFREG | (mode & 07777));
	mshare_set_ledger(region, fs->ledger, inode->ino);
	inode->region = region;
	g_tree_insert(parent->children, g_strdup(name), inode);
	to_node(inode, out);
	if (!machine_design(fs->m, &msharefs_design))
		machine_add_design(fs->m, &msharefs_design, fs);	/* a report from the first region on */
	return 0;
}

static int check_open(const struct mshare_inode *inode, int flags)
{
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->mode))
		return -ENOTDIR;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	if (S_ISDIR(inode->mode) && !(flags & O_PATH) &&
	    ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EISDIR;
	return 0;
}

static int msharefs_open(void *data, const struct pseudo_node *node, const char *path, int flags,
			 unsigned mode, struct file **out)
{
	struct msharefs *fs = data;
	struct mshare_inode *inode = inode_of(fs, node->ino);
	struct msharefs_file *mf;
	int err = check_open(inode, flags);

	if (err)
		return err;
	mf = g_new0(struct msharefs_file, 1);
	mf->fs = fs;
	mf->inode = inode;
	inode->opens++;
	*out = file_alloc(&msharefs_ops, (flags & O_PATH ? flags : flags | O_LARGEFILE) & ~O_NOFOLLOW, path, mf);
	(*out)->is_dir = S_ISDIR(inode->mode);
	return 0;
}

/* The end of the machine: every process has let go of its mappings. */
static void msharefs_kill(void *data)
{
	struct msharefs *fs = data;

	g_hash_table_destroy(fs->inodes);
	g_tree_destroy(fs->root.children);
	ptshare_free(fs->ps);
	mshare_ledger_free(fs->ledger);
	g_free(fs);
}

static const struct fs_type msharefs_type = {
	.name = "msharefs",
	.root = msharefs_root,
	.lookup = msharefs_lookup,
	.open = msharefs_open,
	.create = msharefs_create,
	.kill = msharefs_kill,
};

/* ------------------------------------------------------------------ report */

typedef void (*region_fn)(const char *path, const struct mshare_inode *inode, void *ctx);

struct region_walk {
	const char *dir;	/* the path of the directory walked, "" for the root */
	region_fn fn;
	void *ctx;
};

static gboolean walk_child(gpointer key, gpointer value, gpointer opaque)
{
	const struct region_walk *w = opaque;
	const struct mshare_inode *inode = value;
	gchar *path = *w->dir ? g_strconcat(w->dir, "/", key, NULL) : g_strdup(key);
	struct region_walk below = { path, w->fn, w->ctx };

	if (inode->children)
		g_tree_foreach(inode->children, walk_child, &below);
	else
		w->fn(path, inode, w->ctx);
	g_free(path);
	return FALSE;
}

/* Each name of a region file, by its path below the mount, in name order. */
static void for_each_named_region(struct msharefs *fs, region_fn fn, void *ctx)
{
	struct region_walk w = { "", fn, ctx };

	g_tree_foreach(fs->root.children, walk_child, &w);
}

static void report_region(const char *path, const struct mshare_inode *inode, void *list)
{
	struct report_node *row = report_add_section(list, NULL, NULL, TEXT_INLINE);
	struct mshare_stats st;
	uint64_t start, size, shared;

	mshare_get_size(inode->region, &start, &size);
	mshare_region_stats(inode->region, &st);
	report_add_string(row, "name", path);
	report_add_count(row, "start", NULL, start);
	report_add_count(row, "size", NULL, size);
	report_add_count(row, "links", NULL, st.links);
	report_add_count(row, "peak_sharers", NULL, st.peak_sharers);
	report_add_count(row, "flushes_passed", NULL, st.flushes_passed);
	report_add_count(row, "pgd", NULL, st.tables[PGD_LEVEL]);
	report_add_count(row, "pud", NULL, st.tables[PUD_LEVEL]);
	report_add_count(row, "pmd", NULL, st.tables[PMD_LEVEL]);
	report_add_count(row, "pte", NULL, st.tables[PTE_LEVEL]);
	shared = (st.tables[PUD_LEVEL] + st.tables[PMD_LEVEL] + st.tables[PTE_LEVEL]) * PAGE_SIZE;
	report_add_count(row, "shared_kb", NULL, shared / 1024);
	report_add_count(row, "unshared_kb", NULL, st.peak_sharers * shared / 1024);
}

/* What a region's strategy did for the changes of its shared leaves, and
 * the translations it left stale (the first: mm id, CPU, page). */
static void report_flushing(const char *path, const struct mshare_inode *inode, void *list)
{
	struct report_node *row = report_add_section(list, NULL, NULL, TEXT_INLINE);
	struct mshare_stats st;
	char first[64] = "";

	mshare_region_stats(inode->region, &st);
	if (st.stale)
		snprintf(first, sizeof(first), "mm %" PRIu64 " cpu %d %#" PRIx64, st.stale_mm,
			 st.stale_cpu, st.stale_va);
	report_add_string(row, "name", path);
	report_add_string(row, "strategy", mshare_flush_name(st.flush));
	report_add_count(row, "changes", NULL, st.changes);
	report_add_count(row, "shootdowns", NULL, st.shootdowns);
	report_add_count(row, "ipis", NULL, st.ipis);
	report_add_count(row, "cpus_flushed", NULL, st.cpus_flushed);
	report_add_count(row, "initiator_ns", NULL, st.initiator_ns);
	report_add_count(row, "stale", NULL, st.stale);
	report_add_string(row, "first_stale", first);
}

struct name_of {
	const struct mshare_inode *inode;
	gchar *name;	/* its first path */
};

static void find_name(const char *path, const struct mshare_inode *inode, void *opaque)
{
	struct name_of *n = opaque;

	if (inode == n->inode && !n->name)
		n->name = g_strdup(path);
}

/* Each process that linked a region, with its page tables by level as it
 * last let go of it: its own (pgd..pte, the root included) and those it
 * reached through shared tables; their kB below the root.  The region by
 * inode number, and a name it still has. */
static void report_processes(struct msharefs *fs, struct report_node *list)
{
	unsigned n;
	const struct mshare_tables *t = mshare_ledger_tables(fs->ledger, &n);

	for (unsigned i = 0; i < n; i++) {
		struct report_node *row = report_add_section(list, NULL, NULL, TEXT_INLINE);
		struct name_of name = { g_hash_table_lookup(fs->inodes, &t[i].region), NULL };
		uint64_t own = t[i].own[PUD_LEVEL] + t[i].own[PMD_LEVEL] + t[i].own[PTE_LEVEL];
		uint64_t shared = t[i].shared[PUD_LEVEL] + t[i].shared[PMD_LEVEL] +
				  t[i].shared[PTE_LEVEL];

		if (name.inode)
			for_each_named_region(fs, find_name, &name);
		report_add_count(row, "ino", NULL, t[i].region);
		report_add_string(row, "name", name.name ? name.name : "");
		report_add_count(row, "mm", NULL, t[i].mm);
		report_add_count(row, "pgd", NULL, t[i].own[PGD_LEVEL]);
		report_add_count(row, "pud", NULL, t[i].own[PUD_LEVEL]);
		report_add_count(row, "pmd", NULL, t[i].own[PMD_LEVEL]);
		report_add_count(row, "pte", NULL, t[i].own[PTE_LEVEL]);
		report_add_count(row, "shared_pud", NULL, t[i].shared[PUD_LEVEL]);
		report_add_count(row, "shared_pmd", NULL, t[i].shared[PMD_LEVEL]);
		report_add_count(row, "shared_pte", NULL, t[i].shared[PTE_LEVEL]);
		report_add_count(row, "own_kb", NULL, own * PAGE_SIZE / 1024);
		report_add_count(row, "shared_kb", NULL, shared * PAGE_SIZE / 1024);
		g_free(name.name);
	}
}

/* One column of a table: its member, title and width (negative: left
 * aligned). */
struct column {
	const char *key, *title;
	int width;
};

static const struct column region_columns[] = {
	{ "name", "name", -16 }, { "start", "start", 16 }, { "size", "size", 16 },
	{ "links", "links", 8 }, { "peak_sharers", "peak sharers", 13 },
	{ "flushes_passed", "flushes passed", 15 }, { "pgd", "pgd", 5 }, { "pud", "pud", 5 },
	{ "pmd", "pmd", 5 }, { "pte", "pte", 7 }, { "shared_kb", "shared kB", 10 },
	{ "unshared_kb", "unshared kB", 12 },
};

static const struct column flushing_columns[] = {
	{ "name", "name", -16 }, { "strategy", "strategy", -11 }, { "changes", "changes", 8 },
	{ "shootdowns", "shootdowns", 11 }, { "ipis", "IPIs", 8 },
	{ "cpus_flushed", "CPUs flushed", 13 }, { "initiator_ns", "initiator ns", 13 },
	{ "stale", "stale", 8 }, { "first_stale", "first stale", -28 },
};

static const struct column process_columns[] = {
	{ "ino", "ino", 5 }, { "name", "name", -16 }, { "mm", "mm", 6 }, { "pgd", "pgd", 5 },
	{ "pud", "pud", 5 }, { "pmd", "pmd", 5 }, { "pte", "pte", 7 },
	{ "shared_pud", "shared pud", 11 }, { "shared_pmd", "shared pmd", 11 },
	{ "shared_pte", "shared pte", 11 }, { "own_kb", "own kB", 8 },
	{ "shared_kb", "shared kB", 10 },
};

static struct report_node *add_table(struct report_node *sec, const char *key, const char *title,
				     const struct column *cols, size_t n)
{
	struct report_node *list = report_add_list(sec, key, title, TEXT_TABLE);

	for (size_t i = 0; i < n; i++)
		report_add_column(list, cols[i].key, cols[i].title, cols[i].width);
	return list;
}

/* The regions that still have a name: what their faults linked, how many
 * processes shared them at most, and the host's table pages by level (one
 * copy, whatever the number of sharers); the bytes of that copy below the
 * root, and what the peak sharers would have held without sharing (a copy
 * each: the design note's N copies); then their flushing, and
 * the page tables of the processes that linked them. */
static void msharefs_report(struct machine *m, void *state, struct report_node *root)
{
	struct msharefs *fs = state;
	struct report_node *sec = report_add_section(root, "mshare", "mshare regions", TEXT_LINE);

	(void)m;
	for_each_named_region(fs, report_region,
			      add_table(sec, "regions", "regions", region_columns,
					G_N_ELEMENTS(region_columns)));
	for_each_named_region(fs, report_flushing,
			      add_table(sec, "flushing", "flushes of changed shared leaves",
					flushing_columns, G_N_ELEMENTS(flushing_columns)));
	report_processes(fs, add_table(sec, "processes",
				       "page tables of the processes that linked them",
				       process_columns, G_N_ELEMENTS(process_columns)));
}

/* The mount's state is freed with the mount (msharefs_kill), after every
 * design's: the VMAs of their address spaces may map regions. */
static const struct design_ops msharefs_design = {
	.name = "mshare",
	.report = msharefs_report,
};

void msharefs_mount(struct machine *m)
{
	struct msharefs *fs = g_new0(struct msharefs, 1);

	fs->m = m;
	fs->ps = ptshare_new(m->phys);
	fs->flush = MSHARE_FLUSH_PER_SHARER;
	if (m->opt.mshare_flush)
		mshare_flush_parse(m->opt.mshare_flush, &fs->flush);	/* checked by main */
	fs->root = (struct mshare_inode){ .ino = ROOT_INO, .mode = S_IFDIR | 0777, .nlink = 2 };
	fs->root.children = g_tree_new_full(compare_names, NULL, g_free, NULL);
	fs->root.parent = &fs->root;
	fs->info = (struct mshare_inode){ .ino = INFO_INO, .mode = S_IFREG | 0444, .nlink = 1 };
	fs->inodes = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
					   (GDestroyNotify)free_inode);
	fs->next_ino = INFO_INO + 1;
	fs->ledger = mshare_ledger_new();
	vfs_mount(&m->vfs, "/sys/fs/mshare", &msharefs_type, fs);
}

/* ------------------------------------------------------------ every file */

static int msharefs_getattr(struct file *f, struct statx *stx)
{
	struct mshare_inode *inode = mf_of(f)->inode;

	*stx = (struct statx){
		.stx_mask = STATX_BASIC_STATS, .stx_blksize = PAGE_SIZE, .stx_nlink = inode->nlink,
		.stx_mode = (uint16_t)inode->mode, .stx_ino = inode->ino,
	};
	return 0;
}

static int msharefs_statfs(struct file *f, struct statfs *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->f_type = MSHARE_MAGIC;
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_namelen = NAME_MAX_GUEST;
	return 0;
}

static void msharefs_release(struct file *f)
{
	struct msharefs_file *mf = mf_of(f);

	mf->inode->opens--;
	maybe_free(mf->fs, mf->inode);
	g_free(mf);
}

/* ------------------------------------------------------------ mshare_info */

/* mshare_info's text; a region file has none (EINVAL, no read op). */
static long msharefs_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	char text[32];
	int64_t pos = offset < 0 ? f->f_pos : offset;
	size_t size = (size_t)snprintf(text, sizeof(text), "%" PRIu64 "\n", PGDIR_SIZE), n;

	if (f->is_dir)
		return -EISDIR;
	if (mf_of(f)->inode->region)
		return -EINVAL;
	n = (uint64_t)pos < size ? MIN(len, size - (size_t)pos) : 0;
	memcpy(buf, text + (n ? pos : 0), n);
	if (offset < 0)
		f->f_pos += (int64_t)n;
	return (long)n;
}

/* The directory rewinds or goes to a listing index; mshare_info's position
 * stays (Linux's noop_llseek); a region file has none (no_llseek). */
static long msharefs_llseek(struct file *f, int64_t offset, int whence)
{
	if (mf_of(f)->inode->region)
		return -ESPIPE;
	if (!f->is_dir)
		return f->f_pos;
	if (whence != SEEK_SET || offset < 0)
		return -EINVAL;
	return f->f_pos = offset;
}

/* ------------------------------------------------------------ region file */

static long region_ioctl(struct file *f, struct task *t, unsigned cmd, uint64_t arg)
{
	struct mshare_region *r = region_of(f);
	struct mshare_info info;
	struct mshare_create create;

	if (!r)
		return -ENOTTY;
	switch (cmd) {
	case MSHAREFS_GET_SIZE:
		mshare_get_size(r, &info.start, &info.size);
		return copy_to_user(t->mm, arg, &info, sizeof(info)) ? -EFAULT : 0;
	case MSHAREFS_SET_SIZE:
		if (copy_from_user(t->mm, &info, arg, sizeof(info)))
			return -EFAULT;
		return mshare_set_size(r, info.start, info.size);
	case MSHAREFS_CREATE_MAPPING:
		if (copy_from_user(t->mm, &create, arg, sizeof(create)))
			return -EFAULT;
		return mshare_create_mapping(r, create.addr, create.size, create.prot,
					     (create.flags & G_MAP_SHARED ? MM_MAP_SHARED : 0) |
					     (create.flags & G_MAP_FIXED ? MM_MAP_FIXED : 0),
					     create.fd);
	default:
		return -ENOTTY;
	}
}

/* do_mmap's length and access checks, then the RFC's msharefs_mmap on the
 * range.
 * Without MAP_FIXED, Linux takes the hint when it is free and otherwise
 * places the mapping where it is not aligned, which msharefs refuses. */
static long region_mmap(struct file *f, struct task *t, uint64_t addr, uint64_t len,
			unsigned prot, unsigned flags, uint64_t offset)
{
	int acc = f->f_flags & O_ACCMODE;
	uint64_t out;
	int err;

	if (!region_of(f))
		return -ENODEV;
	if (!len || len > TASK_SIZE)	/* do_mmap's checks come before the file's */
		return len ? -ENOMEM : -EINVAL;
	if (acc == O_WRONLY || ((flags & MM_MAP_SHARED) && (prot & VM_WRITE) && acc == O_RDONLY))
		return -EACCES;
	err = mshare_check_mmap(region_of(f), addr, len, offset);
	if (!err)
		err = mm_mmap_object(t->mm, addr, len, prot,
				     flags | (flags & MM_MAP_FIXED ? 0 : MM_MAP_FIXED | MM_MAP_NOREPLACE),
				     &mshare_vm_ops, region_of(f), &out);
	if (err == -EEXIST && !(flags & MM_MAP_FIXED))
		err = -EINVAL;
	return err ? err : (long)out;
}

/* -------------------------------------------------------------- directory */

struct listing {
	char *buf;
	size_t len, done;
	int64_t index;		/* of the next entry */
	struct file *f;
};

/* One entry if it is at or past the file position; false when full. */
static bool emit(struct listing *l, const char *name, uint64_t ino, unsigned mode)
{
	size_t n;

	if (l->index++ < l->f->f_pos)
		return true;
	n = pseudo_put_dirent(l->buf + l->done, l->len - l->done, ino, l->index, mode, name);
	if (!n)
		return false;
	l->done += n;
	l->f->f_pos = l->index;
	return true;
}

static gboolean emit_child(gpointer key, gpointer value, gpointer opaque)
{
	const struct mshare_inode *inode = value;

	return !emit(opaque, key, inode->ino, inode->mode);
}

/* ".", "..", mshare_info in the root, and the names in name order, from the
 * position (an index: a name added or removed meanwhile shifts the rest). */
static long dir_getdents(struct file *f, void *buf, size_t len)
{
	struct msharefs *fs = mf_of(f)->fs;
	const struct mshare_inode *dir = mf_of(f)->inode;
	struct listing l = { buf, len, 0, 0, f };

	if (!dir->nlink)
		return 0;	/* removed: empty */
	if (emit(&l, ".", dir->ino, S_IFDIR) && emit(&l, "..", dir->parent->ino, S_IFDIR) &&
	    (dir != &fs->root || emit(&l, INFO_NAME, INFO_INO, fs->info.mode)))
		g_tree_foreach(dir->children, emit_child, &l);
	return l.done || l.index <= f->f_pos ? (long)l.done : -EINVAL;
}

/* Take `name` out of `dir`; the inode loses a name (a directory both: its
 * own "." and the name). */
static void remove_name(struct msharefs *fs, struct mshare_inode *dir, const char *name,
			struct mshare_inode *inode)
{
	g_tree_remove(dir->children, name);
	if (inode->children) {
		inode->nlink = 0;
		dir->nlink--;	/* its ".." */
	} else {
		inode->nlink--;
	}
	maybe_free(fs, inode);
}

static int dir_mkdir(struct file *f, const char *name, unsigned mode)
{
	struct msharefs *fs = mf_of(f)->fs;
	struct mshare_inode *dir = mf_of(f)->inode, *inode;

	if (child_of(fs, dir, name))
		return -EEXIST;
	if (strlen(name) > NAME_MAX_GUEST)
		return -ENAMETOOLONG;
	if (!dir->nlink)
		return -ENOENT;
	inode = new_inode(fs, S_IFDIR | (mode & 07777));
	inode->parent = dir;
	dir->nlink++;
	g_tree_insert(dir->children, g_strdup(name), inode);
	return 0;
}

static int dir_unlink(struct file *f, const char *name, bool rmdir)
{
	struct msharefs *fs = mf_of(f)->fs;
	struct mshare_inode *dir = mf_of(f)->inode, *inode = child_of(fs, dir, name);

	if (!inode)
		return -ENOENT;
	if (inode == &fs->info)
		return -EPERM;
	if (rmdir != (inode->children != NULL))
		return rmdir ? -ENOTDIR : -EISDIR;
	if (rmdir && g_tree_nnodes(inode->children))
		return -ENOTEMPTY;
	remove_name(fs, dir, name, inode);
	return 0;
}

/* A second name for a region file (mshare_info keeps its one: EPERM). */
static int dir_link(struct file *old, struct file *f, const char *name)
{
	struct msharefs *fs = mf_of(f)->fs;
	struct mshare_inode *dir = mf_of(f)->inode, *inode = mf_of(old)->inode;

	if (child_of(fs, dir, name))
		return -EEXIST;
	if (S_ISDIR(inode->mode) || inode == &fs->info)
		return -EPERM;
	if (!inode->nlink || !dir->nlink)
		return -ENOENT;
	if (strlen(name) > NAME_MAX_GUEST)
		return -ENAMETOOLONG;
	g_tree_insert(dir->children, g_strdup(name), inode);
	inode->nlink++;
	return 0;
}

/* Whether `dir` is `inode` or below it. */
static bool is_below(const struct mshare_inode *dir, const struct mshare_inode *inode)
{
	for (;; dir = dir->parent) {
		if (dir == inode)
			return true;
		if (dir == dir->parent)
			return false;	/* the root */
	}
}

/* What stops `old` from taking the place of `target` (NULL: none) in
 * `new_dir`: fs/namei.c's errno. */
static int check_rename(struct msharefs *fs, const struct mshare_inode *old,
			const struct mshare_inode *target, const struct mshare_inode *new_dir,
			const char *new_name, unsigned flags)
{
	if (old == &fs->info || target == &fs->info)
		return -EPERM;
	if (flags & RENAME_EXCHANGE)
		return -EINVAL;
	if (target && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (target == old)
		return 0;
	if (!new_dir->nlink)
		return -ENOENT;	/* a removed directory */
	if (old->children && is_below(new_dir, old))
		return -EINVAL;	/* into itself */
	if (target && old->children && !target->children)
		return -ENOTDIR;
	if (target && !old->children && target->children)
		return -EISDIR;
	if (target && target->children && g_tree_nnodes(target->children))
		return -ENOTEMPTY;
	if (strlen(new_name) > NAME_MAX_GUEST)
		return -ENAMETOOLONG;
	return 0;
}

static int dir_rename(struct file *f, const char *name, struct file *new_f,
		      const char *new_name, unsigned flags)
{
	struct msharefs *fs = mf_of(f)->fs;
	struct mshare_inode *dir = mf_of(f)->inode, *new_dir = mf_of(new_f)->inode;
	struct mshare_inode *old = child_of(fs, dir, name), *target;
	gpointer key;
	int err;

	if (!old)
		return -ENOENT;
	target = child_of(fs, new_dir, new_name);
	err = check_rename(fs, old, target, new_dir, new_name, flags);
	if (err || target == old)
		return err;
	g_tree_lookup_extended(dir->children, name, &key, NULL);
	g_tree_steal(dir->children, name);	/* the inode moves; its old key goes */
	g_free(key);
	if (target)
		remove_name(fs, new_dir, new_name, target);
	if (old->children) {
		dir->nlink--;	/* its ".." moves */
		new_dir->nlink++;
		old->parent = new_dir;
	}
	g_tree_insert(new_dir->children, g_strdup(new_name), old);
	return 0;
}

/* One table for every file, as the namespace calls want (a link's old file
 * and its directory are of one kind); each op looks at its inode. */
static const struct file_ops msharefs_ops = {
	.read = msharefs_read,
	.llseek = msharefs_llseek,
	.ioctl = region_ioctl,
	.mmap_object = region_mmap,
	.getattr = msharefs_getattr,
	.getdents = dir_getdents,
	.statfs = msharefs_statfs,
	.mkdir = dir_mkdir,
	.unlink = dir_unlink,
	.link = dir_link,
	.rename = dir_rename,
	.release = msharefs_release,
};
