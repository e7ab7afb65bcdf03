/*
 * emulator_libs: Unicorn and Capstone, loaded with dlopen when a command
 * first needs them (the contract is in emulator_libs.c).  Callers use the
 * libraries' own API (uc_open, cs_disasm...) after loading them here.
 */
#ifndef SIM_EMULATOR_LIBS_H
#define SIM_EMULATOR_LIBS_H

#include <glib.h>
#include <stdbool.h>

/* Load Unicorn (UNICORN_SONAME) and resolve every function mmusim calls,
 * once; later calls only answer.  false, with why saying which library,
 * which function and dlerror(), if it cannot. */
bool unicorn_load(GString *why);
/* The same for Capstone (CAPSTONE_SONAME). */
bool capstone_load(GString *why);
/* The loaded Unicorn library's own definition of `name` (looked up in the
 * library, not in the executable: sim/fastpath.c defines some of the same
 * names), or NULL. */
void *unicorn_symbol(const char *name);

#endif
