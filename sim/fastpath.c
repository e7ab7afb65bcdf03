/*
 * fastpath: the one place where mmusim relies on Unicorn's internals.
 *
 * WHAT IT RELIES ON (Debian's libunicorn2 2.0.1.post1, uc_version 2.0.1.255,
 * AArch64 target; every item is checked at start-up or by the self-test):
 *
 *  1. The library exports its internal functions with default visibility and
 *     calls these through its PLT, so a definition of the same name in the
 *     executable takes their place (ELF symbol interposition), and
 *     dlsym(RTLD_NEXT) finds the library's own:
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
 * TEST-ONLY FAULTS (tests/integration/test_fastpath.c): the environment
 * variable MMUSIM_FASTPATH_FAULT=version makes the version check fail as
 * for another library; =remark makes attached engines skip the re-marking
 * of entries when a page gains code, a broken fast path the self-test must
 * catch.  Either way mmusim must fall back to the plain path with one
 * warning.
 *
 * When no engine is attached (--no-fastpath, a failed check) the
 * definitions below only forward to the library's.
 */
#include "sim/fastpath.h"

#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <unicorn/unicorn.h>

#define LIBRARY_VERSION	UINT32_C(0x020001ff)	/* 2.0.1, extra 255 */
#define QEMU_PAGE_WRITE	0x2
#define BITS_PER_LONG	(8 * sizeof(unsigned long))
#define MAX_REGIONS	4

typedef void (*set_page_fn)(void *cpu, uint64_t vaddr, uint64_t paddr, uint32_t attrs, int prot,
			    int mmu_idx, uint64_t size);
typedef void (*code_page_fn)(uc_engine *uc, uint64_t ram_addr);
typedef void (*set_dirty_fn)(void *cpu, uint64_t vaddr);
typedef void (*reset_dirty_fn)(void *cpu, uint64_t host, uint64_t length);
typedef void *(*mapping_fn)(uc_engine *uc, uint64_t address);

static struct {
	set_page_fn set_page;
	code_page_fn protect, unprotect;
	set_dirty_fn set_dirty;
	reset_dirty_fn reset_dirty;
	mapping_fn mapping;
} lib;

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
	unsigned nr_regions;
	struct fastpath_stats stats;
};

static GSList *engines;
static struct engine *running;

/* Resolve the library's definition of `name` (the next one after ours). */
static void *library_symbol(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

/* The library's own definitions, found once; false if any is missing. */
static bool resolve_library(void)
{
	if (!lib.set_page) {
		lib.set_page = (set_page_fn)library_symbol("tlb_set_page_with_attrs_aarch64");
		lib.protect = (code_page_fn)library_symbol("tlb_protect_code_aarch64");
		lib.unprotect = (code_page_fn)library_symbol("tlb_unprotect_code_aarch64");
		lib.set_dirty = (set_dirty_fn)library_symbol("tlb_set_dirty_aarch64");
		lib.reset_dirty = (reset_dirty_fn)library_symbol("tlb_reset_dirty_aarch64");
		lib.mapping = (mapping_fn)library_symbol("memory_mapping");
	}
	return lib.set_page && lib.protect && lib.unprotect && lib.set_dirty && lib.reset_dirty &&
	       lib.mapping;
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
	}
	e->nr_regions = count;
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
	Dl_info ours, theirs;

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
	if (!dladdr((void *)uc_version, &ours) || !dladdr((void *)lib.set_page, &theirs) ||
	    ours.dli_fbase != theirs.dli_fbase) {
		g_string_printf(why, "tlb_set_page_with_attrs_aarch64 is not the Unicorn library's");
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
	e->no_remark = injected_fault("remark");
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
		running = NULL;
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
	running = find_engine(uc);
}

void fastpath_leave(void)
{
	running = NULL;
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
	if (!e || !(prot & QEMU_PAGE_WRITE) || paddr >= e->ram_size)
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

	if (e && e->uc == uc) {
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
