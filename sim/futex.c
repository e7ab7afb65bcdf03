#include "sim/futex.h"

#include <errno.h>

#include "mmu/fault.h"
#include "mmu/uaccess.h"
#include "sim/sched.h"
#include "sim/syscall.h"

#define FUTEX_WAIT		0
#define FUTEX_WAKE		1
#define FUTEX_REQUEUE		3
#define FUTEX_CMP_REQUEUE	4
#define FUTEX_WAIT_BITSET	9
#define FUTEX_WAKE_BITSET	10
#define FUTEX_PRIVATE_FLAG	128
#define FUTEX_CLOCK_REALTIME	256
#define FUTEX_BITSET_MATCH_ANY	0xffffffffu
#define NSEC_PER_SEC		UINT64_C(1000000000)

struct futex_key {
	const void *space;	/* the mm for a private futex, NULL when shared */
	uint64_t addr;		/* user address (private) or physical address (shared) */
};

static guint key_hash(gconstpointer p)
{
	const struct futex_key *k = p;

	return g_direct_hash(k->space) ^ g_int64_hash(&k->addr);
}

static gboolean key_equal(gconstpointer a, gconstpointer b)
{
	const struct futex_key *x = a, *y = b;

	return x->space == y->space && x->addr == y->addr;
}

/* The channel object waiters of this futex block on (made when the first
 * waiter comes; a wake never makes one, so a process that only wakes, as
 * every exit does at clear_child_tid, leaves nothing behind). */
static const void *futex_channel(struct machine *m, const struct futex_key *key)
{
	struct futex_key *chan;

	if (!m->futexes)
		m->futexes = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
	chan = g_hash_table_lookup(m->futexes, key);
	if (!chan) {
		chan = g_memdup2(key, sizeof(*key));
		g_hash_table_insert(m->futexes, chan, chan);
	}
	return chan;
}

/* Wake up to `n` waiters of `key` whose bitset meets `bitset`. */
static int wake_key(struct machine *m, const struct futex_key *key, int n, uint64_t bitset)
{
	const void *chan = m->futexes ? g_hash_table_lookup(m->futexes, key) : NULL;

	return chan ? sched_wake_channel(m, chan, n, bitset) : 0;
}

/* The key of the word at `uaddr`: -EFAULT unless the guest may read it.
 * As in Linux's get_futex_key(), only a word in a shared mapping gets a key
 * every process mapping it agrees on (here: its physical address); in
 * private memory the key is (mm, address) whatever the flag says. */
static long get_key(struct task *t, uint64_t uaddr, bool private, struct futex_key *key)
{
	struct vma *vma;
	uint32_t word;
	phys_addr_t pa;
	unsigned prot;

	if (uaddr & 3)
		return -EINVAL;
	if (copy_from_user(t->mm, &word, uaddr, sizeof(word)))	/* faults the page in */
		return -EFAULT;
	vma = vma_lookup(t->mm, uaddr);
	if (private || !vma || !(vma->flags & VM_SHARED)) {
		*key = (struct futex_key){ t->mm, uaddr };
		return 0;
	}
	if (!pgtable_translate(t->mm->phys, t->mm->pgd, uaddr, &pa, &prot))
		return -EFAULT;
	*key = (struct futex_key){ NULL, pa };
	return 0;
}

int futex_wake_address(struct machine *m, struct task *t, uint64_t uaddr, int n)
{
	struct futex_key key = { t->mm, uaddr };

	return wake_key(m, &key, n, UINT64_MAX);
}

/* Deadline in simulated ns for a wait: relative for FUTEX_WAIT, absolute
 * (monotonic or realtime) for FUTEX_WAIT_BITSET; 0 for none. */
static long get_deadline(struct machine *m, struct task *t, uint64_t uts, int cmd, bool realtime,
			 uint64_t *deadline)
{
	struct guest_timespec ts;
	uint64_t ns;

	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(t->mm, &ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || (uint64_t)ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	if (cmd == FUTEX_WAIT)
		*deadline = machine_now_ns(m) + ns;
	else if (realtime)
		*deadline = ns > (uint64_t)SIM_EPOCH * NSEC_PER_SEC ? ns - (uint64_t)SIM_EPOCH * NSEC_PER_SEC : 1;
	else
		*deadline = ns ? ns : 1;
	return 0;
}

static long futex_wait(struct machine *m, struct task *t, const uint64_t *a, int cmd, bool private,
		       bool realtime)
{
	uint32_t bitset = cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5];
	struct futex_key key;
	uint64_t deadline;
	uint32_t word;
	long err;

	switch (t->wait.state) {
	case WAIT_WOKEN: return 0;
	case WAIT_TIMED_OUT: return -ETIMEDOUT;
	case WAIT_INTERRUPTED: return -ERESTARTSYS;
	default: break;
	}
	if (!bitset)
		return -EINVAL;
	err = get_key(t, a[0], private, &key);
	if (!err)
		err = get_deadline(m, t, a[3], cmd, realtime, &deadline);
	if (err)
		return err;
	copy_from_user(t->mm, &word, a[0], sizeof(word));
	if (word != (uint32_t)a[2])
		return -EAGAIN;
	if (deadline && deadline <= machine_now_ns(m))
		return -ETIMEDOUT;
	err = block_on(m, t, futex_channel(m, &key), "futex_wait", deadline);
	t->wait.bitset = bitset;
	return err;
}

static long futex_wake(struct machine *m, struct task *t, const uint64_t *a, int cmd, bool private)
{
	uint32_t bitset = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : (uint32_t)a[5];
	struct futex_key key;
	long err;

	if (!bitset)
		return -EINVAL;
	err = get_key(t, a[0], private, &key);
	if (err)
		return err;
	return wake_key(m, &key, (int)MIN(a[2], INT32_MAX), bitset);
}

static long futex_requeue(struct machine *m, struct task *t, const uint64_t *a, int cmd, bool private)
{
	struct futex_key from, to;
	uint32_t word;
	long err = get_key(t, a[0], private, &from);
	int woken;

	if (!err)
		err = get_key(t, a[4], private, &to);
	if (err)
		return err;
	if (cmd == FUTEX_CMP_REQUEUE) {
		copy_from_user(t->mm, &word, a[0], sizeof(word));
		if (word != (uint32_t)a[5])
			return -EAGAIN;
	}
	woken = wake_key(m, &from, (int)MIN(a[2], INT32_MAX), UINT64_MAX);
	if (!m->futexes || !g_hash_table_lookup(m->futexes, &from))	/* nobody ever waited there */
		return woken;
	/* a[3] carries val2, the most waiters to requeue */
	return woken + sched_requeue(m, futex_channel(m, &from), futex_channel(m, &to),
				     (int)MIN(a[3], INT32_MAX));
}

SYSCALL(futex)
{
	int op = (int)a[1], cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
	bool private = op & FUTEX_PRIVATE_FLAG, realtime = op & FUTEX_CLOCK_REALTIME;

	if (realtime && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		return futex_wait(m, t, a, cmd, private, realtime);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return futex_wake(m, t, a, cmd, private);
	case FUTEX_REQUEUE:
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(m, t, a, cmd, private);
	default:
		machine_warn_once(m, "futex op", "futex operation %d is not modelled (ENOSYS)", cmd);
		return -ENOSYS;
	}
}

const struct syscall_desc futex_syscalls[] = {
	SYSCALL_DESC(98, futex, "pxdpx"),
	{ 0 }
};
