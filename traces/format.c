/*
 * format: what the records of a trace are (docs/trace-format.md), shared by
 * the writer and the reader.
 */
#include "traces/format.h"

const struct trace_type_info trace_types[TRACE_NR_TYPES] = {
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
	[TRACE_KIND] = { "kind", 1, TAIL_NAME },
	[TRACE_BEGIN] = { "begin", 0 },
	[TRACE_CHARGE] = { "charge", 2 },
	[TRACE_CHARGE_COST] = { "charge-cost", 0, TAIL_COST },
	[TRACE_END_EVENT] = { "end-event", 1 },
	[TRACE_PAY] = { "pay", 0, TAIL_COST },
	[TRACE_PAY_CYCLES] = { "pay-cycles", 1 },
	[TRACE_ACCOUNT] = { "account", 1, TAIL_COST },
	[TRACE_OPEN_SWITCH] = { "open-switch", 1, TAIL_COST },
	[TRACE_CLOSE_SWITCHES] = { "close-switches", 0 },
	[TRACE_FLUSH] = { "flush", 3 },
	[TRACE_FLUSH_SHARED] = { "flush-shared", 4, TAIL_MMS },
	[TRACE_TAKE_STALE] = { "take-stale", 3 },
	[TRACE_FAULT] = { "fault", 1 },
	[TRACE_ROOT] = { "root", 2 },
	[TRACE_TABLE] = { "table", 1 },
	[TRACE_PTE] = { "pte", 2 },
	[TRACE_WAIT] = { "wait", 1 },
	[TRACE_LATENCY] = { "latency", 1, TAIL_COST },
	[TRACE_VM_COUNTS] = { "vm-counts", 2 },
	[TRACE_MEMORY] = { "memory", 6 },
	[TRACE_DEV_ROOT] = { "dev-root", 2 },
	[TRACE_DEV_LOOKUP] = { "dev-lookup", 2 },
	[TRACE_DEV_PAY] = { "dev-pay", 2 },
	[TRACE_DEV_FLUSH] = { "dev-flush", 2 },
	[TRACE_DEV_FLUSH_ALL] = { "dev-flush-all", 1 },
	[TRACE_DEV_TAKE] = { "dev-take", 3 },
	[TRACE_DEV_START] = { "dev-start", 1 },
	[TRACE_DEV_DONE] = { "dev-done", 1 },
	[TRACE_DEV_WAIT] = { "dev-wait", 1 },
	[TRACE_DEV_COUNTS] = { "dev-counts", 14 },
};

int trace_type_nargs(enum trace_type type)
{
	return type < TRACE_NR_TYPES ? trace_types[type].nargs : -1;
}

enum trace_tail trace_type_tail(enum trace_type type)
{
	return type < TRACE_NR_TYPES ? trace_types[type].tail : TAIL_NONE;
}

const char *trace_type_name(enum trace_type type)
{
	if (type == TRACE_ACCESS)
		return "access";
	return type < TRACE_NR_TYPES ? trace_types[type].name : "unknown";
}
