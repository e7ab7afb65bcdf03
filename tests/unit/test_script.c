/*
 * binfmt_script: "#!" lines parsed by Linux's rules (fs/binfmt_script.c):
 * every expected value is worked out by hand from those rules.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "sim/binfmt_script.h"

/* Parse the first `len` bytes of `text`, NUL-padded to the buffer size. */
static int parse(const char *text, size_t len, char **interp, char **arg)
{
	char buf[BINPRM_BUF_SIZE] = { 0 };

	memcpy(buf, text, MIN(len, sizeof(buf)));
	*interp = *arg = NULL;
	return script_parse(buf, interp, arg);
}

static void expect_script(const char *text, size_t len, const char *interp, const char *arg)
{
	char *i, *a;
	int err = parse(text, len, &i, &a);

	cr_assert_eq(err, 0, "%s: %d", text, err);
	cr_expect_str_eq(i, interp);
	if (arg)
		cr_expect_str_eq(a ? a : "(none)", arg);
	else
		cr_expect_null(a, "%s: an argument [%s]", text, a);
	g_free(i);
	g_free(a);
}

static void expect_enoexec(const char *text, size_t len)
{
	char *i, *a;

	cr_expect_eq(parse(text, len, &i, &a), -ENOEXEC, "%s", text);
}

Test(script, interpreter_alone)
{
	expect_script("#!/bin/sh\necho\n", 16, "/bin/sh", NULL);
	expect_script("#!/bin/sh", 9, "/bin/sh", NULL);	/* no newline, file ends */
	expect_script("#!/bin/sh  \t\n", 13, "/bin/sh", NULL);
}

Test(script, blanks_around_the_interpreter)
{
	expect_script("#! \t/bin/sh -e \t\n", 17, "/bin/sh", "-e");
}

/* The argument is the rest of the line, inner blanks kept. */
Test(script, one_argument_with_inner_blanks)
{
	expect_script("#!/usr/bin/env python3  -u\n", 27, "/usr/bin/env", "python3  -u");
}

/* A NUL ends the interpreter, and then there is no argument. */
Test(script, nul_ends_the_line)
{
	expect_script("#!/bin/sh\0 -x\n", 14, "/bin/sh", NULL);
}

Test(script, not_a_script)
{
	expect_enoexec("", 0);
	expect_enoexec("#", 1);
	expect_enoexec("echo hi\n", 8);
	expect_enoexec("\x7f" "ELF", 4);
}

Test(script, no_interpreter)
{
	expect_enoexec("#!\n", 3);
	expect_enoexec("#! \t \n", 6);
}

/* "#!" alone, without a newline: the padding NUL ends an empty interpreter
 * name (which execve then fails to open), not an ENOEXEC. */
Test(script, bare_hash_bang)
{
	expect_script("#!", 2, "", NULL);
}

/* No newline in the first 256 bytes: the argument may be cut (to byte
 * 254, the last byte makes room for a NUL), the interpreter path not. */
Test(script, long_lines)
{
	char line[300];
	char expected_arg[246];

	memset(line, 'a', sizeof(line));
	memcpy(line, "#!/bin/sh ", 10);
	memset(expected_arg, 'a', 245);
	expected_arg[245] = 0;
	expect_script(line, sizeof(line), "/bin/sh", expected_arg);

	memset(line, 'x', sizeof(line));
	memcpy(line, "#!/", 3);
	expect_enoexec(line, sizeof(line));
	/* A blank as the very last byte still shows the path was not cut. */
	line[255] = ' ';
	{
		char *i, *a;

		cr_assert_eq(parse(line, sizeof(line), &i, &a), 0);
		cr_expect_eq(strlen(i), 253u);	/* bytes 2..254 */
		cr_expect_null(a);
		g_free(i);
		g_free(a);
	}
	/* All blanks to the end: no interpreter. */
	memset(line, ' ', sizeof(line));
	memcpy(line, "#!", 2);
	expect_enoexec(line, sizeof(line));
}
