/*
 * json_lib: json-glib (and GObject, which it needs) loaded with dlopen the
 * first time mmusim reads or writes JSON, not linked (the contract is in
 * json_lib.c and util/lazylib.h).  Callers use json-glib's own API.
 */
#ifndef REPORT_JSON_LIB_H
#define REPORT_JSON_LIB_H

#include <glib.h>
#include <stdbool.h>

/* Load json-glib (JSON_GLIB_SONAME) and resolve every function mmusim
 * calls, once; false, with why saying which library, which function and
 * dlerror(), if it cannot. */
bool json_glib_load(GString *why);

#endif
