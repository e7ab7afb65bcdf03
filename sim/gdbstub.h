/*
 * gdbstub: `mmusim run --gdb PORT`, a GDB remote serial protocol server on
 * 127.0.0.1 for gdb-multiarch (docs/gdb.md).  Every guest task is a thread
 * of one target (thread id = tid); registers are x0-x30, sp, pc and cpsr
 * (org.gnu.gdb.aarch64.core) and v0-v31, fpsr and fpcr (.fpu); memory is
 * read through the chosen thread's page tables without faulting anything
 * in; breakpoints live in mmusim (guest memory is never patched); `monitor
 * walk|vmas|tlb|stats` show the MMU.
 *
 * All-stop: while the debugger holds the guest no task runs and no clock
 * moves.  A step runs one instruction of the stepping task; the other tasks
 * run their slices meanwhile, as with gdb's default scheduler-locking off.
 * The debugger is served between two slices, from the hooks below; when it
 * goes away (detach, closed connection) the guest runs on as without it.
 */
#ifndef SIM_GDBSTUB_H
#define SIM_GDBSTUB_H

#include <glib.h>
#include <stdbool.h>

#include "sim/cpu.h"
#include "sim/machine.h"

/* Listen on 127.0.0.1:`port` (0: any free port); says on standard error
 * where it waits.  `argv`, `envp` are the run's, for `monitor stats`.
 * -errno with `error` naming --gdb and the cause. */
int gdbstub_open(int port, char *const *argv, char *const *envp, struct gdbstub **out,
		 GString *error);
/* Before `t` (loaded) runs: the first call waits for the debugger; a stop
 * the debugger must hear of is reported and the debugger served until it
 * resumes the guest.  False when the run must not go on (killed). */
bool gdbstub_before_run(struct machine *m, struct task *t);
/* After `t` ran (the engine's count was `insns_before` when it started). */
void gdbstub_after_run(struct machine *m, struct task *t, const struct cpu_exit *e,
		       uint64_t insns_before);
/* The run is over with `status`: tell a connected debugger how the program
 * ended, close and free m->gdb. */
void gdbstub_close(struct machine *m, int status);

#endif
