/*
 * abort: what Linux makes of a data or instruction abort taken from EL0,
 * decided by the fault status code in the syndrome (ESR_ELx.ISS DFSC/IFSC,
 * Arm ARM D17.2.37), as arch/arm64/mm/fault.c's fault_info[] table does.
 *
 * Translation, access flag and permission faults go to the page-fault
 * handler (handle_mm_fault), which decides between fixing the page and a
 * SIGSEGV/SIGBUS.  Every other code is a signal of its own: an alignment
 * fault is SIGBUS BUS_ADRALN, a synchronous external abort SIGBUS
 * BUS_OBJERR (do_sea), and what Linux calls do_bad (address size faults,
 * external aborts on a table walk, TLB conflicts, unknown codes) kills the
 * task with SIGKILL.
 */
#ifndef SIM_ABORT_H
#define SIM_ABORT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/cpu.h"
#include "sim/esr.h"
#include "sim/machine.h"

struct fault_info {
	bool page_fault;	/* handle_mm_fault decides */
	int signo, code;	/* otherwise this signal (SIGKILL: killed outright) */
	const char *name;
};

const struct fault_info *esr_to_fault_info(uint32_t esr);

/* An abort that is not a page fault gets the signal Linux sends; returns
 * false, doing nothing, for a page fault. */
bool do_bad_abort(struct machine *m, struct task *t, const struct cpu_exit *e);

#endif
