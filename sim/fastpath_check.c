/*
 * fastpath_check: the cases of sim/fastpath_check.h, run by a tiny driver
 * program that stays in one run of the CPU between steps (a new run from
 * cpu_enter_user would flush QEMU's TLB, and the cases are about entries
 * that outlive a translation):
 *
 *   loop: str w1, [x2]    the step's store (new code, or data, or scratch)
 *         blr x3          call the step's code: movz x0, #N; ret
 *         svc #0          hand x0 back to the check
 *         b loop
 *
 * Each code frame starts as "movz x0, #N; ret"; a store of another movz
 * over its first word must change the N the next call returns.
 */
#include "sim/fastpath_check.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "mmu/notifier.h"
#include "mmu/pgtable.h"

#define MOVZ_X0(n)	(UINT32_C(0xd2800000) | (uint32_t)(n) << 5)
#define INSN_RET	UINT32_C(0xd65f03c0)
#define INSN_STR_W1_X2	UINT32_C(0xb9000041)
#define INSN_BLR_X3	UINT32_C(0xd63f0060)
#define INSN_SVC_0	UINT32_C(0xd4000001)
#define INSN_B_LOOP	UINT32_C(0x17fffffd)	/* b .-12 */

/* Where the check maps things (one page each). */
enum {
	VA_DRIVER = 0x400000, VA_SCRATCH = 0x401000, VA_NOP = 0x402000,
	VA_SAME = 0x410000,			/* case 1: read-write-execute */
	VA_EXEC_1 = 0x420000, VA_ALIAS_1 = 0x421000,	/* case 2: alias used first */
	VA_EXEC_2 = 0x430000, VA_ALIAS_2 = 0x431000,	/* case 3: alias used after */
	VA_OLD = 0x440000, VA_DATA = 0x441000, VA_NEW = 0x442000,	/* case 4 */
};

/* Where the access check maps things (an address space of its own). */
enum {
	VA_ACCESSES = 0x500000, VA_ACCESSED_CODE = 0x501000,
	VA_ACCESSED = 0x502000, VA_ACCESSED_NEXT = 0x503000,	/* two pages, frames apart */
};

#define SELF_TEST_RAM	(UINT64_C(8) << 20)

struct probe {
	struct cpu *cpu;
	struct phys *phys;
	struct mm mm;
	GString *why;
	int err;
	phys_addr_t driver;	/* a frame whose code stays translated */
};

/* A frame holding `words`, mapped at `va` with `prot`. */
static phys_addr_t map_new(struct probe *p, uint64_t va, unsigned prot, const uint32_t *words,
			   size_t n)
{
	phys_addr_t pa = 0;

	if (p->err)
		return 0;
	p->err = phys_alloc(p->phys, FRAME_DATA, &pa);
	if (!p->err) {
		memcpy(phys_to_host(p->phys, pa), words, n * sizeof(*words));
		p->err = pgtable_map(p->phys, p->mm.pgd, va, pa, prot);
	}
	if (p->err)
		g_string_printf(p->why, "fast-path self-test: cannot map %#" PRIx64 ": %s", va,
				g_strerror(-p->err));
	return pa;
}

static phys_addr_t map_code(struct probe *p, uint64_t va, unsigned prot, unsigned n)
{
	const uint32_t code[] = { MOVZ_X0(n), INSN_RET };

	return map_new(p, va, prot, code, G_N_ELEMENTS(code));
}

/* A second mapping of `pa`. */
static void map_alias(struct probe *p, uint64_t va, phys_addr_t pa, unsigned prot)
{
	if (p->err)
		return;
	phys_get(p->phys, pa);
	p->err = pgtable_map(p->phys, p->mm.pgd, va, pa, prot);
	if (p->err)
		g_string_printf(p->why, "fast-path self-test: cannot map %#" PRIx64, va);
}

/* One step of the driver: store `word` at `target`, call `code`, and expect
 * it to return `expect`. */
static void step(struct probe *p, const char *what, uint64_t target, uint32_t word, uint64_t code,
		 unsigned expect)
{
	struct cpu_exit e;
	uint64_t got;

	if (p->err)
		return;
	cpu_set_reg(p->cpu, 1, word);
	cpu_set_reg(p->cpu, 2, target);
	cpu_set_reg(p->cpu, 3, code);
	cpu_run(p->cpu, 0, &e);
	got = cpu_reg(p->cpu, 0);
	if (e.event == CPU_SYSCALL && got == expect)
		return;
	p->err = -EIO;
	if (e.event != CPU_SYSCALL)
		g_string_printf(p->why, "fast-path self-test: %s: the CPU stopped with event %d at "
				"pc %#" PRIx64 " %s", what, e.event, e.pc, e.message);
	else
		g_string_printf(p->why, "fast-path self-test: %s: the code returned %" PRIu64
				", expected %u", what, got, expect);
}

/* Store `n`'s movz at `target`, then call `code`: it must return `n`. */
static void rewrite(struct probe *p, const char *what, uint64_t target, uint64_t code, unsigned n)
{
	step(p, what, target, MOVZ_X0(n), code, n);
}

/* Call `code` (the store goes to the scratch page): it must return `n`. */
static void call(struct probe *p, const char *what, uint64_t code, unsigned n)
{
	step(p, what, VA_SCRATCH, 0, code, n);
}

/* Case 4's recycling, as mmusim does it: the old mapping goes (its code
 * invalidated first), the frame is used for data, then the loader writes
 * new code into it from the host and maps it at a new address. */
static void recycle(struct probe *p, phys_addr_t pa)
{
	const uint32_t code[] = { MOVZ_X0(9), INSN_RET };

	if (p->err)
		return;
	cpu_invalidate_code(p->cpu, &p->mm, VA_OLD, VA_OLD + PAGE_SIZE);
	phys_get(p->phys, pa);		/* the check keeps the frame */
	if (pgtable_unmap_range(p->phys, p->mm.pgd, VA_OLD, VA_OLD + PAGE_SIZE))
		cpu_flush_tlb(p->cpu);
	map_alias(p, VA_DATA, pa, VM_READ | VM_WRITE);
	step(p, "a data store into a frame whose code was dropped", VA_DATA + 64, 0, VA_NOP, 0);
	if (p->err)
		return;
	memcpy(phys_to_host(p->phys, pa), code, sizeof(code));
	map_alias(p, VA_NEW, pa, VM_READ | VM_EXEC);
	phys_put(p->phys, pa);
}

static void run_cases(struct probe *p)
{
	const uint32_t driver[] = { INSN_STR_W1_X2, INSN_BLR_X3, INSN_SVC_0, INSN_B_LOOP };
	const uint32_t zero[] = { 0 };
	phys_addr_t alias1, alias2, old;

	p->driver = map_new(p, VA_DRIVER, VM_READ | VM_EXEC, driver, G_N_ELEMENTS(driver));
	map_new(p, VA_SCRATCH, VM_READ | VM_WRITE, zero, 1);
	map_code(p, VA_NOP, VM_READ | VM_EXEC, 0);
	map_code(p, VA_SAME, VM_READ | VM_WRITE | VM_EXEC, 1);
	alias1 = map_code(p, VA_EXEC_1, VM_READ | VM_EXEC, 3);
	map_alias(p, VA_ALIAS_1, alias1, VM_READ | VM_WRITE);
	alias2 = map_code(p, VA_EXEC_2, VM_READ | VM_EXEC, 5);
	map_alias(p, VA_ALIAS_2, alias2, VM_READ | VM_WRITE);
	old = map_code(p, VA_OLD, VM_READ | VM_EXEC, 7);
	if (p->err)
		return;
	cpu_enter_user(p->cpu, VA_DRIVER, 0);

	call(p, "code on a writable page", VA_SAME, 1);
	rewrite(p, "a store into that page's translated code", VA_SAME, VA_SAME, 2);

	/* The alias's entry exists, without code behind it, before the
	 * translation: translating must re-mark it. */
	rewrite(p, "code written through an alias before it ran", VA_ALIAS_1, VA_EXEC_1, 3);
	rewrite(p, "a store through an alias used before the code ran", VA_ALIAS_1, VA_EXEC_1, 4);

	/* The alias is first used after the translation: its new entry must
	 * keep the mark. */
	call(p, "code reached through one mapping", VA_EXEC_2, 5);
	rewrite(p, "a store through an alias used after the code ran", VA_ALIAS_2, VA_EXEC_2, 6);

	call(p, "code in a frame about to be recycled", VA_OLD, 7);
	recycle(p, old);
	call(p, "new code loaded into a recycled frame", VA_NEW, 9);
	rewrite(p, "a store through the recycled frame's data mapping", VA_DATA, VA_NEW, 10);
	/* The library names pages by its own RAM address: it must be mmusim's
	 * physical address, or the fast path marks the wrong pages. */
	if (!p->err && cpu_fastpath_on(p->cpu, NULL) && !cpu_code_page_known(p->cpu, p->driver)) {
		p->err = -EIO;
		g_string_printf(p->why, "fast-path self-test: the library did not report the code "
				"at physical address %#" PRIx64 " as such", p->driver);
	}
}

/* Run `fn` on `cpu` in a throw-away address space, then drop the code
 * translated from `code_pages` (before their frames are freed) and the
 * space. */
static int in_throwaway_mm(struct cpu *cpu, struct phys *phys, GString *why,
			   void (*fn)(struct probe *p, void *arg), void *arg,
			   const uint64_t *code_pages, size_t nr_code_pages)
{
	struct probe p = { .cpu = cpu, .phys = phys, .mm = { .phys = phys }, .why = why };

	p.err = pgtable_create(phys, &p.mm.pgd);
	if (p.err) {
		g_string_printf(why, "fast-path self-test: simulated memory too small");
		return p.err;
	}
	p.err = cpu_prepare_mm(cpu, &p.mm);
	if (!p.err) {
		cpu_switch_mm(cpu, &p.mm);
		fn(&p, arg);
	}
	for (size_t i = 0; i < nr_code_pages; i++)
		cpu_invalidate_code(cpu, &p.mm, code_pages[i], code_pages[i] + PAGE_SIZE);
	mmu_notifier_release(&p.mm);
	pgtable_put(phys, p.mm.pgd, PGD_LEVEL);
	return p.err ? -EIO : 0;
}

static void run_cases_in(struct probe *p, void *unused)
{
	run_cases(p);
}

int fastpath_check_cases(struct cpu *cpu, struct phys *phys, GString *why)
{
	static const uint64_t code_pages[] = { VA_DRIVER, VA_NOP, VA_SAME, VA_EXEC_1, VA_EXEC_2,
						VA_OLD, VA_NEW };

	return in_throwaway_mm(cpu, phys, why, run_cases_in, NULL, code_pages,
			       G_N_ELEMENTS(code_pages));
}

/*
 * The access check: a driver makes known loads and stores, and the watch
 * must be told each one once, as the library's memory hook tells it (an
 * unaligned store once, not per byte); the loads must read and the stores
 * write what the guest would.
 *
 *   blr x3; ldrb w6, [x2]; ldrh w7, [x2, #2]; ldr w8, [x2, #4];
 *   ldr x9, [x2, #8]; strb w9, [x2, #16]; strh w9, [x2, #18];
 *   str w9, [x2, #20]; str x9, [x2, #24]; str x9, [x4]; str w5, [x3];
 *   blr x3; svc #0
 *
 * x2 is a data page, x4 the address 4 bytes below its end (the next page's
 * frame is not the next frame), x3 a writable page of code ("movz x0, #11; ret"), called first so that
 * it holds translated code when w5 (a "movz x0, #12") is stored over it.
 */
struct access {
	uint64_t addr;
	unsigned size;
};

static void record_access(void *data, uint64_t addr, unsigned size, bool write)
{
	struct access a = { addr, size };

	g_array_append_val((GArray *)data, a);
}

static void expect_accesses(struct probe *p, GArray *seen)
{
	const uint64_t d = VA_ACCESSED;
	const struct access want[] = {
		{ d, 1 }, { d + 2, 2 }, { d + 4, 4 }, { d + 8, 8 }, { d + 16, 1 }, { d + 18, 2 },
		{ d + 20, 4 }, { d + 24, 8 }, { d + PAGE_SIZE - 4, 8 }, { VA_ACCESSED_CODE, 4 },
	};

	for (guint i = 0; i < seen->len && i < G_N_ELEMENTS(want) && !p->err; i++) {
		const struct access *a = &g_array_index(seen, struct access, i);

		if (a->addr != want[i].addr || a->size != want[i].size) {
			p->err = -EIO;
			g_string_printf(p->why, "fast-path self-test: access %u was told as %u bytes at "
					"%#" PRIx64 ", expected %u at %#" PRIx64, i, a->size, a->addr,
					want[i].size, want[i].addr);
		}
	}
	if (!p->err && seen->len != G_N_ELEMENTS(want)) {
		p->err = -EIO;
		g_string_printf(p->why, "fast-path self-test: %u data accesses were told, expected %zu",
				seen->len, G_N_ELEMENTS(want));
	}
}

/* The loads read, and the stores wrote, the data page's pattern (byte i of
 * the page's first 16 is 0x10 + i). */
static void expect_values(struct probe *p, const uint8_t *data, const uint8_t *next)
{
	const uint64_t x9 = UINT64_C(0x1f1e1d1c1b1a1918);
	const uint64_t regs[] = { 0x10, 0x1312, 0x17161514, x9 };
	uint8_t want[32] = { 0 };

	for (int i = 0; i < 16; i++)
		want[i] = (uint8_t)(0x10 + i);
	memcpy(want + 16, &x9, 1);
	memcpy(want + 18, &x9, 2);
	memcpy(want + 20, &x9, 4);
	memcpy(want + 24, &x9, 8);
	for (unsigned r = 0; r < G_N_ELEMENTS(regs) && !p->err; r++)
		if (cpu_reg(p->cpu, 6 + r) != regs[r]) {
			p->err = -EIO;
			g_string_printf(p->why, "fast-path self-test: a load gave x%u = %#" PRIx64
					", expected %#" PRIx64, 6 + r, cpu_reg(p->cpu, 6 + r), regs[r]);
		}
	if (!p->err && (memcmp(data, want, sizeof(want)) || memcmp(data + PAGE_SIZE - 4, &x9, 4) ||
			memcmp(next, (const uint8_t *)&x9 + 4, 4))) {
		p->err = -EIO;
		g_string_printf(p->why, "fast-path self-test: the stores did not write what the "
				"guest stored");
	}
}

static void drive_accesses(struct probe *p, GArray *seen, phys_addr_t data, phys_addr_t next)
{
	struct cpu_exit e;

	cpu_enter_user(p->cpu, VA_ACCESSES, 0);
	cpu_set_reg(p->cpu, 2, VA_ACCESSED);
	cpu_set_reg(p->cpu, 3, VA_ACCESSED_CODE);
	cpu_set_reg(p->cpu, 4, VA_ACCESSED + PAGE_SIZE - 4);
	cpu_set_reg(p->cpu, 5, MOVZ_X0(12));
	cpu_run(p->cpu, 0, &e);
	if (e.event != CPU_SYSCALL || cpu_reg(p->cpu, 0) != 12) {
		p->err = -EIO;
		g_string_printf(p->why, "fast-path self-test: the access driver stopped with event %d "
				"at pc %#" PRIx64 ", x0 = %" PRIu64 " %s", e.event, e.pc,
				cpu_reg(p->cpu, 0), e.message);
		return;
	}
	expect_accesses(p, seen);
	expect_values(p, phys_to_host(p->phys, data), phys_to_host(p->phys, next));
}

static void run_accesses(struct probe *p, GArray *seen)
{
	const uint32_t driver[] = { 0xd63f0060, 0x39400046, 0x79400447, 0xb9400448, 0xf9400449,
				    0x39004049, 0x79002449, 0xb9001449, 0xf9000c49, 0xf9000089,
				    0xb9000065, 0xd63f0060, INSN_SVC_0 };
	const uint32_t zero[] = { 0 };
	uint8_t pattern[16];
	phys_addr_t data, next, spacer = 0;

	for (int i = 0; i < 16; i++)
		pattern[i] = (uint8_t)(0x10 + i);
	map_new(p, VA_ACCESSES, VM_READ | VM_EXEC, driver, G_N_ELEMENTS(driver));
	/* Frames are handed out densely: one in between keeps the two apart. */
	next = map_new(p, VA_ACCESSED_NEXT, VM_READ | VM_WRITE, zero, 1);
	if (!p->err)
		p->err = phys_alloc(p->phys, FRAME_DATA, &spacer);
	data = map_new(p, VA_ACCESSED, VM_READ | VM_WRITE, (const uint32_t *)pattern, 4);
	map_code(p, VA_ACCESSED_CODE, VM_READ | VM_WRITE | VM_EXEC, 11);
	if (!p->err)
		drive_accesses(p, seen, data, next);
	if (spacer)
		phys_put(p->phys, spacer);
}

static void run_accesses_in(struct probe *p, void *seen)
{
	run_accesses(p, seen);
}

int fastpath_check_accesses(struct cpu *cpu, struct phys *phys, GString *why)
{
	static const uint64_t code_pages[] = { VA_ACCESSES, VA_ACCESSED_CODE };
	g_autoptr(GArray) seen = g_array_new(FALSE, FALSE, sizeof(struct access));

	if (cpu_watch_data(cpu, record_access, seen)) {
		g_string_printf(why, "fast-path self-test: cannot hook the CPU's data accesses");
		return -EIO;
	}
	return in_throwaway_mm(cpu, phys, why, run_accesses_in, seen, code_pages,
			       G_N_ELEMENTS(code_pages));
}

/* What the fast path must have done during the cases. */
static int check_engaged(struct cpu *cpu, GString *why)
{
	struct fastpath_stats s;

	if (!cpu_fastpath_on(cpu, &s)) {
		g_string_printf(why, "fast-path self-test: the fast path did not stay on");
		return -EIO;
	}
	if (!s.cleaned || !s.protected || !s.unprotected || !s.regions_found || !s.direct) {
		g_string_printf(why, "fast-path self-test: the library never called the fast path's "
				"functions (%" PRIu64 " entries cleaned, %" PRIu64 " pages gained code, "
				"%" PRIu64 " lost it, %" PRIu64 " regions found, %" PRIu64 " accesses "
				"made directly): they are not interposed", s.cleaned, s.protected,
				s.unprotected, s.regions_found, s.direct);
		return -EIO;
	}
	return 0;
}

int fastpath_self_test(GString *why)
{
	struct phys *phys = NULL;
	struct cpu *cpu = NULL;
	int err = phys_create(SELF_TEST_RAM, &phys);

	if (err)
		g_string_printf(why, "fast-path self-test: cannot reserve its memory");
	if (!err)
		err = cpu_create(phys, &cpu, why);
	if (!err)
		err = cpu_enable_fastpath(cpu, why);
	if (!err)
		err = fastpath_check_cases(cpu, phys, why);
	if (!err)
		err = fastpath_check_accesses(cpu, phys, why);
	if (!err)
		err = check_engaged(cpu, why);
	cpu_destroy(cpu);
	phys_destroy(phys);
	return err;
}
