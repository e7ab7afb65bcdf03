/*
 * sim/fastpath and sim/fastpath_check: the self-test's cases hold on the
 * library's plain path and with the fast path on (stores into translated
 * code, directly and through aliases made before and after the code ran,
 * new code in a recycled frame), and the fast path takes part: it leaves
 * writable entries without the slow-path mark and tracks the pages the
 * library reports holding code.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mmu/pgtable.h"
#include "sim/cpu.h"
#include "sim/fastpath_check.h"

static struct {
	struct phys *phys;
	struct cpu *cpu;
	GString *why;
} fx;

static void setup(void)
{
	fx.why = g_string_new(NULL);
	cr_assert_eq(phys_create(UINT64_C(16) << 20, &fx.phys), 0);
	cr_assert_eq(cpu_create(fx.phys, &fx.cpu, fx.why), 0, "%s", fx.why->str);
}

static void teardown(void)
{
	cpu_destroy(fx.cpu);
	cr_expect_eq(phys_in_use(fx.phys, FRAME_DATA) + phys_in_use(fx.phys, FRAME_PGTABLE) +
		     phys_in_use(fx.phys, FRAME_KERNEL), 0, "frames leaked");
	phys_destroy(fx.phys);
	g_string_free(fx.why, TRUE);
}

TestSuite(fastpath, .init = setup, .fini = teardown);

Test(fastpath, cases_hold_on_the_plain_path)
{
	struct fastpath_stats s;

	cr_assert_not(cpu_fastpath_on(fx.cpu, &s));
	cr_assert_eq(fastpath_check_cases(fx.cpu, fx.phys, fx.why), 0, "%s", fx.why->str);
	cr_assert_eq(s.cleaned + s.protected + s.unprotected, 0);
}

Test(fastpath, cases_hold_with_the_fast_path)
{
	struct fastpath_stats s;

	cr_assert_eq(cpu_enable_fastpath(fx.cpu, fx.why), 0, "%s", fx.why->str);
	cr_assert_eq(fastpath_check_cases(fx.cpu, fx.phys, fx.why), 0, "%s", fx.why->str);
	cr_assert(cpu_fastpath_on(fx.cpu, &s));
	/* Writable entries: scratch, the RWX page, two aliases, the data
	 * mapping: at least the scratch page's went without the mark. */
	cr_expect_gt(s.cleaned, 0);
	/* Pages that gained code: at least the driver, the nop and case 1-4. */
	cr_expect_geq(s.protected, 6, "pages that gained code: %llu", (unsigned long long)s.protected);
	/* The recycled frame's code was dropped, and every page at the end. */
	cr_expect_gt(s.unprotected, 0);
}

Test(fastpath, cases_hold_after_the_fast_path_is_turned_off)
{
	cr_assert_eq(cpu_enable_fastpath(fx.cpu, fx.why), 0, "%s", fx.why->str);
	cr_assert_eq(fastpath_check_cases(fx.cpu, fx.phys, fx.why), 0, "%s", fx.why->str);
	cpu_disable_fastpath(fx.cpu);
	cr_assert_not(cpu_fastpath_on(fx.cpu, NULL));
	cr_assert_eq(fastpath_check_cases(fx.cpu, fx.phys, fx.why), 0, "%s", fx.why->str);
}

/* The library reports the code page by mmusim's physical address: a frame
 * runs code, and the fast path knows exactly its pages. */
Test(fastpath, code_pages_are_physical_addresses)
{
	static const uint32_t code[] = { 0xd2800020u /* movz x0, #1 */, 0xd4000001u /* svc #0 */ };
	struct vm_stats stats = { 0 };
	struct mm *mm;
	struct cpu_exit e;
	phys_addr_t pa, other;

	cr_assert_eq(cpu_enable_fastpath(fx.cpu, fx.why), 0, "%s", fx.why->str);
	cr_assert_eq(mm_create(fx.phys, &stats, &mm), 0);
	cr_assert_eq(cpu_prepare_mm(fx.cpu, mm), 0);
	cr_assert_eq(phys_alloc(fx.phys, FRAME_DATA, &pa), 0);
	cr_assert_eq(phys_alloc(fx.phys, FRAME_DATA, &other), 0);
	memcpy(phys_to_host(fx.phys, pa), code, sizeof(code));
	cr_assert_eq(pgtable_map(fx.phys, mm->pgd, 0x400000, pa, VM_READ | VM_EXEC), 0);
	cpu_switch_mm(fx.cpu, mm);
	cpu_enter_user(fx.cpu, 0x400000, 0);
	cpu_run(fx.cpu, 0, &e);
	cr_assert_eq(e.event, CPU_SYSCALL);
	cr_assert_eq(cpu_reg(fx.cpu, 0), 1);
	cr_expect(cpu_code_page_known(fx.cpu, pa));
	cr_expect_not(cpu_code_page_known(fx.cpu, other));
	cpu_invalidate_code(fx.cpu, mm, 0x400000, 0x401000);
	cr_expect_not(cpu_code_page_known(fx.cpu, pa), "the code was dropped");
	phys_put(fx.phys, other);
	mm_destroy(mm);
}

/* The start-up self-test passes with Debian's library (a different library
 * would fail the version check: the warning path). */
Test(fastpath, self_test_passes)
{
	cr_assert_eq(fastpath_self_test(fx.why), 0, "%s", fx.why->str);
}
