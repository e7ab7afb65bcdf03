/*
 * copyout: the bytes of a read(2) waiting for a user fault (see copyout.h).
 */
#include "sim/copyout.h"

#include <errno.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/syscall.h"

/* What a task keeps while its read's copy sleeps. */
struct copy_out {
	const struct file *file;	/* identity only */
	uint64_t ubuf;			/* where the read copies to */
	long result;			/* what the read returns once copied */
	size_t done;			/* bytes copied so far */
	uint8_t data[];			/* the `result` bytes read */
};

/* Copy what is left of t's copy_out; sleep again on a fault that waits. */
static long go_on(struct machine *m, struct task *t)
{
	struct copy_out *c = t->copy_out;
	const void *channel;
	size_t done;
	int err = copy_to_user_sleepable(t->mm, c->ubuf + c->done, c->data + c->done,
					 (size_t)c->result - c->done, &done, &channel);
	long ret;

	c->done += done;
	if (err == -EAGAIN)
		return block_on(m, t, channel, "userfaultfd (a read's copy)", 0);
	ret = err ? (c->done ? (long)c->done : -EFAULT) : c->result;
	g_free(t->copy_out);
	t->copy_out = NULL;
	return ret;
}

long copy_out_read(struct machine *m, struct task *t, const struct file *f, uint64_t ubuf,
		   const void *buf, long n)
{
	const void *channel;
	struct copy_out *c;
	size_t done;
	int err = copy_to_user_sleepable(t->mm, ubuf, buf, (size_t)n, &done, &channel);

	if (err != -EAGAIN)
		return err ? -EFAULT : n;
	c = g_malloc(sizeof(*c) + (size_t)n);
	*c = (struct copy_out){ .file = f, .ubuf = ubuf, .result = n, .done = done };
	memcpy(c->data, buf, (size_t)n);
	g_free(t->copy_out);
	t->copy_out = c;
	return block_on(m, t, channel, "userfaultfd (a read's copy)", 0);
}

bool copy_out_resume(struct machine *m, struct task *t, const struct file *f, uint64_t ubuf,
		     long *ret)
{
	const struct copy_out *c = t->copy_out;

	if (!c)
		return false;
	if (c->file != f || c->ubuf != ubuf) {
		g_free(t->copy_out);
		t->copy_out = NULL;
		return false;
	}
	*ret = go_on(m, t);
	return true;
}
