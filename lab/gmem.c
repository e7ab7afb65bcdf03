/*
 * Lab "gmem": device memory managed by gmem's logical page table against
 * the HMM-style mirror (docs/devices.md).
 *
 * guest/bench-devmem pingpong N R on one accelerator: N peer-shared pages,
 * R rounds of the device writing a word of each page, then the CPU.  Under
 * gmem a page has one owner: each device write of a CPU page migrates it to
 * the device, each CPU write migrates it back.  Under HMM the device
 * mirrors the CPU's table and the page stays in CPU memory.  The student
 * predicts migrations each way and device faults under both.  The truth:
 * the two runs' reports.
 */
#include <inttypes.h>

#include "lab/lab.h"
#include "lab/measure.h"

struct params {
	int pages, rounds;
};

static void pick(struct lab_variant *v, struct params *p)
{
	p->pages = lab_pick(v, 1, 16);
	p->rounds = lab_pick(v, 2, 10);
}

static void generate(struct lab_variant *v)
{
	struct params p;

	pick(v, &p);
	g_string_append_printf(v->text,
		"guest/bench-devmem pingpong %d %d maps %d peer-shared page%s (MAP_PEER_SHARED) and\n"
		"makes %d rounds of: the accelerator writes one word of each page, then the CPU\n"
		"writes one word of each page.  Run it under both device-memory designs:\n\n"
		"  mmusim run --stats --devices 1 --device-mm gmem guest/bin/bench-devmem pingpong %d %d\n"
		"  mmusim run --stats --devices 1 --device-mm hmm guest/bin/bench-devmem pingpong %d %d\n\n"
		"Under gmem a page has one owner (its logical-table entry is CPU or DEVICE), and\n"
		"a first device touch of a page no one has (NOMAP) gets a zeroed device page.\n"
		"Under HMM the device mirrors the CPU's page table.  Predict, then check with\n"
		"the devices section of --stats.\n",
		p.pages, p.rounds, p.pages, p.pages > 1 ? "s" : "", p.rounds, p.pages, p.rounds, p.pages,
		p.rounds);
	lab_ask(v, "gmem_to_device", "gmem: pages migrated to the device");
	lab_ask(v, "gmem_to_cpu", "gmem: pages migrated back to the CPU");
	lab_ask(v, "gmem_device_faults", "gmem: device faults");
	lab_ask(v, "hmm_device_faults", "HMM: device faults");
	lab_ask(v, "hmm_migrations", "HMM: pages migrated either way");
}

static JsonParser *run(const struct params *p, const char *design, GString *error)
{
	gchar *n = g_strdup_printf("%d", p->pages), *r = g_strdup_printf("%d", p->rounds);
	gchar *guest = lab_guest_path("bench-devmem");
	JsonParser *report = lab_run_report((const char *[]){ "--devices", "1", "--device-mm", design,
							      guest, "pingpong", n, r, NULL },
					    error);

	g_free(n);
	g_free(r);
	g_free(guest);
	return report;
}

#define ACCEL "devices/accelerators/accel0/"

static int solve(struct lab_variant *v, GString *error)
{
	struct params p;
	JsonParser *gmem, *hmm;

	pick(v, &p);
	gmem = run(&p, "gmem", error);
	hmm = gmem ? run(&p, "hmm", error) : NULL;
	if (!hmm) {
		g_clear_object(&gmem);
		return -1;
	}
	lab_answer_count(v, "gmem_to_device", gmem, ACCEL "to_device");
	lab_answer_count(v, "gmem_to_cpu", gmem, ACCEL "to_cpu");
	lab_answer_count(v, "gmem_device_faults", gmem, ACCEL "faults");
	lab_answer_count(v, "hmm_device_faults", hmm, ACCEL "faults");
	lab_answer(v, "hmm_migrations", "%" PRIu64,
		   lab_report_count(hmm, ACCEL "to_device") + lab_report_count(hmm, ACCEL "to_cpu"));
	g_object_unref(gmem);
	g_object_unref(hmm);
	return 0;
}

const struct lab lab_gmem = {
	.name = "gmem",
	.title = "device memory: gmem's logical page table against the HMM mirror",
	.generate = generate,
	.solve = solve,
};
