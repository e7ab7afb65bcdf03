/*
 * Lab "shootdown": TLB shootdowns and inter-processor interrupts.
 *
 * guest/lab-storm starts T threads that spin on their CPUs, then its main
 * thread makes R rounds of mprotect(PROT_READ), mprotect(PROT_READ |
 * PROT_WRITE) and a store on one page, inside the region of interest, on C
 * simulated CPUs.  Only a downgrade must flush other CPUs' TLBs.  The
 * student predicts the shootdowns and, with x86-style IPIs, the interrupts
 * sent; then with Arm's broadcast TLBI.  The truth: the two runs' reports.
 */
#include <inttypes.h>

#include "lab/lab.h"
#include "lab/measure.h"

struct params {
	int cpus, threads, rounds;
};

static void pick(struct lab_variant *v, struct params *p)
{
	p->cpus = lab_pick(v, 2, 8);
	p->threads = p->cpus - 1;
	p->rounds = 5 * lab_pick(v, 2, 10);
}

static void generate(struct lab_variant *v)
{
	struct params p;

	pick(v, &p);
	g_string_append_printf(v->text,
		"guest/lab-storm %d %d on %d CPUs: %d threads spin, each on a CPU of its own, in\n"
		"the same address space as the main thread, which makes %d rounds of\n"
		"{ mprotect(PROT_READ); mprotect(PROT_READ|PROT_WRITE); one store } on one page\n"
		"inside the region of interest.  A CPU running the address space may cache the\n"
		"page's translation.\n\n"
		"  mmusim run --cpus %d --stats --set tlb.shootdown=ipi guest/bin/lab-storm %d %d\n"
		"  mmusim run --cpus %d --stats --set tlb.shootdown=broadcast guest/bin/lab-storm %d %d\n\n"
		"Which of the two calls of a round must reach the other CPUs?  Predict, then\n"
		"read the region's shootdown figures.\n",
		p.threads, p.rounds, p.cpus, p.threads, p.rounds, p.cpus, p.threads, p.rounds, p.cpus,
		p.threads, p.rounds);
	lab_ask(v, "shootdowns", "TLB shootdowns in the region");
	lab_ask(v, "ipis", "IPIs sent in the region, tlb.shootdown=ipi");
	lab_ask(v, "broadcast_ipis", "IPIs sent in the region, tlb.shootdown=broadcast");
}

static JsonParser *run(const struct params *p, const char *mechanism, GString *error)
{
	gchar *cpus = g_strdup_printf("%d", p->cpus), *threads = g_strdup_printf("%d", p->threads);
	gchar *rounds = g_strdup_printf("%d", p->rounds), *guest = lab_guest_path("lab-storm");
	gchar *set = g_strdup_printf("tlb.shootdown=%s", mechanism);
	JsonParser *report = lab_run_report((const char *[]){ "--cpus", cpus, "--set", set, guest,
							      threads, rounds, NULL },
					    error);

	g_free(cpus);
	g_free(threads);
	g_free(rounds);
	g_free(guest);
	g_free(set);
	return report;
}

static int solve(struct lab_variant *v, GString *error)
{
	struct params p;
	JsonParser *ipi, *broadcast;

	pick(v, &p);
	ipi = run(&p, "ipi", error);
	broadcast = ipi ? run(&p, "broadcast", error) : NULL;
	if (!broadcast) {
		g_clear_object(&ipi);
		return -1;
	}
	lab_answer_count(v, "shootdowns", ipi, "region/shootdowns/count");
	lab_answer_count(v, "ipis", ipi, "region/shootdowns/ipis");
	lab_answer_count(v, "broadcast_ipis", broadcast, "region/shootdowns/ipis");
	g_object_unref(ipi);
	g_object_unref(broadcast);
	return 0;
}

const struct lab lab_shootdown = {
	.name = "shootdown",
	.title = "TLB shootdowns and IPIs",
	.generate = generate,
	.solve = solve,
};
