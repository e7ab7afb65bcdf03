/*
 * Lab "userfault": a page fault handled in user space (the userfaultfd
 * design, docs/uffd-bench.md), copy against move.
 *
 * guest/uffdbench MODE 200 SPINNERS on C CPUs: a handler thread answers
 * 200 missing-page faults with UFFDIO_COPY (allocate and copy 4 KiB) or
 * UFFDIO_MOVE (move the source page's entry: the source must be shot down
 * on every other CPU running the process), while SPINNERS = C - 2 threads
 * keep the other CPUs in the process.  The student predicts the IPIs a
 * move adds per fault and which is cheaper, and reads the mean round trips.
 * The truth: the two runs' reports.
 */
#include <inttypes.h>

#include "lab/lab.h"
#include "lab/measure.h"

#define FAULTS 200

struct params {
	int cpus;
};

static void pick(struct lab_variant *v, struct params *p)
{
	p->cpus = lab_pick(v, 1, 8);
}

static int spinners(const struct params *p)
{
	return p->cpus > 2 ? p->cpus - 2 : 0;
}

static void generate(struct lab_variant *v)
{
	struct params p;

	pick(v, &p);
	g_string_append_printf(v->text,
		"guest/uffdbench resolves %d missing-page faults through userfaultfd: a handler\n"
		"thread reads each fault and answers with UFFDIO_COPY (a new page, 4 KiB copied)\n"
		"or UFFDIO_MOVE (the entry of a populated source page moved; the source must\n"
		"then be flushed from every other CPU running the process).  On %d CPU%s, with\n"
		"%d more thread%s spinning in the process:\n\n"
		"  mmusim run --cpus %d --stats guest/bin/uffdbench copy %d %d\n"
		"  mmusim run --cpus %d --stats guest/bin/uffdbench move %d %d\n\n"
		"Predict how many more IPIs the move run sends than the copy run, per fault, and\n"
		"which is cheaper here; then read the mean latency of 'fault:userfault'.\n",
		FAULTS, p.cpus, p.cpus > 1 ? "s" : "", spinners(&p), spinners(&p) == 1 ? "" : "s", p.cpus,
		FAULTS, spinners(&p), p.cpus, FAULTS, spinners(&p));
	lab_ask(v, "move_ipis_per_fault", "IPIs the move run sends beyond the copy run, per fault");
	lab_ask(v, "copy_mean_ns", "mean ns of fault:userfault with UFFDIO_COPY");
	lab_ask(v, "move_mean_ns", "mean ns of fault:userfault with UFFDIO_MOVE");
	lab_ask(v, "cheaper", "the cheaper here: copy or move");
}

static JsonParser *run(const struct params *p, const char *mode, GString *error)
{
	gchar *cpus = g_strdup_printf("%d", p->cpus), *faults = g_strdup_printf("%d", FAULTS);
	gchar *spin = g_strdup_printf("%d", spinners(p)), *guest = lab_guest_path("uffdbench");
	JsonParser *report = lab_run_report((const char *[]){ "--cpus", cpus, guest, mode, faults, spin,
							      NULL },
					    error);

	g_free(cpus);
	g_free(faults);
	g_free(spin);
	g_free(guest);
	return report;
}

static int solve(struct lab_variant *v, GString *error)
{
	struct params p;
	JsonParser *copy, *move;
	uint64_t copy_ns, move_ns;

	pick(v, &p);
	copy = run(&p, "copy", error);
	move = copy ? run(&p, "move", error) : NULL;
	if (!move) {
		g_clear_object(&copy);
		return -1;
	}
	copy_ns = lab_report_count(copy, "latencies/fault:userfault/mean_ns");
	move_ns = lab_report_count(move, "latencies/fault:userfault/mean_ns");
	lab_answer(v, "move_ipis_per_fault", "%" PRIu64,
		   (lab_report_count(move, "shootdowns/ipis") - lab_report_count(copy, "shootdowns/ipis")) /
		   FAULTS);
	lab_answer(v, "copy_mean_ns", "%" PRIu64, copy_ns);
	lab_answer(v, "move_mean_ns", "%" PRIu64, move_ns);
	lab_answer(v, "cheaper", "%s", move_ns < copy_ns ? "move" : "copy");
	g_object_unref(copy);
	g_object_unref(move);
	return 0;
}

const struct lab lab_userfault = {
	.name = "userfault",
	.title = "userfaultfd: UFFDIO_COPY against UFFDIO_MOVE as CPUs grow",
	.generate = generate,
	.solve = solve,
};
