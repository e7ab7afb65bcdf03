/*
 * strace: one line per system call on the diagnostic stream, in strace(1)'s
 * style: "[tid] name(args) = result".  Watching must not change the run, so
 * guest memory is read without faulting anything in: a string or buffer not
 * yet in memory when the call starts is decoded again when it ends (the call
 * will have faulted it in if it read it), and shows as its address if it is
 * still not there or the call replaced the address space.
 */
#include "sim/strace.h"

#include <inttypes.h>
#include <errno.h>
#include <string.h>

#include "mmu/uaccess.h"

#define STRACE_STRLEN 32

static void append_escaped(GString *out, const uint8_t *s, size_t len, bool more)
{
	g_string_append_c(out, '"');
	for (size_t i = 0; i < len; i++) {
		switch (s[i]) {
		case '\n': g_string_append(out, "\\n"); break;
		case '\t': g_string_append(out, "\\t"); break;
		case '"': g_string_append(out, "\\\""); break;
		case '\\': g_string_append(out, "\\\\"); break;
		default:
			if (s[i] >= 0x20 && s[i] < 0x7f)
				g_string_append_c(out, (char)s[i]);
			else
				g_string_append_printf(out, "\\%o", s[i]);
		}
	}
	g_string_append(out, more ? "\"..." : "\"");
}

/* A call may fail before it reads its strings and buffers (a write to a
 * closed descriptor): they are read without faulting, and what is not in
 * memory shows as its address, as strace(1) shows memory it cannot read. */
static bool append_user_string(GString *out, struct mm *mm, uint64_t addr)
{
	char buf[STRACE_STRLEN + 2];
	long len = strncpy_from_user_nofault(mm, buf, addr, sizeof(buf));

	if (len == -EFAULT) {
		g_string_append_printf(out, "%#" PRIx64, addr);
		return false;
	}
	append_escaped(out, (uint8_t *)buf, MIN((size_t)(len < 0 ? STRACE_STRLEN + 1 : len), STRACE_STRLEN),
		       len < 0 || len > STRACE_STRLEN);
	return true;
}

static bool append_user_buffer(GString *out, struct mm *mm, uint64_t addr, uint64_t len)
{
	uint8_t buf[STRACE_STRLEN];
	size_t n = (size_t)MIN(len, STRACE_STRLEN);

	if (copy_from_user_nofault(mm, buf, addr, n)) {
		g_string_append_printf(out, "%#" PRIx64, addr);
		return false;
	}
	append_escaped(out, buf, n, len > STRACE_STRLEN);
	return true;
}

struct flag_name {
	uint64_t bit;
	const char *name;
};

static const struct flag_name open_flags[] = {
	{ G_O_CREAT, "O_CREAT" }, { G_O_EXCL, "O_EXCL" }, { G_O_NOCTTY, "O_NOCTTY" },
	{ G_O_TRUNC, "O_TRUNC" }, { G_O_APPEND, "O_APPEND" }, { G_O_NONBLOCK, "O_NONBLOCK" },
	{ G_O_DIRECTORY, "O_DIRECTORY" }, { G_O_NOFOLLOW, "O_NOFOLLOW" },
	{ G_O_LARGEFILE, "O_LARGEFILE" }, { G_O_CLOEXEC, "O_CLOEXEC" }, { G_O_PATH, "O_PATH" },
	{ 0, NULL },
};
static const struct flag_name prot_flags[] = {
	{ G_PROT_READ, "PROT_READ" }, { G_PROT_WRITE, "PROT_WRITE" }, { G_PROT_EXEC, "PROT_EXEC" },
	{ 0, NULL },
};
static const struct flag_name map_flags[] = {
	{ G_MAP_FIXED, "MAP_FIXED" }, { G_MAP_ANONYMOUS, "MAP_ANONYMOUS" },
	{ G_MAP_GROWSDOWN, "MAP_GROWSDOWN" }, { G_MAP_NORESERVE, "MAP_NORESERVE" },
	{ G_MAP_POPULATE, "MAP_POPULATE" }, { G_MAP_STACK, "MAP_STACK" },
	{ G_MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE" }, { 0, NULL },
};

/* "A|B|0x40" for the known bits of `value`, "0" alone for zero. */
static void append_flags(GString *out, uint64_t value, const struct flag_name *names,
			 const char *base)
{
	bool first = true;

	if (base) {
		g_string_append(out, base);
		first = false;
	}
	for (; names->name; names++) {
		if (!(value & names->bit))
			continue;
		g_string_append_printf(out, "%s%s", first ? "" : "|", names->name);
		value &= ~names->bit;
		first = false;
	}
	if (value || first)
		g_string_append_printf(out, "%s%#" PRIx64, first ? "" : "|", value);
}

/* False when a string or buffer was not in memory (shown as its address). */
static bool append_arg(GString *out, struct mm *mm, char fmt, const uint64_t *a, int i)
{
	static const char *const accmode[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
	static const char *const map_type[] = { "0", "MAP_SHARED", "MAP_PRIVATE", "MAP_SHARED_VALIDATE" };

	if (!mm && (fmt == 's' || fmt == 'b'))
		fmt = 'p';	/* the task is gone with its memory */
	switch (fmt) {
	case 'd': g_string_append_printf(out, "%d", (int)a[i]); break;
	case 'u': g_string_append_printf(out, "%" PRIu64, a[i]); break;
	case 'm': g_string_append_printf(out, "%#" PRIo64, a[i]); break;
	case 's': return append_user_string(out, mm, a[i]);
	case 'b': return append_user_buffer(out, mm, a[i], a[i + 1]);
	case 'F':
		if ((int)a[i] == G_AT_FDCWD)
			g_string_append(out, "AT_FDCWD");
		else
			g_string_append_printf(out, "%d", (int)a[i]);
		break;
	case 'o':
		append_flags(out, a[i] & ~(uint64_t)G_O_ACCMODE, open_flags, accmode[a[i] & G_O_ACCMODE]);
		break;
	case 'P':
		if (!a[i])
			g_string_append(out, "PROT_NONE");
		else
			append_flags(out, a[i], prot_flags, NULL);
		break;
	case 'M':
		append_flags(out, a[i] & ~(uint64_t)G_MAP_TYPE, map_flags,
			     (a[i] & G_MAP_TYPE) < 4 ? map_type[a[i] & G_MAP_TYPE] : "MAP_?");
		break;
	case 'S': g_string_append(out, a[i] ? guest_signal_name((int)a[i]) : "0"); break;
	case 'p':
		if (!a[i]) {
			g_string_append(out, "NULL");
			break;
		}
		/* fall through */
	default: g_string_append_printf(out, "%#" PRIx64, a[i]); break;
	}
	return true;
}

static bool append_args(GString *out, struct mm *mm, const char *fmt, const uint64_t *a)
{
	bool complete = true;

	for (int i = 0; fmt[i] && i < 6; i++) {
		if (i)
			g_string_append(out, ", ");
		complete &= append_arg(out, mm, fmt[i], a, i);
	}
	return complete;
}

/* A string or buffer was not in memory when the call started: the call has
 * faulted it in by now if it read it, unless it replaced the address space
 * (execve).  Decode the arguments again. */
static void redecode_args(struct task *t, GString *line)
{
	if (!t->strace_redo_fmt || !t->mm || t->mm->id != t->strace_mm_id)
		return;
	g_string_truncate(line, (gsize)(strchr(line->str, '(') + 1 - line->str));
	append_args(line, t->mm, t->strace_redo_fmt, t->syscall_args);
}

void strace_start(struct machine *m, struct task *t, unsigned nr, const char *name, const char *fmt)
{
	GString *line = g_string_new(NULL);

	t->strace_addr_result = fmt[0] == '>';
	fmt += t->strace_addr_result;
	g_string_printf(line, "[%d] ", t->tid);
	if (name)
		g_string_append(line, name);
	else
		g_string_append_printf(line, "syscall_%u", nr);
	g_string_append_c(line, '(');
	t->strace_redo_fmt = append_args(line, t->mm, fmt, t->syscall_args) ? NULL : fmt;
	t->strace_mm_id = t->mm ? t->mm->id : 0;
	g_free(t->strace_line);
	t->strace_line = g_string_free(line, FALSE);
}

void strace_finish(struct machine *m, struct task *t, long ret, bool no_result)
{
	GString *line = g_string_new(t->strace_line);

	redecode_args(t, line);
	t->strace_redo_fmt = NULL;
	if (no_result)
		g_string_append(line, ") = ?\n");
	else if (ret < 0 && ret > -4096)
		g_string_append_printf(line, ") = -1 %s (%s)\n", strerrorname_np((int)-ret) ?: "E?",
				       g_strerror((int)-ret));
	else if (t->strace_addr_result)
		g_string_append_printf(line, ") = %#lx\n", (unsigned long)ret);
	else
		g_string_append_printf(line, ") = %ld\n", ret);
	fputs(line->str, m->log);
	g_string_free(line, TRUE);
	g_clear_pointer(&t->strace_line, g_free);
}
