/*
 * lazylib: a shared library that mmusim opens with dlopen the first time it
 * needs it, instead of linking it.
 *
 * WHY: the dynamic loader maps and relocates every linked library at every
 * start, used or not, and runs its constructors (GObject's type system
 * among them).  A command that never uses a library must not pay for it.
 *
 * HOW A USER WRITES ONE (sim/emulator_libs.c, report/json_lib.c): it lists
 * the library's functions that mmusim calls in an X-macro,
 * X(return type, name, (parameters), (arguments)), and makes from it a
 * struct of pointers (LAZYLIB_POINTER), the dlsym table (LAZYLIB_SYMBOL)
 * and, for each, a forwarder of the library's own name (LAZYLIB_FORWARD,
 * LAZYLIB_FORWARD_VOID for functions returning void).  The callers keep the
 * library's documented API and its header; each forwarder is compiled
 * against the header's prototype, so one that disagrees with the library
 * does not build.  The executable does not export the forwarders (it
 * exports only sim/fastpath.sym), so the library's own calls of its API
 * stay inside it.
 *
 * A forwarder called before its library was loaded loads it; if that
 * fails, mmusim prints why (the library, the function, dlerror()) and exits
 * with status 70 (EX_SOFTWARE): never a call through a null pointer.  A
 * library, once loaded, stays for the life of the process.
 */
#ifndef UTIL_LAZYLIB_H
#define UTIL_LAZYLIB_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* A library's file (its soname, from configure), what to call it in
 * messages, and its handle once loaded. */
struct lazylib {
	const char *soname;
	const char *name;
	void *handle;
};

/* A function to resolve and where its pointer goes. */
struct lazylib_symbol {
	const char *name;
	void **slot;
};

/* Open `lib` (RTLD_LAZY | RTLD_LOCAL) and fill every slot of `symbols`,
 * once; later calls only answer.  false, with `why` naming the library,
 * the function and dlerror(), if it cannot. */
bool lazylib_load(struct lazylib *lib, const struct lazylib_symbol *symbols, size_t count,
		  GString *why);

/* Load a library with `load`, or stop mmusim with status 70 and the
 * message: there is nothing to call. */
void lazylib_load_or_exit(bool (*load)(GString *why));

/* What a forwarder does first: `lib` loaded by `load` if it is not yet. */
static inline void lazylib_need(const struct lazylib *lib, bool (*load)(GString *why))
{
	if (!lib->handle)
		lazylib_load_or_exit(load);
}

/* The X-macro's expansions, for a library whose struct (the `lib` member
 * and the pointers) is `api` and whose load function is api##_load. */
#define LAZYLIB_POINTER(ret, name, params, args)	ret (*name) params;
#define LAZYLIB_SYMBOL(api, name)			{ #name, (void **)&api.name },
#define LAZYLIB_FORWARD(api, ret, name, params, args)	\
	ret name params					\
	{						\
		lazylib_need(&api.lib, api##_load);	\
		return api.name args;			\
	}
#define LAZYLIB_FORWARD_VOID(api, ret, name, params, args)	\
	void name params					\
	{							\
		lazylib_need(&api.lib, api##_load);		\
		api.name args;					\
	}

#endif
