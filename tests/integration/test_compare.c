/*
 * mmusim against the oracle: the same static AArch64 binary with the same
 * arguments and input files under mmusim and under qemu-aarch64-static
 * must print the same stdout and stderr and exit with the same status.
 */
#include <glib/gstdio.h>
#include <unistd.h>
#include <utime.h>

#include "harness.h"

static const char fruit[] = "banana\napple\ncherry\napple\napple\nkiwi\n";
static const char lorem[] =
	"Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n"
	"Sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.\n"
	"Ut enim ad minim veniam, quis nostrud exercitation ullamco.\n";

/* The input files every test here can use: fruit.txt, lorem.txt, and
 * big.txt (40 KiB of numbered lines: several pages, for the file mapping
 * tests, and enough lines to sort). */
static void setup(void)
{
	GString *big = g_string_new(NULL);

	harness_setup();
	g_free(write_tmp_file("fruit.txt", fruit));
	g_free(write_tmp_file("lorem.txt", lorem));
	for (int i = 0; i < 4000; i++)
		g_string_append_printf(big, "line %05d\n", i * 7919 % 10007);
	g_free(write_tmp_file("big.txt", big->str));
	g_string_free(big, TRUE);
}

TestSuite(compare, .init = setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* Compare, and check the status is `status` too. */
static void same(int status, const char *const *argv)
{
	struct result r = expect_same_as_qemu(argv);

	cr_expect_eq(r.status, status, "%s %s: exit status %d, expected %d; stderr:\n%s", argv[0],
		     argv[1] ? argv[1] : "", r.status, status, r.err);
	result_free(&r);
}

#define SAME(status, ...) same(status, (const char *const[]){ __VA_ARGS__, NULL })

Test(compare, hello_nolibc)
{
	SAME(0, GUEST("hello-nolibc"));
}

Test(compare, hello)
{
	SAME(0, GUEST("hello"), "one", "two words", "");
}

/* gettimeofday (169) was once implemented but not in the table: ENOSYS.
 * Under both, the answer lies between two CLOCK_REALTIME reads. */
Test(compare, gettimeofday)
{
	const char *const argv[] = { GUEST("timeofday"), NULL };
	struct result r = expect_same_as_qemu(argv);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "gettimeofday: 0\nbetween clock_gettime reads: yes\n"
			 "usec below one second: yes\ntimezone: 0 0\nNULL tv: 0\nbad tv: -1 EFAULT\n");
	expect_not_contains("stderr", r.err, "unimplemented");
	result_free(&r);
}

Test(compare, files)
{
	gchar *dir = tmp_path("dir"), *link = tmp_path("link");

	cr_assert_eq(g_mkdir(dir, 0755), 0);
	for (const char *const *n = (const char *const[]){ "zeta", "alpha", "mid", NULL }; *n; n++) {
		gchar *name = g_build_filename("dir", *n, NULL);

		g_free(write_tmp_file(name, *n));
		g_free(name);
	}
	cr_assert_eq(symlink("lorem.txt", link), 0);
	SAME(0, GUEST("files"), "lorem.txt", "dir", "link");
	SAME(0, GUEST("files"), "big.txt", ".");
	g_free(link);
	g_free(dir);
}

Test(compare, heap)
{
	SAME(0, GUEST("heap"));
}

Test(compare, mm)
{
	SAME(0, GUEST("mm"), "big.txt");
	SAME(0, GUEST("mm"), "fruit.txt");
}

Test(compare, busybox_echo)
{
	SAME(0, BB, "echo", "hello", "world");
	SAME(0, BB, "echo", "-n", "no newline");
}

Test(compare, busybox_cat)
{
	SAME(0, BB, "cat", "fruit.txt", "lorem.txt", "big.txt");
}

Test(compare, busybox_cat_missing_file)
{
	SAME(1, BB, "cat", "fruit.txt", "no-such-file.txt");
}

Test(compare, busybox_wc)
{
	SAME(0, BB, "wc", "fruit.txt", "lorem.txt", "big.txt");
	SAME(0, BB, "wc", "-l", "big.txt");
}

Test(compare, busybox_sort)
{
	SAME(0, BB, "sort", "fruit.txt");
	SAME(0, BB, "sort", "-r", "-u", "fruit.txt");
}

/* Thousands of lines: glibc's qsort asks sysinfo(2) for the memory size. */
Test(compare, busybox_sort_large)
{
	SAME(0, BB, "sort", "-r", "-u", "big.txt");
}

Test(compare, busybox_sha256sum)
{
	SAME(0, BB, "sha256sum", "fruit.txt", "lorem.txt", "big.txt");
}

Test(compare, busybox_md5sum)
{
	SAME(0, BB, "md5sum", "fruit.txt", "lorem.txt", "big.txt");
}

Test(compare, busybox_seq)
{
	SAME(0, BB, "seq", "1", "100");
	SAME(0, BB, "seq", "-s", ",", "10", "-3", "-20");
}

Test(compare, busybox_ls)
{
	const char *names[] = { "b.txt", "a.txt", "c.dat", ".hidden" };
	struct utimbuf when = { 1577836800, 1577836800 };	/* 2020-01-01: far from either clock */
	gchar *dir = tmp_path("listing");

	cr_assert_eq(g_mkdir(dir, 0755), 0);
	for (size_t i = 0; i < G_N_ELEMENTS(names); i++) {
		gchar *name = g_build_filename("listing", names[i], NULL);
		gchar *path = write_tmp_file(name, names[i]);

		cr_assert_eq(utime(path, &when), 0);
		g_free(path);
		g_free(name);
	}
	SAME(0, BB, "ls", "listing");
	SAME(0, BB, "ls", "-a", "listing");
	SAME(0, BB, "ls", "-l", "listing");
	SAME(0, BB, "ls", "-1s", "listing");
	g_free(dir);
}

Test(compare, busybox_head_tail)
{
	SAME(0, BB, "head", "-n", "3", "big.txt");
	SAME(0, BB, "tail", "-n", "3", "big.txt");
	SAME(0, BB, "head", "-c", "20", "lorem.txt");
}

Test(compare, busybox_tr)
{
	gchar *input = tmp_path("lorem.txt");

	set_stdin_file(input);
	SAME(0, BB, "tr", "a-z", "A-Z");
	SAME(0, BB, "tr", "-d", "aeiou");
	g_free(input);
}

Test(compare, busybox_uniq)
{
	gchar *input = tmp_path("fruit.txt");

	set_stdin_file(input);
	SAME(0, BB, "uniq", "-c");
	SAME(0, BB, "uniq", "fruit.txt");
	g_free(input);
}

Test(compare, busybox_expr)
{
	SAME(0, BB, "expr", "6", "*", "7");
	SAME(1, BB, "expr", "3", "-", "3");
	SAME(0, BB, "expr", "length", "mmusim");
}

Test(compare, busybox_basename_printf)
{
	SAME(0, BB, "basename", "/usr/lib/libfoo.so", ".so");
	SAME(0, BB, "printf", "%s=%05d %x\\n", "answer", "42", "255");
}

Test(compare, busybox_grep)
{
	SAME(0, BB, "grep", "-n", "apple", "fruit.txt");
	SAME(0, BB, "grep", "-c", "^line 0", "big.txt");
	SAME(1, BB, "grep", "durian", "fruit.txt");
	SAME(2, BB, "grep", "apple", "no-such-file.txt");
}
