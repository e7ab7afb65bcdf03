/*
 * "#!" scripts: execve runs the interpreter the first line names, with its
 * one optional argument and the script's name (Linux's binfmt_script), up
 * to five interpreters deep.  guest/runscript runs a script from a
 * directory of scripts with relative interpreter names, so the same
 * scripts give the same argument vectors on the host's kernel (with the
 * host's build of guest/echoargs) and under mmusim (with the AArch64
 * build).  `mmusim run` takes a script as PROGRAM too, and looks PROGRAM up
 * below --root.
 *
 * Layout per test in the temporary directory T: T/host and T/guest hold the
 * same scripts and echoargs built for the host and for AArch64.
 */
#include <glib/gstdio.h>
#include <string.h>

#include "harness.h"

static const struct {
	const char *name, *text;
	int mode;
} scripts[] = {
	{ "arg", "#!./echoargs -x  y \t\nignored\n", 0755 },
	{ "noarg", "#!  ./echoargs\n", 0755 },
	{ "tabs", "#!\t./echoargs\targ\t\n", 0755 },
	{ "nul", "#!./echoargs\0 hidden\n", 0755 },
	{ "missing", "#!./nothere\n", 0755 },
	{ "plain", "echo not a script\n", 0755 },
	{ "noperm", "#!./echoargs\n", 0644 },
	{ "empty", "#!\n", 0755 },
	{ "blank", "#!   \n", 0755 },
	{ "bare", "#!", 0755 },
	{ "c0", "#!./c1 zero\n", 0755 },
	{ "c1", "#!./c2 one\n", 0755 },
	{ "c2", "#!./c3\n", 0755 },
	{ "c3", "#!./c4\n", 0755 },
	{ "c4", "#!./c5\n", 0755 },
	{ "c5", "#!./echoargs five\n", 0755 },
	{ "self", "#!./self\n", 0755 },
};

static void write_script(const char *dir, const char *name, const char *text, gssize len, int mode)
{
	gchar *path = g_build_filename(dir, name, NULL);

	cr_assert(g_file_set_contents(path, text, len, NULL), "cannot write %s", path);
	cr_assert_eq(g_chmod(path, mode), 0);
	g_free(path);
}

static void copy_program(const char *src, const char *dir)
{
	gchar *dst = g_build_filename(dir, "echoargs", NULL), *data;
	gsize len;

	cr_assert(g_file_get_contents(src, &data, &len, NULL), "cannot read %s", src);
	write_script(dir, "echoargs", data, (gssize)len, 0755);
	g_free(data);
	g_free(dst);
}

/* A #! line of `len` bytes without a newline in the first 256: an
 * interpreter path followed by a blank and a long argument (`cut_arg`), or
 * an interpreter path that runs past byte 256. */
static gchar *long_line(bool cut_arg)
{
	GString *s = g_string_new(cut_arg ? "#!./echoargs " : "#!./");

	while (s->len < 300)
		g_string_append_c(s, cut_arg ? 'a' : 'x');
	g_string_append_c(s, '\n');
	return g_string_free(s, FALSE);
}

static void make_dir(const char *name, const char *echoargs)
{
	gchar *dir = tmp_path(name), *cut_arg = long_line(true), *cut_path = long_line(false);

	cr_assert_eq(g_mkdir(dir, 0755), 0);
	copy_program(echoargs, dir);
	for (size_t i = 0; i < G_N_ELEMENTS(scripts); i++)
		write_script(dir, scripts[i].name, scripts[i].text,
			     (gssize)(strlen(scripts[i].text) + (!strcmp(scripts[i].name, "nul") ? 9 : 0)),
			     scripts[i].mode);
	write_script(dir, "longarg", cut_arg, -1, 0755);
	write_script(dir, "longpath", cut_path, -1, 0755);
	g_free(cut_path);
	g_free(cut_arg);
	g_free(dir);
}

static void setup(void)
{
	harness_setup();
	make_dir("host", HOST_ECHOARGS_PATH);
	make_dir("guest", GUEST("echoargs"));
}

TestSuite(script, .init = setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* Each script run by execve gives what the host kernel gives: the
 * interpreter's output, or execve's errno. */
Test(script, execve_as_the_host_kernel)
{
	static const char *const names[] = { "arg", "noarg", "tabs", "nul", "missing", "plain",
					     "noperm", "empty", "blank", "bare", "c1", "c0", "self",
					     "longarg", "longpath" };

	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		gchar *prog = g_strconcat("./", names[i], NULL);
		struct result h = run_argv((const char *const[]){ HOST_RUNSCRIPT_PATH, "host", prog,
								 "a1", "a 2", NULL });
		struct result r = run_mmusim(GUEST("runscript"), "guest", prog, "a1", "a 2", NULL);

		expect_status(&r, h.status);
		cr_expect_str_eq(r.out, h.out, "%s: mmusim and the host differ", names[i]);
		result_free(&r);
		result_free(&h);
		g_free(prog);
	}
}

/* The answers the host gave above, by Linux's rules (so that a host that
 * changed them would show): an argument keeps inner blanks; five levels
 * of scripts run, six are ELOOP; no interpreter is ENOENT; no #! or an
 * empty one is ENOEXEC. */
Test(script, rules_by_hand)
{
	struct result r = run_mmusim(GUEST("runscript"), "guest", "./arg", "a1", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "argc 4\nargv[0] (10) [./echoargs]\nargv[1] (5) [-x  y]\n"
				"argv[2] (5) [./arg]\nargv[3] (2) [a1]\n");
	result_free(&r);
	r = run_mmusim(GUEST("runscript"), "guest", "./c1", NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "argc 8\nargv[0] (10) [./echoargs]\nargv[1] (4) [five]\n"
				"argv[2] (4) [./c5]\nargv[3] (4) [./c4]\nargv[4] (4) [./c3]\n"
				"argv[5] (4) [./c2]\nargv[6] (3) [one]\nargv[7] (4) [./c1]\n");
	result_free(&r);
	r = run_mmusim(GUEST("runscript"), "guest", "./c0", NULL);
	expect_status(&r, 1);
	cr_expect_str_eq(r.out, "execve ./c0: ELOOP\n");
	result_free(&r);
	r = run_mmusim(GUEST("runscript"), "guest", "./missing", NULL);
	expect_status(&r, 1);
	cr_expect_str_eq(r.out, "execve ./missing: ENOENT\n");
	result_free(&r);
	r = run_mmusim(GUEST("runscript"), "guest", "./plain", NULL);
	expect_status(&r, 1);
	cr_expect_str_eq(r.out, "execve ./plain: ENOEXEC\n");
	result_free(&r);
}

/* `mmusim run --root DIR PROGRAM`: PROGRAM is a path below DIR, a script
 * too; its interpreter is found below DIR as well. */
Test(script, program_below_the_root)
{
	gchar *root = tmp_path("guest");
	struct result r = run_mmusim("--root", root, "/arg", "a1", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "argc 4\nargv[0] (10) [./echoargs]\nargv[1] (5) [-x  y]\n"
				"argv[2] (4) [/arg]\nargv[3] (2) [a1]\n");
	result_free(&r);
	r = run_mmusim("--root", root, "echoargs", "b", NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "argc 2\nargv[0] (8) [echoargs]\nargv[1] (1) [b]\n");
	result_free(&r);
	/* A missing interpreter: 127, naming the script and the interpreter. */
	r = run_mmusim("--root", root, "/missing", NULL);
	expect_status(&r, 127);
	cr_expect_str_eq(r.err, "mmusim: /missing: interpreter ./nothere: No such file or directory\n");
	result_free(&r);
	r = run_mmusim("--root", root, "/c0", NULL);
	expect_status(&r, 126);
	expect_contains("stderr", r.err, "Too many levels of symbolic links");
	result_free(&r);
	g_free(root);
}
