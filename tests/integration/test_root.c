/*
 * --root and --writable: the guest sees the chosen directory as "/", cannot
 * leave it with "..", and changes nothing below it unless --writable.
 *
 * Layout made per test in the temporary directory T:
 *   T/outside.txt       a file the guest must never reach
 *   T/root/etc/hostname the guest's /etc/hostname
 *   T/root/link         an absolute symlink to /etc/hostname
 */
#include <glib/gstdio.h>
#include <unistd.h>

#include "harness.h"

#define HOSTNAME "mmusim-test-root\n"

static gchar *root;

static void setup(void)
{
	gchar *etc, *link;

	harness_setup();
	g_free(write_tmp_file("outside.txt", "outside the root\n"));
	root = tmp_path("root");
	etc = g_build_filename(root, "etc", NULL);
	cr_assert_eq(g_mkdir_with_parents(etc, 0755), 0);
	g_free(write_tmp_file("root/etc/hostname", HOSTNAME));
	link = g_build_filename(root, "link", NULL);
	cr_assert_eq(symlink("/etc/hostname", link), 0);
	g_free(link);
	g_free(etc);
}

static void teardown(void)
{
	g_clear_pointer(&root, g_free);
	harness_teardown();
}

TestSuite(root, .init = setup, .fini = teardown, .timeout = TEST_TIMEOUT);

Test(root, file_below_the_root)
{
	struct result r = run_mmusim("--root", root, BB, "cat", "/etc/hostname", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, HOSTNAME);
	result_free(&r);
}

Test(root, slash_is_the_root)
{
	struct result r = run_mmusim("--root", root, BB, "ls", "-a", "/", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, ".\n..\netc\nlink\n");
	result_free(&r);
	/* The guest starts in its "/". */
	r = run_mmusim("--root", root, BB, "pwd", NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "/\n");
	result_free(&r);
}

Test(root, dotdot_cannot_escape)
{
	const char *paths[] = { "../outside.txt", "/../outside.txt", "../../../../outside.txt",
				"/etc/../../outside.txt" };

	for (size_t i = 0; i < G_N_ELEMENTS(paths); i++) {
		struct result r = run_mmusim("--root", root, BB, "cat", paths[i], NULL);

		expect_status(&r, 1);
		cr_expect_str_eq(r.out, "", "cat %s read a file outside the root", paths[i]);
		expect_contains("stderr", r.err, "No such file or directory");
		result_free(&r);
	}
	/* ".." of "/" is "/" again, so this one is the root's own file. */
	{
		struct result r = run_mmusim("--root", root, BB, "cat", "../../etc/hostname", NULL);

		expect_status(&r, 0);
		cr_expect_str_eq(r.out, HOSTNAME);
		result_free(&r);
	}
}

Test(root, absolute_symlink_resolves_inside)
{
	struct result r = run_mmusim("--root", root, BB, "cat", "/link", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, HOSTNAME);
	result_free(&r);
}

/* `touch` a new file: EROFS without --writable; created with it. */
Test(root, touch_is_refused_without_writable)
{
	gchar *path = g_build_filename(root, "newfile", NULL);
	struct result r = run_mmusim("--root", root, BB, "touch", "/newfile", NULL);

	expect_status(&r, 1);
	expect_contains("stderr", r.err, "touch: /newfile: Read-only file system");
	cr_expect(!g_file_test(path, G_FILE_TEST_EXISTS), "%s was created", path);
	result_free(&r);
	g_free(path);
}

Test(root, touch_creates_with_writable)
{
	gchar *path = g_build_filename(root, "newfile", NULL);
	struct result r = run_mmusim("--root", root, "--writable", BB, "touch", "/newfile", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.err, "");
	cr_expect(g_file_test(path, G_FILE_TEST_IS_REGULAR), "%s was not created", path);
	result_free(&r);
	g_free(path);
}

/* The same with tee, which creates its file with open(O_CREAT) alone. */
Test(root, tee_is_refused_without_writable)
{
	gchar *input = write_tmp_file("input.txt", "written by tee\n");
	gchar *path = g_build_filename(root, "teefile", NULL);
	struct result r;

	set_stdin_file(input);
	r = run_mmusim("--root", root, BB, "tee", "/teefile", NULL);
	expect_status(&r, 1);
	cr_expect_str_eq(r.out, "written by tee\n");
	expect_contains("stderr", r.err, "tee: /teefile: Read-only file system");
	cr_expect(!g_file_test(path, G_FILE_TEST_EXISTS), "%s was created", path);
	result_free(&r);
	g_free(path);
	g_free(input);
}

Test(root, tee_writes_with_writable)
{
	gchar *input = write_tmp_file("input.txt", "written by tee\n");
	gchar *path = g_build_filename(root, "teefile", NULL), *contents = NULL;
	struct result r;

	set_stdin_file(input);
	r = run_mmusim("--root", root, "--writable", BB, "tee", "/teefile", NULL);
	expect_status(&r, 0);
	cr_expect(g_file_get_contents(path, &contents, NULL, NULL), "%s was not created", path);
	cr_expect_str_eq(contents ? contents : "", "written by tee\n");
	result_free(&r);
	g_free(contents);
	g_free(path);
	g_free(input);
}

/* --writable lets the guest write below the root only. */
Test(root, writable_cannot_escape)
{
	gchar *outside = tmp_path("escaped.txt"), *inside = g_build_filename(root, "escaped.txt", NULL);
	struct result r = run_mmusim("--root", root, "--writable", BB, "sh", "-c",
				     "echo escaped > ../escaped.txt", NULL);

	expect_status(&r, 0);
	cr_expect(!g_file_test(outside, G_FILE_TEST_EXISTS), "the guest wrote %s", outside);
	cr_expect(g_file_test(inside, G_FILE_TEST_IS_REGULAR), "%s was not written", inside);
	result_free(&r);
	g_free(inside);
	g_free(outside);
}
