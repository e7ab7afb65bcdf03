/*
 * fastpath: the one place where mmusim relies on Unicorn's internals.
 *
 * WHAT IT RELIES ON (Debian's libunicorn2 2.0.1.post1, uc_version 2.0.1.255,
 * AArch64 target; every item is checked at start-up or by the self-test):
 *
 *  1. The library exports its internal functions with default visibility and
 *     calls these through its PLT, so a definition of the same name that
 *     the executable exports takes their place (ELF symbol interposition:
 *     the library, loaded with dlopen by sim/emulator_libs.c, binds its
 *     relocations to the global scope's definitions first; sim/fastpath.sym
 *     lists the names the executable exports, checked at attach), and
 *     dlsym of the library's handle (unicorn_symbol) finds the library's own:
 *       tlb_set_page_with_attrs_aarch64(CPUState *cpu, u64 vaddr, u64 paddr,
 *           MemTxAttrs attrs (a 32-bit bit-field struct), int prot,
 *           int mmu_idx, u64 size) - installs one TLB entry;
 *       tlb_protect_code_aarch64(uc_engine *uc, u64 ram_addr) - called when
 *           the first translated block is added to the page of ram_addr;
 *       tlb_unprotect_code_aarch64(uc_engine *uc, u64 ram_addr) - called
 *           when the last translated block of that page is invalidated.
 *     And these two are exported and callable:
 *       tlb_set_dirty_aarch64(CPUState *cpu, u64 vaddr) - drops the
 *           "not dirty" mark (TLB_NOTDIRTY) from the entries of vaddr's page
 *           (every MMU index, victim entries too) whose write address is
 *           exactly the page with that mark alone;
 *       tlb_reset_dirty_aarch64(CPUState *cpu, u64 host, u64 length) - puts
 *           the mark back on every plain writable RAM entry whose host
 *           address lies in [host, host + length).
 *  2. The library's dirty tracking is stubbed: every writable RAM entry gets
 *     the mark when installed, a store through a marked entry looks for
 *     translated code on its page and invalidates it (notdirty_write), and a
 *     store through an unmarked entry writes RAM directly.
 *     tlb_protect_code does nothing in this build (its dirty bitmap is
 *     stubbed), so entries made before a page gained code keep no mark:
 *     the fast path must put it back itself.
 *  3. The library's ram_addr of a physical address is the address itself:
 *     mmusim maps its one RAM region first, at physical address 0 (the
 *     self-test checks that the page it runs code from is the page the
 *     library reports).  The library's page is uc_query(UC_QUERY_PAGE_SIZE) bytes
 *     (1 KiB here).
 *       memory_mapping(uc_engine *uc, u64 address) - the library's region
 *           look-up, called through the PLT on every guest load and store
 *           that takes its slow path (every one while a memory hook is
 *           set), with the access's virtual address; it answers the
 *           region (a MemoryRegion pointer) whose [begin, end] holds the
 *           address, or NULL.  It checks one cached region first but never
 *           updates the cache, so every address outside the first region
 *           takes a binary search.
 *  4. Entries of one virtual page in the other MMU indexes of the EL1&0
 *     regime translate through the same tables, and mmusim flushes QEMU's
 *     whole TLB whenever a valid translation changes: so dropping the mark
 *     for vaddr in every index never unmarks a page holding code.
 *  5. The translated code's loads and stores that leave its inline TLB check
 *     (every one while a memory hook is set) call these exported helpers
 *     through relocations against their names (the code generator's table
 *     of helpers, and the PLT of the library's own callers), so ours take
 *     their place:
 *       u64 helper_ret_ldub_mmu_aarch64 / helper_le_ld{uw,ul,q}_mmu_aarch64
 *           (CPUArchState *env, u64 addr, u32 oi, uintptr_t retaddr);
 *       void helper_ret_stb_mmu_aarch64 / helper_le_st{w,l,q}_mmu_aarch64
 *           (env, u64 addr, u8/u16/u32/u64 value, u32 oi, uintptr_t retaddr);
 *       void cpu_st{b,w,l,q}_mmuidx_ra_aarch64(env, u64 addr, u32/u64 value,
 *           int mmu_idx, uintptr_t retaddr) - the library's other way into
 *           its store helper.
 *     oi is (memop << 4 | mmu_idx); memop bits 0x70 ask for alignment.  The
 *     library's helper for an access calls the region look-up (a NULL
 *     answer: the access is unmapped), then each UC_HOOK_MEM_READ hook
 *     (loads) or, first of all and unless it is inside one of its own
 *     stores, each UC_HOOK_MEM_WRITE hook (stores), with the access's
 *     virtual address and size, then looks the page up in QEMU's TLB
 *     (filling it, or raising the guest's fault), and for a page entry with
 *     no flag makes a plain host access at the entry's host address.  It
 *     splits an unaligned store that crosses a library page, or meets a
 *     flagged entry, into byte stores through helper_ret_stb_mmu_aarch64
 *     (PLT), which then call no hook.  And this one is exported and callable:
 *       void *tlb_vaddr_to_host_aarch64(env, u64 addr, int access_type
 *           (0 load, 1 store), int mmu_idx) - the host address of addr if
 *           QEMU's TLB has (or, after a fill that raises no fault, gets) a
 *           page entry for it with no flag, else NULL; it calls no hook.
 *  6. QEMU's TLB (QEMU 5.0's cputlb, which tlb_vaddr_to_host reads first):
 *     for each MMU index a CPUTLBDescFast { uintptr_t mask; CPUTLBEntry
 *     *table; } lies at env - 0xd0 + 16 * mmu_idx (in the CPU's
 *     negative-offset state, just before env), and a CPUTLBEntry is 32
 *     bytes { u64 addr_read, addr_write, addr_code; uintptr_t addend }.
 *     The entry of addr is table[(addr >> page bits) & (mask >> 5)]; when
 *     its word for the access (addr_read for a load, addr_write for a
 *     store) equals addr's page address (no flag bit, not invalid), the
 *     access is a plain RAM access at host address addr + addend: what
 *     tlb_vaddr_to_host answers without a fill.  Anything else is asked of
 *     tlb_vaddr_to_host.  The layout is checked, per engine, against the
 *     library's own answer for its first plain access (check_tlb_layout),
 *     which also requires the library's page to be 1 KiB (the fast path
 *     indexes the table with that shift, a constant); until that check
 *     passes, or if it fails, every look-up goes to the library.
 *
 * THE FAST PATH: a bitmap, per engine, of the library pages that hold
 * translated code, set by tlb_protect_code (which also re-marks every entry
 * already pointing at the page, through any virtual alias) and cleared by
 * tlb_unprotect_code.  A new writable RAM entry for a page without code
 * loses its mark.  A stale set bit costs only speed: a full flush of
 * translated code leaves bits set until the first store to the page finds
 * no code there, when the library unprotects it.
 *
 * THE REGION LOOK-UP: at attach the fast path notes the engine's regions
 * (uc_mem_regions) and the library's answer for each; while the engine
 * runs, memory_mapping answers from that table and forwards any other
 * address to the library.  So whoever attaches must map every region
 * first and never map or unmap one afterwards (sim/cpu.c maps its two at
 * creation).
 *
 * THE DIRECT LOADS AND STORES: our helpers make a little-endian load or
 * store themselves when the library would make it as a plain host access:
 * the access is aligned to its size (so it stays in one page), asks for no
 * alignment, lies in the engine's regions (one span, readable and
 * writable), is not one of the library's byte stores, and QEMU's TLB
 * (item 6) or else tlb_vaddr_to_host gives a host address.  They then do
 * what the memory hook would have done for it (the watch, fastpath_watch_data:
 * the work of mmusim's one UC_HOOK_MEM_READ | _WRITE hook, so the engine
 * must have no other; with fastpath_watch_tlb, the model's recent L1 hit
 * first, inline, and when recording the access's record put in the trace
 * writer's access log, by one tail call: the writer writes the log before
 * any other record reaches it, so the trace is what the watch would have
 * written, traces/trace.h) and make the access.  Every other access goes, whole, to the
 * library's own helper, which calls the hook itself.  So the watch is told
 * each access once, as the hook would be; only the order between that and
 * QEMU's own TLB fill changes, and neither depends on the other (the watch
 * reads mmusim's tables, QEMU's walk reads the guest's).  Our store helpers
 * mark the stores they hand to the library (store_forwarded), so the byte
 * stores the library makes of them come back through ours and go to the
 * library too; a guest fault that leaves one of those early keeps the mark
 * until the next run, which only costs speed.
 *
 * TEST-ONLY FAULTS (tests/integration/test_fastpath.c): the environment
 * variable MMUSIM_FASTPATH_FAULT=version makes the version check fail as
 * for another library; =remark makes attached engines skip the re-marking
 * of entries when a page gains code, and =watch makes the direct loads and
 * stores skip the watch: broken fast paths the self-test must catch.
 * Either way mmusim must fall back to the plain path with one warning.
 *
 * When no engine is attached (--no-fastpath, a failed check) the
 * definitions below only forward to the library's.
 */
#include "sim/fastpath.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>
#include <unicorn/unicorn.h>

#include "mmu/tlb.h"
#include "sim/emulator_libs.h"
#include "traces/trace.h"

#define LIBRARY_VERSION	UINT32_C(0x020001ff)	/* 2.0.1, extra 255 */
#define QEMU_PAGE_WRITE	0x2
#define BITS_PER_LONG	(8 * sizeof(unsigned long))
#define MAX_REGIONS	4
/* Item 6: QEMU's TLB. */
#define QEMU_TLB_FAST_OFFSET	(-0xd0)		/* env to MMU index 0's CPUTLBDescFast */
#define QEMU_TLB_ENTRY_BITS	5		/* a CPUTLBEntry is 32 bytes */
#define QEMU_TLB_ENTRY_WORDS	4
#define QEMU_TLB_ADDEND		3		/* after addr_read, addr_write, addr_code */
#define QEMU_TLB_MAX_BITS	22		/* QEMU's largest dynamic TLB */
#define QEMU_PAGE_SHIFT		10		/* the library page the TLB is read for */

typedef void (*set_page_fn)(void *cpu, uint64_t vaddr, uint64_t paddr, uint32_t attrs, int prot,
			    int mmu_idx, uint64_t size);
typedef void (*code_page_fn)(uc_engine *uc, uint64_t ram_addr);
typedef void (*set_dirty_fn)(void *cpu, uint64_t vaddr);
typedef void (*reset_dirty_fn)(void *cpu, uint64_t host, uint64_t length);
typedef void *(*mapping_fn)(uc_engine *uc, uint64_t address);
typedef uint64_t (*load_fn)(void *env, uint64_t addr, uint32_t oi, uintptr_t ra);
typedef void (*store_fn)(void *env, uint64_t addr, uint64_t val, uint32_t oi, uintptr_t ra);
typedef void (*store_idx_fn)(void *env, uint64_t addr, uint64_t val, int mmu_idx, uintptr_t ra);
typedef void *(*to_host_fn)(void *env, uint64_t addr, int access_type, int mmu_idx);

static struct {
	set_page_fn set_page;
	code_page_fn protect, unprotect;
	set_dirty_fn set_dirty;
	reset_dirty_fn reset_dirty;
	mapping_fn mapping;
	load_fn load[4];		/* by log2 of the size */
	store_fn store[4];
	store_idx_fn store_idx[4];
	to_host_fn to_host;
} lib;

struct qemu_tlb_fast;

/* One region of an engine, as the library answers for it. */
struct region {
	uint64_t begin, last;	/* inclusive, as uc_mem_region */
	void *mr;
};

struct engine {
	uc_engine *uc;
	uint8_t *ram;
	uint64_t ram_size;
	unsigned page_shift;	/* the library's page */
	unsigned long *code;	/* bit per library page: holds translated code */
	void *qemu_cpu;		/* the library's CPU, learnt from its first TLB fill */
	bool no_remark;		/* the test-only fault "remark" */
	struct region regions[MAX_REGIONS];
	uint64_t span_begin, span_last;	/* the regions' union, when it is one span */
	bool direct;		/* plain RAM accesses may skip the library's helpers */
	uint64_t span_size;	/* bytes of that span if direct, else 0 */
	bool no_watch;		/* the test-only fault "watch" */
	const void *tlb_env;	/* the CPU whose QEMU TLB the fast path reads (item 6) */
	uint32_t tlb_oi;	/* at that MMU index: a plain access's oi & OI_PLAIN_MASK */
	const struct qemu_tlb_fast *tlb_fast;	/* that index's fast TLB */
	bool tlb_unknown;	/* the layout check failed: always ask the library */
	uint64_t page_mask;	/* of the library's page */
	fastpath_watch_fn watch;	/* the memory hook's work, NULL without a hook */
	void *watch_data;
	struct tlb *tlb;		/* the model's TLB in front of the watch, or NULL */
	uint16_t asid;			/* the run's ASID in it */
	struct trace_log *log;		/* --record: where its hits are recorded, or NULL */
	unsigned nr_regions;
	struct fastpath_stats stats;
};

static GSList *engines;
/* The engine running, or idle_engine (no regions, no TLB, no watch: every
 * access goes to the library), so the helpers need not test for none. */
static struct engine idle_engine;
static struct engine *running = &idle_engine;
/* A store is inside the library's own helper: the byte stores it makes of
 * an unaligned one come back through ours and must go to the library too. */
static bool store_forwarded;

/* The load/store helpers of item 5, by log2 of the access size. */
static const char *const load_names[4] = {
	"helper_ret_ldub_mmu_aarch64", "helper_le_lduw_mmu_aarch64",
	"helper_le_ldul_mmu_aarch64", "helper_le_ldq_mmu_aarch64",
};
static const char *const store_names[4] = {
	"helper_ret_stb_mmu_aarch64", "helper_le_stw_mmu_aarch64",
	"helper_le_stl_mmu_aarch64", "helper_le_stq_mmu_aarch64",
};
static const char *const store_idx_names[4] = {
	"cpu_stb_mmuidx_ra_aarch64", "cpu_stw_mmuidx_ra_aarch64",
	"cpu_stl_mmuidx_ra_aarch64", "cpu_stq_mmuidx_ra_aarch64",
};

/* The names defined here in the library's place (sim/fastpath.sym), besides
 * those of the load/store helpers. */
static const char *const own_names[] = {
	"tlb_set_page_with_attrs_aarch64", "tlb_protect_code_aarch64",
	"tlb_unprotect_code_aarch64", "memory_mapping",
};

/* The first of our definitions the library would not bind to, because the
 * executable does not export it (the global scope has none, or another
 * object's), or NULL. */
static const char *unexported_name(void)
{
	const char *const *lists[] = { own_names, load_names, store_names, store_idx_names };
	const size_t lengths[] = { G_N_ELEMENTS(own_names), G_N_ELEMENTS(load_names),
				  G_N_ELEMENTS(store_names), G_N_ELEMENTS(store_idx_names) };
	Dl_info self, found;
	void *sym;

	if (!dladdr((void *)unexported_name, &self))
		return own_names[0];
	for (size_t l = 0; l < G_N_ELEMENTS(lists); l++) {
		for (size_t i = 0; i < lengths[l]; i++) {
			sym = dlsym(RTLD_DEFAULT, lists[l][i]);
			if (!sym || !dladdr(sym, &found) || found.dli_fbase != self.dli_fbase)
				return lists[l][i];
		}
	}
	return NULL;
}

/* The library's own definitions, found once; false if any is missing. */
static bool resolve_library(void)
{
	if (!lib.set_page) {
		lib.set_page = (set_page_fn)unicorn_symbol("tlb_set_page_with_attrs_aarch64");
		lib.protect = (code_page_fn)unicorn_symbol("tlb_protect_code_aarch64");
		lib.unprotect = (code_page_fn)unicorn_symbol("tlb_unprotect_code_aarch64");
		lib.set_dirty = (set_dirty_fn)unicorn_symbol("tlb_set_dirty_aarch64");
		lib.reset_dirty = (reset_dirty_fn)unicorn_symbol("tlb_reset_dirty_aarch64");
		lib.mapping = (mapping_fn)unicorn_symbol("memory_mapping");
		for (int i = 0; i < 4; i++) {
			lib.load[i] = (load_fn)unicorn_symbol(load_names[i]);
			lib.store[i] = (store_fn)unicorn_symbol(store_names[i]);
			lib.store_idx[i] = (store_idx_fn)unicorn_symbol(store_idx_names[i]);
		}
		lib.to_host = (to_host_fn)unicorn_symbol("tlb_vaddr_to_host_aarch64");
	}
	for (int i = 0; i < 4; i++)
		if (!lib.load[i] || !lib.store[i] || !lib.store_idx[i])
			return false;
	return lib.set_page && lib.protect && lib.unprotect && lib.set_dirty && lib.reset_dirty &&
	       lib.mapping && lib.to_host;
}

/* Forwarding needs the library's definition; without it nothing can run. */
static void need_library(void *fn, const char *name)
{
	if (!fn && !resolve_library())
		g_error("fastpath: cannot find %s in the Unicorn library", name);
}

static struct engine *find_engine(uc_engine *uc)
{
	for (GSList *l = engines; l; l = l->next)
		if (((struct engine *)l->data)->uc == uc)
			return l->data;
	return NULL;
}

static bool test_code(const struct engine *e, uint64_t page)
{
	return e->code[page / BITS_PER_LONG] >> (page % BITS_PER_LONG) & 1;
}

static void set_code(struct engine *e, uint64_t page, bool on)
{
	unsigned long bit = 1UL << (page % BITS_PER_LONG);

	if (on)
		e->code[page / BITS_PER_LONG] |= bit;
	else
		e->code[page / BITS_PER_LONG] &= ~bit;
}

/* Plain accesses skip the library's helpers only where its region look-up
 * would answer a region that lets them read and write: so the regions must
 * form one span, every one of them readable and writable. */
static void note_span(struct engine *e, const uc_mem_region *r, bool first)
{
	bool rw = (r->perms & (UC_PROT_READ | UC_PROT_WRITE)) == (UC_PROT_READ | UC_PROT_WRITE);

	if (first) {
		e->span_begin = r->begin;
		e->direct = rw;
	} else if (r->begin != e->span_last + 1) {
		e->direct = false;
	}
	e->direct = e->direct && rw;
	e->span_last = r->end;
}

/* Note the engine's regions and the library's answer for each. */
static int note_regions(struct engine *e, GString *why)
{
	uc_mem_region *regions = NULL;
	uint32_t count = 0;
	int err = 0;

	if (uc_mem_regions(e->uc, &regions, &count) || count > MAX_REGIONS) {
		g_string_printf(why, "cannot list the Unicorn engine's regions (%u of them)", count);
		uc_free(regions);
		return -ENOTSUP;
	}
	for (uint32_t i = 0; i < count && !err; i++) {
		struct region *r = &e->regions[i];

		*r = (struct region){ regions[i].begin, regions[i].end,
				      lib.mapping(e->uc, regions[i].begin) };
		if (!r->mr || lib.mapping(e->uc, r->last) != r->mr) {
			g_string_printf(why, "the Unicorn library's region look-up does not find its "
					"region [%#" PRIx64 ", %#" PRIx64 "]", r->begin, r->last);
			err = -ENOTSUP;
		}
		note_span(e, &regions[i], i == 0);
	}
	e->nr_regions = count;
	e->span_size = e->direct ? e->span_last - e->span_begin + 1 : 0;
	uc_free(regions);
	return err;
}

/* Whether the test-only fault `name` is asked for (see the top comment). */
static bool injected_fault(const char *name)
{
	return g_strcmp0(g_getenv("MMUSIM_FASTPATH_FAULT"), name) == 0;
}

int fastpath_attach(uc_engine *uc, void *ram, uint64_t ram_size, GString *why)
{
	size_t page_size = 0;
	uint64_t pages;
	struct engine *e;
	const char *name;
	Dl_info library, theirs;

	if (injected_fault("version")) {
		g_string_printf(why, "the Unicorn library's version check failed "
				"(MMUSIM_FASTPATH_FAULT=version, a test-only fault)");
		return -ENOTSUP;
	}
	if (uc_version(NULL, NULL) != LIBRARY_VERSION) {
		g_string_printf(why, "the Unicorn library is version %#x, the fast path knows only "
				"2.0.1 (%#x)", uc_version(NULL, NULL), LIBRARY_VERSION);
		return -ENOTSUP;
	}
	if (!resolve_library()) {
		g_string_printf(why, "the Unicorn library does not export the TLB functions the fast "
				"path needs");
		return -ENOTSUP;
	}
	/* Every one of them must be the library's, not some other object's. */
	if (!dladdr(unicorn_symbol("uc_version"), &library) ||
	    !dladdr((void *)lib.set_page, &theirs) || library.dli_fbase != theirs.dli_fbase) {
		g_string_printf(why, "tlb_set_page_with_attrs_aarch64 is not the Unicorn library's");
		return -ENOTSUP;
	}
	if ((name = unexported_name())) {
		g_string_printf(why, "the executable does not export %s, so the Unicorn library does "
				"not call ours (link with -Wl,--dynamic-list=sim/fastpath.sym)", name);
		return -ENOTSUP;
	}
	/* (uc_query, not the uc_ctl macro: that one shifts 2 into an int's sign bit) */
	if (uc_query(uc, UC_QUERY_PAGE_SIZE, &page_size) || !page_size || (page_size & (page_size - 1))) {
		g_string_printf(why, "cannot read the Unicorn engine's page size");
		return -ENOTSUP;
	}
	e = g_new0(struct engine, 1);
	e->uc = uc;
	e->ram = ram;
	e->ram_size = ram_size;
	e->page_shift = (unsigned)__builtin_ctzll(page_size);
	e->page_mask = ~(uint64_t)(page_size - 1);
	e->no_remark = injected_fault("remark");
	e->no_watch = injected_fault("watch");
	pages = ram_size >> e->page_shift;
	e->code = g_new0(unsigned long, pages / BITS_PER_LONG + 1);
	if (note_regions(e, why)) {
		g_free(e->code);
		g_free(e);
		return -ENOTSUP;
	}
	engines = g_slist_prepend(engines, e);
	return 0;
}

void fastpath_detach(uc_engine *uc)
{
	struct engine *e = find_engine(uc);

	if (!e)
		return;
	if (running == e)
		running = &idle_engine;
	engines = g_slist_remove(engines, e);
	g_free(e->code);
	g_free(e);
}

bool fastpath_attached(uc_engine *uc)
{
	return find_engine(uc) != NULL;
}

void fastpath_enter(uc_engine *uc)
{
	struct engine *e = find_engine(uc);

	running = e ? e : &idle_engine;
	store_forwarded = false;
}

bool fastpath_watch_data(uc_engine *uc, fastpath_watch_fn fn, void *data)
{
	struct engine *e = find_engine(uc);

	if (e) {
		e->watch = fn;
		e->watch_data = data;
	}
	return e != NULL;
}

void fastpath_watch_tlb(uc_engine *uc, struct tlb *tlb, uint16_t asid, struct trace_log *log)
{
	struct engine *e = find_engine(uc);

	if (e) {
		e->tlb = e->watch && !e->no_watch ? tlb : NULL;
		e->asid = asid;
		e->log = e->tlb ? log : NULL;
	}
}

void fastpath_leave(void)
{
	running = &idle_engine;
}

bool fastpath_page_has_code(uc_engine *uc, uint64_t pa)
{
	struct engine *e = find_engine(uc);

	return e && pa < e->ram_size && test_code(e, pa >> e->page_shift);
}

struct fastpath_stats fastpath_stats(uc_engine *uc)
{
	struct engine *e = find_engine(uc);

	return e ? e->stats : (struct fastpath_stats){ 0 };
}

/* ------------------------------------------- the library's functions, ours */

void tlb_set_page_with_attrs_aarch64(void *cpu, uint64_t vaddr, uint64_t paddr, uint32_t attrs,
				     int prot, int mmu_idx, uint64_t size);
void tlb_protect_code_aarch64(uc_engine *uc, uint64_t ram_addr);
void tlb_unprotect_code_aarch64(uc_engine *uc, uint64_t ram_addr);
void *memory_mapping(uc_engine *uc, uint64_t address);

void tlb_set_page_with_attrs_aarch64(void *cpu, uint64_t vaddr, uint64_t paddr, uint32_t attrs,
				     int prot, int mmu_idx, uint64_t size)
{
	struct engine *e = running;

	need_library((void *)lib.set_page, "tlb_set_page_with_attrs_aarch64");
	lib.set_page(cpu, vaddr, paddr, attrs, prot, mmu_idx, size);
	/* (idle_engine's RAM is empty) */
	if (!(prot & QEMU_PAGE_WRITE) || paddr >= e->ram_size)
		return;
	if (!e->qemu_cpu)
		e->qemu_cpu = cpu;
	if (e->qemu_cpu != cpu || test_code(e, paddr >> e->page_shift))
		return;
	lib.set_dirty(cpu, vaddr);
	e->stats.cleaned++;
}

void tlb_protect_code_aarch64(uc_engine *uc, uint64_t ram_addr)
{
	struct engine *e = find_engine(uc);
	uint64_t page_size, start;

	need_library((void *)lib.protect, "tlb_protect_code_aarch64");
	lib.protect(uc, ram_addr);
	if (!e || ram_addr >= e->ram_size)
		return;
	page_size = UINT64_C(1) << e->page_shift;
	start = ram_addr & ~(page_size - 1);
	set_code(e, ram_addr >> e->page_shift, true);
	e->stats.protected++;
	/* Entries made while the page had no code, through any alias. */
	if (e->qemu_cpu && !e->no_remark)
		lib.reset_dirty(e->qemu_cpu, (uint64_t)(uintptr_t)(e->ram + start), page_size);
}

void tlb_unprotect_code_aarch64(uc_engine *uc, uint64_t ram_addr)
{
	struct engine *e = find_engine(uc);

	need_library((void *)lib.unprotect, "tlb_unprotect_code_aarch64");
	lib.unprotect(uc, ram_addr);
	if (!e || ram_addr >= e->ram_size)
		return;
	set_code(e, ram_addr >> e->page_shift, false);
	e->stats.unprotected++;
}

void *memory_mapping(uc_engine *uc, uint64_t address)
{
	struct engine *e = running;

	if (e->uc == uc) {
		for (unsigned i = 0; i < e->nr_regions; i++) {
			const struct region *r = &e->regions[i];

			if (address - r->begin <= r->last - r->begin) {
				e->stats.regions_found++;
				return r->mr;
			}
		}
	}
	need_library((void *)lib.mapping, "memory_mapping");
	return lib.mapping(uc, address);
}

/* ------------------------------------ the library's load/store helpers, ours */

#define MMU_DATA_LOAD	0
#define MMU_DATA_STORE	1
#define OI_MMU_IDX(oi)	((int)((oi) & 0xf))
#define OI_ALIGN(oi)	(((oi) >> 4) & 0x70)	/* the memop's alignment request */
#define OI_PLAIN_MASK	0x70f			/* the MMU index and that request */

/* QEMU's fast TLB of one MMU index (item 6). */
struct qemu_tlb_fast {
	uint64_t mask;
	const uint64_t *table;
};

static inline const struct qemu_tlb_fast *qemu_tlb_fast(const void *env, int mmu_idx)
{
	return (const struct qemu_tlb_fast *)((const char *)env + QEMU_TLB_FAST_OFFSET) + mmu_idx;
}

static inline const uint64_t *qemu_tlb_entry(const struct qemu_tlb_fast *f, uint64_t addr,
					     unsigned page_shift)
{
	return f->table + ((addr >> page_shift) & (f->mask >> QEMU_TLB_ENTRY_BITS)) *
			  QEMU_TLB_ENTRY_WORDS;
}

/* Copy `len` bytes at `addr` of this process, false (nothing read) where
 * they are not readable. */
static bool read_own(void *to, const void *addr, size_t len)
{
	struct iovec local = { to, len }, remote = { (void *)addr, len };

	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)len;
}

/* The library answered `host` for an access of `access_type` at `addr`:
 * QEMU's TLB must now hold that answer where item 6 says, through a
 * readable table of a size QEMU makes.  Read the TLB from then on if so,
 * never if not. */
static __attribute__((noinline, cold)) void
check_tlb_layout(struct engine *e, const void *env, uint64_t addr, int mmu_idx, int access_type,
		 const void *host)
{
	struct qemu_tlb_fast f;
	uint64_t entry[QEMU_TLB_ENTRY_WORDS], entries;

	e->tlb_unknown = true;
	if (!read_own(&f, qemu_tlb_fast(env, mmu_idx), sizeof(f)))
		return;
	entries = (f.mask >> QEMU_TLB_ENTRY_BITS) + 1;
	if (f.mask & ((1u << QEMU_TLB_ENTRY_BITS) - 1) || entries & (entries - 1) ||
	    entries > UINT64_C(1) << QEMU_TLB_MAX_BITS ||
	    !read_own(entry, qemu_tlb_entry(&f, addr, e->page_shift), sizeof(entry)))
		return;
	if (entry[access_type] != (addr & e->page_mask) ||
	    addr + entry[QEMU_TLB_ADDEND] != (uint64_t)(uintptr_t)host ||
	    e->page_shift != QEMU_PAGE_SHIFT)
		return;
	e->tlb_env = env;
	e->tlb_oi = (uint32_t)mmu_idx;
	e->tlb_fast = qemu_tlb_fast(env, mmu_idx);
	e->tlb_unknown = false;
	e->stats.tlb_read = true;
}

/* An access aligned to its size inside the engine's one span of regions
 * (none for idle_engine). */
static inline __attribute__((always_inline)) bool
aligned_in_span(const struct engine *e, uint64_t addr, unsigned size)
{
	return !(addr & (size - 1)) && addr - e->span_begin < e->span_size;
}

/* An access the library would make as a plain RAM access if QEMU's TLB has
 * a page entry with no flag for it: that, and no alignment asked. */
static inline bool plain_access(const struct engine *e, uint64_t addr, uint32_t oi, unsigned size)
{
	return aligned_in_span(e, addr, size) && !OI_ALIGN(oi);
}

/* Whether QEMU's TLB holds the page of a plain access of `env` at `addr`
 * with no flag (item 6), without a fill; its host address in `host` if so.
 * Only the CPU and MMU index whose layout was checked are read: for any
 * other (or an alignment request in `oi`) the library must be asked. */
static inline __attribute__((always_inline)) bool
tlb_host(const struct engine *e, const void *env, uint64_t addr, uint32_t oi, int access_type,
	 void **host)
{
	const uint64_t *entry;

	if (env != e->tlb_env || (oi & OI_PLAIN_MASK) != e->tlb_oi)
		return false;
	entry = qemu_tlb_entry(e->tlb_fast, addr, QEMU_PAGE_SHIFT);
	if (entry[access_type] != (addr & ~((UINT64_C(1) << QEMU_PAGE_SHIFT) - 1)))
		return false;
	*host = (void *)(uintptr_t)(addr + entry[QEMU_TLB_ADDEND]);
	return true;
}

/* The host address of a size-aligned access of `size` bytes at `addr` that
 * the library would make as a plain RAM access, or NULL: then the library's
 * own helper must make it.  QEMU's TLB first, then the library. */
static void *plain_ram(struct engine *e, void *env, uint64_t addr, uint32_t oi, unsigned size,
		       int access_type)
{
	int mmu_idx = OI_MMU_IDX(oi);
	void *host;

	if (!plain_access(e, addr, oi, size))
		return NULL;
	if (tlb_host(e, env, addr, oi, access_type, &host))
		return host;
	host = lib.to_host(env, addr, access_type, mmu_idx);
	if (host && !e->tlb_env && !e->tlb_unknown)
		check_tlb_layout(e, env, addr, mmu_idx, access_type, host);
	return host;
}

/* Whether the memory hook's work for a direct access is done with no call:
 * it is the model's recent L1 data hit, inline, or there is no work.  A
 * direct access is aligned to its size, so it lies in one page: that hit is
 * the whole of the watch's work for it, but for its record when recording
 * (log_direct).  The model's TLB is there only in front of a watch that is
 * told (fastpath_watch_tlb): one test in the common case. */
static inline __attribute__((always_inline)) bool told_inline(const struct engine *e,
							      uint64_t addr)
{
	if (e->tlb)
		return tlb_hit_recent(e->tlb, TLB_DATA, e->asid, addr);
	return !e->watch || e->no_watch;
}

/* When recording, the record of a direct access told_inline() answered:
 * put in the writer's log (traces/trace.h) where the watch would have
 * written it.  Out of line, a tail call: the helpers' inline path then
 * costs a run that records nothing one test.  `value` is handed back. */
static __attribute__((noinline)) uint64_t log_direct(const struct engine *e, uint64_t addr,
						     unsigned size, enum trace_kind kind,
						     uint64_t value)
{
	trace_log_put(e->log, kind, addr, size);
	return value;
}

/* What the library's memory hook would have been told, had the library made
 * the access. */
static void tell_watch(struct engine *e, uint64_t addr, unsigned size, bool write)
{
	e->stats.direct++;
	if (!told_inline(e, addr))
		e->watch(e->watch_data, addr, size, write);
	else if (e->log)
		log_direct(e, addr, size, write ? TRACE_WRITE : TRACE_READ, 0);
}

/* A little-endian value of 1 << order bytes (the host is little-endian). */
static inline uint64_t read_host(const void *host, unsigned order)
{
	uint8_t b;
	uint16_t h;
	uint32_t w;
	uint64_t d;

	switch (order) {
	case 0:
		memcpy(&b, host, sizeof(b));
		return b;
	case 1:
		memcpy(&h, host, sizeof(h));
		return h;
	case 2:
		memcpy(&w, host, sizeof(w));
		return w;
	default:
		memcpy(&d, host, sizeof(d));
		return d;
	}
}

/* A load the inline path of load() cannot finish: the library fills QEMU's
 * TLB, the watch is called, or the library makes the access. */
static __attribute__((noinline)) uint64_t load_slow(void *env, uint64_t addr, uint32_t oi,
						    uintptr_t ra, unsigned order)
{
	struct engine *e = running;
	unsigned size = 1u << order;
	void *host = plain_ram(e, env, addr, oi, size, MMU_DATA_LOAD);

	if (!host) {
		need_library((void *)lib.load[order], load_names[order]);
		return lib.load[order](env, addr, oi, ra);
	}
	tell_watch(e, addr, size, false);
	return read_host(host, order);
}

/* The common case, with no call: QEMU's TLB has the page and the model's
 * recent L1 entry hits (tlb_host() tests the rest of plain_access()).
 * Anything else goes to load_slow(). */
static inline __attribute__((always_inline)) uint64_t
load(void *env, uint64_t addr, uint32_t oi, uintptr_t ra, unsigned order)
{
	struct engine *e = running;
	void *host;

	if (aligned_in_span(e, addr, 1u << order) &&
	    tlb_host(e, env, addr, oi, MMU_DATA_LOAD, &host) && told_inline(e, addr)) {
		uint64_t value = read_host(host, order);

		e->stats.direct++;
		if (__builtin_expect(e->log != NULL, 0))
			return log_direct(e, addr, 1u << order, TRACE_READ, value);
		return value;
	}
	return load_slow(env, addr, oi, ra, order);
}

static __attribute__((noinline)) void store_slow(void *env, uint64_t addr, uint64_t val,
						 uint32_t oi, uintptr_t ra, unsigned order)
{
	struct engine *e = running;
	unsigned size = 1u << order;
	void *host = store_forwarded ? NULL : plain_ram(e, env, addr, oi, size, MMU_DATA_STORE);
	bool outer = store_forwarded;

	if (!host) {
		need_library((void *)lib.store[order], store_names[order]);
		store_forwarded = true;
		lib.store[order](env, addr, val, oi, ra);
		store_forwarded = outer;
		return;
	}
	tell_watch(e, addr, size, true);
	memcpy(host, &val, size);	/* the low bytes: the host is little-endian */
}

/* As load(); the library's byte stores of a store it makes go to it too. */
static inline __attribute__((always_inline)) void
store(void *env, uint64_t addr, uint64_t val, uint32_t oi, uintptr_t ra, unsigned order)
{
	struct engine *e = running;
	void *host;

	if (!store_forwarded && aligned_in_span(e, addr, 1u << order) &&
	    tlb_host(e, env, addr, oi, MMU_DATA_STORE, &host) && told_inline(e, addr)) {
		e->stats.direct++;
		memcpy(host, &val, 1u << order);
		if (__builtin_expect(e->log != NULL, 0))
			log_direct(e, addr, 1u << order, TRACE_WRITE, 0);
		return;
	}
	store_slow(env, addr, val, oi, ra, order);
}

static inline void store_idx(void *env, uint64_t addr, uint64_t val, int mmu_idx, uintptr_t ra,
			     unsigned order)
{
	bool outer = store_forwarded;

	need_library((void *)lib.store_idx[order], store_idx_names[order]);
	store_forwarded = true;
	lib.store_idx[order](env, addr, val, mmu_idx, ra);
	store_forwarded = outer;
}

/* Each defines one of the library's helpers (item 5) as ours. */
#define DEFINE_LOAD(name, order)							\
	uint64_t name(void *env, uint64_t addr, uint32_t oi, uintptr_t ra);		\
	uint64_t name(void *env, uint64_t addr, uint32_t oi, uintptr_t ra)		\
	{										\
		return load(env, addr, oi, ra, order);					\
	}
#define DEFINE_STORE(name, type, order)							\
	void name(void *env, uint64_t addr, type val, uint32_t oi, uintptr_t ra);	\
	void name(void *env, uint64_t addr, type val, uint32_t oi, uintptr_t ra)	\
	{										\
		store(env, addr, val, oi, ra, order);					\
	}
#define DEFINE_STORE_IDX(name, type, order)						\
	void name(void *env, uint64_t addr, type val, int mmu_idx, uintptr_t ra);	\
	void name(void *env, uint64_t addr, type val, int mmu_idx, uintptr_t ra)	\
	{										\
		store_idx(env, addr, val, mmu_idx, ra, order);				\
	}

DEFINE_LOAD(helper_ret_ldub_mmu_aarch64, 0)
DEFINE_LOAD(helper_le_lduw_mmu_aarch64, 1)
DEFINE_LOAD(helper_le_ldul_mmu_aarch64, 2)
DEFINE_LOAD(helper_le_ldq_mmu_aarch64, 3)
DEFINE_STORE(helper_ret_stb_mmu_aarch64, uint8_t, 0)
DEFINE_STORE(helper_le_stw_mmu_aarch64, uint16_t, 1)
DEFINE_STORE(helper_le_stl_mmu_aarch64, uint32_t, 2)
DEFINE_STORE(helper_le_stq_mmu_aarch64, uint64_t, 3)
DEFINE_STORE_IDX(cpu_stb_mmuidx_ra_aarch64, uint32_t, 0)
DEFINE_STORE_IDX(cpu_stw_mmuidx_ra_aarch64, uint32_t, 1)
DEFINE_STORE_IDX(cpu_stl_mmuidx_ra_aarch64, uint32_t, 2)
DEFINE_STORE_IDX(cpu_stq_mmuidx_ra_aarch64, uint64_t, 3)
