/*
 * The calls that change files under --root DIR --writable: their errno
 * tables against the host kernel's (guest/fswrite.c built for both), EROFS
 * without --writable, UTIME_NOW as simulated time, statfs of the host file
 * system, and a guest that makes hostile symbolic links to leave its root
 * (guest/escape.c).
 *
 * Layout per test in the temporary directory T:
 *   T/root         the guest's root
 *   T/host         where the host's build of fswrite runs
 *   T/outside.txt  a file the guest must never change
 *   T/outdir/      a directory the guest must never change
 * (and T/a/b/root, the root of a guest trying to escape)
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "harness.h"

#define OUTSIDE_TEXT "outside the root\n"

static gchar *root;

static void setup(void)
{
	gchar *outdir;

	harness_setup();
	root = tmp_path("root");
	outdir = tmp_path("outdir");
	cr_assert_eq(g_mkdir(root, 0755), 0);
	cr_assert_eq(g_mkdir(outdir, 0755), 0);
	g_free(write_tmp_file("outside.txt", OUTSIDE_TEXT));
	g_free(outdir);
}

static void teardown(void)
{
	g_clear_pointer(&root, g_free);
	harness_teardown();
}

TestSuite(fswrite, .init = setup, .fini = teardown, .timeout = TEST_TIMEOUT);

/* Every call of guest/fswrite answers as the host kernel does, in an empty
 * directory of the same host file system. */
Test(fswrite, errno_tables_as_the_host_kernel)
{
	gchar *host_dir = tmp_path("host");
	struct result h, r;

	cr_assert_eq(g_mkdir(host_dir, 0755), 0);
	h = run_argv((const char *const[]){ HOST_FSWRITE_PATH, host_dir, NULL });
	cr_assert_eq(h.status, 0, "the host's fswrite failed:\n%s", h.err);
	r = run_mmusim("--root", root, "--writable", GUEST("fswrite"), NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, h.out);
	cr_expect_str_eq(r.err, "");
	result_free(&r);
	result_free(&h);
	g_free(host_dir);
}

/* fallocate modes other than 0 and FALLOC_FL_KEEP_SIZE are not offered. */
Test(fswrite, fallocate_other_modes_are_eopnotsupp)
{
	struct result r = run_mmusim("--root", root, "--writable", GUEST("fswrite"), "punch", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "fallocate 0 0 8192                           ok\n"
				"fallocate PUNCH_HOLE|KEEP_SIZE               EOPNOTSUPP\n"
				"fallocate ZERO_RANGE                         EOPNOTSUPP\n");
	result_free(&r);
}

/* Without --writable each change is EROFS (attributes of a FIFO too, as
 * on a read-only mount), but creating a name that exists is EEXIST first
 * (Linux's filename_create); nothing changes. */
Test(fswrite, read_only_root_is_erofs)
{
	static const char *const cmds[][2] = {
		{ "mkdir /new", "Read-only file system" },
		{ "mkdir /d", "File exists" },
		{ "rmdir /d", "Read-only file system" },
		{ "rm /f", "Read-only file system" },
		{ "mv /f /g", "Read-only file system" },
		{ "ln -s f /l", "Read-only file system" },
		{ "ln -s x /f", "File exists" },
		{ "ln /f /h", "Read-only file system" },
		{ "chmod 600 /f", "Read-only file system" },
		{ "chown 1:1 /f", "Read-only file system" },
		{ "truncate -s 0 /f", "Read-only file system" },
		{ "touch /f", "Read-only file system" },
		{ "touch /fifo", "Read-only file system" },
	};
	gchar *d = g_build_filename(root, "d", NULL), *f = g_build_filename(root, "f", NULL);
	gchar *fifo = g_build_filename(root, "fifo", NULL), *contents = NULL;
	struct stat before, after;

	cr_assert_eq(g_mkdir(d, 0755), 0);
	cr_assert(g_file_set_contents(f, "kept\n", -1, NULL));
	cr_assert_eq(mkfifo(fifo, 0644), 0);
	cr_assert_eq(stat(f, &before), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
		struct result r = run_mmusim("--root", root, BB, "sh", "-c", cmds[i][0], NULL);

		cr_expect_neq(r.status, 0, "%s succeeded", cmds[i][0]);
		expect_contains(cmds[i][0], r.err, cmds[i][1]);
		result_free(&r);
	}
	cr_assert_eq(stat(f, &after), 0);
	cr_expect_eq(after.st_mode, before.st_mode);
	cr_expect_eq(after.st_uid, before.st_uid);
	cr_expect_eq(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	cr_expect_eq(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	cr_expect(g_file_get_contents(f, &contents, NULL, NULL));
	cr_expect_str_eq(contents, "kept\n");
	cr_expect(g_file_test(d, G_FILE_TEST_IS_DIR));
	g_free(contents);
	g_free(fifo);
	g_free(f);
	g_free(d);
}

/* utimensat's "now" (NULL times, UTIME_NOW) is the guest's simulated
 * CLOCK_REALTIME, which starts at 2024-01-01T00:00:00Z (1704067200). */
Test(fswrite, utime_now_is_simulated_time)
{
	gchar *f = g_build_filename(root, "f", NULL);
	struct result r;
	long mtime;

	cr_assert(g_file_set_contents(f, "", -1, NULL));
	r = run_mmusim("--root", root, "--writable", BB, "sh", "-c", "touch /f && stat -c %Y /f", NULL);
	expect_status(&r, 0);
	mtime = strtol(r.out, NULL, 10);
	cr_expect(mtime >= 1704067200 && mtime < 1704067200 + 60, "mtime %ld is not simulated time", mtime);
	result_free(&r);
	g_free(f);
}

/* statfs of "/" is the host file system below the root; the read-only
 * root says ST_RDONLY. */
Test(fswrite, statfs_is_the_host_file_system)
{
	struct statfs host;
	gchar *expected;
	struct result r;

	cr_assert_eq(statfs(root, &host), 0);
	expected = g_strdup_printf("%lx %ld %ld\n", (long)host.f_type, (long)host.f_bsize,
				   (long)host.f_namelen);
	r = run_mmusim("--root", root, BB, "stat", "-f", "-c", "%t %S %l", "/", NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, expected);
	result_free(&r);
	g_free(expected);
}

/* The paths below `dir`, but for `skip` and those below it, each with its mode,
 * size, link count, owner and times: what must not change. */
static void list_tree(const char *dir, const char *skip, GString *out)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	cr_assert(d, "cannot list %s", dir);
	while ((name = g_dir_read_name(d))) {
		gchar *path = g_build_filename(dir, name, NULL);
		struct stat st;

		if (!strcmp(path, skip)) {
			g_free(path);
			continue;
		}
		cr_assert_eq(lstat(path, &st), 0);
		g_string_append_printf(out, "%s %o %lld %lu %u %lld.%ld\n", path, st.st_mode,
				       (long long)st.st_size, (unsigned long)st.st_nlink, st.st_uid,
				       (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		if (S_ISDIR(st.st_mode))
			list_tree(path, skip, out);
		g_free(path);
	}
	g_dir_close(d);
}

/* Nothing a guest does through links to "..", to "../../.." or to host
 * paths outside its root changes anything outside it; what it makes lands
 * below the root.  The root is three levels below the test's directory, so
 * that a broken confinement harms nothing but that directory. */
Test(fswrite, hostile_symlinks_stay_inside)
{
	gchar *outside = tmp_path("outside.txt"), *outdir = tmp_path("outdir");
	gchar *deep = tmp_path("a/b/root");
	static const char *const inside[] = { "e1", "e2", "e5", "e6", "e9" };
	GString *before = g_string_new(NULL), *after = g_string_new(NULL);
	struct result r;

	cr_assert_eq(g_mkdir_with_parents(deep, 0755), 0);
	list_tree(tmp_dir(), deep, before);
	r = run_mmusim("--root", deep, "--writable", GUEST("escape"), outside, outdir, NULL);
	expect_status(&r, 0);
	list_tree(tmp_dir(), deep, after);
	cr_expect_str_eq(after->str, before->str, "the guest changed something outside its root:\n%s", r.out);
	for (size_t i = 0; i < G_N_ELEMENTS(inside); i++) {
		gchar *p = g_build_filename(deep, inside[i], NULL);

		cr_expect(g_file_test(p, G_FILE_TEST_EXISTS | G_FILE_TEST_IS_SYMLINK),
			  "%s was not made below the root:\n%s", p, r.out);
		g_free(p);
	}
	result_free(&r);
	g_string_free(after, TRUE);
	g_string_free(before, TRUE);
	g_free(deep);
	g_free(outdir);
	g_free(outside);
}
