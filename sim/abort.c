/*
 * abort: the fault status codes of an EL0 abort and their signals (see
 * abort.h).  The table is Linux's fault_info[] by fault status code; the
 * level of a translation, access flag or permission fault does not change
 * the answer.
 */
#include "sim/abort.h"

#include "sim/crash.h"
#include "sim/signal.h"

static const struct fault_info page_fault = { true, G_SIGSEGV, G_SEGV_MAPERR, "page fault" };
static const struct fault_info alignment = { false, G_SIGBUS, G_BUS_ADRALN, "alignment fault" };
static const struct fault_info external = { false, G_SIGBUS, G_BUS_OBJERR, "synchronous external abort" };
static const struct fault_info tag_check = { false, G_SIGSEGV, G_SEGV_MTESERR, "tag check fault" };
static const struct fault_info walk_abort = { false, G_SIGKILL, G_SI_KERNEL,
					      "synchronous external abort on a table walk" };
static const struct fault_info address_size = { false, G_SIGKILL, G_SI_KERNEL, "address size fault" };
static const struct fault_info tlb_conflict = { false, G_SIGKILL, G_SI_KERNEL, "TLB conflict abort" };
static const struct fault_info exclusive = { false, G_SIGBUS, G_BUS_OBJERR,
					     "unsupported exclusive or atomic access" };
static const struct fault_info unknown = { false, G_SIGKILL, G_SI_KERNEL, "unknown fault status code" };

static const struct fault_info *const fault_info[64] = {
	[0x00 ... 0x03] = &address_size,	/* levels 0-3 */
	[0x04 ... 0x07] = &page_fault,		/* translation fault, levels 0-3 */
	[0x08 ... 0x0b] = &page_fault,		/* access flag fault, levels 0-3 */
	[0x0c ... 0x0f] = &page_fault,		/* permission fault, levels 0-3 */
	[0x10] = &external,
	[0x11] = &tag_check,
	[0x13 ... 0x17] = &walk_abort,		/* levels -1 to 3 */
	[0x18] = &external,			/* parity or ECC error */
	[0x1b ... 0x1f] = &walk_abort,		/* parity or ECC error, levels -1 to 3 */
	[0x21] = &alignment,
	[0x29] = &address_size,			/* level -1 */
	[0x2b] = &page_fault,			/* translation fault, level -1 */
	[0x30] = &tlb_conflict,
	[0x35] = &exclusive,
};

const struct fault_info *esr_to_fault_info(uint32_t esr)
{
	const struct fault_info *inf = fault_info[ESR_FSC(esr)];

	return inf ? inf : &unknown;
}

bool do_bad_abort(struct machine *m, struct task *t, const struct cpu_exit *e)
{
	const struct fault_info *inf = esr_to_fault_info(e->syndrome);
	uint64_t addr = (e->syndrome & ESR_FNV) ? 0 : e->addr;

	if (inf->page_fault)
		return false;
	if (inf->signo == G_SIGKILL) {
		report_fatal_signal(m, t, G_SIGKILL, 0, e->addr, inf->name);
		kill_process_by_signal(m, t->proc, G_SIGKILL);
	} else {
		force_fault_signal(m, t, inf->signo, inf->code, addr);
	}
	return true;
}
