/*
 * Known answers, independent of qemu: digests computed here with GLib's
 * GChecksum, file sizes and contents the test wrote itself, and the guests'
 * own self-checks.
 */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"


TestSuite(known, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* Text of about `len` bytes that is not a short repetition. */
static gchar *make_text(gsize len)
{
	GString *s = g_string_sized_new(len + 64);
	guint32 x = 12345;

	while (s->len < len) {
		x = x * 1103515245 + 12345;
		g_string_append_printf(s, "%08x %u\n", x, x >> 16);
	}
	return g_string_free(s, FALSE);
}

/* `applet FILE` must print "<digest of contents>  FILE\n". */
static void expect_digest(const char *applet, GChecksumType type, const char *contents)
{
	gchar *path = write_tmp_file("input.txt", contents);
	gchar *digest = g_compute_checksum_for_string(type, contents, -1);
	gchar *expected = g_strdup_printf("%s  input.txt\n", digest);
	struct result r = run_mmusim(BB, applet, "input.txt", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, expected, "%s printed \"%s\", GChecksum says \"%s\"", applet, r.out,
			 expected);
	result_free(&r);
	g_free(expected);
	g_free(digest);
	g_free(path);
}

Test(known, sha256sum_matches_gchecksum)
{
	gchar *text = make_text(200000);

	expect_digest("sha256sum", G_CHECKSUM_SHA256, "The quick brown fox jumps over the lazy dog\n");
	expect_digest("sha256sum", G_CHECKSUM_SHA256, text);
	g_free(text);
}

Test(known, md5sum_sha1sum_sha512sum_match_gchecksum)
{
	gchar *text = make_text(50000);

	expect_digest("md5sum", G_CHECKSUM_MD5, text);
	expect_digest("sha1sum", G_CHECKSUM_SHA1, text);
	expect_digest("sha512sum", G_CHECKSUM_SHA512, text);
	g_free(text);
}

Test(known, cat_reproduces_a_large_file)
{
	gchar *text = make_text(3 << 20);
	gchar *path = write_tmp_file("big.txt", text);
	struct result r = run_mmusim(BB, "cat", "big.txt", NULL);

	expect_status(&r, 0);
	cr_expect_eq(strlen(r.out), strlen(text), "cat printed %zu bytes of %zu", strlen(r.out),
		     strlen(text));
	cr_expect(!strcmp(r.out, text), "cat changed the contents");
	result_free(&r);
	g_free(path);
	g_free(text);
}

Test(known, wc_counts)
{
	gchar *path = write_tmp_file("words.txt", "one two three\nfour five\n\nsix\n");
	struct result r = run_mmusim(BB, "wc", "words.txt", NULL);
	gchar **f = g_strsplit_set(g_strstrip(r.out), " ", -1);
	GPtrArray *words = g_ptr_array_new();

	expect_status(&r, 0);
	for (gchar **w = f; *w; w++)
		if (**w)
			g_ptr_array_add(words, *w);
	cr_assert_eq(words->len, 4, "wc printed \"%s\"", r.out);
	cr_expect_str_eq(g_ptr_array_index(words, 0), "4");	/* lines */
	cr_expect_str_eq(g_ptr_array_index(words, 1), "6");	/* words */
	cr_expect_str_eq(g_ptr_array_index(words, 2), "29");	/* bytes */
	cr_expect_str_eq(g_ptr_array_index(words, 3), "words.txt");
	g_ptr_array_free(words, TRUE);
	g_strfreev(f);
	result_free(&r);
	g_free(path);
}

Test(known, seq_and_sort)
{
	GString *expected = g_string_new(NULL);
	struct result r = run_mmusim(BB, "seq", "1", "5000", NULL);
	gchar *path = tmp_path("numbers.txt");

	for (int i = 1; i <= 5000; i++)
		g_string_append_printf(expected, "%d\n", i);
	expect_status(&r, 0);
	cr_expect_str_eq(r.out, expected->str, "seq 1 5000 printed something else");
	/* Sorted numerically in reverse, then the first line is 5000. */
	cr_assert(g_file_set_contents(path, r.out, -1, NULL));
	result_free(&r);
	r = run_mmusim(BB, "sort", "-n", "-r", "numbers.txt", NULL);
	expect_status(&r, 0);
	cr_expect(g_str_has_prefix(r.out, "5000\n4999\n") && g_str_has_suffix(r.out, "\n2\n1\n"),
		  "sort -n -r: %.40s...", r.out);
	result_free(&r);
	g_string_free(expected, TRUE);
	g_free(path);
}

Test(known, hello_nolibc)
{
	struct result r = run_mmusim(GUEST("hello-nolibc"), NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "Hello from a static AArch64 guest without libc\n");
	cr_expect_str_eq(r.err, "");
	result_free(&r);
}

Test(known, hello_arguments)
{
	struct result r = run_mmusim(GUEST("hello"), "first", "with space", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, "Hello from an AArch64 guest with glibc\n"
				"argument 1: first\nargument 2: with space\n");
	result_free(&r);
}

Test(known, exit_status_passes_through)
{
	for (int status = 0; status < 256; status += 51) {
		gchar *script = g_strdup_printf("exit %d", status);
		struct result r = run_mmusim(BB, "sh", "-c", script, NULL);

		expect_status(&r, status);
		result_free(&r);
		g_free(script);
	}
}

Test(known, heap_self_check)
{
	struct result r = run_mmusim(GUEST("heap"), NULL);

	expect_status(&r, 0);
	expect_not_contains("heap's output", r.out, "FAIL");
	expect_contains("heap's output", r.out, "ok brk(start) restores the original break\n");
	expect_contains("heap's output", r.out, "checksum ");
	result_free(&r);
}

/* mm --strict: MAP_FIXED_NOREPLACE must answer EEXIST, as on Linux (qemu
 * 7.2 maps elsewhere instead, so this one is not a comparison). */
Test(known, mm_strict_self_check)
{
	gchar *text = make_text(30000);
	gchar *path = write_tmp_file("map.txt", text);
	struct result r = run_mmusim(GUEST("mm"), "--strict", "map.txt", NULL);

	expect_status(&r, 0);
	expect_not_contains("mm's output", r.out, "FAIL");
	expect_contains("mm's output", r.out, "ok MAP_FIXED_NOREPLACE over a mapping is refused\n");
	expect_contains("mm's output", r.out, "ok the file mapping matches read()\n");
	expect_contains("mm's output", r.out, "\n0 failures\n");
	result_free(&r);
	g_free(path);
	g_free(text);
}

Test(known, files_sizes_and_links)
{
	gchar *path = write_tmp_file("data.txt", "0123456789abcdefghijklmnopqrstuvwxyz\n");
	gchar *link = tmp_path("link");
	gchar *expected_cwd = g_strdup_printf("getcwd: %s\n", tmp_dir());
	struct result r;

	cr_assert_eq(g_chmod(path, 0644), 0);
	cr_assert_eq(symlink("data.txt", link), 0);
	r = run_mmusim(GUEST("files"), "data.txt", ".", "link", NULL);
	expect_status(&r, 0);
	expect_contains("files' output", r.out, "fstat: regular file, 37 bytes, mode 0644\n");
	expect_contains("files' output", r.out, "read: 37 bytes");
	expect_contains("files' output", r.out, "first 15 bytes: \"0123456789abcde\"\n");
	expect_contains("files' output", r.out, "pread of 15 bytes at 18: 15 bytes \"ijklmnopqrstuvw\"\n");
	expect_contains("files' output", r.out, "directory: 4 entries\n  .\n  ..\n  data.txt\n  link\n");
	expect_contains("files' output", r.out, expected_cwd);
	expect_contains("files' output", r.out, "readlink: data.txt\n");
	result_free(&r);
	g_free(expected_cwd);
	g_free(link);
	g_free(path);
}
