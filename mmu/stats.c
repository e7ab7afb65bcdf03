#include "mmu/stats.h"

static const char *const fault_kind_names[NR_FAULT_KINDS] = {
	[FAULT_KIND_ANON] = "anon-zero",
	[FAULT_KIND_ZERO_PAGE] = "zero-page",
	[FAULT_KIND_FILE] = "file",
	[FAULT_KIND_SHMEM] = "shmem",
	[FAULT_KIND_COW_COPY] = "cow-copy",
	[FAULT_KIND_COW_REUSE] = "cow-reuse",
	[FAULT_KIND_COW_ZERO] = "cow-zero",
	[FAULT_KIND_SPURIOUS] = "spurious",
	[FAULT_KIND_MAPERR] = "segv-maperr",
	[FAULT_KIND_ACCERR] = "segv-accerr",
	[FAULT_KIND_SIGBUS] = "sigbus",
	[FAULT_KIND_OOM] = "oom",
	[FAULT_KIND_RETRY] = "retry",
	[FAULT_KIND_LINK] = "link",
	[FAULT_KIND_DEVICE] = "device-migrate",
	[FAULT_KIND_DEVICE_EXCLUSIVE] = "device-exclusive",
};

const char *fault_kind_name(enum fault_kind kind)
{
	return kind < NR_FAULT_KINDS ? fault_kind_names[kind] : "?";
}
