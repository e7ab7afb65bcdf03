/*
 * lazylib: libraries opened on demand (the contract is in lazylib.h).
 */
#include "util/lazylib.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

bool lazylib_load(struct lazylib *lib, const struct lazylib_symbol *symbols, size_t count,
		  GString *why)
{
	void *handle;

	if (lib->handle)
		return true;
	handle = dlopen(lib->soname, RTLD_LAZY | RTLD_LOCAL);
	if (!handle) {
		g_string_printf(why, "cannot load the %s library %s: %s", lib->name, lib->soname,
				dlerror());
		return false;
	}
	for (size_t i = 0; i < count; i++) {
		*symbols[i].slot = dlsym(handle, symbols[i].name);
		if (!*symbols[i].slot) {
			g_string_printf(why, "the %s library %s has no %s: %s", lib->name, lib->soname,
					symbols[i].name, dlerror());
			dlclose(handle);
			return false;
		}
	}
	lib->handle = handle;
	return true;
}

void lazylib_load_or_exit(bool (*load)(GString *why))
{
	g_autoptr(GString) why = g_string_new(NULL);

	if (load(why))
		return;
	fprintf(stderr, "mmusim: %s\n", why->str);
	exit(EX_SOFTWARE);
}
