/*
 * disasm: one guest instruction as text, read through the guest's page
 * tables (Capstone's AArch64 disassembler).  For reports of crashes and
 * of faults (--explain).
 */
#ifndef SIM_DISASM_H
#define SIM_DISASM_H

#include <glib.h>
#include <stdint.h>

#include "mmu/mm.h"

/* Append "ldr x1, [x0, #16]" for the instruction at `pc` of `mm`, or why
 * there is nothing to show ("(no instruction mapped there)", or
 * "(disassembler unavailable: ...)" when Capstone, loaded by the first
 * call (sim/emulator_libs.h), cannot be). */
void disassemble_at(struct mm *mm, uint64_t pc, GString *out);

#endif
