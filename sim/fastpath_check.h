/*
 * fastpath_check: the start-up self-test of the store fast path
 * (sim/fastpath.c).  Translated code must behave as on a CPU that never
 * caches it wrongly:
 *  - a store into a page holding translated code, through the page's own
 *    mapping, changes what runs there next;
 *  - so does a store through a second virtual alias of the frame, whether
 *    the alias was used before the code was translated or only after;
 *  - code written into a recycled frame (one that held translated code,
 *    was invalidated, then used for data) runs as new, at a new address.
 * With the fast path on it also checks that the fast path took part: it saw
 * the library report the code page (at the physical address mmusim gave it)
 * and left writable entries without the slow-path mark.  And the loads and
 * stores the fast path makes without the library's helpers: the data
 * accesses of a known driver must each reach a watch once, as the library's
 * memory hook would report them, and read and write what the guest would.
 */
#ifndef SIM_FASTPATH_CHECK_H
#define SIM_FASTPATH_CHECK_H

#include <glib.h>

#include "sim/cpu.h"

/* Run the cases on `cpu` (whose RAM is `phys`) in a throw-away address
 * space: 0, or -EIO with the case that failed in `why`. */
int fastpath_check_cases(struct cpu *cpu, struct phys *phys, GString *why);

/* The data access check (after the cases in the self-test): known loads and
 * stores, aligned and not, into data and into translated code, each reported
 * once to a watch on `cpu`'s data accesses (cpu_watch_data: `cpu` must have
 * none yet) as the library's memory hook reports it, and reading and writing
 * what the guest would.  0, or -EIO with what went wrong in `why`. */
int fastpath_check_accesses(struct cpu *cpu, struct phys *phys, GString *why);

/* On a throw-away CPU of its own, with the fast path on: the cases, and
 * whether the fast path took part.  0 when the fast path may be used. */
int fastpath_self_test(GString *why);

#endif
