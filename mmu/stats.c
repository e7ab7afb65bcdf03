#include "mmu/stats.h"

/* Each kind and its name in reports. */
#define FAULT_KINDS(X)                                  \
	X(FAULT_KIND_ANON, "anon-zero")                 \
	X(FAULT_KIND_ZERO_PAGE, "zero-page")            \
	X(FAULT_KIND_FILE, "file")                      \
	X(FAULT_KIND_SHMEM, "shmem")                    \
	X(FAULT_KIND_COW_COPY, "cow-copy")              \
	X(FAULT_KIND_COW_REUSE, "cow-reuse")            \
	X(FAULT_KIND_COW_ZERO, "cow-zero")              \
	X(FAULT_KIND_SPURIOUS, "spurious")              \
	X(FAULT_KIND_MAPERR, "segv-maperr")             \
	X(FAULT_KIND_ACCERR, "segv-accerr")             \
	X(FAULT_KIND_SIGBUS, "sigbus")                  \
	X(FAULT_KIND_OOM, "oom")                        \
	X(FAULT_KIND_RETRY, "retry")                    \
	X(FAULT_KIND_LINK, "link")                      \
	X(FAULT_KIND_DEVICE, "device-migrate")          \
	X(FAULT_KIND_DEVICE_EXCLUSIVE, "device-exclusive")

#define NAME(kind, name) [kind] = name,
#define LATENCY_KIND(kind, name) [kind] = "fault:" name,

static const char *const fault_kind_names[NR_FAULT_KINDS] = { FAULT_KINDS(NAME) };
static const char *const fault_latency_kinds[NR_FAULT_KINDS] = { FAULT_KINDS(LATENCY_KIND) };

const char *fault_kind_name(enum fault_kind kind)
{
	return kind < NR_FAULT_KINDS ? fault_kind_names[kind] : "?";
}

const char *fault_latency_kind(enum fault_kind kind)
{
	return kind < NR_FAULT_KINDS ? fault_latency_kinds[kind] : "fault:?";
}
