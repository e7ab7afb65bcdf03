/*
 * Programs mmusim must refuse to load: each run must exit 126 (127 for a
 * missing file) with one line "mmusim: FILE: cause" that names the file and
 * says what is wrong with it, and must not start the guest.
 */
#include <elf.h>
#include <glib/gstdio.h>
#include <string.h>

#include "harness.h"

TestSuite(load, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* `mmusim run PATH` must fail with `status` and print exactly
 * "mmusim: PATH: " followed by a message containing `cause`. */
static void expect_load_error(const char *path, int status, const char *cause)
{
	gchar *prefix = g_strdup_printf("mmusim: %s: ", path);
	struct result r = run_mmusim(path, "an-argument", NULL);

	expect_status(&r, status);
	cr_expect(g_str_has_prefix(r.err, prefix), "stderr does not start with \"%s\":\n%s", prefix, r.err);
	expect_contains("stderr", r.err, cause);
	cr_expect(g_str_has_suffix(r.err, "\n") && strchr(r.err, '\n') == r.err + strlen(r.err) - 1,
		  "expected one line on stderr:\n%s", r.err);
	cr_expect_str_eq(r.out, "", "the guest must not run; stdout:\n%s", r.out);
	result_free(&r);
	g_free(prefix);
}

/* A file with execute permission, so that what is checked is its contents. */
static gchar *write_executable(const char *name, const char *contents)
{
	gchar *path = write_tmp_file(name, contents);

	cr_assert_eq(g_chmod(path, 0755), 0, "cannot make %s executable", path);
	return path;
}

Test(load, text_file)
{
	gchar *path = write_executable("notes.txt", "echo this is not an ELF file, nor a #! script\n");

	expect_load_error(path, 126, "not an ELF file");
	g_free(path);
}

/* A script runs its interpreter: here the host's /bin/sh, not AArch64. */
Test(load, script_of_a_host_interpreter)
{
	gchar *path = write_executable("script", "#!/bin/sh\necho this runs /bin/sh\n");
	gchar *prefix = g_strdup_printf("mmusim: %s: interpreter /bin/sh: ", path);
	struct result r = run_mmusim(path, NULL);

	expect_status(&r, 126);
	cr_expect(g_str_has_prefix(r.err, prefix), "stderr does not start with \"%s\":\n%s", prefix, r.err);
	expect_contains("stderr", r.err, "x86-64");
	result_free(&r);
	g_free(prefix);
	g_free(path);
}

Test(load, empty_file)
{
	gchar *path = write_executable("empty", "");

	expect_load_error(path, 126, "not an ELF file");
	g_free(path);
}

Test(load, directory)
{
	expect_load_error(tmp_dir(), 126, "not a regular file");
}

Test(load, truncated_inside_the_elf_header)
{
	gchar *path = truncated_copy(GUEST("hello"), "hello-40", 40);

	expect_load_error(path, 126, "truncated: 40 bytes, shorter than an ELF header");
	g_free(path);
}

Test(load, truncated_inside_the_program_headers)
{
	gchar *path = truncated_copy(GUEST("hello"), "hello-100", 100);

	expect_load_error(path, 126, "truncated: the program headers end past the file's 100 bytes");
	g_free(path);
}

/* The message for a copy of `path` cut to `len` bytes, from its program
 * headers: the first PT_LOAD segment whose file bytes no longer fit. */
static gchar *segment_truncation_message(const char *path, gsize len)
{
	gchar *data, *message = NULL;
	const Elf64_Ehdr *eh;
	gsize size;

	cr_assert(g_file_get_contents(path, &data, &size, NULL), "cannot read %s", path);
	eh = (const Elf64_Ehdr *)data;
	cr_assert(size >= sizeof(*eh) && eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr) <= len);
	for (unsigned i = 0; i < eh->e_phnum && !message; i++) {
		const Elf64_Phdr *ph = (const Elf64_Phdr *)(data + eh->e_phoff) + i;

		if (ph->p_type == PT_LOAD && ph->p_offset + ph->p_filesz > len)
			message = g_strdup_printf("truncated: segment %u needs %" G_GUINT64_FORMAT
						  " bytes, the file has %zu", i,
						  (guint64)(ph->p_offset + ph->p_filesz), (size_t)len);
	}
	cr_assert_not_null(message, "no segment of %s ends past byte %zu", path, (size_t)len);
	g_free(data);
	return message;
}

Test(load, truncated_inside_a_segment)
{
	gchar *path = truncated_copy(GUEST("hello"), "hello-2000", 2000);
	gchar *message = segment_truncation_message(GUEST("hello"), 2000);

	expect_load_error(path, 126, message);
	g_free(message);
	g_free(path);
}

Test(load, x86_64_executable)
{
	const char *host_true = "/bin/true";
	Elf64_Ehdr eh;
	FILE *f = fopen(host_true, "rb");

	cr_assert_not_null(f, "no %s on this host", host_true);
	cr_assert_eq(fread(&eh, sizeof(eh), 1, f), 1);
	fclose(f);
	if (eh.e_machine != EM_X86_64)
		cr_skip_test("%s is not an x86-64 program on this host", host_true);
	expect_load_error(host_true, 126, "an x86-64 executable; mmusim runs AArch64 programs");
}

Test(load, dynamically_linked_executable)
{
	expect_load_error(GUEST("hello-dynamic"), 126,
			  "a dynamically linked executable; mmusim runs static programs only "
			  "(rebuild with -static)");
}

Test(load, missing_file)
{
	gchar *path = tmp_path("no-such-program");

	expect_load_error(path, 127, "No such file or directory");
	g_free(path);
}
