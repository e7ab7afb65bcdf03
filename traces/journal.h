/*
 * journal: the records of a run that let a replay repeat it exactly
 * (docs/trace-format.md, "The journal").
 *
 * Recording: a journal recorder subscribes to a domain's journal (mmu/agent:
 * each call of the cost and switch API from outside it, each flush the
 * domain carries out, each fault counted) and to its physical memory's
 * (mmu/phys: each page-table store, each table frame handed out) and writes
 * them into the trace, in the order they happen among the accesses.  A cost
 * that contains what the CPU's last switch returned (the scheduler adds to
 * it, pays it and opens the switch's refill window with it) is written
 * relative to that switch, so that the replay adds its own switch's cost.
 * The calls of a device's agent (ids from AGENT_DEVICE) are written as
 * dev-* records naming the device.
 *
 * Replaying (replay_init_exact, then replay_record): the same calls with the same
 * arguments in the same order on a domain of as many agents, the stores
 * applied to the replay's own memory at the same physical addresses, every
 * access looked up with agent_access.  Lookups, walks, switches (ASIDs) and
 * shootdowns are computed again by the model under the replay's profile;
 * the costs of the run's own work (faults' steps, system calls) come from
 * the records.  Devices are agents of the replay's own, with a TLB of the
 * profile's [device] geometry, looking up the tables the stores build.
 * So the same profile gives the live run's figures, and
 * another TLB geometry or ASID setting what a live run under it gives, as
 * long as the run's schedule did not depend on it (one thread).
 */
#ifndef TRACES_JOURNAL_H
#define TRACES_JOURNAL_H

#include <glib.h>

#include "mmu/agent.h"
#include "traces/trace.h"

struct replay;
struct journal_recorder;
struct journal_replay;

/* Write `d`'s and `phys`'s journals into `w` from now on. */
struct journal_recorder *journal_record(struct trace_writer *w, struct domain *d,
					struct phys *phys);
/* Unsubscribe and free (before `w` closes). */
void journal_stop(struct journal_recorder *j);

/* replay_init() for an exact replay of a recorded run: its address spaces
 * are the records' (replay_record), its memory holds the tables
 * the records build.  replay_fini() frees it. */
int replay_init_exact(struct replay *r, const struct cost_profile *profile, uint64_t mem,
		      int nr_cpus, GString *error);

#endif
