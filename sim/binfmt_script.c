/*
 * binfmt_script: the "#!" line.  The line ends at the first newline in the
 * buffer; without one, it may continue past the buffer, which is fine for
 * the argument (the interpreter may read the script again) but not for the
 * interpreter path: that must then end with a blank or a NUL inside the
 * buffer.  Blanks (spaces and tabs) around the interpreter and at the end
 * are dropped; what follows the first blank or NUL after the interpreter,
 * blanks skipped, is the argument.
 */
#include "sim/binfmt_script.h"

#include <errno.h>
#include <glib.h>
#include <stdbool.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* First character of [p, end) that is not a blank, or end. */
static const char *skip_blanks(const char *p, const char *end)
{
	while (p < end && is_blank(*p))
		p++;
	return p;
}

/* First blank or NUL of [p, end), or end. */
static const char *find_terminator(const char *p, const char *end)
{
	while (p < end && *p && !is_blank(*p))
		p++;
	return p;
}

int script_parse(const char buf[BINPRM_BUF_SIZE], char **interp, char **arg)
{
	const char *full = buf + BINPRM_BUF_SIZE;
	const char *end = memchr(buf, '\n', BINPRM_BUF_SIZE), *name, *sep;

	if (buf[0] != '#' || buf[1] != '!')
		return -ENOEXEC;
	if (!end) {
		name = skip_blanks(buf + 2, full);
		if (name == full || find_terminator(name, full) == full)
			return -ENOEXEC;	/* all blanks, or a path that may be cut */
		end = full - 1;		/* the last byte makes room for a NUL */
	}
	while (end > buf + 2 && is_blank(end[-1]))
		end--;
	name = skip_blanks(buf + 2, end);
	if (name == end)
		return -ENOEXEC;
	sep = find_terminator(name, end);
	*interp = g_strndup(name, (size_t)(sep - name));
	*arg = NULL;
	if (sep < end && *sep) {
		const char *a = skip_blanks(sep, end);

		if (a < end)
			*arg = g_strndup(a, (size_t)(end - a));
	}
	return 0;
}
