/*
 * Unicorn, Capstone and json-glib are loaded only by what needs them
 * (sim/emulator_libs.c, report/json_lib.c): the dynamic loader's own log
 * (LD_DEBUG=files, on standard error) names every library it opens, so
 * commands that never emulate must not name Unicorn and Capstone, a run
 * must name Unicorn, a run that disassembles (a crash report) Capstone
 * too, and only commands that read or write JSON json-glib.  A library
 * that is missing or is not the one configured (a file of its name found
 * first through LD_LIBRARY_PATH) stops the run with status 70 and a
 * message naming it, or leaves the crash report without its disassembly;
 * never a crash.
 */
#include <dlfcn.h>

#include "harness.h"

TestSuite(libs, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

#define UNICORN		"libunicorn"
#define CAPSTONE	"libcapstone"
#define JSON_GLIB	"libjson-glib"

/* `mmusim ARGS...` with the loader's log of the files it opens on stderr. */
static struct result logged(const char *const *args)
{
	struct result r;

	g_setenv("LD_DEBUG", "files", TRUE);
	r = run_argv(args);
	g_unsetenv("LD_DEBUG");
	return r;
}

/* Whether the loader's log shows `library` (a name's start) being opened. */
static bool opened(const struct result *r, const char *library)
{
	gchar *needle = g_strdup_printf("file=%s", library);
	bool found = strstr(r->err, needle) != NULL;

	g_free(needle);
	return found;
}

static void expect_neither(const char *const *args)
{
	struct result r = logged(args);

	cr_expect_eq(r.status, 0, "mmusim %s: status %d\n%s", args[1], r.status, r.err);
	cr_expect(strstr(r.err, "file=libglib") != NULL, "no loader log for mmusim %s:\n%s",
		  args[1], r.err);
	cr_expect(!opened(&r, UNICORN), "mmusim %s loads Unicorn", args[1]);
	cr_expect(!opened(&r, CAPSTONE), "mmusim %s loads Capstone", args[1]);
	result_free(&r);
}

Test(libs, version_help_and_profiles_load_neither)
{
	expect_neither((const char *[]){ MMUSIM_PATH, "--version", NULL });
	expect_neither((const char *[]){ MMUSIM_PATH, "--help", NULL });
	expect_neither((const char *[]){ MMUSIM_PATH, "profiles", NULL });
}

Test(libs, replay_and_report_load_neither)
{
	gchar *trace = tmp_path("hello.trace"), *json = tmp_path("hello.json");
	struct result r = run_mmusim("--record", trace, "--report", json, GUEST("hello"), NULL);

	expect_status(&r, 0);
	expect_neither((const char *[]){ MMUSIM_PATH, "replay", "--summary", trace, NULL });
	expect_neither((const char *[]){ MMUSIM_PATH, "replay", trace, NULL });
	expect_neither((const char *[]){ MMUSIM_PATH, "report", json, json, NULL });
	result_free(&r);
	g_free(trace);
	g_free(json);
}

/* Whether `mmusim ARGS...` (status 0) opens json-glib. */
static bool opens_json_glib(const char *const *args)
{
	struct result r = logged(args);
	bool json = opened(&r, JSON_GLIB);

	cr_expect_eq(r.status, 0, "mmusim %s: status %d\n%s", args[1], r.status, r.err);
	result_free(&r);
	return json;
}

Test(libs, only_json_loads_json_glib)
{
	gchar *trace = tmp_path("hello.trace"), *json = tmp_path("hello.json"),
	      *replayed = tmp_path("replayed.json"), *html = tmp_path("report.html");
	const char *record[] = { MMUSIM_PATH, "run", "--record", trace, GUEST("hello"), NULL };
	const char *run_report[] = { MMUSIM_PATH, "run", "--report", json, GUEST("hello"), NULL };

	cr_expect(!opens_json_glib(record), "a run without --report loads json-glib");
	cr_expect(!opens_json_glib((const char *[]){ MMUSIM_PATH, "--version", NULL }));
	cr_expect(!opens_json_glib((const char *[]){ MMUSIM_PATH, "profiles", NULL }));
	cr_expect(!opens_json_glib((const char *[]){ MMUSIM_PATH, "replay", "--summary", trace,
						      NULL }));
	cr_expect(!opens_json_glib((const char *[]){ MMUSIM_PATH, "replay", "--stats", trace,
						      NULL }));
	cr_expect(opens_json_glib(run_report), "run --report does not load json-glib");
	cr_expect(opens_json_glib((const char *[]){ MMUSIM_PATH, "replay", "--report", replayed,
						     trace, NULL }));
	cr_expect(opens_json_glib((const char *[]){ MMUSIM_PATH, "report", "-o", html, json, json,
						     NULL }));
	g_free(trace);
	g_free(json);
	g_free(replayed);
	g_free(html);
}

Test(libs, a_run_loads_unicorn_only)
{
	struct result r = logged((const char *[]){ MMUSIM_PATH, "run", GUEST("hello"), NULL });

	expect_status(&r, 0);
	cr_expect(opened(&r, UNICORN), "mmusim run does not load Unicorn:\n%s", r.err);
	cr_expect(!opened(&r, CAPSTONE), "mmusim run of hello loads Capstone");
	result_free(&r);
}

Test(libs, a_crash_report_loads_capstone)
{
	struct result r = logged((const char *[]){ MMUSIM_PATH, "run", GUEST("segv"), NULL });

	expect_status(&r, 139);
	cr_expect(opened(&r, UNICORN), "mmusim run does not load Unicorn");
	cr_expect(opened(&r, CAPSTONE), "a crash report does not load Capstone");
	expect_contains("the crash report", r.err, ": str");
	result_free(&r);
}

/* `name` in tmp_dir(), found first by the loader: empty, or a copy of GLib
 * (a real library, but not the one asked for). */
static void plant(const char *name, bool glib)
{
	gchar *path = tmp_path(name), *contents = NULL;
	gsize len = 0;
	Dl_info info;

	if (glib) {
		cr_assert(dladdr((void *)g_malloc, &info) && info.dli_fname);
		cr_assert(g_file_get_contents(info.dli_fname, &contents, &len, NULL));
	}
	cr_assert(g_file_set_contents(path, contents ? contents : "", (gssize)len, NULL));
	g_setenv("LD_LIBRARY_PATH", tmp_dir(), TRUE);
	g_free(contents);
	g_free(path);
}

/* With an empty file in json-glib's place, a run's report stops mmusim
 * with status 70, naming the library; the run itself went as without. */
Test(libs, missing_json_glib_stops_a_report)
{
	gchar *json = tmp_path("hello.json");
	struct result r;

	plant(JSON_GLIB_SONAME, false);
	r = run_mmusim("--report", json, GUEST("hello"), NULL);
	cr_expect_eq(r.status, 70, "status %d", r.status);
	cr_expect(!r.host_signal);
	expect_contains("stderr", r.err, "mmusim: cannot load the JSON library " JSON_GLIB_SONAME
			": ");
	expect_contains("dlerror()", r.err, "file too short");
	expect_contains("the guest's output", r.out, "Hello from an AArch64 guest");
	result_free(&r);
	g_free(json);
}

/* With an empty file (or a copy of GLib, `glib`) in Unicorn's place, a run stops at start-up, status 70,
 * saying `why` and dlerror()'s `cause`. */
static void expect_run_refused(bool glib, const char *why, const char *cause)
{
	struct result r;

	plant(UNICORN_SONAME, glib);
	r = run_mmusim(GUEST("hello"), NULL);
	cr_expect_eq(r.status, 70, "status %d", r.status);
	cr_expect(!r.host_signal);
	expect_contains("stderr", r.err, why);
	expect_contains("dlerror()", r.err, cause);
	cr_expect_str_empty(r.out);
	result_free(&r);
}

Test(libs, missing_unicorn_stops_the_run)
{
	expect_run_refused(false, "mmusim: cannot start the AArch64 emulator: cannot load the "
			   "Unicorn library " UNICORN_SONAME ": ", "file too short");
}

Test(libs, wrong_unicorn_stops_the_run)
{
	expect_run_refused(true, "mmusim: cannot start the AArch64 emulator: the Unicorn library "
			   UNICORN_SONAME " has no uc_", "undefined symbol: uc_");
}

Test(libs, missing_capstone_leaves_out_the_instruction)
{
	struct result r;

	plant(CAPSTONE_SONAME, false);
	r = run_mmusim(GUEST("segv"), NULL);
	expect_status(&r, 139);
	expect_contains("the crash report", r.err, "(disassembler unavailable: cannot load the "
			"Capstone library " CAPSTONE_SONAME ": ");
	expect_contains("the crash report", r.err, "\n  fault address 0x10\n");
	result_free(&r);
}
