/*
 * File access under simulated credentials (sim/permission): guest/fsperm
 * makes files of known modes as root, becomes nobody and tries open,
 * access, stat through directories, execve, creating and removing names
 * (a sticky directory too), chmod and chown.  Under --root DIR --writable
 * the output must equal the host kernel's (the same program built for this
 * host, run as root in a directory of the same file system); on a --tmpfs
 * mount too, but for executing (tmpfs files cannot be run: EACCES before
 * the missing interpreter's ENOENT).  Lines generic_permission and the man
 * pages fix are checked whatever the host says.
 */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

TestSuite(fsperm, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

static const char *const known[] = {
	"root: open f000 O_RDWR                       ok\n",
	"root: access f000 X_OK                       EACCES\n",
	"root: execve s644 (no x bit)                 EACCES\n",
	"open f600 O_RDONLY                           EACCES\n",
	"open f644 O_RDONLY|O_TRUNC                   EACCES\n",
	"open d700/f (no search)                      EACCES\n",
	"open d711/f (search only)                    ok\n",
	"open d711 O_DIRECTORY (no read)              EACCES\n",
	"open new in w O_CREAT                        EACCES\n",
	"its owner and group                          65534 65534\n",
	"f644 still holds 7 bytes\n",
	"access s700 X_OK                             EACCES\n",
	"execve s700 (root's, 0700)                   EACCES\n",
	"mkdir w/f644 (exists)                        EEXIST\n",
	"unlink w/f644                                EACCES\n",
	"unlink w/missing                             ENOENT\n",
	"unlink d1777/root (sticky)                   EPERM\n",
	"rename d1777/mine                            ok\n",
	"chmod f644 (not the owner)                   EPERM\n",
	"chown f644 (not the owner)                   EPERM\n",
	NULL,
};

static void expect_known(const char *who, const char *out)
{
	for (const char *const *line = known; *line; line++)
		expect_contains(who, out, *line);
}

/* The host kernel's answer in a new directory `dir`, when this test runs
 * as root (it must become nobody); NULL otherwise. */
static struct result *host_answer(const char *dir)
{
	static struct result h;

	if (geteuid() != 0)
		return NULL;
	cr_assert_eq(g_mkdir(dir, 0755), 0);
	h = run_argv((const char *const[]){ HOST_FSPERM_PATH, dir, NULL });
	cr_assert_eq(h.status, 0, "the host's fsperm failed:\n%s", h.err);
	expect_known("the host kernel's output", h.out);
	return &h;
}

Test(fsperm, writable_root_as_the_host_kernel)
{
	gchar *root = tmp_path("root"), *host_dir = tmp_path("host");
	struct result *h = host_answer(host_dir), r;

	cr_assert_eq(g_mkdir(root, 0755), 0);
	r = run_mmusim("--root", root, "--writable", GUEST("fsperm"), NULL);
	expect_status(&r, 0);
	expect_known("mmusim's output", r.out);
	expect_contains("mmusim's output", r.out, "execve s755 (x, no interpreter)              ENOENT\n");
	if (h) {
		cr_expect_str_eq(r.out, h->out, "mmusim (first) and the host kernel differ");
		result_free(h);
	}
	result_free(&r);
	g_free(host_dir);
	g_free(root);
}

/* Every line but the two executions that get as far as the interpreter. */
static gchar *without_exec_lines(const char *out)
{
	gchar **lines = g_strsplit(out, "\n", -1);
	GString *kept = g_string_new(NULL);

	for (gchar **l = lines; *l && **l; l++)
		if (!strstr(*l, "(x, no interpreter)"))
			g_string_append_printf(kept, "%s\n", *l);
	g_strfreev(lines);
	return g_string_free(kept, FALSE);
}

Test(fsperm, tmpfs_as_the_host_kernel)
{
	gchar *host_dir = tmp_path("host");
	struct result *h = host_answer(host_dir);
	struct result r = run_mmusim("--tmpfs", "/scratch", GUEST("fsperm"), "/scratch", NULL);

	expect_status(&r, 0);
	expect_known("mmusim's output", r.out);
	if (h) {
		gchar *m = without_exec_lines(r.out), *k = without_exec_lines(h->out);

		cr_expect_str_eq(m, k, "mmusim (first) and the host kernel differ");
		g_free(m);
		g_free(k);
		result_free(h);
	}
	result_free(&r);
	g_free(host_dir);
}
