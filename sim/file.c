/*
 * file: reference counting of open files; the last reference tells the
 * file's watchers and releases the kind's private data.
 */
#include "sim/file.h"

#include <glib.h>

struct file *file_alloc(const struct file_ops *ops, int flags, const char *path, void *private_data)
{
	struct file *file = g_new0(struct file, 1);

	file->refs = 1;
	file->f_op = ops;
	file->f_flags = flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC);
	file->path = g_strdup(path);
	file->private_data = private_data;
	return file;
}

struct file *file_get(struct file *file)
{
	file->refs++;
	return file;
}

void file_put(struct file *file)
{
	if (!file || --file->refs)
		return;
	while (file->watches) {
		struct file_watch *w = file->watches->data;

		file->watches = g_slist_delete_link(file->watches, file->watches);
		w->gone(w);
	}
	if (file->f_op->release)
		file->f_op->release(file);
	g_free(file->path);
	g_free(file);
}

int anon_inode_getattr(struct file *f, struct statx *stx)
{
	(void)f;
	*stx = (struct statx){
		.stx_mask = STATX_BASIC_STATS, .stx_mode = 0600, .stx_nlink = 1,
		.stx_blksize = 4096, .stx_ino = 1,
	};
	return 0;
}
