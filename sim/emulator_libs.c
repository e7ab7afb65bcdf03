/*
 * emulator_libs: mmusim loads Unicorn and Capstone itself, with dlopen, the
 * first time a command needs them, instead of linking them.
 *
 * WHY: the dynamic loader relocates a linked library at every start, used
 * or not, and Debian's libunicorn.so.2 is big: about 127,000 relative and
 * 25,000 symbol relocations, some 9 ms of CPU, three quarters of what
 * `mmusim --version` cost.  Commands that never emulate (replay, report,
 * profiles, --version, --help) must not pay for it (issue 16).
 *
 * WHAT AND WHEN:
 *  - unicorn_load() opens UNICORN_SONAME and resolves every Unicorn function
 *    mmusim calls (the lists below).  sim/cpu.c calls it before creating an
 *    engine, so every command that runs AArch64 code (run, calibrate, lab,
 *    compare, the fast path's self-test) loads Unicorn there, and no other.
 *  - capstone_load() does the same for CAPSTONE_SONAME; sim/disasm.c calls
 *    it when it first disassembles (a crash report, --explain), so only a
 *    run that disassembles loads Capstone.
 *  - The names are the libraries' sonames, read by configure from the
 *    libraries `pkg-config --libs unicorn capstone` names (configure.ac):
 *    what the linker would have recorded as needed.
 *  - A library, once loaded, stays for the life of the process (translated
 *    code, hooks and sim/fastpath.c's pointers into it live as long).  It is
 *    opened RTLD_LAZY, as the linker's default binding was, and RTLD_LOCAL:
 *    its symbols do not join the executable's, but the executable's exported
 *    ones (sim/fastpath.sym, the definitions by which sim/fastpath.c takes
 *    the place of some of Unicorn's internal functions) still come first
 *    when the library's relocations are bound, as they did when it was
 *    linked.  GLib is linked, so it is loaded before Unicorn and Unicorn's
 *    own copies of some GLib functions never capture our calls
 *    (docs/design.md, "Unicorn exports GLib functions").
 *
 * IF A LIBRARY IS MISSING OR WRONG (not found, not loadable, or lacking one
 * of the functions): the load fails with a message naming the library, the
 * function and dlerror(); the engine's creation fails with it, as for any
 * other start-up failure (`mmusim run` exits with status 70), and the
 * disassembler says "(disassembler unavailable: ...)".  A call of one of
 * the functions below before its library was loaded loads it; if that
 * fails, mmusim prints the message and exits with status 70: never a call
 * through a null pointer.
 *
 * HOW THE CALLERS STAY THE SAME: util/lazylib.h's forwarders, functions
 * of the libraries' own names (uc_open, cs_disasm...) made from the lists
 * below.  Chosen over a table of pointers called as `unicorn.open(...)`
 * because sim/cpu.c, sim/fastpath.c and sim/disasm.c keep the libraries'
 * documented API and their headers' macros (uc_ctl_flush_tlb...),
 * untouched.  Variadic functions (uc_hook_add, uc_ctl) cannot be forwarded
 * by the macro and are written out below.
 */
#include "sim/emulator_libs.h"

#include <capstone/capstone.h>
#include <dlfcn.h>
#include <stdarg.h>
#include <unicorn/unicorn.h>

#include "util/lazylib.h"

/* Unicorn's functions that mmusim calls, forwarded by LAZYLIB_FORWARD. */
#define UNICORN_FORWARDED(X)									\
	X(uc_err, uc_open, (uc_arch arch, uc_mode mode, uc_engine **uc), (arch, mode, uc))	\
	X(uc_err, uc_close, (uc_engine *uc), (uc))						\
	X(unsigned int, uc_version, (unsigned int *major, unsigned int *minor), (major, minor))	\
	X(const char *, uc_strerror, (uc_err code), (code))					\
	X(uc_err, uc_query, (uc_engine *uc, uc_query_type type, size_t *result),		\
	  (uc, type, result))									\
	X(uc_err, uc_reg_read, (uc_engine *uc, int regid, void *value), (uc, regid, value))	\
	X(uc_err, uc_reg_write, (uc_engine *uc, int regid, const void *value),			\
	  (uc, regid, value))									\
	X(uc_err, uc_mem_map_ptr, (uc_engine *uc, uint64_t address, size_t size, uint32_t perms,	\
				   void *ptr), (uc, address, size, perms, ptr))			\
	X(uc_err, uc_mmio_map, (uc_engine *uc, uint64_t address, size_t size,			\
				uc_cb_mmio_read_t read_cb, void *user_data_read,		\
				uc_cb_mmio_write_t write_cb, void *user_data_write),		\
	  (uc, address, size, read_cb, user_data_read, write_cb, user_data_write))		\
	X(uc_err, uc_mem_protect, (uc_engine *uc, uint64_t address, size_t size, uint32_t perms),	\
	  (uc, address, size, perms))								\
	X(uc_err, uc_mem_regions, (uc_engine *uc, uc_mem_region **regions, uint32_t *count),	\
	  (uc, regions, count))									\
	X(uc_err, uc_free, (void *mem), (mem))							\
	X(uc_err, uc_emu_start, (uc_engine *uc, uint64_t begin, uint64_t until, uint64_t timeout,	\
				 size_t count), (uc, begin, until, timeout, count))		\
	X(uc_err, uc_emu_stop, (uc_engine *uc), (uc))						\
	X(uc_err, uc_hook_del, (uc_engine *uc, uc_hook hh), (uc, hh))				\
	X(uc_err, uc_context_alloc, (uc_engine *uc, uc_context **context), (uc, context))	\
	X(uc_err, uc_context_free, (uc_context *context), (context))				\
	X(uc_err, uc_context_save, (uc_engine *uc, uc_context *context), (uc, context))		\
	X(uc_err, uc_context_restore, (uc_engine *uc, uc_context *context), (uc, context))	\
	X(size_t, uc_context_size, (uc_engine *uc), (uc))					\
	X(uc_err, uc_context_reg_read, (uc_context *ctx, int regid, void *value),		\
	  (ctx, regid, value))									\
	X(uc_err, uc_context_reg_write, (uc_context *ctx, int regid, const void *value),	\
	  (ctx, regid, value))
/* And those forwarded by hand below. */
#define UNICORN_BY_HAND(X)									\
	X(uc_err, uc_hook_add, (uc_engine *uc, uc_hook *hh, int type, void *callback,		\
				void *user_data, uint64_t begin, uint64_t end, ...), ())	\
	X(uc_err, uc_ctl, (uc_engine *uc, uc_control_type control, ...), ())

#define CAPSTONE_FORWARDED(X)									\
	X(cs_err, cs_open, (cs_arch arch, cs_mode mode, csh *handle), (arch, mode, handle))	\
	X(size_t, cs_disasm, (csh handle, const uint8_t *code, size_t code_size,		\
			      uint64_t address, size_t count, cs_insn **insn),			\
	  (handle, code, code_size, address, count, insn))					\
	X(cs_err, cs_close, (csh *handle), (handle))
#define CAPSTONE_VOIDS(X)									\
	X(void, cs_free, (cs_insn *insn, size_t count), (insn, count))

#define UNICORN_SYMBOL(ret, name, params, args)	LAZYLIB_SYMBOL(unicorn, name)
#define CAPSTONE_SYMBOL(ret, name, params, args) LAZYLIB_SYMBOL(capstone, name)

static struct {
	struct lazylib lib;
	UNICORN_FORWARDED(LAZYLIB_POINTER)
	UNICORN_BY_HAND(LAZYLIB_POINTER)
} unicorn = { .lib = { UNICORN_SONAME, "Unicorn" } };

static struct {
	struct lazylib lib;
	CAPSTONE_FORWARDED(LAZYLIB_POINTER)
	CAPSTONE_VOIDS(LAZYLIB_POINTER)
} capstone = { .lib = { CAPSTONE_SONAME, "Capstone" } };

static const struct lazylib_symbol unicorn_symbols[] = {
	UNICORN_FORWARDED(UNICORN_SYMBOL)
	UNICORN_BY_HAND(UNICORN_SYMBOL)
};

static const struct lazylib_symbol capstone_symbols[] = {
	CAPSTONE_FORWARDED(CAPSTONE_SYMBOL)
	CAPSTONE_VOIDS(CAPSTONE_SYMBOL)
};

bool unicorn_load(GString *why)
{
	return lazylib_load(&unicorn.lib, unicorn_symbols, G_N_ELEMENTS(unicorn_symbols), why);
}

bool capstone_load(GString *why)
{
	return lazylib_load(&capstone.lib, capstone_symbols, G_N_ELEMENTS(capstone_symbols), why);
}

void *unicorn_symbol(const char *name)
{
	return unicorn.lib.handle ? dlsym(unicorn.lib.handle, name) : NULL;
}

#define UNICORN_FORWARD(ret, name, params, args)	LAZYLIB_FORWARD(unicorn, ret, name, params, args)
#define CAPSTONE_FORWARD(ret, name, params, args)	LAZYLIB_FORWARD(capstone, ret, name, params, args)
#define CAPSTONE_FORWARD_VOID(ret, name, params, args)					\
	LAZYLIB_FORWARD_VOID(capstone, ret, name, params, args)

UNICORN_FORWARDED(UNICORN_FORWARD)
CAPSTONE_FORWARDED(CAPSTONE_FORWARD)
CAPSTONE_VOIDS(CAPSTONE_FORWARD_VOID)

/* The variable arguments of uc_hook_add belong to UC_HOOK_INSN and
 * UC_HOOK_TCG_OPCODE, which mmusim does not use: C cannot pass them on, so
 * those two are refused. */
uc_err uc_hook_add(uc_engine *uc, uc_hook *hh, int type, void *callback, void *user_data,
		   uint64_t begin, uint64_t end, ...)
{
	if (type & (UC_HOOK_INSN | UC_HOOK_TCG_OPCODE))
		return UC_ERR_ARG;
	lazylib_need(&unicorn.lib, unicorn_load);
	return unicorn.uc_hook_add(uc, hh, type, callback, user_data, begin, end);
}

/* UC_CTL()'s type field: the control without its argument count and direction. */
#define CTL_TYPE(control)	((unsigned int)(control) & ((1u << 26) - 1))

/* uc_ctl's arguments depend on the control.  mmusim uses two, forwarded
 * here: UC_CTL_TB_FLUSH (uc_ctl_flush_tlb: none) and UC_CTL_TB_REMOVE_CACHE
 * (uc_ctl_remove_cache: two 64-bit addresses); any other is refused. */
uc_err uc_ctl(uc_engine *uc, uc_control_type control, ...)
{
	uc_err err = UC_ERR_ARG;
	uint64_t begin, end;
	va_list ap;

	lazylib_need(&unicorn.lib, unicorn_load);
	va_start(ap, control);
	if (CTL_TYPE(control) == UC_CTL_TB_FLUSH) {
		err = unicorn.uc_ctl(uc, control);
	} else if (CTL_TYPE(control) == UC_CTL_TB_REMOVE_CACHE) {
		begin = va_arg(ap, uint64_t);
		end = va_arg(ap, uint64_t);
		err = unicorn.uc_ctl(uc, control, begin, end);
	}
	va_end(ap);
	return err;
}
