/*
 * snapshot: the statistics snapshots a guest takes (guest/mmusim.h,
 * MMUSIM_SNAPSHOT_STATS and MMUSIM_DUMP_STATS): the whole run's figures
 * (struct run_counters, sim/roi.h) read at the call and kept with the
 * guest's tag in m->snapshots, in call order, for --stats and --report; a
 * dump also writes its snapshot to standard error at once.  A run keeps at
 * most MMUSIM_MAX_SNAPSHOTS; past that the calls answer ENOSPC, so a guest
 * calling in a loop cannot exhaust the host.
 */
#include <errno.h>
#include <stdio.h>

#include "guest/mmusim.h"
#include "sim/report.h"
#include "sim/roi.h"
#include "sim/syscall.h"

/* Record the whole run's figures now; NULL when the run has as many
 * snapshots as it may keep. */
static const struct stats_snapshot *take_snapshot(struct machine *m, uint64_t tag, bool dumped)
{
	struct stats_snapshot s = { .tag = tag, .dumped = dumped };

	if (!m->snapshots)
		m->snapshots = g_array_new(FALSE, FALSE, sizeof(struct stats_snapshot));
	if (m->snapshots->len >= MMUSIM_MAX_SNAPSHOTS)
		return NULL;
	run_counters_read(m, &s.run);
	g_array_append_val(m->snapshots, s);
	return &g_array_index(m->snapshots, struct stats_snapshot, m->snapshots->len - 1);
}

SYSCALL(mmusim_snapshot_stats)
{
	return take_snapshot(m, a[0], false) ? 0 : -ENOSPC;
}

SYSCALL(mmusim_dump_stats)
{
	const struct stats_snapshot *s = take_snapshot(m, a[0], true);

	if (!s)
		return -ENOSPC;
	report_dump_snapshot(m, s, stderr);
	return 0;
}

const struct syscall_desc snapshot_syscalls[] = {
	SYSCALL_DESC(MMUSIM_SNAPSHOT_STATS, mmusim_snapshot_stats, "u"),
	SYSCALL_DESC(MMUSIM_DUMP_STATS, mmusim_dump_stats, "u"),
	{ 0 }
};
