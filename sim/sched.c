#include "sim/sched.h"

#include <inttypes.h>


#define EX_DEADLOCK 124

static void make_runnable(struct machine *m, struct task *t, uint64_t since)
{
	t->state = TASK_RUNNABLE;
	t->ready_since = since;
	g_queue_push_tail(&m->runqueue, t);
}

void sched_add_new(struct machine *m, struct task *t)
{
	make_runnable(m, t, machine_now_ns(m));
}

void sched_block(struct machine *m, struct task *t, const struct task_wait *how)
{
	struct sim_cpu *c = &m->cpus[t->cpu];

	g_assert(c->current == t);
	c->current = NULL;
	t->state = TASK_BLOCKED;
	t->wait = *how;
	t->wait.state = WAIT_BLOCKED;
	t->wait.bitset = UINT64_MAX;	/* a futex wait narrows it */
	m->blocked = g_list_append(m->blocked, t);
}

static void unblock(struct machine *m, struct task *t, enum wait_state why, uint64_t since)
{
	m->blocked = g_list_remove(m->blocked, t);
	t->wait.state = why;
	t->wait.channel = NULL;
	make_runnable(m, t, since);
}

void sched_wake(struct machine *m, struct task *t)
{
	if (t->state == TASK_BLOCKED)
		unblock(m, t, WAIT_WOKEN, machine_now_ns(m));
}

void sched_interrupt(struct machine *m, struct task *t, bool fatal)
{
	if (t->state == TASK_BLOCKED && (!t->wait.killable_only || fatal))
		unblock(m, t, WAIT_INTERRUPTED, machine_now_ns(m));
}

int sched_wake_channel(struct machine *m, const void *channel, int max, uint64_t bitset)
{
	int woken = 0;

	for (GList *l = m->blocked, *next; l && woken < max; l = next) {
		struct task *t = l->data;

		next = l->next;
		if (t->wait.channel == channel && (t->wait.bitset & bitset)) {
			sched_wake(m, t);
			woken++;
		}
	}
	return woken;
}

int sched_requeue(struct machine *m, const void *from, const void *to, int max)
{
	int moved = 0;

	for (GList *l = m->blocked; l && moved < max; l = l->next) {
		struct task *t = l->data;

		if (t->wait.channel == from) {
			t->wait.channel = to;
			moved++;
		}
	}
	return moved;
}

void sched_remove(struct machine *m, struct task *t)
{
	for (int i = 0; i < m->opt.cpus; i++) {
		if (m->cpus[i].current == t)
			m->cpus[i].current = NULL;
	}
	g_queue_remove(&m->runqueue, t);
	m->blocked = g_list_remove(m->blocked, t);
	if (m->loaded == t)
		m->loaded = NULL;
}

void sched_migrate(struct machine *m, struct task *t)
{
	struct sim_cpu *c = t->cpu >= 0 ? &m->cpus[t->cpu] : NULL;

	if (!c || c->current != t || (t->cpus_allowed & UINT64_C(1) << c->id))
		return;
	c->current = NULL;
	make_runnable(m, t, c->agent->clock);
}

void sched_preempt(struct machine *m, struct sim_cpu *c)
{
	struct task *t = c->current;

	if (!t || g_queue_is_empty(&m->runqueue))
		return;
	c->current = NULL;
	make_runnable(m, t, c->agent->clock);
}

/* A CPU takes `next`: a process switch (another mm: switch_mm with or
 * without an ASID, and the flush it needs) or a thread switch.  The same
 * task back in another mm (it exec'd, then slept) pays switch_mm alone; a
 * CPU's first task loads its mm for free. */
static void count_switch(struct machine *m, struct sim_cpu *c, struct task *next)
{
	struct agent *a = c->agent;
	bool process = a->mm_id != next->mm->id;
	struct event_cost ev = agent_switch_mm(a, next->mm);

	if (c->last_tid && c->last_tid != next->tid) {
		event_charge(&ev, &m->profile, COST_SCHED_PICK, 1);
		if (process)
			m->sched.process_switches++;
		else
			m->sched.thread_switches++;
		agent_pay(a, &ev);
		agent_open_switch(a, process ? "switch:process" : "switch:thread", &ev);
	} else if (c->last_tid) {
		agent_pay(a, &ev);
	}
	c->last_tid = next->tid;
}

/* The first task of the run queue allowed on CPU `cpu` (its affinity), taken
 * off the queue; or NULL. */
static struct task *take_runnable_for(struct machine *m, int cpu)
{
	for (GList *l = m->runqueue.head; l; l = l->next) {
		struct task *t = l->data;

		if (t->cpus_allowed & UINT64_C(1) << cpu) {
			g_queue_delete_link(&m->runqueue, l);
			return t;
		}
	}
	return NULL;
}

/* Hand runnable tasks to idle CPUs, lowest CPU id first. */
static void assign_idle_cpus(struct machine *m)
{
	for (int i = 0; i < m->opt.cpus && !g_queue_is_empty(&m->runqueue); i++) {
		struct sim_cpu *c = &m->cpus[i];
		struct task *t;

		if (c->current || !(t = take_runnable_for(m, i)))
			continue;
		c->current = t;
		c->slice_insns = 0;
		agent_wait_until(c->agent, t->ready_since);
		t->cpu = c->id;
		count_switch(m, c, t);
	}
}

static struct sim_cpu *furthest_behind(struct machine *m)
{
	struct sim_cpu *best = NULL;

	for (int i = 0; i < m->opt.cpus; i++) {
		struct sim_cpu *c = &m->cpus[i];

		if (c->current && (!best || c->agent->clock < best->agent->clock))
			best = c;
	}
	return best;
}

/* The first wake-up: a sleep's timeout or an armed timer (0: none). */
static uint64_t earliest_timer(struct machine *m)
{
	uint64_t first = timer_next_expiry(&m->timers);

	for (GList *l = m->blocked; l; l = l->next) {
		struct task *t = l->data;

		if (t->wait.wake_at && (!first || t->wait.wake_at < first))
			first = t->wait.wake_at;
	}
	return first;
}

static void fire_timers(struct machine *m, uint64_t now)
{
	timer_run_expired(&m->timers, m, now);
	for (GList *l = m->blocked, *next; l; l = next) {
		struct task *t = l->data;

		next = l->next;
		if (t->wait.wake_at && t->wait.wake_at <= now)
			unblock(m, t, WAIT_TIMED_OUT, t->wait.wake_at);
	}
}

static void report_deadlock(struct machine *m)
{
	fprintf(m->log, "mmusim: deadlock: every task is blocked and no timer is set\n");
	for (GList *l = m->blocked; l; l = l->next) {
		struct task *t = l->data;

		fprintf(m->log, "  task %d (process %d, %s) waits in %s\n", t->tid, t->proc->pid,
			t->proc->comm, t->wait.what ? t->wait.what : "?");
	}
	machine_exit(m, EX_DEADLOCK);
}

struct sim_cpu *sched_pick(struct machine *m)
{
	for (;;) {
		struct sim_cpu *c;
		uint64_t timer;

		assign_idle_cpus(m);
		c = furthest_behind(m);
		timer = earliest_timer(m);
		if (timer && (!c || timer <= c->agent->clock)) {
			fire_timers(m, c ? c->agent->clock : timer);
			continue;
		}
		if (c) {
			m->this_cpu = c;
			m->domain.current = c->agent;
			return c;
		}
		if (m->blocked)
			report_deadlock(m);
		return NULL;
	}
}

/* The task changed address space while it ran on this CPU (execve): the
 * CPU switches mm too, without a context switch. */
static void follow_mm(struct sim_cpu *c, struct task *t)
{
	struct event_cost ev = agent_switch_mm(c->agent, t->mm);

	agent_pay(c->agent, &ev);
}

void sched_load(struct machine *m, struct task *t)
{
	follow_mm(m->this_cpu, t);
	if (m->loaded != t) {
		if (m->loaded)
			cpu_save_context(m->cpu, m->loaded->ctx);
		cpu_load_context(m->cpu, t->ctx, t->mm);
		m->loaded = t;
	} else if (cpu_current_mm(m->cpu) != t->mm) {
		cpu_switch_mm(m->cpu, t->mm);	/* the task switched address space */
	}
}
