/*
 * mmusim compare and mmusim report (compare/): a tiny suite whose figures
 * are known by hand, resumed, emitted as GNU parallel and Slurm jobs and
 * merged, rendered in headless Chromium; and bad suites and reports.
 *
 * The suite sweeps guest/lab-stride PAGES 2 (two passes over PAGES present
 * pages, the loads the only data accesses of the region of interest) over
 * PAGES = 4, 8 and an L1d of 4 or 16 entries, 4-way.  4 entries are one set
 * of 4 ways: 4 pages miss once each (4), 8 pages evict each other in LRU
 * order and miss every time (8 * 2 = 16).  16 entries are 4 sets of 4: 4
 * pages take one way in each set, 8 pages two: both fit, missing once each
 * (4, 8).
 */
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>

#include "harness.h"

TestSuite(suites, .init = harness_setup, .fini = harness_teardown, .timeout = 600);

static const char tiny[] =
	"[suite]\n"
	"name = tiny\n"
	"title = A tiny suite\n"
	"\n"
	"[run stride]\n"
	"command = lab-stride ${pages} 2\n"
	"options = --cpus 1\n"
	"set = tlb.l1d_entries=${l1};tlb.l1d_ways=4\n"
	"sweep.l1 = 4,16\n"
	"sweep.pages = 4,8\n"
	"\n"
	"[plot misses]\n"
	"title = L1d misses of two sweeps\n"
	"x = pages\n"
	"y = misses\n"
	"series = stride[l1=4] | region/tlb/l1d/misses | 4 entries ; "
	"stride[l1=16] | region/tlb/l1d/misses | 16 entries\n"
	"seed = a paper's figure | 10.5\n"
	"\n"
	"[plot roi]\n"
	"title = The region's begin call, by step\n"
	"x = pages\n"
	"y = cycles\n"
	"breakdown = stride[l1=16] | latencies/syscall:mmusim_roi_begin\n";

static struct result mmusim(const char *const *args)
{
	GPtrArray *argv = g_ptr_array_new();
	struct result r;

	g_ptr_array_add(argv, MMUSIM_PATH);
	for (const char *const *a = args; *a; a++)
		g_ptr_array_add(argv, (gpointer)*a);
	g_ptr_array_add(argv, NULL);
	r = run_argv((const char *const *)argv->pdata);
	g_ptr_array_free(argv, TRUE);
	return r;
}

/* How many times `needle` occurs in `text`. */
static unsigned occurrences(const char *text, const char *needle)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static gchar *contents(const char *dir, const char *name)
{
	gchar *path = g_build_filename(dir, name, NULL), *text = NULL;

	cr_assert(g_file_get_contents(path, &text, NULL, NULL), "no %s", path);
	g_free(path);
	return text;
}

/* The plot's points as "x=y" words: "4=4 8=16 | 4=4 8=8". */
static gchar *points_of(const char *results)
{
	JsonParser *p = json_parser_new();
	GString *out = g_string_new(NULL);
	JsonArray *series;

	cr_assert(json_parser_load_from_data(p, results, -1, NULL));
	series = json_object_get_array_member(json_array_get_object_element(json_object_get_array_member(
		json_node_get_object(json_parser_get_root(p)), "plots"), 0), "series");
	for (guint s = 0; s < json_array_get_length(series); s++) {
		JsonArray *pts = json_object_get_array_member(json_array_get_object_element(series, s),
							      "points");

		g_string_append(out, s ? " |" : "");
		for (guint i = 0; i < json_array_get_length(pts); i++) {
			JsonObject *pt = json_array_get_object_element(pts, i);

			g_string_append_printf(out, "%s%s=%g", out->len ? " " : "",
					       json_object_get_string_member(pt, "x"),
					       json_object_get_null_member(pt, "y") ? -1.0 :
					       json_object_get_double_member(pt, "y"));
		}
	}
	g_object_unref(p);
	return g_string_free(out, FALSE);
}

/* DIR/results.json with DIR written as "DIR": the same document whichever
 * directory the runs were kept in. */
static gchar *results_in(const char *dir)
{
	gchar *text = contents(dir, "results.json"), **parts = g_strsplit(text, dir, -1);
	gchar *same = g_strjoinv("DIR", parts);

	g_strfreev(parts);
	g_free(text);
	return same;
}

static void expect_tiny_results(const char *dir)
{
	gchar *results = contents(dir, "results.json"), *points = points_of(results);

	cr_expect_str_eq(points, "4=4 8=16 | 4=4 8=8", "by hand: see the file's comment");
	expect_contains("results", results, "\"format\" : \"mmusim-compare-results\"");
	expect_contains("results", results, "\"id\" : \"stride@l1=16,pages=8\"");
	expect_contains("results", results, "\"label\" : \"a paper's figure\",\n          \"y\" : 10.5");
	g_free(points);
	g_free(results);
}

static gchar *report_mtimes(const char *dir)
{
	GString *out = g_string_new(NULL);
	const char *ids[] = { "stride@l1=4,pages=4", "stride@l1=4,pages=8", "stride@l1=16,pages=4",
			      "stride@l1=16,pages=8" };

	for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
		gchar *name = g_strdup_printf("runs/%s.json", ids[i]), *path = g_build_filename(dir, name, NULL);
		struct stat st;

		cr_assert_eq(stat(path, &st), 0, "%s", path);
		g_string_append_printf(out, "%ld.%09ld ", (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		g_free(name);
		g_free(path);
	}
	return g_string_free(out, FALSE);
}

Test(suites, a_tiny_suite_by_hand_and_resumed)
{
	gchar *suite = write_tmp_file("tiny.suite", tiny), *dir = tmp_path("out");
	struct result a = mmusim((const char *[]){ "compare", suite, "-o", dir, "-j", "2", NULL }), b;
	gchar *before, *after, *first, *again;

	expect_status(&a, 0);
	expect_tiny_results(dir);
	before = report_mtimes(dir);
	first = contents(dir, "results.json");
	b = mmusim((const char *[]){ "compare", suite, "-o", dir, "-j", "2", NULL });
	expect_status(&b, 0);
	after = report_mtimes(dir);
	again = contents(dir, "results.json");
	cr_expect_str_eq(after, before, "no run was done again");
	cr_expect_str_eq(again, first);
	g_free(before);
	g_free(after);
	g_free(first);
	g_free(again);
	g_free(suite);
	g_free(dir);
	result_free(&a);
	result_free(&b);
}

/* The emitted jobs, run by GNU parallel as they are, then merged, give the
 * results a local compare gives. */
/* A breakdown: the begin call of the region costs the default profile's
 * syscall_entry (70 cycles) and syscall_exit (60) (docs/cost-profiles.md),
 * one series per step, stacked. */
Test(suites, a_breakdown_by_step)
{
	gchar *suite = write_tmp_file("tiny.suite", tiny), *dir = tmp_path("out");
	struct result r = mmusim((const char *[]){ "compare", suite, "-o", dir, NULL });
	gchar *results = contents(dir, "results.json");
	JsonParser *p = json_parser_new();
	JsonObject *plot;
	JsonArray *series;

	expect_status(&r, 0);
	cr_assert(json_parser_load_from_data(p, results, -1, NULL));
	plot = json_array_get_object_element(json_object_get_array_member(
		json_node_get_object(json_parser_get_root(p)), "plots"), 1);
	cr_expect_str_eq(json_object_get_string_member(plot, "style"), "stacked");
	series = json_object_get_array_member(plot, "series");
	cr_assert_eq(json_array_get_length(series), 2);
	for (guint s = 0; s < 2; s++) {
		JsonObject *one = json_array_get_object_element(series, s);
		JsonArray *pts = json_object_get_array_member(one, "points");

		cr_expect_str_eq(json_object_get_string_member(one, "label"),
				 s ? "syscall_exit" : "syscall_entry");
		cr_assert_eq(json_array_get_length(pts), 2, "pages 4 and 8");
		for (guint i = 0; i < 2; i++)
			cr_expect_eq(json_object_get_double_member(json_array_get_object_element(pts, i), "y"),
				     s ? 60 : 70);
	}
	g_object_unref(p);
	g_free(results);
	g_free(suite);
	g_free(dir);
	result_free(&r);
}

/* Parameters swept together, and a figure that is a sum: lab-stride makes
 * PAGES * PASSES loads in its region, each an L1d hit or a miss, so hits +
 * misses = 4 * 1 and 8 * 2. */
Test(suites, zipped_sweeps_and_summed_figures)
{
	static const char text[] =
		"[run s]\ncommand = lab-stride ${pages} ${passes}\noptions = --cpus 1\n"
		"sweep.pages+passes = 4 1, 8 2\n\n"
		"[plot loads]\nx = pages\nstyle = bars\n"
		"series = s[pages=4] | region/tlb/l1d/hits + region/tlb/l1d/misses | 4 pages ; "
		"s[pages=8] | region/tlb/l1d/hits + region/tlb/l1d/misses | 8 pages\n";
	gchar *suite = write_tmp_file("zip.suite", text), *dir = tmp_path("zip");
	struct result r = mmusim((const char *[]){ "compare", suite, "-o", dir, NULL });
	gchar *results = contents(dir, "results.json"), *points = points_of(results), *html;

	expect_status(&r, 0);
	cr_expect_str_eq(points, "4=4 | 8=16", "one point a series");
	html = contents(dir, "report.html");
	expect_contains("bars", results, "\"style\" : \"bars\"");
	expect_contains("a row for each series' x", html, "<tr><td>4</td><td class=n>4</td><td class=n>&ndash;");
	expect_contains("a row for each series' x", html, "<tr><td>8</td><td class=n>&ndash;</td><td class=n>16");
	expect_contains("ids", results, "\"id\" : \"s@pages=8,passes=2\"");
	g_free(html);
	g_free(points);
	g_free(results);
	g_free(suite);
	g_free(dir);
	result_free(&r);
}

Test(suites, emitted_jobs_run_with_parallel_and_merge)
{
	gchar *suite = write_tmp_file("tiny.suite", tiny);
	gchar *local = tmp_path("local"), *par = tmp_path("par"), *slurm = tmp_path("slurm");
	struct result l = mmusim((const char *[]){ "compare", suite, "-o", local, NULL });
	struct result ep = mmusim((const char *[]){ "compare", suite, "-o", par, "--emit-jobs", "parallel",
						    NULL });
	struct result es = mmusim((const char *[]){ "compare", suite, "-o", slurm, "--emit-jobs", "slurm",
						    NULL });
	gchar *jobs = g_build_filename(par, "jobs.parallel", NULL);
	gchar *script = g_build_filename(slurm, "jobs.slurm", NULL);
	gchar *slurm_cmd = g_strdup_printf("seq 0 3 | parallel --will-cite -j 2 "
					   "SLURM_ARRAY_TASK_ID={} sh %s", script);
	struct result rp = run_argv((const char *[]){ "/usr/bin/parallel", "--will-cite", "-j", "2", "::::", jobs,
						      NULL });
	struct result rs = run_argv((const char *[]){ "/bin/sh", "-c", slurm_cmd, NULL });
	struct result mp = mmusim((const char *[]){ "compare", "--merge", par, NULL });
	struct result ms = mmusim((const char *[]){ "compare", "--merge", slurm, NULL });
	gchar *want, *got_p, *got_s;

	expect_status(&l, 0);
	expect_status(&ep, 0);
	expect_status(&es, 0);
	expect_status(&rp, 0);
	expect_status(&rs, 0);
	expect_status(&mp, 0);
	expect_status(&ms, 0);
	expect_tiny_results(par);
	expect_tiny_results(slurm);
	want = results_in(local);
	got_p = results_in(par);
	got_s = results_in(slurm);
	cr_expect_str_eq(got_p, want, "the whole results.json, but for the directory's name");
	cr_expect_str_eq(got_s, want);
	g_free(want);
	g_free(got_p);
	g_free(got_s);
	g_free(jobs);
	g_free(script);
	g_free(slurm_cmd);
	g_free(suite);
	g_free(local);
	g_free(par);
	g_free(slurm);
	result_free(&l);
	result_free(&ep);
	result_free(&es);
	result_free(&rp);
	result_free(&rs);
	result_free(&mp);
	result_free(&ms);
}

Test(suites, a_run_past_its_timeout_is_failed_and_the_rest_reported)
{
	static const char text[] =
		"[run spin]\ncommand = loop\ntimeout = 1\n\n"
		"[run hello]\ncommand = hello\n\n"
		"[plot p]\nx = none\nseries = hello | result/exit_status\n";
	gchar *suite = write_tmp_file("spin.suite", text), *dir = tmp_path("out");
	struct result r = mmusim((const char *[]){ "compare", suite, "-o", dir, "-j", "2", NULL });
	gchar *results = contents(dir, "results.json"), *html = contents(dir, "report.html");

	expect_status(&r, 1);
	expect_contains("stderr", r.err, "1 of 2 runs failed");
	expect_contains("results", results, "\"status\" : \"failed\"");
	expect_contains("results", results, "timed out after 1 s");
	expect_contains("results", results, "looping forever");
	expect_contains("results", results, "\"status\" : \"finished\"");
	expect_contains("report", html, "<td class=failed>failed");
	g_free(results);
	g_free(html);
	g_free(suite);
	g_free(dir);
	result_free(&r);
}

static void expect_bad_suite(const char *text, const char *message)
{
	gchar *suite = write_tmp_file("bad.suite", text), *dir = tmp_path("bad");
	struct result r = mmusim((const char *[]){ "compare", suite, "-o", dir, NULL });

	expect_status(&r, 65);
	expect_contains(text, r.err, message);
	g_free(suite);
	g_free(dir);
	result_free(&r);
}

Test(suites, malformed_suites_name_the_line_or_group)
{
	expect_bad_suite("[run a]\ncommand = hello\nthis is not a pair\n", "bad.suite:3: expected KEY = VALUE");
	expect_bad_suite("[run a]\ncommand = hello\n[something]\n",
			 "bad.suite:3: expected [suite], [run NAME] or [plot NAME]");
	expect_bad_suite("[run a]\ncomand = hello\n", "[run a]: no command");
	expect_bad_suite("[run a]\ncommand = hello\ncolour = red\n", "[run a]: unknown key 'colour'");
	expect_bad_suite("[run a]\ncommand = hello\n[plot p]\nx = n\nseries = b | faults\n",
			 "[plot p]: no run 'b'");
	expect_bad_suite("[run a]\ncommand = hello\n[plot p]\nx = n\nseries = a\n",
			 "expected RUN | FIGURE [| LABEL]");
	expect_bad_suite("[suite]\ntitle = nothing\n", "no [run NAME] group");
	expect_bad_suite("[run a]\ncommand = hello\n[plot p]\nx = n\nseries = a | faults\nstyle = pie\n",
			 "[plot p]: style 'pie': expected lines or bars");
	expect_bad_suite("[run a]\ncommand = hello\nsweep.x+y = 1 2, 3\n",
			 "[run a]: sweep.x+y: '3' needs 2 words");
	expect_bad_suite("[run a]\ncommand = hello\n[plot p]\nx = n\nseries = a | faults\nseed = paper | lots\n",
			 "[plot p]: seed 'paper | lots': expected LABEL | NUMBER");
}

Test(suites, usage_errors)
{
	struct result a = mmusim((const char *[]){ "compare", "designs", NULL });
	struct result b = mmusim((const char *[]){ "compare", "designs", "-o", "x", "-j", "0", NULL });
	struct result c = mmusim((const char *[]){ "compare", "-o", "x", "--emit-jobs", "pbs", NULL });
	struct result d = mmusim((const char *[]){ "compare", "/nonexistent.suite", "-o", "x", NULL });

	expect_status(&a, 2);
	expect_contains("no -o", a.err, "-o DIR is needed");
	expect_status(&b, 2);
	expect_status(&c, 2);
	expect_contains("pbs", c.err, "expected slurm or parallel");
	expect_status(&d, 65);
	expect_contains("missing", d.err, "/nonexistent.suite");
	result_free(&a);
	result_free(&b);
	result_free(&c);
	result_free(&d);
}

/* mmusim report: two runs side by side; a report of another version is
 * refused, naming the file. */
Test(suites, report_side_by_side_and_other_versions_refused)
{
	gchar *a = tmp_path("a.json"), *b = tmp_path("b.json"), *html = tmp_path("ab.html");
	struct result ra = run_mmusim("--report", a, GUEST("hello"), NULL);
	struct result rb = run_mmusim("--report", b, "--set", "tlb.asid_bits=0", GUEST("hello"), NULL);
	struct result r = mmusim((const char *[]){ "report", a, b, "-o", html, NULL });
	gchar *page = NULL, *text = NULL, *old, **halves, *changed;
	struct result bad;

	expect_status(&r, 0);
	cr_assert(g_file_get_contents(html, &page, NULL, NULL));
	cr_expect_eq(occurrences(page, "<svg"), 4, "four plots");
	expect_contains("page", page, "<th>a.json</th><th>b.json</th>");
	cr_assert(g_file_get_contents(a, &text, NULL, NULL));
	halves = g_strsplit(text, "\"version\" : 1", 2);
	changed = g_strjoinv("\"version\" : 99", halves);
	old = write_tmp_file("old.json", changed);
	bad = mmusim((const char *[]){ "report", a, old, NULL });
	expect_status(&bad, 65);
	expect_contains("old", bad.err, "old.json: not a report of this mmusim");
	g_strfreev(halves);
	g_free(changed);
	g_free(page);
	g_free(text);
	g_free(old);
	g_free(a);
	g_free(b);
	g_free(html);
	result_free(&ra);
	result_free(&rb);
	result_free(&r);
	result_free(&bad);
}

/* The built-in suite's page in headless Chromium: every plot drawn with
 * labelled axes, no script at all; a screenshot is kept beside it. */
Test(suites, the_designs_report_renders_in_chromium)
{
	gchar *dir = tmp_path("designs"), *html, *url, *shot = tmp_path("designs.png"), *shot_arg;
	struct result c = mmusim((const char *[]){ "compare", "designs", "-o", dir, "-j", "2", NULL });
	struct result dom, png;
	gchar **svgs;
	unsigned plots;
	gchar *results;

	expect_status(&c, 0);
	html = g_build_filename(dir, "report.html", NULL);
	url = g_strdup_printf("file://%s", html);
	dom = run_argv((const char *[]){ "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
					 "--dump-dom", url, NULL });
	shot_arg = g_strdup_printf("--screenshot=%s", shot);
	png = run_argv((const char *[]){ "/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
					 "--hide-scrollbars", "--window-size=1100,3200", shot_arg, url, NULL });
	expect_status(&dom, 0);
	expect_status(&png, 0);
	results = contents(dir, "results.json");
	plots = occurrences(results, "\"series\" :");
	svgs = g_strsplit(dom.out, "<svg", -1);
	cr_expect_eq(g_strv_length(svgs) - 1, plots, "one drawing per plot (%u)", plots);
	for (guint i = 1; svgs[i]; i++) {
		expect_contains("axes", svgs[i], "<text");
		expect_contains("a line", svgs[i], "<path");
	}
	expect_not_contains("dom", dom.out, "<script");
	cr_expect(g_file_test(shot, G_FILE_TEST_IS_REGULAR), "screenshot %s", shot);
	g_strfreev(svgs);
	g_free(shot_arg);
	g_free(results);
	g_free(html);
	g_free(url);
	g_free(dir);
	g_free(shot);
	result_free(&c);
	result_free(&dom);
	result_free(&png);
}
