/*
 * Real programs that change files, under --root T/guest --writable,
 * against the same work on the host's kernel in T/host:
 *   - SQLite (guest/sqlite-demo, Debian's libsqlite3 linked statically):
 *     the same output and a byte-identical database file;
 *   - Debian's e2fsck.static -fn on ext4 images made by the host's mke2fs
 *     (one clean, one with a wrong link count): the host's e2fsck
 *     1.47 gives the same report and exit status;
 *   - busybox mkdir, rm, mv, ln, chmod, touch against the host's
 *     coreutils: the same tree afterwards.
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static gchar *guest_root, *host_dir;

static void setup(void)
{
	harness_setup();
	guest_root = tmp_path("guest");
	host_dir = tmp_path("host");
	cr_assert_eq(g_mkdir(guest_root, 0755), 0);
	cr_assert_eq(g_mkdir(host_dir, 0755), 0);
}

static void teardown(void)
{
	g_clear_pointer(&guest_root, g_free);
	g_clear_pointer(&host_dir, g_free);
	harness_teardown();
}

TestSuite(programs, .init = setup, .fini = teardown, .timeout = TEST_TIMEOUT);

static gchar *contents_of(const char *dir, const char *name, gsize *len)
{
	gchar *path = g_build_filename(dir, name, NULL), *data = NULL;

	cr_assert(g_file_get_contents(path, &data, len, NULL), "cannot read %s", path);
	g_free(path);
	return data;
}

Test(programs, sqlite_database_on_disk)
{
	gchar *host_db = g_build_filename(host_dir, "test.db", NULL), *h_data, *g_data;
	struct result h = run_argv((const char *const[]){ HOST_SQLITE_DEMO_PATH, host_db, NULL });
	struct result r = run_mmusim("--root", guest_root, "--writable", GUEST("sqlite-demo"), "/test.db", NULL);
	gsize h_len, g_len;

	cr_assert_eq(h.status, 0, "the host's sqlite-demo failed:\n%s%s", h.out, h.err);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, h.out);
	expect_contains("the host's output", h.out, "integrity_check=ok");
	h_data = contents_of(host_dir, "test.db", &h_len);
	g_data = contents_of(guest_root, "test.db", &g_len);
	cr_expect(h_len == g_len && !memcmp(h_data, g_data, h_len), "the database files differ");
	result_free(&r);
	result_free(&h);
	g_free(g_data);
	g_free(h_data);
	g_free(host_db);
}

/* An 8 MiB ext4 image at T/guest/NAME, made at a fixed time before the
 * guest's clock starts (so that e2fsck finds nothing in the future). */
static void make_image(const char *name, const char *debugfs_request)
{
	gchar *img = g_build_filename(guest_root, name, NULL);
	gchar *cmd = g_strdup_printf("dd if=/dev/zero of='%s' bs=1M count=8 status=none && "
				     "E2FSPROGS_FAKE_TIME=1700000000 mke2fs -q -t ext4 -F "
				     "-U 01234567-89ab-cdef-0123-456789abcdef '%s'%s%s%s%s",
				     img, img, debugfs_request ? " && debugfs -w -R '" : "",
				     debugfs_request ? debugfs_request : "", debugfs_request ? "' " : "",
				     debugfs_request ? img : "");
	struct result r = run_argv((const char *const[]){ "/bin/sh", "-c", cmd, NULL });

	cr_assert_eq(r.status, 0, "cannot make %s:\n%s", img, r.err);
	result_free(&r);
	g_free(cmd);
	g_free(img);
}

static void expect_e2fsck_as_host(const char *name, int status)
{
	gchar *e2fsck = g_build_filename(guest_root, "e2fsck.static", NULL), *data;
	gchar *cmd = g_strdup_printf("cd '%s' && /sbin/e2fsck -fn %s 2>/dev/null", guest_root, name);
	struct result h, r;
	gsize len;

	cr_assert(g_file_get_contents(E2FSCK_STATIC_PATH, &data, &len, NULL),
		  "no %s: scripts/setup-deps fetches it", E2FSCK_STATIC_PATH);
	cr_assert(g_file_set_contents(e2fsck, data, (gssize)len, NULL));
	cr_assert_eq(g_chmod(e2fsck, 0755), 0);
	h = run_argv((const char *const[]){ "/bin/sh", "-c", cmd, NULL });
	cr_assert_eq(h.status, status, "the host's e2fsck says %d:\n%s", h.status, h.out);
	r = run_mmusim("--root", guest_root, "/e2fsck.static", "-fn", name, NULL);
	expect_status(&r, status);
	cr_expect_str_eq(r.out, h.out);
	result_free(&r);
	result_free(&h);
	g_free(cmd);
	g_free(data);
	g_free(e2fsck);
}

Test(programs, e2fsck_clean_image)
{
	make_image("clean.img", NULL);
	expect_e2fsck_as_host("clean.img", 0);
}

/* The root directory's link count made wrong: -n leaves the error
 * uncorrected, exit status 4. */
Test(programs, e2fsck_damaged_image)
{
	make_image("damaged.img", "sif <2> links_count 7");
	expect_e2fsck_as_host("damaged.img", 4);
}

static int compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* What a tree holds: each path below `dir` (sorted), its type and
 * permissions, size, link count, link target and, for `timed`, its mtime. */
static void list_tree(const char *dir, const char *rel, const char *timed, GString *out)
{
	gchar *path = g_build_filename(dir, rel, NULL);
	GDir *d = g_dir_open(path, 0, NULL);
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	cr_assert(d, "cannot list %s", path);
	while ((name = g_dir_read_name(d)))
		g_ptr_array_add(names, g_strdup(name));
	g_dir_close(d);
	g_ptr_array_sort(names, compare_names);
	for (guint i = 0; i < names->len; i++) {
		gchar *sub = rel[0] ? g_build_filename(rel, names->pdata[i], NULL) : g_strdup(names->pdata[i]);
		gchar *full = g_build_filename(dir, sub, NULL), *target = g_file_read_link(full, NULL);
		struct stat st;

		cr_assert_eq(lstat(full, &st), 0);
		g_string_append_printf(out, "%s %o %lld %lu %s", sub, st.st_mode,
				       S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size,
				       (unsigned long)st.st_nlink, target ? target : "-");
		if (!strcmp(sub, timed))
			g_string_append_printf(out, " %lld", (long long)st.st_mtim.tv_sec);
		g_string_append_c(out, '\n');
		if (S_ISDIR(st.st_mode))
			list_tree(dir, sub, timed, out);
		g_free(target);
		g_free(full);
		g_free(sub);
	}
	g_ptr_array_free(names, TRUE);
	g_free(path);
}

Test(programs, busybox_tree_as_coreutils)
{
	static const char script[] =
		"export TZ=UTC0; umask 022; set -e; "
		"mkdir -p a/b/c; mkdir d; touch a/f; echo hello > a/b/g; ln -s ../f a/b/l; "
		"ln a/b/g a/h; mv a/b/c d/; mv a/f a/f2; chmod 751 a/b/g; chmod 700 d; "
		"rm a/h; rm -r d/c; touch -t 202002020202.02 a/f2; ln -s f2 a/l2; ln -sf b a/l2; "
		"mkdir e; rmdir e; mkdir -p x/y; mv x z; rm -rf z; echo done";
	gchar *host_script = g_strdup_printf("cd '%s' && %s", host_dir, script);
	GString *h_tree = g_string_new(NULL), *g_tree = g_string_new(NULL);
	struct result h = run_argv((const char *const[]){ "/bin/sh", "-c", host_script, NULL });
	struct result r = run_mmusim("--root", guest_root, "--writable", BB, "sh", "-c", script, NULL);

	cr_assert_eq(h.status, 0, "the host's commands failed:\n%s", h.err);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, h.out);
	list_tree(host_dir, "", "a/f2", h_tree);
	list_tree(guest_root, "", "a/f2", g_tree);
	cr_expect_str_eq(g_tree->str, h_tree->str);
	expect_contains("the host's tree", h_tree->str, "a/f2 100644 0 1 - 1580608922\n");
	result_free(&r);
	result_free(&h);
	g_string_free(g_tree, TRUE);
	g_string_free(h_tree, TRUE);
	g_free(host_script);
}
