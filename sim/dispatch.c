/*
 * dispatch: the lookup, the call's life (entry, sleep and retry, exit), and
 * its accounting.  See dispatch.h.
 */
#include "sim/dispatch.h"

#include <errno.h>
#include <stdio.h>

#include "mmu/agent.h"
#include "mmu/fault.h"
#include "sim/roi.h"
#include "sim/strace.h"

struct syscall_table {
	const struct syscall_desc *by_nr[SYSCALL_TABLE_SIZE];
};

extern const struct syscall_desc fs_syscalls[], mm_syscalls[], proc_syscalls[], time_syscalls[],
	exit_syscalls[], fork_syscalls[], exec_syscalls[], signal_syscalls[], futex_syscalls[],
	poll_syscalls[], roi_syscalls[], snapshot_syscalls[];
extern const struct syscall_desc fswrite_syscalls[];
extern const struct syscall_desc cred_syscalls[], itimer_syscalls[], sched_syscalls[],
	posix_timer_syscalls[], timerfd_syscalls[];
extern const struct syscall_desc pidfd_syscalls[];
extern const struct syscall_desc eventfd_syscalls[], epoll_syscalls[], unix_syscalls[],
	memfd_syscalls[], flock_syscalls[], signalfd_syscalls[],
	splice_syscalls[];
extern const struct syscall_desc vas_syscalls[];
extern const struct syscall_desc mman_syscalls[], shm_syscalls[];
extern const struct syscall_desc mount_syscalls[];
extern const struct syscall_desc userfaultfd_syscalls[];
extern const struct syscall_desc userfaultfd_rfc_syscalls[];
extern const struct syscall_desc gmem_syscalls[];

const struct syscall_desc *const syscall_tables[] = {
	fs_syscalls, mm_syscalls, proc_syscalls, time_syscalls, exit_syscalls, fork_syscalls,
	exec_syscalls, signal_syscalls, futex_syscalls, poll_syscalls,
	fswrite_syscalls, pidfd_syscalls,
	cred_syscalls, itimer_syscalls, sched_syscalls, posix_timer_syscalls, timerfd_syscalls,
	eventfd_syscalls, epoll_syscalls, unix_syscalls, memfd_syscalls, flock_syscalls,
	signalfd_syscalls, splice_syscalls, roi_syscalls, snapshot_syscalls,
	vas_syscalls, mman_syscalls, shm_syscalls,
	mount_syscalls,
	userfaultfd_syscalls,
	userfaultfd_rfc_syscalls,
	gmem_syscalls,
	NULL,
};

struct syscall_table *syscall_table_new(const struct syscall_desc *const *lists, GString *error)
{
	struct syscall_table *tab = g_new0(struct syscall_table, 1);

	for (; *lists; lists++) {
		for (const struct syscall_desc *d = *lists; d->fn; d++) {
			if (d->nr >= SYSCALL_TABLE_SIZE) {
				g_string_printf(error, "system call %s: number %u is beyond the table (%u)",
						d->name, d->nr, SYSCALL_TABLE_SIZE);
			} else if (tab->by_nr[d->nr]) {
				g_string_printf(error, "system call %u registered twice: as %s and as %s",
						d->nr, tab->by_nr[d->nr]->name, d->name);
			} else {
				tab->by_nr[d->nr] = d;
				continue;
			}
			g_free(tab);
			return NULL;
		}
	}
	return tab;
}

void syscall_table_free(struct syscall_table *tab)
{
	g_free(tab);
}

const struct syscall_table *syscall_table_default(void)
{
	static gsize once;
	static struct syscall_table *tab;

	if (g_once_init_enter(&once)) {
		GString *error = g_string_new(NULL);

		tab = syscall_table_new(syscall_tables, error);
		if (!tab)
			g_error("mmusim: %s", error->str);	/* a build error: every run fails */
		g_string_free(error, TRUE);
		g_once_init_leave(&once, 1);
	}
	return tab;
}

const struct syscall_desc *syscall_lookup(const struct syscall_table *tab, unsigned nr)
{
	return nr < SYSCALL_TABLE_SIZE ? tab->by_nr[nr] : NULL;
}

const char *syscall_name(unsigned nr)
{
	const struct syscall_desc *d;

	if (nr < NR_LINUX_SYSCALLS)
		return syscall_names[nr];
	d = syscall_lookup(syscall_table_default(), nr);
	return d ? d->name : NULL;
}

uint64_t syscall_count(GHashTable *counts, unsigned nr)
{
	uint64_t *count = counts ? g_hash_table_lookup(counts, GUINT_TO_POINTER(nr)) : NULL;

	return count ? *count : 0;
}

static gint compare_numbers(gconstpointer a, gconstpointer b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return (x > y) - (x < y);
}

GArray *syscall_numbers_called(GHashTable *counts)
{
	GArray *numbers = g_array_new(FALSE, FALSE, sizeof(unsigned));
	GHashTableIter it;
	gpointer key;

	if (counts) {
		g_hash_table_iter_init(&it, counts);
		while (g_hash_table_iter_next(&it, &key, NULL)) {
			unsigned nr = GPOINTER_TO_UINT(key);

			g_array_append_val(numbers, nr);
		}
	}
	g_array_sort(numbers, compare_numbers);
	return numbers;
}

static void count_in(GHashTable **counts, unsigned nr)
{
	uint64_t *count;

	if (!*counts)
		*counts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	count = g_hash_table_lookup(*counts, GUINT_TO_POINTER(nr));
	if (!count) {
		count = g_new0(uint64_t, 1);
		g_hash_table_insert(*counts, GUINT_TO_POINTER(nr), count);
	}
	(*count)++;
}

/* Count the call for the run, and for the region of interest if open. */
static void count_syscall(struct machine *m, unsigned nr)
{
	count_in(&m->syscall_counts, nr);
	if (m->region && m->region->open)
		count_in(&m->region->syscalls, nr);
}

static const struct syscall_table *table_of(const struct machine *m)
{
	return m->syscalls ? m->syscalls : syscall_table_default();
}

static void warn_unknown(struct machine *m, unsigned nr)
{
	const char *name = syscall_name(nr);
	char key[32];

	snprintf(key, sizeof(key), "syscall %u", nr);
	machine_warn_once(m, key, "unimplemented system call %s (%u) answers ENOSYS", name ? name : "?", nr);
}

/* Run the call the task is in (t->syscall_nr, t->syscall_args) as an event
 * of the running agent: a call that blocks has its work so far paid; a
 * finished one adds entry and exit and is recorded (so a retried call's time
 * asleep is not part of its latency). */
static void run_syscall(struct machine *m, struct task *t)
{
	unsigned nr = (unsigned)t->syscall_nr;
	const struct syscall_desc *desc = syscall_lookup(table_of(m), nr);
	const char *name = syscall_name(nr);
	struct agent *a = machine_agent(m);
	struct event_cost ev;
	char kind[64];
	long ret;

	agent_begin_event(a, &ev);
	if (desc) {
		ret = desc->fn(m, t, t->syscall_args);
	} else {
		warn_unknown(m, nr);
		ret = -ENOSYS;
	}
	if (ret == SYSCALL_BLOCKED) {
		agent_end_event(a, NULL);
		return;
	}
	t->syscall_nr = -1;
	/* A call may finish with the task asleep (the vfork parent): it
	 * wakes up with its answer and nothing to retry. */
	if (t->wait.state != WAIT_BLOCKED)
		t->wait.state = ret == -ERESTARTSYS ? WAIT_RESTART : WAIT_RUNNING;
	if (ret == -ERESTARTSYS)
		ret = -EINTR;	/* unless do_signal restarts the call */
	if (m->opt.strace)
		strace_finish(m, t, ret == SYSCALL_NORETURN ? 0 : ret, ret == SYSCALL_NORETURN);
	agent_charge(a, COST_SYSCALL_ENTRY, 1);
	agent_charge(a, COST_SYSCALL_EXIT, 1);
	snprintf(kind, sizeof(kind), "syscall:%s", name ? name : "?");
	agent_end_event(a, kind);
	if (ret != SYSCALL_NORETURN && t->state != TASK_DEAD)
		cpu_set_reg(m->cpu, 0, (uint64_t)ret);
	roi_syscall_exit(m, nr, ret);
}

void do_syscall(struct machine *m, struct task *t)
{
	unsigned nr = (unsigned)cpu_reg(m->cpu, 8);
	const struct syscall_desc *desc = syscall_lookup(table_of(m), nr);

	for (int i = 0; i < 6; i++)
		t->syscall_args[i] = cpu_reg(m->cpu, i);
	roi_syscall_entry(m, nr);
	count_syscall(m, nr);
	t->syscall_nr = (int)nr;
	t->wait.state = WAIT_RUNNING;
	if (m->opt.strace)
		strace_start(m, t, nr, syscall_name(nr), desc ? desc->fmt : "xxxxxx");
	run_syscall(m, t);
}

void resume_after_wait(struct machine *m, struct task *t)
{
	if (!wait_retrying(&t->wait))
		return;
	if (t->wait.resume == RESUME_SYSCALL) {
		run_syscall(m, t);
		return;
	}
	if (t->wait.resume == RESUME_FAULT && t->wait.state == WAIT_WOKEN && t->mm)
		account_retried_fault(t->mm, t->wait.fault_addr, t->wait.fault_access);
	t->wait.state = WAIT_RUNNING;
}
