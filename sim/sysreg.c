/*
 * sysreg: EL0 system-register reads emulated on simulated time (see
 * sysreg.h).
 */
#include "sim/sysreg.h"

#include "mmu/uaccess.h"

/* MRS Xt, <reg>: the encoding without Rt (bits 4:0). */
#define MRS_RT_MASK	UINT32_C(0xffffffe0)
#define MRS_CNTFRQ_EL0	UINT32_C(0xd53be000)	/* op0 3, op1 3, CRn 14, CRm 0, op2 0 */
#define MRS_CNTVCT_EL0	UINT32_C(0xd53be040)	/* ... op2 2 */
#define XZR		31
#define NS_PER_TICK	(1000000000 / SIM_CNTFRQ_HZ)

bool emulate_el0_sysreg(struct machine *m, struct task *t, uint64_t pc)
{
	uint32_t insn;
	uint64_t value;

	if (copy_from_user(t->mm, &insn, pc, sizeof(insn)))
		return false;
	switch (insn & MRS_RT_MASK) {
	case MRS_CNTFRQ_EL0:
		value = SIM_CNTFRQ_HZ;
		break;
	case MRS_CNTVCT_EL0:
		value = machine_now_ns(m) / NS_PER_TICK;
		break;
	default:
		return false;
	}
	if ((insn & ~MRS_RT_MASK) != XZR)
		cpu_set_reg(m->cpu, (int)(insn & ~MRS_RT_MASK), value);
	cpu_set_reg(m->cpu, CPU_REG_PC, pc + 4);
	/* The trap and the emulation cost what an instruction does. */
	agent_pay_cycles(machine_agent(m), m->profile.cycles[COST_INSTRUCTION]);
	return true;
}
