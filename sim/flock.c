/*
 * flock: flock(2) advisory locks between simulated processes, after
 * Linux's fs/locks.c.  A lock belongs to an open file description (the
 * struct file: dup and fork share it) and applies to the file it opened,
 * known by getattr's device and inode numbers.  A shared lock conflicts
 * with another file's exclusive one, an exclusive lock with any other
 * file's lock.  Converting a lock drops the old one first, as Linux does.
 * A lock goes with LOCK_UN or with the file's last reference (a
 * file_watch).  A request that conflicts fails with EWOULDBLOCK under
 * LOCK_NB, else sleeps until a lock is dropped and tries again.
 */
#include <errno.h>
#include <fcntl.h>

#include "sim/sched.h"
#include "sim/syscall.h"

#define G_LOCK_SH 1
#define G_LOCK_EX 2
#define G_LOCK_NB 4
#define G_LOCK_UN 8

struct file_lock {
	struct file_watch watch;	/* first: the file's watch is the lock */
	struct machine *m;
	struct file *file;
	GList **holders;		/* the list it is on: the inode's */
	int type;			/* G_LOCK_SH or G_LOCK_EX */
};

/* Every dropped lock wakes every waiter, which looks again. */
static const char flock_channel;

/* The list of locks on the inode of `f` (created empty). */
static GList **locks_of(struct machine *m, struct file *f, long *err)
{
	struct statx stx;
	gchar *key;
	GList **list;

	*err = f->f_op->getattr(f, &stx);
	if (*err)
		return NULL;
	if (!m->flocks)
		m->flocks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	key = g_strdup_printf("%u:%u:%" G_GUINT64_FORMAT, stx.stx_dev_major, stx.stx_dev_minor,
			      (guint64)stx.stx_ino);
	list = g_hash_table_lookup(m->flocks, key);
	if (list) {
		g_free(key);
		return list;
	}
	list = g_new0(GList *, 1);
	g_hash_table_insert(m->flocks, key, list);
	return list;
}

static void drop_lock(struct file_lock *l)
{
	*l->holders = g_list_remove(*l->holders, l);
	sched_wake_channel(l->m, &flock_channel, INT32_MAX, UINT64_MAX);
	g_free(l);
}

static void lock_file_gone(struct file_watch *w)
{
	drop_lock((struct file_lock *)w);
}

static struct file_lock *lock_held(GList *holders, const struct file *f)
{
	for (GList *l = holders; l; l = l->next)
		if (((struct file_lock *)l->data)->file == f)
			return l->data;
	return NULL;
}

static bool conflicts(GList *holders, const struct file *f, int type)
{
	for (GList *l = holders; l; l = l->next) {
		const struct file_lock *other = l->data;

		if (other->file != f && (type == G_LOCK_EX || other->type == G_LOCK_EX))
			return true;
	}
	return false;
}

static void unlock(struct file *f, struct file_lock *held)
{
	f->watches = g_slist_remove(f->watches, &held->watch);
	drop_lock(held);
}

/* flock(fd, operation) */
SYSCALL(flock)
{
	struct file *f = fd_get(&t->files->fdt, (int)a[0]);
	int op = (int)a[1] & ~G_LOCK_NB;
	struct file_lock *held, *l;
	GList **holders;
	long err;

	if (!f || (f->f_flags & O_PATH))
		return -EBADF;
	if (op != G_LOCK_SH && op != G_LOCK_EX && op != G_LOCK_UN)
		return -EINVAL;
	holders = locks_of(m, f, &err);
	if (!holders)
		return err;
	held = lock_held(*holders, f);
	if (held && (op == G_LOCK_UN || held->type != op))
		unlock(f, held);
	else if (held)
		return 0;
	if (op == G_LOCK_UN)
		return 0;
	if (conflicts(*holders, f, op))
		return a[1] & G_LOCK_NB ? -EWOULDBLOCK : block_on(m, t, &flock_channel, "flock", 0);
	l = g_new0(struct file_lock, 1);
	*l = (struct file_lock){ .watch.gone = lock_file_gone, .m = m, .file = f, .holders = holders,
				 .type = op };
	*holders = g_list_prepend(*holders, l);
	f->watches = g_slist_prepend(f->watches, &l->watch);
	return 0;
}

const struct syscall_desc flock_syscalls[] = {
	SYSCALL_DESC(32, flock, "dx"),
	{ 0 }
};
