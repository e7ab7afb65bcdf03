/*
 * explain_story: the words both writers of a fault's story use (see
 * explain_story.h): the access, the handler's path, the signal, the
 * syndrome.
 */
#include "sim/explain_story.h"

#include "mmu/fault.h"
#include "sim/esr.h"

const char *fault_access_name(enum fault_access access)
{
	return access == FAULT_WRITE ? "write" : access == FAULT_EXEC ? "exec" : "read";
}

const char *fault_path_describe(const struct vm_fault *vmf)
{
	switch (vmf->kind) {
	case FAULT_KIND_ANON: return "demand-zero: a new zeroed frame";
	case FAULT_KIND_ZERO_PAGE: return "read of untouched anonymous memory: the shared zero page, "
					  "read-only";
	case FAULT_KIND_FILE: return "file page: read through the page cache";
	case FAULT_KIND_SHMEM: return "shared page: found or created in the shared object";
	case FAULT_KIND_COW_COPY: return "copy-on-write: the page is shared, copied to a new frame";
	case FAULT_KIND_COW_REUSE: return "copy-on-write: nobody else maps the page, made writable "
					  "in place";
	case FAULT_KIND_COW_ZERO: return "copy-on-write of the zero page: a new zeroed frame";
	case FAULT_KIND_SPURIOUS: return "spurious: the tables already allowed the access";
	case FAULT_KIND_MAPERR: return "no VMA covers the address";
	case FAULT_KIND_ACCERR: return "the VMA does not allow this access";
	case FAULT_KIND_SIGBUS: return "the page lies beyond the end of the file";
	case FAULT_KIND_OOM: return "no free frame in simulated memory";
	case FAULT_KIND_RETRY: return "the task sleeps until the fault is resolved, then retries";
	case FAULT_KIND_LINK: return "a shared page-table subtree linked in; the access retries";
	case FAULT_KIND_DEVICE: return "the page was in a device's memory: migrated back to CPU memory";
	case FAULT_KIND_DEVICE_EXCLUSIVE: return "a device held the page for atomic access: its hold "
						  "revoked, the CPU's entry restored";
	case NR_FAULT_KINDS: break;
	}
	return "?";
}

const char *fault_signal_name(const struct vm_fault *vmf)
{
	switch (vmf->result) {
	case VM_FAULT_SIGSEGV:
		return vmf->kind == FAULT_KIND_MAPERR ? "SIGSEGV (SEGV_MAPERR)" : "SIGSEGV (SEGV_ACCERR)";
	case VM_FAULT_SIGBUS:
		return "SIGBUS (BUS_ADRERR)";
	case VM_FAULT_HWPOISON:
		return "SIGBUS (BUS_MCEERR_AR)";
	case VM_FAULT_OOM:
		return "SIGKILL (out of memory)";
	default:
		return NULL;
	}
}

void syndrome_describe(uint32_t esr, GString *out)
{
	unsigned fsc = ESR_FSC(esr), level = fsc & 3;

	g_string_append_printf(out, "%s from EL0, %s, FSC %#04x: ",
			       ESR_EC(esr) == EC_IABT_LOWER ? "instruction abort" : "data abort",
			       ESR_EC(esr) == EC_IABT_LOWER ? "fetch" : (esr & ESR_WNR) ? "write" : "read",
			       fsc);
	if (fsc >= 0x04 && fsc <= 0x0f)
		g_string_append_printf(out, "%s fault at level %u",
				       fsc < 0x08 ? "translation" : fsc < 0x0c ? "access flag" : "permission",
				       level);
	else
		g_string_append(out, "other fault");
}
