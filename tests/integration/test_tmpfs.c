/*
 * --tmpfs PATH: a writable tree in simulated memory.  Its calls answer as
 * the host kernel's tmpfs does (guest/fswrite in a directory of the host's
 * /dev/shm), its pages are frames of simulated memory (--stats), it never
 * touches host files and is gone when the run ends, with or without
 * --root and --writable.
 */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/statfs.h>

#include "harness.h"

#define HOST_TMPFS_MAGIC 0x01021994

TestSuite(tmpfs, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* A root T/root holding BusyBox as /bin/busybox, so that its shell finds
 * its applets through /proc/self/exe. */
static gchar *make_root(void)
{
	gchar *root = tmp_path("root"), *bin = tmp_path("root/bin"), *busybox = tmp_path("root/bin/busybox");
	gchar *data;
	gsize len;

	cr_assert_eq(g_mkdir_with_parents(bin, 0755), 0);
	cr_assert(g_file_get_contents(BB, &data, &len, NULL));
	cr_assert(g_file_set_contents(busybox, data, (gssize)len, NULL));
	cr_assert_eq(g_chmod(busybox, 0755), 0);
	g_free(data);
	g_free(busybox);
	g_free(bin);
	return root;
}

Test(tmpfs, errno_tables_as_the_host_tmpfs)
{
	char shm_template[] = "/dev/shm/mmusim-tmpfs-XXXXXX";
	gchar *shm_dir = g_mkdtemp(shm_template);
	struct statfs sfs;
	struct result h, r;

	cr_assert(shm_dir && statfs(shm_dir, &sfs) == 0 && sfs.f_type == HOST_TMPFS_MAGIC,
		  "this host has no tmpfs at /dev/shm to compare with");
	h = run_argv((const char *const[]){ HOST_FSWRITE_PATH, shm_dir, NULL });
	r = run_mmusim("--tmpfs", "/scratch", GUEST("fswrite"), "/scratch", NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, h.out);
	result_free(&r);
	result_free(&h);
	r = run_argv((const char *const[]){ "/bin/rm", "-rf", shm_dir, NULL });
	result_free(&r);
}

/* Mappings of tmpfs files (guest/tmpfsmap): shared stores seen by read(2)
 * and other mappings, private copies, mmap's access checks and O_TMPFILE
 * pages, as the host kernel's tmpfs answers; the lines the semantics fix
 * are checked on both. */
Test(tmpfs, mappings_as_the_host_tmpfs)
{
	char shm_template[] = "/dev/shm/mmusim-tmpfs-XXXXXX";
	gchar *shm_dir = g_mkdtemp(shm_template);
	static const char *const known[] = {
		"after stores: read(2) A B, other map A B, private map A B\n",
		"after a private store: read(2) h, shared h, private x\n",
		"after pwrite: shared Z Y, private l (copied) Y (not yet)\n",
		"O_RDONLY shared PROT_WRITE               EACCES\n",
		"O_TMPFILE: mode 100600 nlink 0 size 0\n",
		"resident after fallocate: 0000\n", "resident after a store: 0010\n", NULL,
	};
	struct result h, r;

	cr_assert(shm_dir, "no directory for the host's answer in /dev/shm");
	h = run_argv((const char *const[]){ HOST_TMPFSMAP_PATH, shm_dir, NULL });
	r = run_mmusim("--tmpfs", "/scratch", GUEST("tmpfsmap"), "/scratch", NULL);
	expect_status(&r, 0);
	cr_expect_eq(h.status, 0, "the host run failed:\n%s", h.err);
	cr_expect_str_eq(r.out, h.out, "mmusim (first) and the host kernel's tmpfs differ");
	for (const char *const *line = known; *line; line++) {
		expect_contains("the host kernel's output", h.out, *line);
		expect_contains("mmusim's output", r.out, *line);
	}
	result_free(&r);
	result_free(&h);
	r = run_argv((const char *const[]){ "/bin/rm", "-rf", shm_dir, NULL });
	result_free(&r);
}

/* Under a read-only root, and with a host directory at the mount point:
 * the host directory stays empty, and the next run finds no file. */
Test(tmpfs, never_touches_host_files_and_vanishes)
{
	gchar *root = make_root(), *point = tmp_path("root/t");
	struct result r;
	GDir *d;

	cr_assert_eq(g_mkdir_with_parents(point, 0755), 0);
	r = run_mmusim("--root", root, "--tmpfs", "/t", "/bin/busybox", "sh", "-c",
		       "mkdir /t/d && echo kept > /t/d/f && ln -s d/f /t/l && cat /t/l && ls /t", NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "kept\nd\nl\n");
	result_free(&r);
	d = g_dir_open(point, 0, NULL);
	cr_assert(d);
	cr_expect_null(g_dir_read_name(d), "the tmpfs wrote into the host's %s", point);
	g_dir_close(d);
	r = run_mmusim("--root", root, "--tmpfs", "/t", "/bin/busybox", "ls", "-a", "/t", NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, ".\n..\n");
	result_free(&r);
	g_free(point);
	g_free(root);
}

/* 256 pages written to a tmpfs file are 256 data frames of simulated
 * memory while the file exists; removed, they are free again. */
Test(tmpfs, pages_are_simulated_frames)
{
	struct result r = run_mmusim("--stats", "--tmpfs", "/t", BB, "dd", "if=/dev/zero", "of=/t/f",
				     "bs=4096", "count=256", NULL);
	char *line;
	long kept, freed;

	expect_status(&r, 0);
	line = strstr(r.err, "frames in use at exit");
	cr_assert(line && (line = strstr(line, "data")), "no frame figures:\n%s", r.err);
	kept = strtol(line + 4, NULL, 10);
	result_free(&r);
	r = run_mmusim("--stats", "--tmpfs", "/t", BB, "sh", "-c",
		       "dd if=/dev/zero of=/t/f bs=4096 count=256 2>/dev/null; rm /t/f", NULL);
	expect_status(&r, 0);
	line = strstr(strstr(r.err, "frames in use at exit"), "data");
	freed = strtol(line + 4, NULL, 10);
	cr_expect(kept >= 256 && freed < 256 && kept - freed >= 256,
		  "data frames at exit: %ld with the file, %ld after rm", kept, freed);
	result_free(&r);
}

/* statfs says tmpfs; a link or a rename to another file system is EXDEV. */
Test(tmpfs, statfs_and_exdev)
{
	gchar *root = make_root();
	struct result r;

	r = run_mmusim("--root", root, "--writable", "--tmpfs", "/t", "/bin/busybox", "sh", "-c",
		       "stat -f -c %t /t; touch /t/f; ln /t/f /g; ln /t/f /t/h && stat -c %h /t/f", NULL);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "1021994\n2\n");
	expect_contains("stderr", r.err, "Invalid cross-device link");
	result_free(&r);
	g_free(root);
}

Test(tmpfs, path_must_be_absolute)
{
	struct result r = run_mmusim("--tmpfs", "t", BB, "true", NULL);

	cr_expect_eq(r.status, 2);
	expect_contains("stderr", r.err, "--tmpfs t: not an absolute guest path");
	result_free(&r);
}
