/*
 * sim/cpu: the emulated CPU on page tables built by hand.  Instruction
 * encodings are from the Arm ARM (A64), e.g. `str x1, [x0]` = 0xf9000001
 * (STR immediate, size 11, imm12 0, Rn 0, Rt 1); ESR classes from D17.2.37:
 * 0x24 data abort from a lower EL, 0x20 instruction abort from a lower EL,
 * WnR is ISS bit 6.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mmu/agent.h"
#include "mmu/pgtable.h"
#include "sim/abort.h"
#include "sim/cpu.h"

#define CODE_VA UINT64_C(0x400000)
#define DATA_VA UINT64_C(0x500000)
#define HOLE_VA UINT64_C(0x600000)

#define MOV_X8_64	0xd2800808u	/* mov x8, #64 */
#define SVC_0		0xd4000001u	/* svc #0 */
#define STR_X1_X0	0xf9000001u	/* str x1, [x0] */
#define LDR_X1_X0	0xf9400001u	/* ldr x1, [x0] */
#define ADD_X2_X2_1	0x91000442u	/* add x2, x2, #1 */
#define B_MINUS_4	0x17ffffffu	/* b .-4 */
#define UDF_0		0x00000000u	/* udf #0 */
#define BRK_0		0xd4200000u	/* brk #0 */
#define LDXR_X1_X0	0xc85f7c01u	/* ldxr x1, [x0] */
#define PLACEHOLDER_END	(UINT64_C(1) << 47)

static struct {
	struct phys *phys;
	struct cpu *cpu;
	struct vm_stats stats;
	struct mm *mm;
	phys_addr_t data;
} fx;

static void setup(void)
{
	GString *error = g_string_new(NULL);

	cr_assert_eq(phys_create(UINT64_C(64) << 20, &fx.phys), 0);
	cr_assert_eq(cpu_create(fx.phys, &fx.cpu, error), 0, "self-check: %s", error->str);
	g_string_free(error, TRUE);
	cr_assert_eq(mm_create(fx.phys, &fx.stats, &fx.mm), 0);
	cr_assert_eq(cpu_prepare_mm(fx.cpu, fx.mm), 0);
	cr_assert_eq(phys_alloc(fx.phys, FRAME_DATA, &fx.data), 0);
	cr_assert_eq(pgtable_map(fx.phys, fx.mm->pgd, DATA_VA, fx.data, VM_READ | VM_WRITE), 0);
	cpu_switch_mm(fx.cpu, fx.mm);
}

static void teardown(void)
{
	mm_destroy(fx.mm);
	cpu_destroy(fx.cpu);
	cr_expect_eq(phys_in_use(fx.phys, FRAME_DATA) + phys_in_use(fx.phys, FRAME_PGTABLE) +
		     phys_in_use(fx.phys, FRAME_KERNEL), 0, "frames leaked");
	phys_destroy(fx.phys);
}

TestSuite(cpu, .init = setup, .fini = teardown);

/* Map `code` at CODE_VA (user read+exec) and enter EL0 there. */
static void load_code(const uint32_t *code, size_t n)
{
	phys_addr_t pa;

	cr_assert_eq(phys_alloc(fx.phys, FRAME_DATA, &pa), 0);
	memcpy(phys_to_host(fx.phys, pa), code, n * sizeof(*code));
	cr_assert_eq(pgtable_map(fx.phys, fx.mm->pgd, CODE_VA, pa, VM_READ | VM_EXEC), 0);
	cpu_enter_user(fx.cpu, CODE_VA, DATA_VA + PAGE_SIZE);
}

Test(cpu, svc_stops_after_the_instruction_with_the_number_in_x8)
{
	const uint32_t code[] = { MOV_X8_64, SVC_0, MOV_X8_64 };
	struct cpu_exit e;

	load_code(code, 3);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_SYSCALL);
	cr_expect_eq(e.pc, CODE_VA + 8);
	cr_expect_eq(cpu_reg(fx.cpu, CPU_REG_PC), CODE_VA + 8);
	cr_expect_eq(cpu_reg(fx.cpu, 8), 64);
	cr_expect_eq(cpu_insns(fx.cpu), 2);
}

Test(cpu, store_to_a_hole_is_a_write_data_abort_at_its_address)
{
	const uint32_t code[] = { STR_X1_X0, SVC_0 };
	struct cpu_exit e;

	load_code(code, 2);
	cpu_set_reg(fx.cpu, 0, HOLE_VA + 0x18);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_DATA_ABORT);
	cr_expect_eq(e.addr, HOLE_VA + 0x18);
	cr_expect_eq(e.pc, CODE_VA);
	cr_expect(e.write);
	cr_expect_eq(e.syndrome >> 26, 0x24);
	cr_expect_eq(cpu_insns(fx.cpu), 0, "the faulting store did not complete");
}

Test(cpu, load_from_read_only_data_works_store_faults_then_retries)
{
	const uint32_t code[] = { LDR_X1_X0, STR_X1_X0, SVC_0 };
	pte_t *ptep = pgtable_walk(fx.phys, fx.mm->pgd, DATA_VA);
	struct cpu_exit e;

	*(uint64_t *)phys_to_host(fx.phys, fx.data) = 0x1234;
	*ptep = pte_mk_page(fx.data, VM_READ);
	load_code(code, 3);
	cpu_set_reg(fx.cpu, 0, DATA_VA);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_DATA_ABORT);
	cr_expect_eq(e.pc, CODE_VA + 4);
	cr_expect(e.write);
	cr_expect_eq(cpu_reg(fx.cpu, 1), 0x1234, "the load before the store took effect");
	/* Read-only to writable needs no flush; the store re-executes. */
	*ptep = pte_mk_page(fx.data, VM_READ | VM_WRITE);
	cpu_set_reg(fx.cpu, 1, 0x5678);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_SYSCALL);
	cr_expect_eq(*(uint64_t *)phys_to_host(fx.phys, fx.data), 0x5678);
}

Test(cpu, downgrade_after_flush_faults)
{
	const uint32_t code[] = { STR_X1_X0, SVC_0, STR_X1_X0, SVC_0 };
	struct cpu_exit e;

	load_code(code, 4);
	cpu_set_reg(fx.cpu, 0, DATA_VA);
	cpu_run(fx.cpu, 0, &e);
	cr_assert_eq(e.event, CPU_SYSCALL);
	*pgtable_walk(fx.phys, fx.mm->pgd, DATA_VA) = pte_mk_page(fx.data, VM_READ);
	cpu_flush_tlb(fx.cpu);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_DATA_ABORT);
	cr_expect_eq(e.pc, CODE_VA + 8);
}

Test(cpu, jump_to_a_hole_is_an_instruction_abort)
{
	struct cpu_exit e;

	cpu_enter_user(fx.cpu, HOLE_VA, DATA_VA + PAGE_SIZE);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_INSN_ABORT);
	cr_expect_eq(e.addr, HOLE_VA);
	cr_expect_eq(e.pc, HOLE_VA);
	cr_expect_eq(e.syndrome >> 26, 0x20);
}

Test(cpu, data_page_is_not_executable)
{
	struct cpu_exit e;

	cpu_enter_user(fx.cpu, DATA_VA, DATA_VA + PAGE_SIZE);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_INSN_ABORT);
	cr_expect_eq(e.addr, DATA_VA);
}

Test(cpu, the_trampoline_is_out_of_reach_at_el0)
{
	const uint32_t code[] = { LDR_X1_X0, SVC_0 };
	struct cpu_exit e;

	load_code(code, 2);
	cpu_set_reg(fx.cpu, 0, TRAMPOLINE_VA);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_DATA_ABORT);
	cr_expect_eq(e.addr, TRAMPOLINE_VA);
}

/* EL1-only is not enough for instructions: EL0 may execute a page it cannot
 * read unless UXN is set.  A jump there must fault (a permission fault), not
 * run whatever the page holds. */
Test(cpu, the_trampoline_cannot_be_executed_at_el0)
{
	struct cpu_exit e;

	cpu_enter_user(fx.cpu, TRAMPOLINE_VA + 0x234, DATA_VA + PAGE_SIZE);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_INSN_ABORT, "event %d", e.event);
	cr_expect_eq(e.addr, TRAMPOLINE_VA + 0x234);
	cr_expect_eq(ESR_EC(e.syndrome), EC_IABT_LOWER);
	cr_expect_eq(ESR_FSC(e.syndrome) & ~3u, 0x0c, "fault status %#x: not a permission fault",
		     ESR_FSC(e.syndrome));
}

/* Exclusive accesses must be aligned even when SCTLR_EL1.A is clear (Arm ARM
 * B2.5.2): fault status 0b100001. */
Test(cpu, misaligned_exclusive_load_is_an_alignment_fault)
{
	const uint32_t code[] = { LDXR_X1_X0, SVC_0 };
	struct cpu_exit e;

	load_code(code, 2);
	cpu_set_reg(fx.cpu, 0, DATA_VA + 1);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_DATA_ABORT);
	cr_expect_eq(e.addr, DATA_VA + 1);
	cr_expect_eq(e.pc, CODE_VA);
	cr_expect_eq(ESR_FSC(e.syndrome), FSC_ALIGNMENT, "fault status %#x", ESR_FSC(e.syndrome));
}

/* Beyond the emulator's regions the CPU side makes up the syndrome: a level 0
 * translation fault, as the MMU gives for an address no table covers. */
Test(cpu, access_beyond_the_regions_is_a_translation_fault)
{
	const uint32_t code[] = { STR_X1_X0, SVC_0 };
	struct cpu_exit e;

	load_code(code, 2);
	cpu_set_reg(fx.cpu, 0, PLACEHOLDER_END + 0x10);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_DATA_ABORT);
	cr_expect_eq(e.addr, PLACEHOLDER_END + 0x10);
	cr_expect(e.write);
	cr_expect_eq(e.syndrome, 0x92000044u, "syndrome %#x", e.syndrome);
}

Test(cpu, undefined_and_breakpoint)
{
	const uint32_t code[] = { UDF_0, BRK_0 };
	struct cpu_exit e;

	load_code(code, 2);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_UNDEFINED);
	cr_expect_eq(e.pc, CODE_VA);
	cpu_set_reg(fx.cpu, CPU_REG_PC, CODE_VA + 4);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_BREAKPOINT);
	cr_expect_eq(e.pc, CODE_VA + 4);
}

/* A two-instruction loop: the budget stops it between blocks, never past. */
Test(cpu, budget_stops_a_loop_without_exceeding_it)
{
	const uint32_t code[] = { ADD_X2_X2_1, B_MINUS_4 };
	struct cpu_exit e;

	load_code(code, 2);
	cpu_run(fx.cpu, 1001, &e);
	cr_expect_eq(e.event, CPU_BUDGET);
	cr_expect_eq(cpu_insns(fx.cpu), 1000);
	cr_expect_eq(cpu_reg(fx.cpu, 2), 500, "each block is one add and one branch");
	cr_expect_eq(cpu_reg(fx.cpu, CPU_REG_PC), CODE_VA);
}

/* The emulator subscribes to every mm's notifier chain (cpu_prepare_mm):
 * code rewritten behind the CPU's back in an mm that is not loaded right now
 * must still be retranslated when that mm runs again.  mov x8, #65 =
 * 0xd2800828 (MOVZ, imm16 65 in bits 5-20). */
Test(cpu, code_rewritten_in_an_mm_that_is_not_loaded_is_retranslated)
{
	const uint32_t code[] = { MOV_X8_64, SVC_0 };
	const uint32_t mov_x8_65 = 0xd2800828u;
	struct mm *other;
	phys_addr_t pa;
	struct cpu_exit e;

	load_code(code, 2);
	cpu_run(fx.cpu, 0, &e);
	cr_assert_eq(e.event, CPU_SYSCALL);
	cr_assert_eq(cpu_reg(fx.cpu, 8), 64);

	cr_assert_eq(mm_create(fx.phys, &fx.stats, &other), 0);
	cr_assert_eq(cpu_prepare_mm(fx.cpu, other), 0);
	cpu_switch_mm(fx.cpu, other);
	cr_assert(pgtable_translate(fx.phys, fx.mm->pgd, CODE_VA, &pa, &(unsigned){ 0 }));
	memcpy(phys_to_host(fx.phys, pa), &mov_x8_65, sizeof(mov_x8_65));
	mmu_notifier_invalidate_code(fx.mm, CODE_VA, CODE_VA + 8);

	cpu_switch_mm(fx.cpu, fx.mm);
	cpu_enter_user(fx.cpu, CODE_VA, DATA_VA + PAGE_SIZE);
	cpu_run(fx.cpu, 0, &e);
	cr_expect_eq(e.event, CPU_SYSCALL);
	cr_expect_eq(cpu_reg(fx.cpu, 8), 65, "stale translated code ran");
	mm_destroy(other);
}

/* --tlb exact: every block entered is one fetch lookup of its page.  Code
 * running on from the last word of CODE_VA's page into the next (add x2;
 * mov x8, #64; svc) is entered as two blocks (the library ends a block at
 * the end of its 1 KiB page): a cold TLB misses both pages once, and each
 * later run hits both (after run n: l1i 2 (n - 1) hits, 2 misses), from
 * the third run on without a call (both are the L1I's recent entries). */
Test(cpu, code_on_two_pages_is_looked_up_on_both)
{
	const uint32_t code[] = { ADD_X2_X2_1, MOV_X8_64, SVC_0 };
	uint64_t start = CODE_VA + PAGE_SIZE - 4;
	g_autoptr(GString) error = g_string_new(NULL);
	struct cost_profile profile;
	struct tlb_stats tlb;
	struct domain d;
	struct cpu_exit e;
	phys_addr_t pa[2];

	for (int i = 0; i < 2; i++) {
		cr_assert_eq(phys_alloc(fx.phys, FRAME_DATA, &pa[i]), 0);
		cr_assert_eq(pgtable_map(fx.phys, fx.mm->pgd, CODE_VA + i * PAGE_SIZE, pa[i],
					 VM_READ | VM_EXEC), 0);
	}
	memcpy(phys_to_host(fx.phys, pa[0]) + PAGE_SIZE - 4, &code[0], 4);
	memcpy(phys_to_host(fx.phys, pa[1]), &code[1], 8);
	cr_assert_eq(cost_profile_load("default", &profile, NULL), 0);
	cr_assert_eq(domain_init(&d, fx.phys, &profile, 1, true, error), 0, "%s", error->str);
	domain_attach_mm(&d, fx.mm);
	d.current = &d.agents[0];
	agent_switch_mm(d.current, fx.mm);
	cr_assert_eq(cpu_set_tlb_model(fx.cpu, &d), 0);

	for (int run = 1; run <= 3; run++) {
		cpu_enter_user(fx.cpu, start, DATA_VA + PAGE_SIZE);
		cpu_run(fx.cpu, 0, &e);
		cr_assert_eq(e.event, CPU_SYSCALL);
		domain_tlb_stats(&d, &tlb);
		cr_expect_eq(tlb.hits[TLB_L1I], 2 * (run - 1), "run %d: l1i hits", run);
		cr_expect_eq(tlb.misses[TLB_L1I], 2, "run %d: l1i misses", run);
	}
	cr_expect_eq(cpu_insns(fx.cpu), 9);
	/* The mm and the CPU go before the domain they tell and look up. */
	mm_destroy(fx.mm);
	fx.mm = NULL;
	cpu_destroy(fx.cpu);
	fx.cpu = NULL;
	domain_fini(&d);
	cost_profile_clear(&profile);
}

/* A debugger's step of a branch back to the instruction before it stops at
 * the branch's target with one instruction run: the new block (before the
 * step's start, outside the step hook's range) is not entered. */
Test(cpu, a_step_of_a_branch_back_stops_at_its_target)
{
	const uint32_t code[] = { ADD_X2_X2_1, B_MINUS_4 };
	struct cpu_exit e;

	load_code(code, 2);
	cpu_enter_user(fx.cpu, CODE_VA + 4, DATA_VA + PAGE_SIZE);
	cpu_debug_next_run(fx.cpu, true, false);
	cpu_run(fx.cpu, 1000, &e);
	cr_expect_eq(e.event, CPU_DEBUG_STOP);
	cr_expect_eq(cpu_reg(fx.cpu, CPU_REG_PC), CODE_VA);
	cr_expect_eq(cpu_insns(fx.cpu), 1);
	cr_expect_eq(cpu_reg(fx.cpu, 2), 0, "the add ran");
}
