/*
 * sim/emulator_libs: Unicorn and Capstone are opened on demand, by an
 * explicit load or by the first call of one of their functions, and the
 * library's own definitions are found in the library, not in the program
 * (which defines functions of the same names).  Each test runs in a
 * process of its own, so each starts with neither library loaded.
 */
#include <capstone/capstone.h>
#include <criterion/criterion.h>
#include <dlfcn.h>
#include <string.h>
#include <unicorn/unicorn.h>

#include "sim/emulator_libs.h"

/* Whether `soname` is loaded in this process (RTLD_NOLOAD opens nothing). */
static bool loaded(const char *soname)
{
	void *handle = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD);

	if (handle)
		dlclose(handle);
	return handle != NULL;
}

Test(emulator_libs, nothing_loaded_at_start)
{
	cr_expect(!loaded(UNICORN_SONAME));
	cr_expect(!loaded(CAPSTONE_SONAME));
	cr_expect_null(unicorn_symbol("uc_open"), "a symbol of a library not loaded");
}

Test(emulator_libs, load_finds_the_library_definitions)
{
	g_autoptr(GString) why = g_string_new(NULL);
	void *theirs;
	Dl_info info;

	cr_assert(unicorn_load(why), "%s", why->str);
	cr_assert(unicorn_load(why), "a second load");
	cr_expect(loaded(UNICORN_SONAME));
	cr_expect(!loaded(CAPSTONE_SONAME), "Unicorn's load opens Capstone");
	theirs = unicorn_symbol("uc_version");
	cr_assert_not_null(theirs);
	cr_expect_neq(theirs, (void *)uc_version, "unicorn_symbol answers the program's forwarder");
	cr_assert(dladdr(theirs, &info));
	cr_expect(strstr(info.dli_fname, UNICORN_SONAME), "uc_version found in %s", info.dli_fname);
	/* An internal function sim/fastpath.c also defines: the library's. */
	cr_assert(dladdr(unicorn_symbol("tlb_set_page_with_attrs_aarch64"), &info));
	cr_expect(strstr(info.dli_fname, UNICORN_SONAME), "found in %s", info.dli_fname);
}

/* Debian's libunicorn2 is 2.0.1: major 2, minor 0 (UC_API_MAJOR, UC_API_MINOR). */
Test(emulator_libs, a_first_call_loads_unicorn)
{
	unsigned int major = 0, minor = 99;

	uc_version(&major, &minor);
	cr_expect_eq(major, 2);
	cr_expect_eq(minor, 0);
	cr_expect(loaded(UNICORN_SONAME));
}

/* 0xd65f03c0 is `ret` (Arm ARM, RET: 1101011 0010 11111 000000 Rn=30 00000). */
Test(emulator_libs, a_first_call_loads_capstone)
{
	static const uint8_t ret[] = { 0xc0, 0x03, 0x5f, 0xd6 };
	csh handle;
	cs_insn *insn;

	cr_assert_eq(cs_open(CS_ARCH_ARM64, CS_MODE_ARM, &handle), CS_ERR_OK);
	cr_expect(loaded(CAPSTONE_SONAME));
	cr_assert_eq(cs_disasm(handle, ret, sizeof(ret), 0x400000, 1, &insn), 1);
	cr_expect_str_eq(insn->mnemonic, "ret");
	cr_expect_eq(insn->address, 0x400000);
	cs_free(insn, 1);
	cr_expect_eq(cs_close(&handle), CS_ERR_OK);
	cr_expect(!loaded(UNICORN_SONAME), "Capstone's load opens Unicorn");
}

/* uc_ctl forwards the two controls mmusim uses and refuses the others (C
 * cannot pass on variable arguments it does not know): turning exits off,
 * which the library accepts, is refused.  (Not a UC_CTL_READ control: that
 * macro shifts 2 into an int's sign bit.) */
Test(emulator_libs, uc_ctl_forwards_what_mmusim_uses)
{
	uc_engine *uc;

	cr_assert_eq(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc), UC_ERR_OK);
	cr_expect_eq(uc_ctl_flush_tlb(uc), UC_ERR_OK);
	cr_expect_eq(uc_ctl_remove_cache(uc, UINT64_C(0x1000), UINT64_C(0x2000)), UC_ERR_OK);
	cr_expect_eq(uc_ctl_exits_disable(uc), UC_ERR_ARG);
	cr_expect_eq(uc_close(uc), UC_ERR_OK);
}
