/*
 * sysreg: the EL0 system-register reads Linux lets a program make although
 * the hardware traps them, emulated as Linux's undefined-instruction hooks
 * do (arch/arm64/kernel/traps.c): reads of the generic timer's virtual
 * counter CNTVCT_EL0 and its frequency CNTFRQ_EL0, which show simulated
 * time (the emulator's own counter runs on host time, so EL0 access to it
 * stays off).  CTR_EL0, DCZID_EL0 and the cache maintenance instructions
 * (DC CVAU, IC IVAU...) are allowed at EL0 by SCTLR_EL1 (sim/cpu.c) and
 * never trap.
 */
#ifndef SIM_SYSREG_H
#define SIM_SYSREG_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/machine.h"

/* CNTFRQ_EL0: 62.5 MHz, QEMU's generic timer frequency (a tick is 16 ns). */
#define SIM_CNTFRQ_HZ 62500000

/* The instruction at `pc` trapped as undefined: if it is a read Linux
 * emulates, do it (the result in its register, PC past it) and return
 * true; else false (the task gets SIGILL). */
bool emulate_el0_sysreg(struct machine *m, struct task *t, uint64_t pc);

#endif
