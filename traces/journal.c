/*
 * journal: a run's cost and switch calls and page-table stores, recorded
 * (see journal.h; journal_replay.c replays them).
 */
#include "traces/journal.h"

#include "mmu/phys.h"

G_STATIC_ASSERT(NR_COST_STEPS <= TRACE_STEP_DEVICE_WAIT);
G_STATIC_ASSERT(PHYS_MAX_NODES - 1 <= TRACE_MAX_DEVICES);

struct journal_recorder {
	struct trace_writer *w;
	struct domain *domain;
	struct phys *phys;
	struct domain_journal calls;
	struct phys_journal memory;
	GHashTable *kinds;		/* name -> id (1, 2, ...) */
	struct event_cost last_switch[MAX_AGENTS];
	bool switch_open[MAX_AGENTS];	/* last_switch may still be paid */
};

/* The id of the latency kind `name` (0: none), its record written first
 * the first time. */
static uint64_t kind_id(struct journal_recorder *j, const char *name)
{
	gpointer id;

	if (!name)
		return 0;
	if (!(id = g_hash_table_lookup(j->kinds, name))) {
		uint64_t n = g_hash_table_size(j->kinds) + 1;

		id = GSIZE_TO_POINTER(n);
		g_hash_table_insert(j->kinds, g_strdup(name), id);
		trace_write_tailed(j->w, -1, TRACE_KIND, &n, name, NULL, NULL);
	}
	return GPOINTER_TO_SIZE(id);
}

/* `ev` as a record's cost: relative to `agent`'s last switch when it
 * contains it (a switch's cost the caller added to). */
static void to_trace_cost(struct journal_recorder *j, int agent, const struct event_cost *ev,
			  struct trace_cost *out)
{
	const struct event_cost *sw = &j->last_switch[MAX(agent, 0)];
	bool rel = agent >= 0 && j->switch_open[agent] && sw->total && ev->total >= sw->total;

	for (int s = 0; s < NR_COST_STEPS && rel; s++)
		rel = ev->cycles[s] >= sw->cycles[s];
	rel = rel && ev->device_wait >= sw->device_wait;
	*out = (struct trace_cost){ .relative = rel, .indirect = ev->indirect, .refills = ev->refills };
	for (int s = 0; s < NR_COST_STEPS; s++)
		out->cycles[s] = ev->cycles[s] - (rel ? sw->cycles[s] : 0);
	out->cycles[TRACE_STEP_DEVICE_WAIT] = ev->device_wait - (rel ? sw->device_wait : 0);
	out->total = ev->total - (rel ? sw->total : 0);
}

static void write_cost(struct journal_recorder *j, const struct journal_call *c,
		       enum trace_type type, uint64_t arg)
{
	struct trace_cost cost;

	to_trace_cost(j, c->agent, c->cost, &cost);
	trace_write_tailed(j->w, c->agent, type, &arg, NULL, &cost, NULL);
}

static void write_flush_shared(struct journal_recorder *j, const struct journal_call *c)
{
	uint64_t args[4] = { c->mask, c->start, c->end, (uint64_t)c->n };
	uint64_t mms[TRACE_MAX_MMS];

	for (int i = 0; i < MIN(c->n, TRACE_MAX_MMS); i++)
		mms[i] = c->mms[i]->id;
	trace_write_tailed(j->w, c->agent, TRACE_FLUSH_SHARED, args, NULL, NULL, mms);
}

/* A call that pays or opens a switch's cost leaves the switch open (the
 * scheduler pays it and opens its window); anything else closes it. */
static bool pays_switch(enum journal_op op)
{
	return op == JOURNAL_PAY || op == JOURNAL_CHARGE_COST || op == JOURNAL_OPEN_SWITCH ||
	       op == JOURNAL_ACCOUNT;
}

/* A call of device `dev`'s agent: its device record. */
static void write_device_call(struct journal_recorder *j, const struct journal_call *c)
{
	uint64_t dev = (uint64_t)c->agent - AGENT_DEVICE;

	switch (c->op) {
	case JOURNAL_USE_TABLE:
		trace_write_event(j->w, -1, TRACE_DEV_ROOT, (uint64_t[]){ dev, c->start });
		break;
	case JOURNAL_LOOKUP:
		trace_write_event(j->w, -1, TRACE_DEV_LOOKUP, (uint64_t[]){ dev, c->start });
		break;
	case JOURNAL_PAY_CYCLES:
		trace_write_event(j->w, -1, TRACE_DEV_PAY, (uint64_t[]){ dev, c->count });
		break;
	case JOURNAL_FLUSH_PAGE:
		trace_write_event(j->w, -1, TRACE_DEV_FLUSH, (uint64_t[]){ dev, c->start });
		break;
	case JOURNAL_FLUSH_ALL:
		trace_write_event(j->w, -1, TRACE_DEV_FLUSH_ALL, &dev);
		break;
	case JOURNAL_TAKE_RANGE:
		trace_write_event(j->w, -1, TRACE_DEV_TAKE, (uint64_t[]){ dev, c->start, c->end });
		break;
	case JOURNAL_WAIT_FOR:	/* the device waits for the CPU `count` */
		trace_write_event(j->w, (int)c->count, TRACE_DEV_START, &dev);
		break;
	case JOURNAL_MARK_DONE:
		trace_write_event(j->w, -1, TRACE_DEV_DONE, &dev);
		break;
	default:		/* a device makes no other call (mmu/device) */
		g_assert_not_reached();
	}
}

static void write_call(struct journal_recorder *j, const struct journal_call *c)
{
	uint64_t args[3] = { c->mm ? c->mm->id : 0, c->start, c->end };

	switch (c->op) {
	case JOURNAL_BEGIN:
		trace_write_event(j->w, c->agent, TRACE_BEGIN, NULL);
		break;
	case JOURNAL_CHARGE:
		trace_write_event(j->w, c->agent, TRACE_CHARGE, (uint64_t[]){ c->step, c->count });
		break;
	case JOURNAL_CHARGE_COST:
		write_cost(j, c, TRACE_CHARGE_COST, 0);
		break;
	case JOURNAL_END:
		trace_write_event(j->w, c->agent, TRACE_END_EVENT, (uint64_t[]){ kind_id(j, c->kind) });
		break;
	case JOURNAL_PAY:
		write_cost(j, c, TRACE_PAY, 0);
		break;
	case JOURNAL_PAY_CYCLES:
		trace_write_event(j->w, c->agent, TRACE_PAY_CYCLES, &c->count);
		break;
	case JOURNAL_PAY_INSNS:
		trace_write_event(j->w, c->agent, TRACE_INSNS, &c->count);
		break;
	case JOURNAL_ACCOUNT:
		write_cost(j, c, TRACE_ACCOUNT, kind_id(j, c->kind));
		break;
	case JOURNAL_SWITCH:	/* its record is the mm's switch_in (sim/record) */
		break;
	case JOURNAL_OPEN_SWITCH:
		write_cost(j, c, TRACE_OPEN_SWITCH, kind_id(j, c->kind));
		break;
	case JOURNAL_CLOSE_SWITCHES:
		trace_write_event(j->w, -1, TRACE_CLOSE_SWITCHES, NULL);
		break;
	case JOURNAL_FLUSH:
		trace_write_event(j->w, c->agent, TRACE_FLUSH, args);
		break;
	case JOURNAL_FLUSH_SHARED:
		write_flush_shared(j, c);
		break;
	case JOURNAL_TAKE_STALE:
		trace_write_event(j->w, -1, TRACE_TAKE_STALE, args);
		break;
	case JOURNAL_FAULT:
		trace_write_event(j->w, -1, TRACE_FAULT, &c->count);
		break;
	case JOURNAL_WAIT:
		trace_write_event(j->w, c->agent, TRACE_WAIT, &c->count);
		break;
	case JOURNAL_LATENCY:
		write_cost(j, c, TRACE_LATENCY, kind_id(j, c->kind));
		break;
	case JOURNAL_WAIT_DONE:	/* the CPU waits for device `count` */
		trace_write_event(j->w, c->agent, TRACE_DEV_WAIT,
				  (uint64_t[]){ c->count - AGENT_DEVICE });
		break;
	default:		/* the calls of devices' agents only */
		g_assert_not_reached();
	}
}

static void on_call(void *data, const struct journal_call *c)
{
	struct journal_recorder *j = data;

	if (c->agent >= AGENT_DEVICE) {
		write_device_call(j, c);
		return;
	}
	write_call(j, c);
	if (c->agent < 0)
		return;
	if (c->op == JOURNAL_SWITCH) {
		j->switch_open[c->agent] = c->cost != NULL;
		if (c->cost)
			j->last_switch[c->agent] = *c->cost;
	} else if (!pays_switch(c->op)) {
		j->switch_open[c->agent] = false;
	}
}

static void on_store(void *data, phys_addr_t pa, uint64_t val)
{
	struct journal_recorder *j = data;

	trace_write_event(j->w, -1, TRACE_PTE, (uint64_t[]){ pa, val });
}

static void on_table(void *data, phys_addr_t pa)
{
	struct journal_recorder *j = data;

	trace_write_event(j->w, -1, TRACE_TABLE, &pa);
}

struct journal_recorder *journal_record(struct trace_writer *w, struct domain *d,
					struct phys *phys)
{
	struct journal_recorder *j = g_new0(struct journal_recorder, 1);

	*j = (struct journal_recorder){
		.w = w, .domain = d, .phys = phys,
		.calls = { on_call, j },
		.memory = { on_store, on_table, j },
		.kinds = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
	};
	d->journal = &j->calls;
	phys_set_journal(phys, &j->memory);
	return j;
}

void journal_stop(struct journal_recorder *j)
{
	if (!j)
		return;
	j->domain->journal = NULL;
	phys_set_journal(j->phys, NULL);
	g_hash_table_destroy(j->kinds);
	g_free(j);
}
