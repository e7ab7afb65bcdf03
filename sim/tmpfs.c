/*
 * tmpfs: a writable tree in simulated memory, after Linux's mm/shmem.c
 * file system.  A mount (--tmpfs PATH) is an fs_type (sim/pseudo.h) whose
 * nodes are inodes of its own: directories (a sorted name tree, so that
 * listings are deterministic), symbolic links and regular files, whose
 * bytes live in a shmem object (mmu/shmem): its pages are frames of the
 * machine's simulated memory, counted as every other frame, and the host's
 * files are never touched.  Opening a node gives a file with tmpfs's own
 * file_ops, which answer the read, write and namespace calls as Linux's
 * tmpfs does (errno for errno).
 *
 * An inode lives while it has a name or an open file.  Times are the
 * guest's simulated CLOCK_REALTIME; a new node belongs to root, then to its
 * maker's fs ids (sim/sys_fs.c, sim/sys_fswrite.c chown it).  A regular
 * file maps, shared or private, as its shmem object (mmap_shmem), so a
 * store through a MAP_SHARED mapping is what read(2) and every other
 * mapping see; truncation takes the pages past the new end from every
 * mapping (shmem_truncate).  Not modelled: SIGBUS for a mapped page past
 * the end of the file (it maps a zeroed page as within it), and executing
 * a file (the loader reads host files).
 */
#include "sim/tmpfs.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "mmu/shmem.h"
#include "sim/machine.h"

#define TMPFS_MAGIC 0x01021994
#define ROOT_INO 1
#define NAME_MAX_GUEST 255
#define NSEC_PER_SEC INT64_C(1000000000)

struct inode {
	uint64_t ino;
	unsigned mode, nlink;
	uint32_t uid, gid;
	struct timespec atime, mtime, ctime;
	int opens;		/* open files */
	struct inode *parent;	/* a directory's "..": itself for the root */
	GTree *children;	/* a directory's entries: name -> struct inode * */
	char *target;		/* a symbolic link's */
	struct shmem *data;	/* a regular file's pages */
	uint64_t size;
};

struct tmpfs {
	struct machine *m;
	uint64_t next_ino;
	unsigned dev_minor;
	GHashTable *inodes;	/* ino -> struct inode *: those with a name or an open file */
};

/* An open file: its inode, and a directory's listing position (the last
 * name listed, so that names added or removed meanwhile move nothing). */
struct tmpfs_file {
	struct tmpfs *fs;
	struct inode *inode;
	char *cursor;
};

static const struct file_ops tmpfs_file_ops;

static struct timespec now(struct tmpfs *fs)
{
	int64_t ns = SIM_EPOCH * NSEC_PER_SEC + (int64_t)machine_now_ns(fs->m);

	return (struct timespec){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

static gint compare_names(gconstpointer a, gconstpointer b, gpointer unused)
{
	(void)unused;
	return strcmp(a, b);
}

static struct inode *new_inode(struct tmpfs *fs, unsigned mode)
{
	struct inode *inode = g_new0(struct inode, 1);

	inode->ino = fs->next_ino++;
	inode->mode = mode;
	inode->nlink = S_ISDIR(mode) ? 2 : 1;
	inode->atime = inode->mtime = inode->ctime = now(fs);
	if (S_ISDIR(mode))
		inode->children = g_tree_new_full(compare_names, NULL, g_free, NULL);
	if (S_ISREG(mode))
		inode->data = shmem_new(fs->m->phys);
	g_hash_table_insert(fs->inodes, &inode->ino, inode);
	return inode;
}

static void free_inode(struct inode *inode)
{
	if (inode->children)
		g_tree_destroy(inode->children);
	shmem_put(inode->data);
	g_free(inode->target);
	g_free(inode);
}

/* Free an inode with neither a name nor an open file. */
static void maybe_free(struct tmpfs *fs, struct inode *inode)
{
	if (!inode->nlink && !inode->opens)
		g_hash_table_remove(fs->inodes, &inode->ino);
}

static struct inode *inode_of(struct tmpfs *fs, uint64_t ino)
{
	return g_hash_table_lookup(fs->inodes, &ino);
}

static struct tmpfs_file *tf_of(struct file *f)
{
	return f->private_data;
}

static void touch_dir(struct tmpfs *fs, struct inode *dir)
{
	dir->mtime = dir->ctime = now(fs);
}

/* ---------------------------------------------------------------- fs_type */

static void to_node(const struct inode *inode, struct pseudo_node *out)
{
	*out = (struct pseudo_node){ .mode = inode->mode, .uid = inode->uid, .gid = inode->gid,
				     .ino = inode->ino };
}

static void tmpfs_root(struct pseudo_node *out)
{
	*out = (struct pseudo_node){ .mode = S_IFDIR | 01777, .ino = ROOT_INO };
}

static int tmpfs_lookup(void *data, struct task *t, const struct pseudo_node *dir, const char *name,
			struct pseudo_node *out)
{
	struct inode *d = inode_of(data, dir->ino), *child;

	(void)t;
	if (strlen(name) > NAME_MAX_GUEST)
		return -ENAMETOOLONG;
	child = d ? g_tree_lookup(d->children, name) : NULL;
	if (!child)
		return -ENOENT;
	to_node(child, out);
	return 0;
}

static int tmpfs_readlink(void *data, struct task *t, const struct pseudo_node *link, GString *out)
{
	struct inode *inode = inode_of(data, link->ino);

	(void)t;
	g_string_assign(out, inode->target);
	return 0;
}

/* A new inode named `name` in directory `dir`. */
static struct inode *add_child(struct tmpfs *fs, struct inode *dir, const char *name, unsigned mode)
{
	struct inode *inode = new_inode(fs, mode);

	g_tree_insert(dir->children, g_strdup(name), inode);
	if (S_ISDIR(mode)) {
		inode->parent = dir;
		dir->nlink++;
	}
	touch_dir(fs, dir);
	return inode;
}

static int tmpfs_create(void *data, const struct pseudo_node *dir, const char *name, unsigned mode,
			struct pseudo_node *out)
{
	if (strlen(name) > NAME_MAX_GUEST)
		return -ENAMETOOLONG;
	to_node(add_child(data, inode_of(data, dir->ino), name, S_IFREG | (mode & 07777)), out);
	return 0;
}

static int check_open(const struct inode *inode, int flags)
{
	if (S_ISLNK(inode->mode) && !(flags & O_PATH))
		return -ELOOP;	/* O_NOFOLLOW on a link */
	if ((flags & O_DIRECTORY) && !S_ISDIR(inode->mode))
		return -ENOTDIR;
	if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL))
		return -EEXIST;
	if ((flags & O_TMPFILE) == O_TMPFILE)	/* build_open_flags */
		return (flags & O_CREAT) || (flags & O_ACCMODE) == O_RDONLY ? -EINVAL : 0;
	if (S_ISDIR(inode->mode) && !(flags & O_PATH) &&
	    ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC)))
		return -EISDIR;
	return 0;
}

/* O_TMPFILE in directory `dir`: a regular file with no name (it goes
 * with its last open file). */
static struct inode *new_tmpfile(struct tmpfs *fs, struct inode *dir, unsigned mode)
{
	struct inode *inode = new_inode(fs, S_IFREG | (mode & 07777));

	inode->nlink = 0;
	touch_dir(fs, dir);
	return inode;
}

static int tmpfs_open(void *data, const struct pseudo_node *node, const char *path, int flags,
		      unsigned mode, struct file **out)
{
	struct tmpfs *fs = data;
	struct inode *inode = inode_of(fs, node->ino);
	struct tmpfs_file *tf;
	int err = check_open(inode, flags);

	if (err)
		return err;
	if ((flags & O_TMPFILE) == O_TMPFILE) {
		inode = new_tmpfile(fs, inode, mode);
		flags &= ~O_TMPFILE;
	}
	if (S_ISREG(inode->mode) && (flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY &&
	    !(flags & O_PATH) && inode->size) {
		shmem_truncate(inode->data, 0);
		inode->size = 0;
		inode->mtime = inode->ctime = now(fs);
	}
	tf = g_new0(struct tmpfs_file, 1);
	tf->fs = fs;
	tf->inode = inode;
	inode->opens++;
	*out = file_alloc(&tmpfs_file_ops, (flags & O_PATH ? flags : flags | O_LARGEFILE) & ~O_NOFOLLOW,
			  path, tf);
	(*out)->is_dir = S_ISDIR(inode->mode);
	return 0;
}

static void tmpfs_kill(void *data)
{
	struct tmpfs *fs = data;

	g_hash_table_destroy(fs->inodes);
	g_free(fs);
}

static const struct fs_type tmpfs_type = {
	.name = "tmpfs",
	.root = tmpfs_root,
	.lookup = tmpfs_lookup,
	.readlink = tmpfs_readlink,
	.open = tmpfs_open,
	.create = tmpfs_create,
	.kill = tmpfs_kill,
};

void tmpfs_mount(struct machine *m, const char *point)
{
	struct tmpfs *fs = g_new0(struct tmpfs, 1);
	struct inode *root;

	fs->m = m;
	fs->next_ino = ROOT_INO;
	fs->dev_minor = 100 + m->vfs.mounts->len;	/* one device per mount */
	fs->inodes = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, (GDestroyNotify)free_inode);
	root = new_inode(fs, S_IFDIR | 01777);
	root->parent = root;
	vfs_mount(&m->vfs, point, &tmpfs_type, fs);
}

/* ------------------------------------------------------------- file data */

static long tmpfs_read(struct file *f, void *buf, size_t len, int64_t offset)
{
	struct inode *inode = tf_of(f)->inode;
	int64_t pos = offset < 0 ? f->f_pos : offset;
	size_t n;

	if (S_ISDIR(inode->mode))
		return -EISDIR;
	n = (uint64_t)pos < inode->size ? (size_t)MIN(len, inode->size - (uint64_t)pos) : 0;
	shmem_read(inode->data, (uint64_t)pos, buf, n);
	if (offset < 0)
		f->f_pos += (int64_t)n;
	return (long)n;
}

static long tmpfs_write(struct file *f, const void *buf, size_t len, int64_t offset)
{
	struct tmpfs_file *tf = tf_of(f);
	struct inode *inode = tf->inode;
	int64_t pos = (f->f_flags & O_APPEND) ? (int64_t)inode->size : offset < 0 ? f->f_pos : offset;

	if (pos > INT64_MAX - (int64_t)len)
		return -EFBIG;
	if (len && shmem_write(inode->data, (uint64_t)pos, buf, len))
		return -ENOSPC;	/* simulated memory is exhausted */
	inode->size = MAX(inode->size, (uint64_t)pos + len);
	inode->mtime = inode->ctime = now(tf->fs);
	if (offset < 0)
		f->f_pos = pos + (int64_t)len;
	return (long)len;
}

static long tmpfs_llseek(struct file *f, int64_t offset, int whence)
{
	struct tmpfs_file *tf = tf_of(f);
	int64_t size = (int64_t)tf->inode->size, pos;

	if (S_ISDIR(tf->inode->mode)) {
		if (whence != SEEK_SET || offset != 0)
			return whence == SEEK_CUR && offset == 0 ? f->f_pos : -EINVAL;
		g_clear_pointer(&tf->cursor, g_free);
		return f->f_pos = 0;
	}
	switch (whence) {
	case SEEK_SET: pos = offset; break;
	case SEEK_CUR: pos = f->f_pos + offset; break;
	case SEEK_END: pos = size + offset; break;
	case SEEK_DATA: if (offset < 0 || offset >= size) return -ENXIO; pos = offset; break;
	case SEEK_HOLE: if (offset < 0 || offset >= size) return -ENXIO; pos = size; break;
	default: return -EINVAL;
	}
	if (pos < 0)
		return -EINVAL;
	return f->f_pos = pos;
}

static struct statx_timestamp stx_time(struct timespec ts)
{
	return (struct statx_timestamp){ .tv_sec = ts.tv_sec, .tv_nsec = (uint32_t)ts.tv_nsec };
}

static int tmpfs_getattr(struct file *f, struct statx *stx)
{
	struct tmpfs_file *tf = tf_of(f);
	struct inode *inode = tf->inode;

	*stx = (struct statx){
		.stx_mask = STATX_BASIC_STATS, .stx_blksize = PAGE_SIZE, .stx_nlink = inode->nlink,
		.stx_uid = inode->uid, .stx_gid = inode->gid, .stx_mode = (uint16_t)inode->mode,
		.stx_ino = inode->ino,
		.stx_size = S_ISDIR(inode->mode) ? (uint64_t)(g_tree_nnodes(inode->children) + 2) * 20
						 : inode->size,
		.stx_blocks = inode->data ? shmem_nr_pages(inode->data) * (PAGE_SIZE / 512) : 0,
		.stx_atime = stx_time(inode->atime), .stx_mtime = stx_time(inode->mtime),
		.stx_ctime = stx_time(inode->ctime), .stx_dev_minor = tf->fs->dev_minor,
	};
	return 0;
}

/* The names after `cursor` (all with NULL), in order, until one does not
 * fit. */
struct listing {
	void *buf;
	size_t len, done;
	struct file *f;
	bool full;
};

static gboolean emit_entry(gpointer key, gpointer value, gpointer opaque)
{
	struct listing *l = opaque;
	struct tmpfs_file *tf = tf_of(l->f);
	const struct inode *inode = value;
	size_t n;

	if (tf->cursor && strcmp(key, tf->cursor) <= 0)
		return FALSE;
	n = pseudo_put_dirent((char *)l->buf + l->done, l->len - l->done, inode->ino, l->f->f_pos + 1,
			      inode->mode, key);
	if (!n) {
		l->full = true;
		return TRUE;
	}
	l->done += n;
	l->f->f_pos++;
	g_free(tf->cursor);
	tf->cursor = g_strdup(key);
	return FALSE;
}

static long tmpfs_getdents(struct file *f, void *buf, size_t len)
{
	struct tmpfs_file *tf = tf_of(f);
	struct inode *dir = tf->inode;
	struct listing l = { buf, len, 0, f, false };

	for (; f->f_pos < 2; f->f_pos++) {
		const struct inode *inode = f->f_pos ? dir->parent : dir;
		size_t n = pseudo_put_dirent((char *)buf + l.done, len - l.done, inode->ino, f->f_pos + 1,
					     S_IFDIR, f->f_pos ? ".." : ".");

		if (!n)
			return l.done ? (long)l.done : -EINVAL;
		l.done += n;
	}
	g_tree_foreach(dir->children, emit_entry, &l);
	return l.full && !l.done ? -EINVAL : (long)l.done;
}

static long tmpfs_readlink_file(struct file *f, char *buf, size_t len)
{
	struct inode *inode = tf_of(f)->inode;
	size_t n;

	if (!S_ISLNK(inode->mode))
		return -EINVAL;
	n = MIN(len, strlen(inode->target));
	memcpy(buf, inode->target, n);
	return (long)n;
}

/* ------------------------------------------------------------ attributes */

static int tmpfs_utimens(struct file *f, const struct timespec *times)
{
	struct tmpfs_file *tf = tf_of(f);

	if (times[0].tv_nsec != UTIME_OMIT)
		tf->inode->atime = times[0];
	if (times[1].tv_nsec != UTIME_OMIT)
		tf->inode->mtime = times[1];
	tf->inode->ctime = now(tf->fs);
	return 0;
}

static int set_size(struct tmpfs_file *tf, uint64_t size)
{
	struct inode *inode = tf->inode;

	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode))
		return -EINVAL;
	if (size < inode->size)
		shmem_truncate(inode->data, size);
	inode->size = size;
	inode->mtime = inode->ctime = now(tf->fs);
	return 0;
}

static int tmpfs_truncate(struct file *f, int64_t length)
{
	return set_size(tf_of(f), (uint64_t)length);
}

static int tmpfs_chmod(struct file *f, unsigned mode)
{
	struct tmpfs_file *tf = tf_of(f);

	if (S_ISLNK(tf->inode->mode))
		return -EOPNOTSUPP;
	tf->inode->mode = (tf->inode->mode & S_IFMT) | (mode & 07777);
	tf->inode->ctime = now(tf->fs);
	return 0;
}

/* A new owner clears set-user-ID, and set-group-ID with group execute, of
 * what is not a directory (Linux's ATTR_KILL_SUID/SGID). */
static int tmpfs_chown(struct file *f, uint32_t uid, uint32_t gid)
{
	struct tmpfs_file *tf = tf_of(f);
	struct inode *inode = tf->inode;

	if (uid != (uint32_t)-1)
		inode->uid = uid;
	if (gid != (uint32_t)-1)
		inode->gid = gid;
	if (!S_ISDIR(inode->mode) && !S_ISLNK(inode->mode))
		inode->mode &= ~(unsigned)(S_ISUID | ((inode->mode & S_IXGRP) ? S_ISGID : 0));
	inode->ctime = now(tf->fs);
	return 0;
}

/* Pages for [offset, offset + len), allocated now. */
static int tmpfs_fallocate(struct file *f, int mode, int64_t offset, int64_t len)
{
	struct tmpfs_file *tf = tf_of(f);
	struct inode *inode = tf->inode;
	uint64_t end = (uint64_t)offset + (uint64_t)len;

	if (mode & G_FALLOC_FL_PUNCH_HOLE)
		return -EOPNOTSUPP;

	if (S_ISDIR(inode->mode))
		return -EISDIR;
	if (!S_ISREG(inode->mode))
		return -ENODEV;
	for (uint64_t page = (uint64_t)offset >> PAGE_SHIFT; page << PAGE_SHIFT < end; page++)
		if (shmem_fallocate_page(inode->data, page) < 0)
			return -ENOSPC;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > inode->size) {
		inode->size = end;
		inode->mtime = inode->ctime = now(tf->fs);
	}
	return 0;
}

/* mmap: a regular file's shmem object, under do_mmap's access checks (a
 * file not open for reading, or a shared writable mapping of one not open
 * for writing, is EACCES; O_APPEND does not matter). */
static struct shmem *tmpfs_mmap_shmem(struct file *f, unsigned prot, unsigned flags, long *err)
{
	struct inode *inode = tf_of(f)->inode;
	int acc = f->f_flags & O_ACCMODE;

	*err = 0;
	if (!S_ISREG(inode->mode))
		*err = -ENODEV;
	else if (acc == O_WRONLY)
		*err = -EACCES;
	else if ((flags & MM_MAP_SHARED) && (prot & VM_WRITE) && acc == O_RDONLY)
		*err = -EACCES;
	return *err ? NULL : inode->data;
}

static int tmpfs_fsync(struct file *f, bool datasync)
{
	(void)f, (void)datasync;
	return 0;	/* nothing to write out */
}

static void add_pages(gpointer key, gpointer value, gpointer total)
{
	const struct inode *inode = value;

	(void)key;
	if (inode->data)
		*(uint64_t *)total += shmem_nr_pages(inode->data);
}

/* The size is the machine's simulated memory, as tmpfs's default. */
static int tmpfs_statfs(struct file *f, struct statfs *st)
{
	struct tmpfs *fs = tf_of(f)->fs;
	uint64_t blocks = phys_size(fs->m->phys) / PAGE_SIZE, used = 0;

	g_hash_table_foreach(fs->inodes, add_pages, &used);
	memset(st, 0, sizeof(*st));
	st->f_type = TMPFS_MAGIC;
	st->f_bsize = st->f_frsize = PAGE_SIZE;
	st->f_blocks = blocks;
	st->f_bfree = st->f_bavail = blocks - MIN(used, blocks);
	st->f_files = blocks;
	st->f_ffree = blocks - MIN(g_hash_table_size(fs->inodes), blocks);
	st->f_namelen = NAME_MAX_GUEST;
	return 0;
}

/* ------------------------------------------------------------- namespace */

/* `name` without the "/" a path's trailing slashes leave. */
static char *plain_name(const char *name, bool *slash)
{
	size_t len = strlen(name);

	*slash = len && name[len - 1] == '/';
	return g_strndup(name, len - *slash);
}

static struct inode *child_of(struct inode *dir, const char *name)
{
	return g_tree_lookup(dir->children, name);
}

static int tmpfs_mkdir(struct file *dir, const char *name, unsigned mode)
{
	struct tmpfs_file *tf = tf_of(dir);
	bool slash;
	char *plain = plain_name(name, &slash);
	int err = child_of(tf->inode, plain) ? -EEXIST
		  : strlen(plain) > NAME_MAX_GUEST ? -ENAMETOOLONG : 0;

	if (!err)
		add_child(tf->fs, tf->inode, plain, S_IFDIR | (mode & 01777));
	g_free(plain);
	return err;
}

/* Take name `name` (plain) of `inode` out of directory `dir`. */
static void remove_name(struct tmpfs *fs, struct inode *dir, const char *name, struct inode *inode)
{
	g_tree_remove(dir->children, name);
	if (S_ISDIR(inode->mode)) {
		inode->nlink = 0;
		dir->nlink--;
	} else {
		inode->nlink--;
	}
	inode->ctime = now(fs);
	touch_dir(fs, dir);
	maybe_free(fs, inode);
}

static int tmpfs_unlink(struct file *dir, const char *name, bool rmdir)
{
	struct tmpfs_file *tf = tf_of(dir);
	bool slash;
	char *plain = plain_name(name, &slash);
	struct inode *inode = child_of(tf->inode, plain);
	int err = 0;

	if (!inode)
		err = -ENOENT;
	else if (rmdir && !S_ISDIR(inode->mode))
		err = -ENOTDIR;
	else if (rmdir && g_tree_nnodes(inode->children))
		err = -ENOTEMPTY;
	else if (!rmdir && S_ISDIR(inode->mode))
		err = -EISDIR;
	else if (!rmdir && slash)
		err = -ENOTDIR;
	if (!err)
		remove_name(tf->fs, tf->inode, plain, inode);
	g_free(plain);
	return err;
}

static int tmpfs_symlink(struct file *dir, const char *name, const char *target)
{
	struct tmpfs_file *tf = tf_of(dir);
	bool slash;
	char *plain = plain_name(name, &slash);
	int err = child_of(tf->inode, plain) ? -EEXIST : slash ? -ENOENT
		  : strlen(plain) > NAME_MAX_GUEST ? -ENAMETOOLONG : 0;

	if (!err) {
		struct inode *link = add_child(tf->fs, tf->inode, plain, S_IFLNK | 0777);

		link->target = g_strdup(target);
		link->size = strlen(target);
	}
	g_free(plain);
	return err;
}

static int tmpfs_link(struct file *old, struct file *dir, const char *name)
{
	struct tmpfs_file *from = tf_of(old), *tf = tf_of(dir);
	struct inode *inode = from->inode;
	bool slash;
	char *plain = plain_name(name, &slash);
	int err = 0;

	if (child_of(tf->inode, plain))
		err = -EEXIST;
	else if (from->fs != tf->fs)
		err = -EXDEV;
	else if (S_ISDIR(inode->mode))
		err = -EPERM;
	else if (slash || !inode->nlink)
		err = -ENOENT;
	if (!err) {
		g_tree_insert(tf->inode->children, g_strdup(plain), inode);
		inode->nlink++;
		inode->ctime = now(tf->fs);
		touch_dir(tf->fs, tf->inode);
	}
	g_free(plain);
	return err;
}

/* Whether directory `dir` is `ancestor` or below it. */
static bool is_below(const struct inode *dir, const struct inode *ancestor)
{
	for (; dir != dir->parent; dir = dir->parent)
		if (dir == ancestor)
			return true;
	return dir == ancestor;
}

/* Put `inode` in `to` as `name`, out of `from` (its directory, for a
 * directory's ".." and link counts). */
static void move_entry(struct inode *from, struct inode *to, const char *name, struct inode *inode)
{
	g_tree_insert(to->children, g_strdup(name), inode);
	if (S_ISDIR(inode->mode) && from != to) {
		from->nlink--;
		to->nlink++;
		inode->parent = to;
	}
}

static int check_rename(struct inode *old, bool old_slash, struct inode *target, bool new_slash,
			struct inode *new_dir, unsigned flags)
{
	if (!old)
		return -ENOENT;
	if (old_slash && !S_ISDIR(old->mode))
		return -ENOTDIR;
	if (flags & RENAME_EXCHANGE)
		return !target ? -ENOENT : (S_ISDIR(old->mode) && is_below(new_dir, old)) ? -EINVAL : 0;
	if (target && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (target == old)
		return 0;
	if (S_ISDIR(old->mode) && is_below(new_dir, old))
		return -EINVAL;
	if (target && S_ISDIR(old->mode) && !S_ISDIR(target->mode))
		return -ENOTDIR;
	if (target && !S_ISDIR(old->mode) && S_ISDIR(target->mode))
		return -EISDIR;
	if (target && S_ISDIR(target->mode) && g_tree_nnodes(target->children))
		return -ENOTEMPTY;
	if (!target && new_slash && !S_ISDIR(old->mode))
		return -ENOTDIR;
	return 0;
}

static int tmpfs_rename(struct file *dir, const char *name, struct file *new_dir, const char *new_name,
			unsigned flags)
{
	struct tmpfs_file *from = tf_of(dir), *to = tf_of(new_dir);
	struct tmpfs *fs = from->fs;
	bool old_slash, new_slash;
	char *oldn = plain_name(name, &old_slash), *newn = plain_name(new_name, &new_slash);
	struct inode *old = child_of(from->inode, oldn), *target = child_of(to->inode, newn);
	int err = from->fs != to->fs ? -EXDEV
		  : check_rename(old, old_slash, target, new_slash, to->inode, flags);

	if (!err && (flags & RENAME_EXCHANGE)) {
		g_tree_remove(from->inode->children, oldn);
		g_tree_remove(to->inode->children, newn);
		move_entry(to->inode, from->inode, oldn, target);
		move_entry(from->inode, to->inode, newn, old);
	} else if (!err && target != old) {
		if (target)
			remove_name(fs, to->inode, newn, target);
		g_tree_remove(from->inode->children, oldn);
		move_entry(from->inode, to->inode, newn, old);
	}
	if (!err) {
		old->ctime = now(fs);
		touch_dir(fs, from->inode);
		touch_dir(fs, to->inode);
	}
	g_free(newn);
	g_free(oldn);
	return err;
}

static void tmpfs_release(struct file *f)
{
	struct tmpfs_file *tf = tf_of(f);

	tf->inode->opens--;
	maybe_free(tf->fs, tf->inode);
	g_free(tf->cursor);
	g_free(tf);
}

static const struct file_ops tmpfs_file_ops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = tmpfs_llseek,
	.getattr = tmpfs_getattr,
	.getdents = tmpfs_getdents,
	.readlink = tmpfs_readlink_file,
	.utimens = tmpfs_utimens,
	.truncate = tmpfs_truncate,
	.chmod = tmpfs_chmod,
	.chown = tmpfs_chown,
	.fallocate = tmpfs_fallocate,
	.mmap_shmem = tmpfs_mmap_shmem,
	.fsync = tmpfs_fsync,
	.statfs = tmpfs_statfs,
	.mkdir = tmpfs_mkdir,
	.unlink = tmpfs_unlink,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.rename = tmpfs_rename,
	.release = tmpfs_release,
};
