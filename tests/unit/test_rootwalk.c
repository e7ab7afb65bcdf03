/*
 * vfs: paths below the root, resolved by openat2(RESOLVE_IN_ROOT) and by
 * the walk used on hosts without it; both must give the same answers,
 * which are chroot's: ".." of the root is the root, absolute links start
 * at the root, nothing outside is reached.  Tree made per test in a fresh
 * directory T:
 *
 *   T/outside                 "outside"
 *   T/a/root/file             "file"          T/a/root/dir/
 *   T/a/root/abs  -> /file    T/a/root/up -> ..       T/a/root/up3 -> ../../..
 *   T/a/root/esc  -> /../../outside                    T/a/root/loop -> loop
 *   T/a/root/rel  -> dir/../file                       T/a/root/dlink -> dir
 *   T/a/root/dir/back -> ../../../outside
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/vfs.h"

static gchar *top, *root;
static struct vfs vfs;

static void put(const char *rel, const char *text)
{
	gchar *path = g_build_filename(top, rel, NULL);

	cr_assert(g_file_set_contents(path, text, -1, NULL), "cannot write %s", path);
	g_free(path);
}

static void link_to(const char *target, const char *rel)
{
	gchar *path = g_build_filename(root, rel, NULL);

	cr_assert_eq(symlink(target, path), 0, "cannot make %s", path);
	g_free(path);
}

static void setup(void)
{
	GString *error = g_string_new(NULL);
	gchar *dir;

	top = g_dir_make_tmp("mmusim-rootwalk-XXXXXX", NULL);
	cr_assert(top);
	root = g_build_filename(top, "a", "root", NULL);
	dir = g_build_filename(root, "dir", NULL);
	cr_assert_eq(g_mkdir_with_parents(dir, 0755), 0);
	put("outside", "outside");
	put("a/root/file", "file");
	link_to("/file", "abs");
	link_to("..", "up");
	link_to("../../..", "up3");
	link_to("/../../outside", "esc");
	link_to("loop", "loop");
	link_to("dir/../file", "rel");
	link_to("dir", "dlink");
	link_to("../../../outside", "dir/back");
	cr_assert_eq(vfs_init(&vfs, root, true, error), 0, "%s", error->str);
	g_string_free(error, TRUE);
	g_free(dir);
}

static void teardown(void)
{
	gchar *argv[] = { "/bin/rm", "-rf", top, NULL };

	vfs_fini(&vfs);
	g_spawn_sync(NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, NULL, NULL);
	g_free(root);
	g_free(top);
}

TestSuite(rootwalk, .init = setup, .fini = teardown);

/* What opening `path` gives: the file's text, or the errno's name. */
static gchar *open_text(const char *path, int flags)
{
	struct file *f;
	int err = vfs_open(&vfs, NULL, path, flags, 0644, &f);
	char buf[32] = "";

	if (err)
		return g_strdup(g_strerror(-err));
	if (pread(file_host_fd(f), buf, sizeof(buf) - 1, 0) < 0)
		g_strlcpy(buf, f->is_dir ? "(dir)" : g_strerror(errno), sizeof(buf));
	file_put(f);
	return g_strdup(buf);
}

static const struct {
	const char *path, *expected;
} cases[] = {
	{ "/file", "file" },
	{ "/abs", "file" },
	{ "/up/file", "file" },
	{ "/up3/outside", "No such file or directory" },
	{ "/up3/a/root/file", "No such file or directory" },
	{ "/esc", "No such file or directory" },
	{ "/dir/back", "No such file or directory" },
	{ "/loop", "Too many levels of symbolic links" },
	{ "/rel", "file" },
	{ "/dlink/../file", "file" },
	{ "/file/", "Not a directory" },
	{ "/dlink/", "(dir)" },
	{ "/up/up/up/dir/../file", "file" },
};

static void expect_cases(void)
{
	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		gchar *got = open_text(cases[i].path, O_RDONLY);

		cr_expect_str_eq(got, cases[i].expected, "%s (%s)", cases[i].path,
				 vfs.by_hand ? "by hand" : "openat2");
		g_free(got);
	}
}

/* This host (Linux 5.6 or later) has openat2: the walk is the kernel's. */
Test(rootwalk, openat2)
{
	cr_assert(!vfs.by_hand, "this host has no openat2");
	expect_cases();
}

Test(rootwalk, by_hand)
{
	vfs.by_hand = true;
	expect_cases();
}

/* O_CREAT through links that point out: the file is made below the root. */
Test(rootwalk, create_through_links_stays_inside)
{
	gchar *inside = g_build_filename(root, "new", NULL), *outside = g_build_filename(top, "new", NULL);
	gchar *got;

	vfs.by_hand = true;
	got = open_text("/up3/new", O_RDWR | O_CREAT);
	cr_expect_str_eq(got, "");
	cr_expect(g_file_test(inside, G_FILE_TEST_IS_REGULAR), "%s was not made", inside);
	cr_expect(!g_file_test(outside, G_FILE_TEST_EXISTS), "%s was made", outside);
	g_free(got);
	g_free(outside);
	g_free(inside);
}
