/*
 * fastpath: lets Debian's Unicorn 2.0.1 store to RAM on its fast path.
 *
 * That build stubs out QEMU's dirty-memory tracking, so every writable RAM
 * entry of QEMU's TLB is marked "not dirty" and every guest store to RAM
 * takes the library's slow path (notdirty_write: a GLib tree allocated and
 * freed per store, a look for translated code to invalidate).  The fast path
 * keeps that mark only on entries whose 1 KiB page holds translated code, by
 * tracking which pages do.  And while a memory hook is set (--tlb exact), it
 * makes plain loads and stores itself instead of the library's hooked
 * helpers, doing the hook's work directly (fastpath_watch_data).  What it
 * relies on, exactly, is in sim/fastpath.c.
 *
 * It is off until fastpath_attach() succeeds for an engine (exact library
 * version, every internal symbol found in the library).  Whoever attaches it
 * must then prove it with a self-test (sim/fastpath_check.c) and detach it
 * if that fails.  Only sim/cpu.c calls these.
 */
#ifndef SIM_FASTPATH_H
#define SIM_FASTPATH_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Unicorn's engine (uc_engine), named without its header. */
struct uc_struct;
struct tlb;
struct trace_log;

/* What the fast path has done for one engine (read by the self-test). */
struct fastpath_stats {
	uint64_t cleaned;	/* new writable TLB entries left without the slow-path mark */
	uint64_t protected;	/* pages the library reported gaining translated code */
	uint64_t unprotected;	/* pages the library reported losing all their code */
	uint64_t regions_found;	/* region look-ups answered from the engine's table */
	uint64_t direct;	/* guest loads and stores made without the library's helper */
	bool tlb_read;		/* their host addresses are read from QEMU's TLB where it has them */
};

/* Take over the slow-path mark for `uc`, whose RAM is [0, ram_size) of
 * physical memory backed by `ram`.  -ENOTSUP with the reason in `why` when
 * the library is not the one this was written for. */
int fastpath_attach(struct uc_struct *uc, void *ram, uint64_t ram_size, GString *why);
void fastpath_detach(struct uc_struct *uc);
bool fastpath_attached(struct uc_struct *uc);

/* Bracket every uc_emu_start() of an attached engine: the library hands its
 * TLB fills a CPU, not an engine, so the fills are tied to the engine that
 * runs now. */
void fastpath_enter(struct uc_struct *uc);
void fastpath_leave(void);

/* The work of the engine's one memory hook (UC_HOOK_MEM_READ | _WRITE), which
 * the fast path does itself for the accesses it makes without the library's
 * helper.  False if `uc` has no fast path. */
typedef void (*fastpath_watch_fn)(void *data, uint64_t addr, unsigned size, bool write);
bool fastpath_watch_data(struct uc_struct *uc, fastpath_watch_fn fn, void *data);
/* The model's TLB, for the next run: before calling the watch for an access
 * it makes itself, the fast path tries the recent L1 data entry of `tlb` for
 * `asid` (tlb_hit_recent, which counts and ages the hit as the watch would),
 * and calls the watch only when that misses.  NULL: always the watch.
 * Kept only while a watch is set and told (not under the test-only fault
 * "watch").  With `log` (--record: the writer's access log, traces/trace.h),
 * each such hit's record is put in it, as the watch would have written it. */
void fastpath_watch_tlb(struct uc_struct *uc, struct tlb *tlb, uint16_t asid,
			struct trace_log *log);

/* Whether the library has told the fast path that the 1 KiB page of `pa`
 * holds translated code. */
bool fastpath_page_has_code(struct uc_struct *uc, uint64_t pa);
struct fastpath_stats fastpath_stats(struct uc_struct *uc);

#endif
