/*
 * agent: anything that issues memory accesses through a TLB, after the
 * "translation agents" of the Arm architecture: a simulated CPU today, an
 * accelerator or a trace stream's CPU tomorrow.  An agent owns
 *
 *  - its clock (simulated ns): the work it does is paid on it;
 *  - its TLB model (mmu/tlb), or none when lookups are not modelled;
 *  - the mm it runs, or lazily still holds after switching away (by id: the
 *    mm may be gone), and with it its membership of that mm's CPU mask;
 *  - the refill window: the TLB misses after an address-space switch, until
 *    its next switch, are that switch's indirect cost;
 *  - the events it is handling (a system call, a fault inside it), innermost
 *    last.
 *
 * A domain is the agents of one simulation that share physical memory, one
 * ASID space and one cost profile, as the CPUs of an inner-shareable domain
 * do: ASIDs are handed out across them (mmu/asid), and a flush of an mm's
 * range reaches every agent of the domain that may hold it (mmu/shootdown).
 * The domain subscribes to the notifier chain of each mm attached to it; the
 * agent running when a flush happens (domain->current) initiates it.
 *
 * Costs are values.  agent_switch_mm() returns what a switch cost; an event
 * is opened with agent_begin_event() and closed with agent_end_event(),
 * which returns its cost: the steps charged to it while it was open,
 * including the events nested in it and the shootdowns it initiated.  The
 * outermost event is paid on the agent's clock when it closes; a nested one
 * becomes part of its parent.  Work charged with no event open is paid at
 * once.
 *
 * Nothing here needs the emulator: trace replay drives agents the same way.
 */
#ifndef MMU_AGENT_H
#define MMU_AGENT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/asid.h"
#include "mmu/cost.h"
#include "mmu/latency.h"
#include "mmu/mm.h"
#include "mmu/tlb.h"

#define MAX_AGENTS	64
#define AGENT_MAX_NESTING 4
/* Agents that are no CPU (devices, mmu/device) have ids from here on:
 * device n is AGENT_DEVICE + n.  They are in no domain's agents[] and no
 * mm's CPU mask; they look up their own table (agent_lookup_table). */
#define AGENT_DEVICE	MAX_AGENTS

struct domain;

struct agent {
	int id;				/* its bit in an mm's CPU mask */
	struct domain *domain;
	uint64_t clock;			/* simulated ns */
	struct tlb *tlb;		/* NULL: lookups not modelled */
	uint64_t mm_id;			/* the mm it runs or lazily holds; 0: none */
	uint64_t lookup_cycles;		/* L2 hits and walks not yet on the clock */
	uint64_t l1_hits_paid;		/* L1 hits whose cycles are on the clock */
	const char *switch_kind;	/* the last switch, still collecting refills */
	struct event_cost switch_cost;
	struct event_cost *events[AGENT_MAX_NESTING];
	int depth;			/* events open */
	uint64_t done;			/* its clock when it last finished work
					 * others wait for (agent_mark_done) */
	phys_addr_t root;		/* a device's own table (agent_use_table) */
};

/* TLB shootdowns of the domain. */
struct shootdown_stats {
	uint64_t shootdowns;		/* flushes of an mm's range */
	uint64_t full;			/* of them, beyond the ceiling: the whole ASID */
	uint64_t pages;			/* pages flushed one by one */
	uint64_t ipis;			/* interrupts sent */
	uint64_t cpus;			/* CPUs that flushed, initiators included */
	uint64_t initiator_cycles;	/* what the initiators paid */
};

/* What a domain's journal is told (mmusim run --record): each call of the
 * cost and switch API below made from outside it (not the calls it makes
 * itself: replaying the outer call makes them again), each flush of
 * translations the domain carries out, each fault counted.  Replaying the
 * calls in order on a domain of the same agents, with the same page
 * tables, gives the same clocks, latencies, TLB counters and shootdowns;
 * the model's own parts (lookups, switches, flushes) are recomputed, so
 * another TLB geometry or ASID setting gives its own answer. */
enum journal_op {
	JOURNAL_BEGIN,		/* agent_begin_event */
	JOURNAL_CHARGE,		/* agent_charge: step, count */
	JOURNAL_CHARGE_COST,	/* agent_charge_cost: cost */
	JOURNAL_END,		/* agent_end_event: kind (NULL: not recorded) */
	JOURNAL_PAY,		/* agent_pay: cost */
	JOURNAL_PAY_CYCLES,	/* agent_pay_cycles: count (cycles) */
	JOURNAL_PAY_INSNS,	/* agent_pay_insns: count (instructions) */
	JOURNAL_ACCOUNT,	/* agent_account: kind, cost */
	JOURNAL_SWITCH,		/* agent_switch_mm: mm, cost (what it returned) */
	JOURNAL_OPEN_SWITCH,	/* agent_open_switch: kind, cost */
	JOURNAL_CLOSE_SWITCHES,	/* domain_close_switches (no agent) */
	JOURNAL_FLUSH,		/* the agent shot down mm's [start, end) (the notifier) */
	JOURNAL_FLUSH_SHARED,	/* domain_flush_shared: mask, mms, start, end */
	JOURNAL_TAKE_STALE,	/* domain_take_stale: mm, start, end (no agent) */
	JOURNAL_FAULT,		/* a fault counted under `count` (enum fault_kind) */
	JOURNAL_WAIT,		/* agent_wait_until: count (ns) */
	JOURNAL_LATENCY,	/* domain_record_latency: kind, cost (no agent) */
	JOURNAL_USE_TABLE,	/* agent_use_table: start (the root) */
	JOURNAL_LOOKUP,		/* agent_lookup_table: start (va) */
	JOURNAL_FLUSH_PAGE,	/* agent_flush_page: start (va) */
	JOURNAL_FLUSH_ALL,	/* agent_flush_all */
	JOURNAL_TAKE_RANGE,	/* agent_take_range: start, end */
	JOURNAL_WAIT_FOR,	/* agent_wait_for: count (the other agent's id) */
	JOURNAL_MARK_DONE,	/* agent_mark_done */
	JOURNAL_WAIT_DONE,	/* agent_wait_done: count (the other agent's id) */
};

struct journal_call {
	enum journal_op op;
	int agent;			/* its id; -1: none */
	const struct mm *mm;
	struct mm *const *mms;		/* JOURNAL_FLUSH_SHARED: n of them */
	int n;
	const char *kind;
	const struct event_cost *cost;
	uint64_t step, count, mask, start, end;
};

struct domain_journal {
	void (*call)(void *data, const struct journal_call *c);
	void *data;
};

struct domain {
	const struct domain_journal *journal;	/* NULL: none (see enum journal_op) */
	struct phys *phys;
	const struct cost_profile *profile;
	struct latency_recorder *latency;
	struct asid_allocator asids;	/* when the profile's TLBs are tagged */
	struct shootdown_stats shootdowns;
	int nr_agents;
	struct agent agents[MAX_AGENTS];
	struct agent *current;		/* the agent running now; NULL: none yet */
	bool flush_deferred;		/* the model TLBs are flushed by the caller of the
					 * mms' flushes (domain_flush_shared) */
};

/* `nr_agents` agents, each with a TLB of the profile's geometry when
 * `model_tlbs`.  On error, `error` says why. */
int domain_init(struct domain *d, struct phys *phys, const struct cost_profile *profile,
		int nr_agents, bool model_tlbs, GString *error);
void domain_fini(struct domain *d);
/* Subscribe the domain to `mm`'s flushes and let its faults be costed on
 * the domain's current agent. */
void domain_attach_mm(struct domain *d, struct mm *mm);
/* Close every agent's refill window (the end of a run). */
void domain_close_switches(struct domain *d);
/* The counters of every agent's TLB added up (all zero without TLBs). */
void domain_tlb_stats(const struct domain *d, struct tlb_stats *out);
/* The translations of [start, end) of `mm` changed: shoot them down on
 * behalf of the current agent (what a flush of an attached mm does; the
 * exact replay calls it itself). */
void domain_shoot_down(struct domain *d, struct mm *mm, uint64_t start, uint64_t end);
/* One shootdown of [start, end) for the `n` mms of `mms` on the agents of
 * `mask` (shootdown_flush_mask), paid by the current agent; no mm: every
 * agent's whole TLB (flush_tlb_all).  For translations of shared page
 * tables (mmu/mshare); it counts as one shootdown. */
void domain_flush_shared(struct domain *d, uint64_t mask, struct mm *const *mms, int n,
			 uint64_t start, uint64_t end);
/* The pages of [start, end) that agents' TLBs still translate for `mm`
 * (the translations a flush missed: stale), dropped; `agent` and `va` get
 * the first one found. */
unsigned domain_take_stale(struct domain *d, struct mm *mm, uint64_t start, uint64_t end,
			   int *agent, uint64_t *va);
/* The agent that pays for work done on `mm` right now, or NULL. */
struct agent *mm_current_agent(const struct mm *mm);

/* `a` is about to run `next`: its ASID (or a flush), its CPU mask.  Returns
 * the cost; nothing if `a` is there already. */
struct event_cost agent_switch_mm(struct agent *a, struct mm *next);
/* A context switch of `kind` whose direct cost `ev` is paid: its latency is
 * recorded with the refills that follow, when `a`'s next switch (or the end
 * of the run) closes the window. */
void agent_open_switch(struct agent *a, const char *kind, const struct event_cost *ev);
/* The ASID `mm` runs with in `a`'s TLB (0 when untagged).  It changes only
 * when an agent switches address space (agent_switch_mm). */
static inline uint16_t agent_asid(const struct agent *a, const struct mm *mm)
{
	return tlb_asid_tagged(a->tlb) ? asid_of(&a->domain->asids, mm->context_id) : 0;
}

/* Cycles of one lookup: an L1 or L2 hit, or (`walked`) the L2 lookup that
 * missed plus the walk (levels read from memory, levels the page-walk cache
 * supplied). */
uint64_t lookup_cycles(const struct cost_profile *p, const struct tlb_lookup *l, bool walked);

/* agent_access() past the L1 entry that hit last. */
void agent_access_miss(struct agent *a, struct mm *mm, uint64_t va, bool fetch);

/* One page of a data access or of an instruction fetch, looked up in `a`'s
 * TLB (a miss walks `mm`'s tables).  Inline, for the common case: an L1 hit
 * is counted and aged, and its cycles are paid by count in
 * agent_take_cycles(). */
static inline void agent_access(struct agent *a, struct mm *mm, uint64_t va, bool fetch)
{
	if (!tlb_hit_recent(a->tlb, fetch ? TLB_FETCH : TLB_DATA, agent_asid(a, mm), va))
		agent_access_miss(a, mm, va, fetch);
}

/* Lookup and walk cycles accrued since the last call. */
uint64_t agent_take_cycles(struct agent *a);
/* Advance the clock by the cost of `ev`, or by `cycles` (instructions,
 * lookups). */
void agent_pay(struct agent *a, const struct event_cost *ev);
void agent_pay_cycles(struct agent *a, uint64_t cycles);
/* `a` was idle until simulated time `ns` (a task it takes became ready
 * then): its clock is at least that. */
void agent_wait_until(struct agent *a, uint64_t ns);
/* Pay `insns` instructions at the profile's cost and the lookups since the
 * last payment (agent_take_cycles): the end of a run of the CPU. */
void agent_pay_insns(struct agent *a, uint64_t insns);
/* Record the latency of `ev` under `kind` with no agent paying it (a
 * round trip that spans several agents, such as a user fault's). */
void domain_record_latency(struct domain *d, const char *kind, const struct event_cost *ev);
/* Count a fault of `kind` (enum fault_kind) in the journal, if any. */
void domain_journal_fault(struct domain *d, int kind);

/* `a` idles until `b`'s clock (a device starts a kernel no earlier than
 * the CPU that launched it). */
void agent_wait_for(struct agent *a, const struct agent *b);
/* `a` finished work others may wait for (a device's kernel) ... */
void agent_mark_done(struct agent *a);
/* ... and `a` idles until `b` finished it (agent_mark_done's clock). */
void agent_wait_done(struct agent *a, const struct agent *b);

/* For an agent that holds its own table and an untagged TLB (a device):
 * its table's root is `root` from now on (a new address space: its TLB is
 * the caller's to flush) ... */
void agent_use_table(struct agent *a, phys_addr_t root);
/* ... look `va` up for data in its TLB, walking that table on a miss, the
 * lookup paid on its clock; whether a translation was found. */
bool agent_lookup_table(struct agent *a, uint64_t va, struct tlb_lookup *l);
/* Drop its TLB's entries for `va`, all of them, or those of [start, end)
 * it still holds (a checker's take: tlb_take_range, the count returned). */
void agent_flush_page(struct agent *a, uint64_t va);
void agent_flush_all(struct agent *a);
unsigned agent_take_range(struct agent *a, uint64_t start, uint64_t end);

void agent_begin_event(struct agent *a, struct event_cost *ev);
/* Add `count` times the cost of `step`, or a whole part, to the innermost
 * open event (with none, pay it now). */
void agent_charge(struct agent *a, enum cost_step step, uint64_t count);
void agent_charge_cost(struct agent *a, const struct event_cost *part);
/* Close the innermost event; record its latency under `kind` (NULL: not
 * recorded, e.g. a system call that blocked and will be retried) and
 * return its cost. */
struct event_cost agent_end_event(struct agent *a, const char *kind);
/* Pay `ev` on the clock and record it under `kind` at once. */
void agent_account(struct agent *a, const char *kind, const struct event_cost *ev);

#endif
