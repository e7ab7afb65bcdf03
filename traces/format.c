/*
 * format: what the records of a trace are (docs/trace-format.md), shared by
 * the writer and the reader.
 */
#include "traces/format.h"

static const struct {
	const char *name;
	int nargs;
} types[TRACE_NR_TYPES] = {
	[TRACE_END] = { "end", 1 },
	[TRACE_CPU] = { "cpu", 1 },
	[TRACE_INSNS] = { "insns", 1 },
	[TRACE_MM_NEW] = { "mm-new", 1 },
	[TRACE_MM_DUP] = { "mm-dup", 2 },
	[TRACE_MM_DROP] = { "mm-drop", 1 },
	[TRACE_SWITCH] = { "switch", 1 },
	[TRACE_MMAP] = { "mmap", 6 },
	[TRACE_MUNMAP] = { "munmap", 3 },
	[TRACE_MPROTECT] = { "mprotect", 4 },
	[TRACE_BRK] = { "brk", 2 },
	[TRACE_MREMAP] = { "mremap", 6 },
	[TRACE_MADVISE] = { "madvise", 4 },
	[TRACE_EXEC] = { "exec", 2 },
};

int trace_type_nargs(enum trace_type type)
{
	return type < TRACE_NR_TYPES ? types[type].nargs : -1;
}

const char *trace_type_name(enum trace_type type)
{
	if (type == TRACE_ACCESS)
		return "access";
	return type < TRACE_NR_TYPES ? types[type].name : "unknown";
}
