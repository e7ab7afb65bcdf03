/*
 * sim/fastpath and sim/fastpath_check: the self-test's cases hold on the
 * library's plain path and with the fast path on (stores into translated
 * code, directly and through aliases made before and after the code ran,
 * new code in a recycled frame), and the fast path takes part: it leaves
 * writable entries without the slow-path mark and tracks the pages the
 * library reports holding code.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/pgtable.h"
#include "sim/cpu.h"
#include "sim/fastpath_check.h"
#include "sim/machine.h"

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

/* The cases' plain loads and stores, made directly, found QEMU's TLB where
 * the fast path's item 6 says it is (the library's own answer agreed), and
 * what they read and wrote through it was right (fastpath_check_accesses). */
Test(fastpath, direct_accesses_read_the_library_tlb)
{
	struct fastpath_stats s;

	cr_assert_eq(cpu_enable_fastpath(fx.cpu, fx.why), 0, "%s", fx.why->str);
	cr_assert_eq(fastpath_check_accesses(fx.cpu, fx.phys, fx.why), 0, "%s", fx.why->str);
	cr_assert(cpu_fastpath_on(fx.cpu, &s));
	cr_expect_gt(s.direct, 0);
	cr_expect(s.tlb_read, "the fast path never read QEMU's TLB");
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

/* The data access check holds on the library's plain path (the memory hook
 * sees every access) and with the fast path, which then makes the plain
 * ones itself and must tell the watch as the hook would. */
Test(fastpath, accesses_hold_on_the_plain_path)
{
	struct fastpath_stats s;

	cr_assert_eq(fastpath_check_accesses(fx.cpu, fx.phys, fx.why), 0, "%s", fx.why->str);
	cr_assert_not(cpu_fastpath_on(fx.cpu, &s));
	cr_assert_eq(s.direct, 0);
}

Test(fastpath, accesses_hold_with_the_fast_path)
{
	struct fastpath_stats s;

	cr_assert_eq(cpu_enable_fastpath(fx.cpu, fx.why), 0, "%s", fx.why->str);
	cr_assert_eq(fastpath_check_accesses(fx.cpu, fx.phys, fx.why), 0, "%s", fx.why->str);
	cr_assert(cpu_fastpath_on(fx.cpu, &s));
	/* The eight aligned loads and stores of plain data; not the unaligned
	 * store, nor the one into translated code. */
	cr_expect_eq(s.direct, 8, "%llu accesses made directly", (unsigned long long)s.direct);
}

/* The start-up self-test passes with Debian's library (a different library
 * would fail the version check: the warning path). */
Test(fastpath, self_test_passes)
{
	cr_assert_eq(fastpath_self_test(fx.why), 0, "%s", fx.why->str);
}

/* The region look-up the fast path answers for the library: a load in
 * simulated RAM runs, one above RAM but below 2^47 (the placeholder region)
 * reaches the MMU and faults there, one at 2^47 is outside every region
 * (the library answers it); the answers inside regions came from the fast
 * path's table. */
Test(fastpath, region_lookup_answers_as_the_library)
{
	static const uint32_t code[] = { 0xf9400001u /* ldr x1, [x0] */, 0xd4000001u /* svc #0 */ };
	static const struct { uint64_t va; enum cpu_event event; bool region; } loads[] = {
		{ 0x401000, CPU_SYSCALL, true },			/* RAM (16 MiB) */
		{ UINT64_C(0x7fffffff0000), CPU_DATA_ABORT, true },	/* placeholder, unmapped */
		{ UINT64_C(1) << 47, CPU_DATA_ABORT, false },		/* no region */
	};
	struct vm_stats stats = { 0 };
	struct fastpath_stats before, after;
	struct mm *mm;
	struct cpu_exit e;
	phys_addr_t pa, data;

	cr_assert_eq(cpu_enable_fastpath(fx.cpu, fx.why), 0, "%s", fx.why->str);
	cr_assert_eq(mm_create(fx.phys, &stats, &mm), 0);
	cr_assert_eq(cpu_prepare_mm(fx.cpu, mm), 0);
	cr_assert_eq(phys_alloc(fx.phys, FRAME_DATA, &pa), 0);
	cr_assert_eq(phys_alloc(fx.phys, FRAME_DATA, &data), 0);
	memcpy(phys_to_host(fx.phys, pa), code, sizeof(code));
	*(uint64_t *)phys_to_host(fx.phys, data) = 0x1234;
	cr_assert_eq(pgtable_map(fx.phys, mm->pgd, 0x400000, pa, VM_READ | VM_EXEC), 0);
	cr_assert_eq(pgtable_map(fx.phys, mm->pgd, 0x401000, data, VM_READ), 0);
	cpu_switch_mm(fx.cpu, mm);
	for (size_t i = 0; i < G_N_ELEMENTS(loads); i++) {
		cpu_fastpath_on(fx.cpu, &before);
		cpu_enter_user(fx.cpu, 0x400000, 0);
		cpu_set_reg(fx.cpu, 0, loads[i].va);
		cpu_run(fx.cpu, 0, &e);
		cpu_fastpath_on(fx.cpu, &after);
		cr_expect_eq(e.event, loads[i].event, "load from %#llx: event %d",
			     (unsigned long long)loads[i].va, e.event);
		if (e.event == CPU_DATA_ABORT)
			cr_expect_eq(e.addr, loads[i].va);
		else
			cr_expect_eq(cpu_reg(fx.cpu, 1), 0x1234);
		if (loads[i].region)
			cr_expect_gt(after.regions_found, before.regions_found,
				     "load from %#llx: no region look-up answered by the fast path",
				     (unsigned long long)loads[i].va);
	}
	cpu_invalidate_code(fx.cpu, mm, 0x400000, 0x401000);
	mm_destroy(mm);
}

/* The fallback: with the test-only fault MMUSIM_FASTPATH_FAULT set (see
 * sim/fastpath.c), a machine starts on the plain path and says so in
 * exactly one warning; without it, the fast path is on and nothing is said. */
static bool start_machine(const char *fault)
{
	struct options opt = { .mem = UINT64_C(64) << 20, .root = "/", .cpus = 1,
			       .quantum = 20000, .max_tasks = 8 };
	GString *error = g_string_new(NULL);
	struct machine *m;
	bool fast;

	if (fault)
		cr_assert_eq(setenv("MMUSIM_FASTPATH_FAULT", fault, 1), 0);
	cr_assert_eq(machine_create(&opt, &m, error), 0, "%s", error->str);
	fast = cpu_fastpath_on(m->cpu, NULL);
	machine_destroy(m);
	g_string_free(error, TRUE);
	fflush(stderr);
	return fast;
}

/* The warnings on the redirected stderr: `want` of them, each naming
 * `cause` and the consequence. */
static void expect_warnings(int want, const char *cause)
{
	FILE *err = cr_get_redirected_stderr();
	char line[1024];
	int warnings = 0;

	while (fgets(line, sizeof(line), err)) {
		if (!strstr(line, "warning"))
			continue;
		warnings++;
		cr_expect(strstr(line, cause), "warning without \"%s\": %s", cause, line);
		cr_expect(strstr(line, "slow path"), "warning without the consequence: %s", line);
	}
	cr_expect_eq(warnings, want, "%d warnings, expected %d", warnings, want);
}

TestSuite(fallback, .init = cr_redirect_stderr);

Test(fallback, none_when_the_checks_pass)
{
	cr_expect(start_machine(NULL));
	expect_warnings(0, "");
}

Test(fallback, when_the_version_check_fails)
{
	cr_expect_not(start_machine("version"));
	expect_warnings(1, "version check failed");
}

/* The fast path's own loads and stores not reported to the memory hook's
 * work: the self-test catches it. */
Test(fallback, when_direct_accesses_go_unreported)
{
	cr_expect_not(start_machine("watch"));
	expect_warnings(1, "self-test");
}

/* The fast path's re-marking broken: the self-test catches it. */
Test(fallback, when_the_self_test_fails)
{
	cr_expect_not(start_machine("remark"));
	expect_warnings(1, "self-test");
}
