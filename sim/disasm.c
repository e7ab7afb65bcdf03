/*
 * disasm: see disasm.h.
 */
#include "sim/disasm.h"

#include <capstone/capstone.h>

#include "mmu/uaccess.h"
#include "sim/emulator_libs.h"

void disassemble_at(struct mm *mm, uint64_t pc, GString *out)
{
	g_autoptr(GString) why = g_string_new(NULL);
	uint8_t bytes[4];
	csh handle;
	cs_insn *insn;

	/* The page may not be in memory: a report of running out of memory
	 * often comes from the fetch that would have brought it in. */
	if (peek_user_backing(mm, bytes, pc, sizeof(bytes))) {
		g_string_append(out, "(no instruction mapped there)");
		return;
	}
	if (!capstone_load(why)) {
		g_string_append_printf(out, "(disassembler unavailable: %s)", why->str);
		return;
	}
	if (cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle) != CS_ERR_OK) {
		g_string_append(out, "(disassembler unavailable)");
		return;
	}
	if (cs_disasm(handle, bytes, sizeof(bytes), pc, 1, &insn) == 1) {
		g_string_append_printf(out, "%s%s%s", insn->mnemonic, *insn->op_str ? " " : "",
				       insn->op_str);
		cs_free(insn, 1);
	} else {
		g_string_append_printf(out, ".inst 0x%02x%02x%02x%02x (not a valid instruction)",
				       bytes[3], bytes[2], bytes[1], bytes[0]);
	}
	cs_close(&handle);
}
