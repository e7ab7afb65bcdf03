/*
 * sim/abort: the signal for each fault status code of an EL0 abort, against
 * Linux's arch/arm64/mm/fault.c fault_info[] (the answers below are that
 * table's, written out by hand; codes from the Arm ARM, ESR_ELx ISS for data
 * and instruction aborts).
 */
#include <criterion/criterion.h>

#include "sim/abort.h"
#include "sim/signal.h"

/* A data abort from EL0 (class 0x24, IL) with fault status `fsc`. */
static uint32_t dabt(unsigned fsc)
{
	return UINT32_C(0x24) << 26 | ESR_IL | fsc;
}

static void expect_page_fault(unsigned fsc)
{
	const struct fault_info *inf = esr_to_fault_info(dabt(fsc));

	cr_expect(inf->page_fault, "fault status %#x should go to the page-fault handler (%s)",
		  fsc, inf->name);
}

static void expect_signal(unsigned fsc, int signo, int code)
{
	const struct fault_info *inf = esr_to_fault_info(dabt(fsc));

	cr_expect(!inf->page_fault, "fault status %#x is not a page fault", fsc);
	cr_expect_eq(inf->signo, signo, "fault status %#x (%s): signal %d, expected %d", fsc,
		     inf->name, inf->signo, signo);
	cr_expect_eq(inf->code, code, "fault status %#x (%s): si_code %d, expected %d", fsc,
		     inf->name, inf->code, code);
}

Test(abort, translation_access_flag_and_permission_faults_are_page_faults)
{
	for (unsigned level = 0; level < 4; level++) {
		expect_page_fault(0x04 + level);	/* translation */
		expect_page_fault(0x08 + level);	/* access flag */
		expect_page_fault(0x0c + level);	/* permission */
	}
	expect_page_fault(0x2b);			/* translation, level -1 */
}

Test(abort, alignment_fault_is_sigbus_adraln)
{
	expect_signal(0x21, G_SIGBUS, 1 /* BUS_ADRALN */);
	/* The instruction-abort class carries the same codes. */
	cr_expect(!esr_to_fault_info(UINT32_C(0x20) << 26 | ESR_IL | 0x21)->page_fault);
}

Test(abort, synchronous_external_abort_is_sigbus_objerr)
{
	expect_signal(0x10, G_SIGBUS, 3 /* BUS_OBJERR */);
	expect_signal(0x18, G_SIGBUS, 3);	/* parity or ECC error */
	expect_signal(0x35, G_SIGBUS, 3);	/* unsupported exclusive or atomic */
}

/* do_bad and the external aborts on a walk: SIGKILL. */
Test(abort, what_linux_cannot_handle_is_sigkill)
{
	for (unsigned level = 0; level < 4; level++) {
		expect_signal(0x00 + level, G_SIGKILL, G_SI_KERNEL);	/* address size */
		expect_signal(0x14 + level, G_SIGKILL, G_SI_KERNEL);	/* SEA on a table walk */
		expect_signal(0x1c + level, G_SIGKILL, G_SI_KERNEL);	/* parity on a table walk */
	}
	expect_signal(0x30, G_SIGKILL, G_SI_KERNEL);	/* TLB conflict */
	expect_signal(0x12, G_SIGKILL, G_SI_KERNEL);	/* unallocated */
	expect_signal(0x3f, G_SIGKILL, G_SI_KERNEL);
}

Test(abort, only_the_fault_status_bits_count)
{
	/* WnR, FnV and the class do not change the decision. */
	cr_expect(esr_to_fault_info(dabt(0x07) | ESR_WNR)->page_fault);
	cr_expect_eq(esr_to_fault_info(dabt(0x21) | ESR_WNR | ESR_FNV)->signo, G_SIGBUS);
}
