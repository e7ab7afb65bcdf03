/*
 * Lab "mshare": page tables shared across processes (the mshare design,
 * docs/design.md "mshare").
 *
 * guest/mshareload N K MODE write: N processes map one region and each
 * writes its first K pages.  With MODE shmem (ordinary shared memory) every
 * process faults every page into its own tables; with MODE mshare the
 * region's tables below the top level are shared: the first process to
 * touch a page faults it in for all, and each process takes one fault that
 * links the shared subtree into its own top-level table.  The student
 * predicts the faults of each kind both ways.  The truth: the two runs'
 * reports.
 */
#include <inttypes.h>

#include "lab/lab.h"
#include "lab/measure.h"

struct params {
	int processes, pages;
};

static void pick(struct lab_variant *v, struct params *p)
{
	p->processes = lab_pick(v, 2, 12);
	p->pages = lab_pick(v, 1, 64);
}

static void generate(struct lab_variant *v)
{
	struct params p;

	pick(v, &p);
	g_string_append_printf(v->text,
		"guest/mshareload %d %d MODE write: %d processes, one after the other, map the\n"
		"same region and each writes its first %d pages.\n\n"
		"  mmusim run --stats guest/bin/mshareload %d %d shmem write\n"
		"  mmusim run --stats guest/bin/mshareload %d %d mshare write\n\n"
		"With 'shmem' the region is ordinary shared memory: the pages are shared, each\n"
		"process's page tables are its own.  With 'mshare' the region's page tables\n"
		"below the top level are shared too.  Predict the faults of kind 'shmem' (a\n"
		"shared page found or created) in each run, and of kind 'link' (a process links\n"
		"the shared tables into its top-level table) with mshare.\n",
		p.processes, p.pages, p.processes, p.pages, p.processes, p.pages, p.processes, p.pages);
	lab_ask(v, "shmem_faults_private_tables", "'shmem' faults with MODE shmem");
	lab_ask(v, "shmem_faults_mshare", "'shmem' faults with MODE mshare");
	lab_ask(v, "link_faults_mshare", "'link' faults with MODE mshare");
}

static JsonParser *run(const struct params *p, const char *mode, GString *error)
{
	gchar *n = g_strdup_printf("%d", p->processes), *k = g_strdup_printf("%d", p->pages);
	gchar *guest = lab_guest_path("mshareload");
	JsonParser *report = lab_run_report((const char *[]){ guest, n, k, mode, "write", NULL },
					    error);

	g_free(n);
	g_free(k);
	g_free(guest);
	return report;
}

static int solve(struct lab_variant *v, GString *error)
{
	struct params p;
	JsonParser *shmem, *mshare;

	pick(v, &p);
	shmem = run(&p, "shmem", error);
	mshare = shmem ? run(&p, "mshare", error) : NULL;
	if (!mshare) {
		g_clear_object(&shmem);
		return -1;
	}
	lab_answer_count(v, "shmem_faults_private_tables", shmem, "faults/shmem");
	lab_answer_count(v, "shmem_faults_mshare", mshare, "faults/shmem");
	lab_answer_count(v, "link_faults_mshare", mshare, "faults/link");
	g_object_unref(shmem);
	g_object_unref(mshare);
	return 0;
}

const struct lab lab_mshare = {
	.name = "mshare",
	.title = "mshare: page tables shared across processes",
	.generate = generate,
	.solve = solve,
};
