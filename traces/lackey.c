/*
 * lackey: Valgrind lackey traces, parsed (see lackey.h).
 */
#include "traces/lackey.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct lackey_reader {
	FILE *file;
	char *path;
	uint64_t line;
	bool store_pending;		/* the store half of a modify */
	struct lackey_access modify;
	char buf[LACKEY_MAX_LINE + 2];
};

struct lackey_reader *lackey_open(const char *path, GString *error)
{
	struct lackey_reader *l;
	FILE *f = fopen(path, "r");

	if (!f) {
		g_string_printf(error, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	l = g_new0(struct lackey_reader, 1);
	l->file = f;
	l->path = g_strdup(path);
	return l;
}

static int bad_line(struct lackey_reader *l, GString *error, const char *why)
{
	g_string_printf(error, "%s:%" PRIu64 ": %s", l->path, l->line, why);
	return -1;
}

/* Hex digits, then a comma, then decimal digits, then blanks. */
static int parse_operands(struct lackey_reader *l, const char *p, struct lackey_access *out,
			  GString *error)
{
	char *end;

	if (!g_ascii_isxdigit(*p))
		return bad_line(l, error, "expected a hexadecimal address");
	errno = 0;
	out->addr = g_ascii_strtoull(p, &end, 16);
	if (errno)
		return bad_line(l, error, "the address does not fit in 64 bits");
	if (*end != ',')
		return bad_line(l, error, "expected ',' after the address");
	p = end + 1;
	if (!g_ascii_isdigit(*p))
		return bad_line(l, error, "expected a decimal size after ','");
	out->size = g_ascii_strtoull(p, &end, 10);
	if (errno || out->size == 0 || out->size > LACKEY_MAX_SIZE)
		return bad_line(l, error, "the size must be 1 to 4096 bytes");
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	if (*end)
		return bad_line(l, error, "unexpected text after the size");
	if (out->addr + out->size - 1 < out->addr)
		return bad_line(l, error, "the access wraps past the top of the address space");
	return 0;
}

/* One record line: I, or L, S, M after a blank. */
static int parse_line(struct lackey_reader *l, const char *p, struct lackey_access *out,
		      GString *error)
{
	char op;

	if (*p == ' ')
		p++;
	op = *p++;
	if (!strchr("ILSM", op) || !op || (*p != ' ' && *p != '\t'))
		return bad_line(l, error, "not a lackey record (I, L, S or M, an address and a size)");
	while (*p == ' ' || *p == '\t')
		p++;
	if (parse_operands(l, p, out, error))
		return -1;
	out->kind = op == 'I' ? TRACE_FETCH : op == 'S' ? TRACE_WRITE : TRACE_READ;
	if (op == 'M') {
		l->modify = (struct lackey_access){ TRACE_WRITE, out->addr, out->size };
		l->store_pending = true;
	}
	return 0;
}

static bool skipped(const char *line)
{
	return !strncmp(line, "==", 2) || line[strspn(line, " \t\r")] == '\0';
}

int lackey_read(struct lackey_reader *l, struct lackey_access *out, GString *error)
{
	if (l->store_pending) {
		l->store_pending = false;
		*out = l->modify;
		return 1;
	}
	for (;;) {
		size_t n;

		if (!fgets(l->buf, sizeof(l->buf), l->file)) {
			if (ferror(l->file))
				return bad_line(l, error, strerror(errno));
			return 0;
		}
		l->line++;
		n = strlen(l->buf);
		if (n && l->buf[n - 1] == '\n')
			l->buf[--n] = '\0';
		else if (!feof(l->file))
			return bad_line(l, error, "line longer than 4096 characters");
		if (strlen(l->buf) != n)
			return bad_line(l, error, "a NUL byte in the line");
		if (!skipped(l->buf))
			return parse_line(l, l->buf, out, error) ? -1 : 1;
	}
}

uint64_t lackey_offset(struct lackey_reader *l)
{
	long off = ftell(l->file);

	return off > 0 ? (uint64_t)off : 0;
}

void lackey_close(struct lackey_reader *l)
{
	fclose(l->file);
	g_free(l->path);
	g_free(l);
}
