/*
 * builtin: see builtin.h.  docs/compare.md explains each comparison of
 * "designs" and the seeds' own figures beside them.
 */
#include "compare/builtin.h"

#include <string.h>

static const char designs[] =
	"[suite]\n"
	"name = designs\n"
	"title = mmusim designs against their baselines\n"
	"\n"
	"# First-class address spaces (seed 001): a round trip by vas_switch, by a\n"
	"# thread switch and by a process switch, 16 pages touched after each.\n"
	"[run switch]\n"
	"command = vasswitch 200 16\n"
	"options = --cpus 1\n"
	"set = tlb.asid_bits=${asid}\n"
	"sweep.asid = 0,16\n"
	"\n"
	"[plot switch-p50]\n"
	"title = Address-space switch, median latency: VAS vs thread vs process\n"
	"x = asid\n"
	"y = median ns\n"
	"series = switch | latencies/switch:vas/median_ns | vas_switch ; "
	"switch | latencies/switch:thread/median_ns | thread switch ; "
	"switch | latencies/switch:process/median_ns | process switch\n"
	"\n"
	"[plot switch-p99]\n"
	"title = Address-space switch, 99th percentile: VAS vs thread vs process\n"
	"x = asid\n"
	"y = p99 ns\n"
	"series = switch | latencies/switch:vas/p99_ns | vas_switch ; "
	"switch | latencies/switch:thread/p99_ns | thread switch ; "
	"switch | latencies/switch:process/p99_ns | process switch\n"
	"\n"
	"# The same on the profile of the seed's machine (Xeon E5620, 2.40 GHz),\n"
	"# beside the thread's own figures (VAS switch 468 ns, process 1944 ns).\n"
	"[run switch-e5620]\n"
	"command = vasswitch 200 16\n"
	"options = --cpus 1 --profile xeon-e5620\n"
	"set = tlb.asid_bits=${asid}\n"
	"sweep.asid = 0,16\n"
	"\n"
	"[plot switch-e5620]\n"
	"title = Switch latency on the seed's Xeon E5620 profile, beside the seed's figures\n"
	"x = asid\n"
	"y = median ns\n"
	"series = switch-e5620 | latencies/switch:vas/median_ns | vas_switch ; "
	"switch-e5620 | latencies/switch:process/median_ns | process switch\n"
	"seed = VAS switch | 468 ; process switch | 1944\n"
	"\n"
	"# mshare (seed 002): N processes write the first 16 pages of one region,\n"
	"# its page tables shared (mshare) or each process's own (shmem).\n"
	"[run mshare]\n"
	"command = mshareload ${processes} 16 mshare write\n"
	"sweep.processes = 1,10,100\n"
	"\n"
	"[run shmem]\n"
	"command = mshareload ${processes} 16 shmem write\n"
	"sweep.processes = 1,10,100\n"
	"\n"
	"[plot mshare-faults]\n"
	"title = Faults of N processes touching 16 shared pages: mshare vs private page tables\n"
	"x = processes\n"
	"y = faults\n"
	"series = shmem | faults/shmem | private tables: page faults ; "
	"mshare | faults/shmem | mshare: page faults ; mshare | faults/link | mshare: link faults\n"
	"\n"
	"# mshare's flush strategies: a change of the shared leaves while the\n"
	"# sharers run on their own CPUs.\n"
	"[run flush]\n"
	"command = mshareflush ${sharers}\n"
	"options = --cpus 16 --mshare-flush ${strategy}\n"
	"sweep.sharers = 3,15\n"
	"sweep.strategy = none,all,host-mask,per-sharer,union-mask\n"
	"\n"
	"[plot flush-ipis]\n"
	"title = mshare flush strategies: IPIs sent for one change\n"
	"x = strategy\n"
	"y = IPIs\n"
	"series = flush[sharers=3] | mshare/flushing/flush/ipis | 3 sharers ; "
	"flush[sharers=15] | mshare/flushing/flush/ipis | 15 sharers\n"
	"\n"
	"[plot flush-stale]\n"
	"title = mshare flush strategies: stale translations left\n"
	"x = strategy\n"
	"y = stale translations\n"
	"series = flush[sharers=3] | mshare/flushing/flush/stale | 3 sharers ; "
	"flush[sharers=15] | mshare/flushing/flush/stale | 15 sharers\n"
	"\n"
	"# userfaultfd (seed 003): a fault a handler thread resolves with\n"
	"# UFFDIO_COPY against the kernel's own demand-zero fault.\n"
	"[run uffd]\n"
	"command = uffd\n"
	"options = --cpus ${cpus}\n"
	"sweep.cpus = 1,2,4\n"
	"\n"
	"[plot userfault]\n"
	"title = A user-space fault (UFFDIO_COPY round trip) against a kernel demand-zero fault\n"
	"x = cpus\n"
	"y = median ns\n"
	"series = uffd | latencies/fault:userfault/median_ns | userfault ; "
	"uffd | latencies/fault:anon-zero/median_ns | kernel demand-zero\n";

static const struct {
	const char *name;
	const char *text;
} suites[] = {
	{ "designs", designs },
};

const char *builtin_suite(const char *name)
{
	for (size_t i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		if (!strcmp(suites[i].name, name))
			return suites[i].text;
	return NULL;
}
