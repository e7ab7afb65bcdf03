/*
 * cpu: the AArch64 backend on Unicorn 2.0.1.  The recipe and the quirks it
 * works around are in docs/design.md ("The emulated CPU"); in short:
 *
 *  - simulated RAM is one Unicorn region at PA 0 backed by mmu/phys; the rest
 *    of the 47-bit user range is covered by a placeholder region, because
 *    Unicorn checks a virtual address against its regions before translating;
 *  - SCR_EL3.RW, MAIR, TCR, SCTLR (M, UCT, UCI) are set once; TTBR0 is
 *    written through the CP_REG interface, which flushes QEMU's TLB only
 *    when the ASID field changes (it stays 0), so a new root comes with a
 *    TLBI of its own;
 *  - the CPU reaches EL0 through an `eret` on an EL1-only page and never
 *    leaves it: exceptions arrive in an interrupt hook;
 *  - the abort address and syndrome are read from a saved context at an
 *    offset found by the start-up self-check below;
 *  - the first time Unicorn's translated-code buffer fills, Unicorn 2.0.1
 *    reuses it without flushing what it holds, so mmusim flushes it itself
 *    before that (watch_code_buffer below); later fills flush correctly;
 *  - with --tlb exact the memory hook looks every access up in the running
 *    agent's TLB, the L1 hit inline (model_page); stores skip the library's
 *    slow path where sim/fastpath.c allows (cpu_enable_fastpath), and plain
 *    loads and stores its hooked helpers, the fast path doing the hook's
 *    work itself (hook_data).
 */
#include "sim/cpu.h"

#include <inttypes.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unicorn/unicorn.h>

#include "mmu/agent.h"
#include "mmu/pgtable.h"
#include "sim/emulator_libs.h"
#include "sim/esr.h"
#include "sim/fastpath.h"
#include "sim/record.h"

#define INSN_ERET		UINT32_C(0xd69f03e0)
#define INSN_MOV_X8_139		UINT32_C(0xd2801168)	/* mov x8, #139 (rt_sigreturn) */
#define INSN_SVC_0		UINT32_C(0xd4000001)
#define INSN_LDR_X1_X0_16	UINT32_C(0xf9400801)	/* ldr x1, [x0, #16] */
#define INSN_STR_X1_X0_16	UINT32_C(0xf9000801)	/* str x1, [x0, #16] */
#define PLACEHOLDER_END		(UINT64_C(1) << 47)
/* An `until` address no user program can reach (it is not canonical at EL0). */
#define NEVER_PC		UINT64_C(0xfffffffffffffffc)

/* Blocks entered between two looks at the translated-code buffer.  Each block
 * adds at most ~70 KB of host code (QEMU caps a block's code below 64 KB, plus
 * its search data), so 1024 blocks stay far inside the buffer's last quarter. */
#define CODE_CHECK_BLOCKS	1024

/* Unicorn's interrupt numbers for AArch64 (QEMU's EXCP_*). */
enum { EXCP_UDEF = 1, EXCP_SWI = 2, EXCP_PREFETCH_ABORT = 3, EXCP_DATA_ABORT = 4, EXCP_BKPT = 7 };

struct cpu {
	uc_engine *uc;
	struct phys *phys;
	phys_addr_t trampoline;
	phys_addr_t sigreturn;
	uc_context *boot;	/* EL1 state before the first eret */
	uc_context *scratch;	/* where aborts are saved to read their details */
	size_t vaddress_off;	/* offset of exception.vaddress in a saved context */
	struct mm *mm;
	uint64_t pc;		/* where the next cpu_run() starts */
	uint64_t insns, budget_end;
	/* A block that would take insns past this is entered the careful way
	 * (enter_block_carefully): the budget's end, UINT64_MAX without one, 0
	 * while every block must be (a debugger's step or pass, a flush due). */
	uint64_t insn_limit;
	uint64_t block_start, block_end;	/* the block last entered in this run */
	struct cpu_exit *exit;
	uc_hook hooks[4];
	struct domain *model;		/* --tlb exact: its current agent looks accesses up */
	struct agent *agent;		/* for one run: that agent, its TLB and the mm's ASID */
	struct tlb *tlb;
	uint16_t asid;
	const uint8_t *code_watch;	/* a page 3/4 into the code buffer; NULL once flushed */
	uint64_t code_check_in;		/* blocks to enter before the next look (while watching) */
	bool code_flush;		/* on_block stopped the run to flush the code buffer */
	fastpath_watch_fn watch;	/* the memory hook's work (hook_data) */
	struct recorder *recorder;	/* --record: where accesses and instructions go */
	struct trace_log *log;		/* --record: the writer's log for this run's inline hits */
	void *watch_data;
	/* the debugger's (sim/gdbstub.c) */
	GHashTable *breakpoints;	/* va -> struct breakpoint, inserted or not */
	bool step, pass;		/* for this run (cpu_debug_next_run) */
	bool entered;			/* step or pass: a block of this run was entered */
	bool left_start;		/* and another after it: the first instruction ran */
	uint64_t run_pc;		/* the EL0 instruction this run starts with */
	uc_hook step_hook;
};

/* A debugger's breakpoint: a code hook on its one address.  The hook stays
 * when the breakpoint is removed (inserted false): a debugger removes and
 * inserts its breakpoints at every stop, and code translated with the hook
 * needs no retranslation then; deleting it would make Unicorn retranslate
 * pages through tables that may not map them any more. */
struct breakpoint {
	uint64_t va;
	uc_hook hook;
	bool inserted;
};

struct sysreg {
	const char *name;
	uint32_t op0, op1, crn, crm, op2;
};

static const struct sysreg SCR_EL3 = { "SCR_EL3", 3, 6, 1, 1, 0 };
static const struct sysreg MAIR_EL1 = { "MAIR_EL1", 3, 0, 10, 2, 0 };
static const struct sysreg TCR_EL1 = { "TCR_EL1", 3, 0, 2, 0, 2 };
static const struct sysreg TTBR0_EL1 = { "TTBR0_EL1", 3, 0, 2, 0, 0 };
static const struct sysreg SCTLR_EL1 = { "SCTLR_EL1", 3, 0, 1, 0, 0 };
static const struct sysreg SPSR_EL1 = { "SPSR_EL1", 3, 0, 4, 0, 0 };
static const struct sysreg TLBI_VMALLE1 = { "TLBI VMALLE1", 1, 0, 8, 7, 0 };

static int write_sysreg(struct cpu *cpu, const struct sysreg *r, uint64_t value)
{
	uc_arm64_cp_reg cp = { .crn = r->crn, .crm = r->crm, .op0 = r->op0,
			       .op1 = r->op1, .op2 = r->op2, .val = value };

	return uc_reg_write(cpu->uc, UC_ARM64_REG_CP_REG, &cp) == UC_ERR_OK ? 0 : -EIO;
}

static uint64_t read_sysreg(struct cpu *cpu, const struct sysreg *r)
{
	uc_arm64_cp_reg cp = { .crn = r->crn, .crm = r->crm, .op0 = r->op0,
			       .op1 = r->op1, .op2 = r->op2 };

	uc_reg_read(cpu->uc, UC_ARM64_REG_CP_REG, &cp);
	return cp.val;
}

static int uc_regid(int reg)
{
	if (reg <= 28)
		return UC_ARM64_REG_X0 + reg;
	switch (reg) {
	case 29: return UC_ARM64_REG_X29;
	case 30: return UC_ARM64_REG_X30;
	case CPU_REG_SP: return UC_ARM64_REG_SP;
	case CPU_REG_TPIDR: return UC_ARM64_REG_TPIDR_EL0;
	case CPU_REG_NZCV: return UC_ARM64_REG_NZCV;
	default: g_assert_not_reached();
	}
}

uint64_t cpu_reg(struct cpu *cpu, int reg)
{
	uint64_t value = 0;

	if (reg == CPU_REG_PC)
		return cpu->pc;
	uc_reg_read(cpu->uc, uc_regid(reg), &value);
	return value;
}

void cpu_set_reg(struct cpu *cpu, int reg, uint64_t value)
{
	if (reg == CPU_REG_PC)
		cpu->pc = value;
	else
		uc_reg_write(cpu->uc, uc_regid(reg), &value);
}

uint64_t cpu_insns(const struct cpu *cpu)
{
	return cpu->insns;
}

static uint64_t read_pc(struct cpu *cpu)
{
	uint64_t pc = 0;

	uc_reg_read(cpu->uc, UC_ARM64_REG_PC, &pc);
	return pc;
}

/* Address and syndrome of the abort just taken. */
static void read_abort(struct cpu *cpu, uint64_t *vaddress, uint32_t *syndrome)
{
	const uint8_t *saved = (const uint8_t *)cpu->scratch;

	uc_context_save(cpu->uc, cpu->scratch);
	/* struct { u32 syndrome; u32 fsr; u64 vaddress; ... } exception */
	memcpy(vaddress, saved + cpu->vaddress_off, sizeof(*vaddress));
	memcpy(syndrome, saved + cpu->vaddress_off - 8, sizeof(*syndrome));
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *opaque)
{
	struct cpu *cpu = opaque;
	struct cpu_exit *e = cpu->exit;

	e->pc = read_pc(cpu);
	switch (intno) {
	case EXCP_SWI:
		e->event = CPU_SYSCALL;
		break;
	case EXCP_DATA_ABORT:
	case EXCP_PREFETCH_ABORT:
		e->event = intno == EXCP_DATA_ABORT ? CPU_DATA_ABORT : CPU_INSN_ABORT;
		read_abort(cpu, &e->addr, &e->syndrome);
		e->write = e->event == CPU_DATA_ABORT && (e->syndrome & ESR_WNR);
		break;
	case EXCP_UDEF:
		e->event = CPU_UNDEFINED;
		break;
	case EXCP_BKPT:
		e->event = CPU_BREAKPOINT;
		break;
	default:
		e->event = CPU_ERROR;
		snprintf(e->message, sizeof(e->message), "unexpected exception %u at pc %#" PRIx64,
			 intno, e->pc);
		break;
	}
	uc_emu_stop(uc);
}

/* A virtual address outside every Unicorn region (at or above 2^47). */
static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			int64_t value, void *opaque)
{
	struct cpu *cpu = opaque;
	struct cpu_exit *e = cpu->exit;

	e->event = type == UC_MEM_FETCH_UNMAPPED ? CPU_INSN_ABORT : CPU_DATA_ABORT;
	e->pc = e->event == CPU_INSN_ABORT ? addr : read_pc(cpu);
	e->addr = addr;
	e->write = type == UC_MEM_WRITE_UNMAPPED;
	/* What the MMU reports there: a level 0 translation fault. */
	e->syndrome = (uint32_t)(e->event == CPU_INSN_ABORT ? EC_IABT_LOWER : EC_DABT_LOWER) << 26 |
		      ESR_IL | (e->write ? ESR_WNR : 0) | FSC_TRANSLATION_L0;
	return false;
}

/* Look one page up in the model's TLB.  The hit path is inline, with no
 * indirect call: the agent, TLB and ASID of the run are at hand. */
static inline void model_page(struct cpu *cpu, uint64_t va, bool fetch)
{
	if (!tlb_hit_recent(cpu->tlb, fetch ? TLB_FETCH : TLB_DATA, cpu->asid, va))
		agent_access_miss(cpu->agent, cpu->mm, va, fetch);
}

/* Tell the translation model about the pages [va, va + size) touches.
 * Always inline: it runs for every guest access (about 9% of a --tlb exact
 * run's host time went to calling it out of line). */
static inline __attribute__((always_inline)) void report_access(struct cpu *cpu, uint64_t va, uint64_t size, bool fetch)
{
	uint64_t last = (va + size - 1) & PAGE_MASK;

	model_page(cpu, va, fetch);
	if (__builtin_expect(last != (va & PAGE_MASK), 0))
		model_page(cpu, last, fetch);
}

/* --record: the access, before the model looks its pages up. */
static inline void record_access(struct cpu *cpu, uint64_t va, uint64_t size, enum trace_kind kind)
{
	if (__builtin_expect(cpu->recorder != NULL, 0))
		recorder_access(cpu->recorder, cpu->agent->id, kind, va, size);
}

/* The scheduler picks the agent and the mm between runs: fix them for this
 * one. */
static void model_begin_run(struct cpu *cpu)
{
	if (!cpu->model)
		return;
	cpu->agent = cpu->model->current;
	cpu->tlb = cpu->agent->tlb;
	cpu->asid = agent_asid(cpu->agent, cpu->mm);
	/* Recorded accesses that hit inline are put in the writer's log, in
	 * order: every other record reaches the writer after it is written. */
	cpu->log = cpu->recorder ? recorder_log(cpu->recorder, cpu->agent->id) : NULL;
	fastpath_watch_tlb(cpu->uc, cpu->tlb, cpu->asid, cpu->log);
}

static void on_data_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			   int64_t value, void *opaque)
{
	record_access(opaque, addr, (uint64_t)size, type == UC_MEM_WRITE ? TRACE_WRITE : TRACE_READ);
	report_access(opaque, addr, (uint64_t)size, false);
}

/*
 * Unicorn 2.0.1 starts with its code-buffer region counter at 0 instead of 1
 * (fixed upstream in 2025, "Init tcg region buffer").  So the first time the
 * buffer fills, tcg_tb_alloc() "allocates" region 0 again: it zeroes the
 * whole buffer and writes new code from its start, with no tb_flush().  Every
 * block still in QEMU's hash table, jump cache and page lists then points at
 * zeroes or at other code: chaining to one writes through a NULL pointer
 * (tb_set_jmp_target), looking one up runs the wrong code.  From the second
 * fill on, the counter is right and QEMU flushes properly.
 *
 * So mmusim watches the buffer fill up (QEMU writes it from start to end; a
 * page of it becomes resident when code reaches it) and, once code reaches
 * its last quarter, stops the CPU between two blocks and flushes all
 * translated code from outside the emulator.  That flush also sets the
 * counter right, so it is needed only once.
 */
static bool code_buffer_filling(struct cpu *cpu)
{
	unsigned char resident = 0;

	cpu->code_check_in = cpu->code_watch ? CODE_CHECK_BLOCKS : UINT64_MAX;
	return cpu->code_watch && mincore((void *)cpu->code_watch, PAGE_SIZE, &resident) == 0 &&
	       (resident & 1);
}

static void flush_code_buffer(struct cpu *cpu)
{
	uc_ctl_flush_tlb(cpu->uc);	/* UC_CTL_TB_FLUSH: all translated code */
	cpu->code_watch = NULL;
	cpu->code_check_in = UINT64_MAX;
	cpu->code_flush = false;
}

/* A debugger's stop: before the instruction the hook was called for. */
static void debug_stop(struct cpu *cpu)
{
	if (cpu->exit->event == CPU_NO_EVENT) {
		cpu->exit->event = CPU_DEBUG_STOP;
		uc_emu_stop(cpu->uc);
	}
}

/* The instruction the run resumes at, before it ran. */
static bool at_run_start(const struct cpu *cpu, uint64_t addr)
{
	return !cpu->left_start && addr == cpu->run_pc;
}

static void on_breakpoint(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
	struct cpu *cpu = opaque;
	const struct breakpoint *bp = g_hash_table_lookup(cpu->breakpoints, &addr);

	if (bp && bp->inserted && !(cpu->pass && at_run_start(cpu, addr)))
		debug_stop(cpu);
}

/* The step's hook covers the rest of the first instruction's page: the next
 * instruction in the same block stops the run there; a new block (a branch
 * taken) is stopped by on_block. */
static void on_step(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
	struct cpu *cpu = opaque;

	if (!at_run_start(cpu, addr))
		debug_stop(cpu);
}

/* When recording, the record of a fetch enter_block() finished inline: in
 * the writer's log, where record_access would have written it. */
static __attribute__((noinline)) void log_fetch(struct trace_log *log, uint64_t addr,
						 uint32_t size)
{
	trace_log_put(log, TRACE_FETCH, addr, size);
}

/* The model's lookup of a block's code that enter_block() does not finish
 * inline: it spans two pages or is not the L1I's recent hit. */
static __attribute__((noinline)) void fetch_block(struct cpu *cpu, uint64_t addr, uint32_t size)
{
	record_access(cpu, addr, size, TRACE_FETCH);
	report_access(cpu, addr, size, true);
}

/* The block is entered: count its instructions, remember where it lies
 * and look its code up in the model (the common case inline, with nothing
 * to keep across a call). */
static inline __attribute__((always_inline)) void enter_block(struct cpu *cpu, uint64_t addr,
							       uint32_t size)
{
	cpu->insns += size / 4;
	cpu->block_start = addr;
	cpu->block_end = addr + size;
	cpu->entered = true;
	if (!cpu->model)
		return;
	if (__builtin_expect((addr ^ (addr + size - 1)) >> PAGE_SHIFT ||
			     !tlb_hit_recent(cpu->tlb, TLB_FETCH, cpu->asid, addr), 0))
		fetch_block(cpu, addr, size);
	else if (__builtin_expect(cpu->log != NULL, 0))
		log_fetch(cpu->log, addr, size);
}

static void set_insn_limit(struct cpu *cpu)
{
	if (cpu->step || cpu->pass || cpu->code_flush)
		cpu->insn_limit = 0;
	else
		cpu->insn_limit = cpu->budget_end ? cpu->budget_end : UINT64_MAX;
}

/* A block on_block cannot just enter: the code buffer must be looked at or
 * flushed, a debugger steps or passes, or the budget would be exceeded. */
static __attribute__((noinline)) void enter_block_carefully(struct cpu *cpu, uint64_t addr,
							    uint32_t size)
{
	if (cpu->code_flush || (!cpu->code_check_in && code_buffer_filling(cpu))) {
		if (cpu->exit->event == CPU_NO_EVENT) {
			cpu->code_flush = true;
			set_insn_limit(cpu);
			uc_emu_stop(cpu->uc);
		}
		return;
	}
	if ((cpu->step || cpu->pass) && cpu->entered) {
		cpu->left_start = true;
		if (cpu->step) {	/* the block before ran whole: its last instruction was the step */
			cpu->block_start = cpu->block_end = 0;
			debug_stop(cpu);
			return;
		}
	}
	if (cpu->budget_end && cpu->insns + size / 4 > cpu->budget_end) {
		if (cpu->exit->event == CPU_NO_EVENT) {
			cpu->exit->event = CPU_BUDGET;
			uc_emu_stop(cpu->uc);
		}
		return;
	}
	enter_block(cpu, addr, size);
}

/* Count instructions a block at a time.  A block that would take the count
 * past the budget does not run: the budget is never exceeded.  Neither does
 * a block entered when the code buffer must be flushed: the run resumes
 * there after the flush.  The common case (none of these, no debugger) is
 * one comparison and a count down before the block is entered. */
static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *opaque)
{
	struct cpu *cpu = opaque;

	if (addr == TRAMPOLINE_VA)	/* the simulator's eret, not the guest's */
		return;
	if (__builtin_expect(!--cpu->code_check_in || cpu->insns + size / 4 > cpu->insn_limit, 0))
		enter_block_carefully(cpu, addr, size);
	else
		enter_block(cpu, addr, size);
}

/* An exception stopped the run at `pc`.  If that lies inside the block last
 * entered, take back the instructions from there on: they were counted but
 * did not run.  (A fetch abort happens before its block is entered.) */
static void uncount_rest_of_block(struct cpu *cpu, uint64_t pc)
{
	if (pc >= cpu->block_start && pc < cpu->block_end)
		cpu->insns -= (cpu->block_end - pc) / 4;
	cpu->block_start = cpu->block_end = 0;
}

static bool executable_in(struct cpu *cpu, struct mm *mm, uint64_t va);

static uint64_t read_elr(struct cpu *cpu)
{
	uint64_t elr = 0;

	uc_reg_read(cpu->uc, UC_ARM64_REG_ELR_EL1, &elr);
	return elr;
}

/* A step needs its page's code translated with the step hook in it. */
static void begin_debug_run(struct cpu *cpu)
{
	uint64_t page, end;

	cpu->entered = cpu->left_start = false;
	cpu->run_pc = cpu->pc == TRAMPOLINE_VA ? read_elr(cpu) : cpu->pc;
	if (!cpu->step)
		return;
	page = cpu->run_pc & PAGE_MASK;
	end = page + PAGE_SIZE;
	if (executable_in(cpu, cpu->mm, page))
		uc_ctl_remove_cache(cpu->uc, page, end);
	if (uc_hook_add(cpu->uc, &cpu->step_hook, UC_HOOK_CODE, (void *)on_step, cpu, cpu->run_pc,
			end - 1))
		cpu->step = false;	/* then it runs on: a debugger sees a late stop */
}

/* Deleting the step hook drops the code translated with it. */
static void end_debug_run(struct cpu *cpu)
{
	if (cpu->step)
		uc_hook_del(cpu->uc, cpu->step_hook);
	cpu->step = cpu->pass = false;
}

void cpu_debug_next_run(struct cpu *cpu, bool step, bool pass)
{
	cpu->step = step;
	cpu->pass = pass;
}

int cpu_insert_breakpoint(struct cpu *cpu, uint64_t va)
{
	struct breakpoint *bp;

	if (va >> VA_BITS || va % 4)
		return -EINVAL;
	bp = g_hash_table_lookup(cpu->breakpoints, &va);
	if (!bp) {
		if (g_hash_table_size(cpu->breakpoints) >= CPU_MAX_BREAKPOINTS)
			return -ENOSPC;
		bp = g_new0(struct breakpoint, 1);
		bp->va = va;
		if (uc_hook_add(cpu->uc, &bp->hook, UC_HOOK_CODE, (void *)on_breakpoint, cpu, va, va)) {
			g_free(bp);
			return -ENOMEM;
		}
		g_hash_table_insert(cpu->breakpoints, &bp->va, bp);
	}
	bp->inserted = true;
	return 0;
}

void cpu_remove_breakpoint(struct cpu *cpu, uint64_t va)
{
	struct breakpoint *bp = g_hash_table_lookup(cpu->breakpoints, &va);

	if (bp)
		bp->inserted = false;
}

void cpu_run(struct cpu *cpu, uint64_t budget, struct cpu_exit *exit)
{
	uc_err err;

	memset(exit, 0, sizeof(*exit));
	cpu->exit = exit;
	cpu->block_start = cpu->block_end = 0;	/* no block of this run entered yet */
	cpu->budget_end = budget ? cpu->insns + budget : 0;
	model_begin_run(cpu);
	if (cpu->step || cpu->pass)
		begin_debug_run(cpu);
	set_insn_limit(cpu);
	for (;;) {
		fastpath_enter(cpu->uc);
		err = uc_emu_start(cpu->uc, cpu->pc, NEVER_PC, 0, 0);
		fastpath_leave();
		cpu->pc = read_pc(cpu);
		if (!cpu->code_flush)
			break;
		flush_code_buffer(cpu);
		set_insn_limit(cpu);
		if (err || exit->event != CPU_NO_EVENT)
			break;
	}
	end_debug_run(cpu);
	if (exit->event == CPU_BUDGET || exit->event == CPU_DEBUG_STOP)
		exit->pc = cpu->pc;
	if (exit->event == CPU_NO_EVENT) {
		exit->event = CPU_ERROR;
		snprintf(exit->message, sizeof(exit->message), "emulation stopped at pc %#" PRIx64 ": %s",
			 cpu->pc, err ? uc_strerror(err) : "no reason given");
	}
	/* Faults and unmapped accesses re-execute the instruction. */
	if (exit->event == CPU_DATA_ABORT || exit->event == CPU_INSN_ABORT ||
	    exit->event == CPU_UNDEFINED || exit->event == CPU_BREAKPOINT)
		cpu->pc = exit->pc;
	if (exit->event != CPU_BUDGET)
		uncount_rest_of_block(cpu, exit->pc);
	cpu->exit = NULL;
}

/* The work of the memory hook for the model, done by the fast path itself for
 * the accesses it makes without the library's helper. */
static void watch_data_access(void *data, uint64_t addr, unsigned size, bool write)
{
	record_access(data, addr, size, write ? TRACE_WRITE : TRACE_READ);
	report_access(data, addr, size, false);
}

/* A watch of the self-test's (cpu_watch_data). */
static void on_watched_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			      int64_t value, void *opaque)
{
	struct cpu *cpu = opaque;

	cpu->watch(cpu->watch_data, addr, (unsigned)size, type == UC_MEM_WRITE);
}

/* The one memory hook: the library calls `hook` for the accesses it makes,
 * the fast path calls `fn` for those it makes itself (sim/fastpath.c); both
 * must do the same work.  Code translated before it makes its plain
 * accesses inline, unseen. */
static int hook_data(struct cpu *cpu, void *hook, fastpath_watch_fn fn, void *data)
{
	if (cpu->watch || uc_hook_add(cpu->uc, &cpu->hooks[3], UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE,
				      hook, cpu, 1, 0))
		return -EIO;
	cpu->watch = fn;
	cpu->watch_data = data;
	fastpath_watch_data(cpu->uc, fn, data);
	return 0;
}

int cpu_set_tlb_model(struct cpu *cpu, struct domain *domain)
{
	cpu->model = domain;
	return hook_data(cpu, (void *)on_data_access, watch_data_access, cpu);
}

void cpu_set_recorder(struct cpu *cpu, struct recorder *r)
{
	cpu->recorder = r;
}

int cpu_watch_data(struct cpu *cpu, fastpath_watch_fn fn, void *data)
{
	return hook_data(cpu, (void *)on_watched_access, fn, data);
}

void cpu_flush_tlb(struct cpu *cpu)
{
	write_sysreg(cpu, &TLBI_VMALLE1, 0);
}

void cpu_switch_mm(struct cpu *cpu, struct mm *mm)
{
	cpu->mm = mm;
	/* TTBR0 through CP_REG, ASID 0 always: QEMU's TLB has no tags (ASIDs
	 * live in the TLB model), so the TLBI covers the new root. */
	write_sysreg(cpu, &TTBR0_EL1, mm->pgd);
	cpu_flush_tlb(cpu);
}

struct mm *cpu_current_mm(struct cpu *cpu)
{
	return cpu->mm;
}

/* Whether `va` has an EL0-executable page in `mm`: only then can Unicorn
 * translate it to find the frame's code (a failed translation outside a run
 * would raise an exception with nowhere to go). */
static bool executable_in(struct cpu *cpu, struct mm *mm, uint64_t va)
{
	phys_addr_t pa;
	unsigned prot;

	return pgtable_translate(cpu->phys, mm->pgd, va, &pa, &prot) && (prot & VM_EXEC);
}

void cpu_invalidate_code(struct cpu *cpu, struct mm *mm, uint64_t start, uint64_t end)
{
	bool borrowed = mm != cpu->mm;

	/* Translated code is found through the current tables: an mm that is
	 * not loaded is borrowed for the moment (TTBR0 and a TLB flush). */
	if (borrowed) {
		write_sysreg(cpu, &TTBR0_EL1, mm->pgd);
		cpu_flush_tlb(cpu);
	}
	/* Unicorn translates only the first address of the range it is given,
	 * so go page by page. */
	for (uint64_t va = start & PAGE_MASK; va < end; va += PAGE_SIZE)
		if (executable_in(cpu, mm, va))
			uc_ctl_remove_cache(cpu->uc, va, va + PAGE_SIZE);
	if (borrowed && cpu->mm) {
		write_sysreg(cpu, &TTBR0_EL1, cpu->mm->pgd);
		cpu_flush_tlb(cpu);
	}
}

static int map_shared_page(struct cpu *cpu, struct mm *mm, uint64_t va, phys_addr_t pa, unsigned prot)
{
	int err;

	phys_get(cpu->phys, pa);
	err = pgtable_map(cpu->phys, mm->pgd, va, pa, prot);
	if (err)
		phys_put(cpu->phys, pa);
	return err;
}

/* The emulator as a subscriber of an mm's notifier chain: QEMU's TLB holds
 * entries of the loaded mm only (it is flushed whenever another is loaded);
 * translated code is found by physical page, so it is dropped for any mm. */
struct cpu_notifier {
	struct mmu_notifier sub;
	struct cpu *cpu;
};

static struct cpu *notifier_cpu(struct mmu_notifier *sub)
{
	return ((struct cpu_notifier *)sub)->cpu;
}

static void on_invalidate_range(struct mmu_notifier *sub, struct mm *mm, uint64_t start,
				uint64_t end)
{
	struct cpu *cpu = notifier_cpu(sub);

	if (cpu->mm == mm)
		cpu_flush_tlb(cpu);
}

static void on_invalidate_code(struct mmu_notifier *sub, struct mm *mm, uint64_t start,
			       uint64_t end)
{
	cpu_invalidate_code(notifier_cpu(sub), mm, start, end);
}

static void on_release(struct mmu_notifier *sub, struct mm *mm)
{
	struct cpu *cpu = notifier_cpu(sub);

	if (cpu->mm == mm)
		cpu->mm = NULL;
	g_free(sub);
}

static const struct mmu_notifier_ops cpu_notifier_ops = {
	.invalidate_range = on_invalidate_range,
	.invalidate_code = on_invalidate_code,
	.release = on_release,
};

int cpu_prepare_mm(struct cpu *cpu, struct mm *mm)
{
	struct cpu_notifier *n;
	int err = map_shared_page(cpu, mm, TRAMPOLINE_VA, cpu->trampoline, VM_KERNEL_EXEC);

	if (!err)
		err = map_shared_page(cpu, mm, SIGRETURN_VA, cpu->sigreturn, VM_READ | VM_EXEC);
	if (err)
		return err;
	n = g_new0(struct cpu_notifier, 1);
	n->sub.ops = &cpu_notifier_ops;
	n->cpu = cpu;
	mmu_notifier_register(&n->sub, mm);
	return 0;
}

struct cpu_context {
	uc_context *uc;
	uint64_t pc;
};

struct cpu_context *cpu_context_new(struct cpu *cpu)
{
	struct cpu_context *ctx = g_new0(struct cpu_context, 1);

	if (uc_context_alloc(cpu->uc, &ctx->uc) != UC_ERR_OK)
		g_error("cannot allocate a CPU context");
	return ctx;
}

void cpu_context_free(struct cpu_context *ctx)
{
	if (!ctx)
		return;
	uc_context_free(ctx->uc);
	g_free(ctx);
}

void cpu_save_context(struct cpu *cpu, struct cpu_context *ctx)
{
	uc_context_save(cpu->uc, ctx->uc);
	ctx->pc = cpu->pc;
}

void cpu_load_context(struct cpu *cpu, const struct cpu_context *ctx, struct mm *mm)
{
	bool same_mm = mm == cpu->mm;

	uc_context_restore(cpu->uc, ctx->uc);
	cpu->pc = ctx->pc;
	cpu->mm = mm;
	/* The restored TTBR0 may be stale (a fresh context has none); the TLB
	 * only needs flushing when the address space changes. */
	write_sysreg(cpu, &TTBR0_EL1, mm->pgd);
	if (!same_mm)
		cpu_flush_tlb(cpu);
}

/* The register of a context that holds `reg`'s EL0 value: before the
 * context entered EL0 (at the trampoline), pc and sp are those it will
 * enter with. */
static int context_regid(const struct cpu_context *ctx, int reg)
{
	if (ctx->pc == TRAMPOLINE_VA && reg == CPU_REG_PC)
		return UC_ARM64_REG_ELR_EL1;
	if (ctx->pc == TRAMPOLINE_VA && reg == CPU_REG_SP)
		return UC_ARM64_REG_SP_EL0;
	return reg == CPU_REG_PC ? -1 : uc_regid(reg);
}

void cpu_context_set_reg(struct cpu_context *ctx, int reg, uint64_t value)
{
	int regid = context_regid(ctx, reg);

	if (regid < 0)
		ctx->pc = value;
	else
		uc_context_reg_write(ctx->uc, regid, &value);
}

uint64_t cpu_context_reg(const struct cpu_context *ctx, int reg)
{
	int regid = context_regid(ctx, reg);
	uint64_t value = 0;

	if (regid < 0)
		return ctx->pc;
	uc_context_reg_read(ctx->uc, regid, &value);
	return value;
}

void cpu_context_init_user(struct cpu *cpu, struct cpu_context *ctx, uint64_t pc, uint64_t sp)
{
	memcpy(ctx->uc, cpu->boot, uc_context_size(cpu->uc));	/* all registers zero */
	uc_context_reg_write(ctx->uc, UC_ARM64_REG_ELR_EL1, &pc);
	uc_context_reg_write(ctx->uc, UC_ARM64_REG_SP_EL0, &sp);
	ctx->pc = TRAMPOLINE_VA;
}

void cpu_get_fpsimd(struct cpu *cpu, struct cpu_fpsimd *fp)
{
	for (int i = 0; i < 32; i++)
		uc_reg_read(cpu->uc, UC_ARM64_REG_Q0 + i, fp->vregs[i]);
	uc_reg_read(cpu->uc, UC_ARM64_REG_FPSR, &fp->fpsr);
	uc_reg_read(cpu->uc, UC_ARM64_REG_FPCR, &fp->fpcr);
}

void cpu_set_fpsimd(struct cpu *cpu, const struct cpu_fpsimd *fp)
{
	for (int i = 0; i < 32; i++)
		uc_reg_write(cpu->uc, UC_ARM64_REG_Q0 + i, fp->vregs[i]);
	uc_reg_write(cpu->uc, UC_ARM64_REG_FPSR, &fp->fpsr);
	uc_reg_write(cpu->uc, UC_ARM64_REG_FPCR, &fp->fpcr);
}

void cpu_context_fpsimd(const struct cpu_context *ctx, struct cpu_fpsimd *fp)
{
	for (int i = 0; i < 32; i++)
		uc_context_reg_read(ctx->uc, UC_ARM64_REG_Q0 + i, fp->vregs[i]);
	uc_context_reg_read(ctx->uc, UC_ARM64_REG_FPSR, &fp->fpsr);
	uc_context_reg_read(ctx->uc, UC_ARM64_REG_FPCR, &fp->fpcr);
}

void cpu_context_set_fpsimd(struct cpu_context *ctx, const struct cpu_fpsimd *fp)
{
	for (int i = 0; i < 32; i++)
		uc_context_reg_write(ctx->uc, UC_ARM64_REG_Q0 + i, fp->vregs[i]);
	uc_context_reg_write(ctx->uc, UC_ARM64_REG_FPSR, &fp->fpsr);
	uc_context_reg_write(ctx->uc, UC_ARM64_REG_FPCR, &fp->fpcr);
}

void cpu_enter_user(struct cpu *cpu, uint64_t pc, uint64_t sp)
{
	uint64_t zero = 0;

	uc_context_restore(cpu->uc, cpu->boot);
	for (int reg = 0; reg <= 30; reg++)
		uc_reg_write(cpu->uc, uc_regid(reg), &zero);
	uc_reg_write(cpu->uc, UC_ARM64_REG_ELR_EL1, &pc);
	uc_reg_write(cpu->uc, UC_ARM64_REG_SP_EL0, &sp);
	if (cpu->mm)	/* the boot context holds a stale TTBR0 */
		cpu_switch_mm(cpu, cpu->mm);
	cpu->pc = TRAMPOLINE_VA;
}

static int configure_el1(struct cpu *cpu)
{
	const uint64_t tcr = 16 /* T0SZ: 48-bit VA */ | 1u << 8 | 1u << 10 /* walks WB */ |
			     3u << 12 /* inner shareable */ | 1u << 23 /* EPD1 */ |
			     UINT64_C(5) << 32 /* IPS: 48-bit PA */;
	int err = 0;

	err |= write_sysreg(cpu, &SCR_EL3, 1u << 10);	/* RW: EL1 is AArch64 */
	err |= write_sysreg(cpu, &MAIR_EL1, 0xff);	/* attr 0: normal write-back */
	err |= write_sysreg(cpu, &TCR_EL1, tcr);
	err |= write_sysreg(cpu, &SPSR_EL1, 0);		/* eret to EL0t, AArch64 */
	/* M; and as Linux sets them, UCT (EL0 reads CTR_EL0) and UCI (EL0 cache
	 * maintenance by VA).  DZE stays 0: DCZID_EL0 says DC ZVA is prohibited.
	 * CNTKCTL_EL1 stays 0: the counters trap (sim/sysreg emulates them). */
	err |= write_sysreg(cpu, &SCTLR_EL1, read_sysreg(cpu, &SCTLR_EL1) | 1 | 1u << 15 | 1u << 26);
	return err;
}

struct host_range {
	uintptr_t start, end;
};

/* This process's private anonymous read-write-execute mappings: Unicorn's
 * translated-code buffers live in such mappings. */
static GArray *list_code_mappings(void)
{
	GArray *ranges = g_array_new(FALSE, FALSE, sizeof(struct host_range));
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];

	while (maps && fgets(line, sizeof(line), maps)) {
		struct host_range r;
		char perms[8];
		unsigned long inode;

		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %*s %*s %lu", &r.start, &r.end,
			   perms, &inode) == 4 && strcmp(perms, "rwxp") == 0 && inode == 0)
			g_array_append_val(ranges, r);
	}
	if (maps)
		fclose(maps);
	return ranges;
}

static bool contains_range(GArray *ranges, const struct host_range *r)
{
	for (guint i = 0; i < ranges->len; i++)
		if (g_array_index(ranges, struct host_range, i).start == r->start)
			return true;
	return false;
}

/* The engine just created its code buffer: the one read-write-execute
 * mapping that was not there `before`.  Watch the page 3/4 into it, which
 * no code has reached yet. */
static int watch_code_buffer(struct cpu *cpu, GArray *before, GString *error)
{
	GArray *after = list_code_mappings();
	const struct host_range *found = NULL;
	unsigned char resident = 1;
	int count = 0;

	for (guint i = 0; i < after->len; i++) {
		const struct host_range *r = &g_array_index(after, struct host_range, i);

		if (!contains_range(before, r)) {
			found = r;
			count++;
		}
	}
	if (count == 1) {
		cpu->code_watch = (const uint8_t *)((found->start + (found->end - found->start) / 4 * 3) &
						    PAGE_MASK);
		cpu->code_check_in = CODE_CHECK_BLOCKS;
	}
	g_array_free(after, TRUE);
	if (count != 1 || mincore((void *)cpu->code_watch, PAGE_SIZE, &resident) || (resident & 1)) {
		g_string_printf(error, "cannot find Unicorn's translated-code buffer in /proc/self/maps "
				"(%d new read-write-execute mappings)", count);
		return -EIO;
	}
	return 0;
}

static int create_engine(struct cpu *cpu, GString *error)
{
	uint64_t ram = phys_reachable_size(cpu->phys);
	g_autoptr(GArray) before = NULL;
	uc_err err;

	if (!unicorn_load(error)) {
		g_string_prepend(error, "cannot start the AArch64 emulator: ");
		return -EIO;
	}
	before = list_code_mappings();
	err = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &cpu->uc);
	if (err) {
		g_string_printf(error, "cannot start the AArch64 emulator: %s", uc_strerror(err));
		return -EIO;
	}
	if (!err)
		err = uc_mem_map_ptr(cpu->uc, 0, ram, UC_PROT_ALL, phys_base(cpu->phys));
	if (!err && ram < PLACEHOLDER_END)
		err = uc_mmio_map(cpu->uc, ram, PLACEHOLDER_END - ram, NULL, NULL, NULL, NULL);
	if (!err && ram < PLACEHOLDER_END)
		err = uc_mem_protect(cpu->uc, ram, PLACEHOLDER_END - ram, UC_PROT_ALL);
	if (!err)
		err = uc_hook_add(cpu->uc, &cpu->hooks[0], UC_HOOK_INTR, (void *)on_interrupt, cpu, 1, 0);
	if (!err)
		err = uc_hook_add(cpu->uc, &cpu->hooks[1], UC_HOOK_MEM_UNMAPPED, (void *)on_unmapped,
				  cpu, 1, 0);
	if (!err)
		err = uc_hook_add(cpu->uc, &cpu->hooks[2], UC_HOOK_BLOCK, (void *)on_block, cpu, 1, 0);
	if (!err)
		err = uc_context_alloc(cpu->uc, &cpu->boot);
	if (!err)
		err = uc_context_alloc(cpu->uc, &cpu->scratch);
	if (err) {
		g_string_printf(error, "cannot set up the emulated machine: %s", uc_strerror(err));
		return -EIO;
	}
	if (watch_code_buffer(cpu, before, error))
		return -EIO;
	if (configure_el1(cpu)) {
		g_string_printf(error, "cannot set the AArch64 system registers");
		return -EIO;
	}
	uc_context_save(cpu->uc, cpu->boot);
	return 0;
}

/*
 * The self-check.  In a throw-away address space holding two instructions,
 * take data aborts at two known addresses, find the one offset of the saved
 * context that holds each address, then confirm with a store (WnR set) and a
 * fetch from an unmapped page that events, addresses and syndromes agree.
 */
#define PROBE_CODE_VA	UINT64_C(0x400000)
#define PROBE_HOLE_VA	UINT64_C(0x500000)
static const uint64_t probe_addrs[2] = { UINT64_C(0x5a5a5a5a5a50), UINT64_C(0x3c3c3c3c3c38) };

static void probe_run(struct cpu *cpu, uint64_t pc, uint64_t target, struct cpu_exit *e)
{
	cpu_enter_user(cpu, pc, 0);
	cpu_set_reg(cpu, 0, target - 16);
	cpu_run(cpu, 0, e);
}

static int scan_for_vaddress(struct cpu *cpu, GString *error)
{
	size_t size = uc_context_size(cpu->uc), found = 0, hits = 0;
	uint8_t *first = g_malloc(size);
	struct cpu_exit e;

	cpu->vaddress_off = 8;	/* harmless placeholder while probing */
	for (int run = 0; run < 2; run++) {
		probe_run(cpu, PROBE_CODE_VA, probe_addrs[run], &e);
		if (e.event != CPU_DATA_ABORT || e.pc != PROBE_CODE_VA) {
			g_string_printf(error, "CPU self-check: a load from unmapped %#" PRIx64
					" did not raise a data abort at pc %#" PRIx64 " (event %d at %#" PRIx64 ")",
					probe_addrs[run], PROBE_CODE_VA, e.event, e.pc);
			g_free(first);
			return -EIO;
		}
		if (run == 0) {
			memcpy(first, cpu->scratch, size);
			continue;
		}
		for (size_t off = 8; off + 8 <= size; off += 8) {
			uint64_t a, b;

			memcpy(&a, first + off, 8);
			memcpy(&b, (uint8_t *)cpu->scratch + off, 8);
			if (a == probe_addrs[0] && b == probe_addrs[1]) {
				found = off;
				hits++;
			}
		}
	}
	g_free(first);
	if (hits != 1) {
		g_string_printf(error, "CPU self-check: the fault address appears at %zu places of the "
				"saved CPU state, expected exactly one", hits);
		return -EIO;
	}
	cpu->vaddress_off = found;
	return 0;
}

static int check_abort(struct cpu *cpu, const char *what, uint64_t pc, uint64_t target,
		       enum cpu_event event, unsigned ec, bool write, GString *error)
{
	struct cpu_exit e;

	probe_run(cpu, pc, target, &e);
	if (e.event == event && e.addr == target && ESR_EC(e.syndrome) == ec && e.write == write)
		return 0;
	g_string_printf(error, "CPU self-check: %s at %#" PRIx64 " gave event %d, address %#" PRIx64
			", syndrome %#x (expected class %#x%s)", what, target, e.event, e.addr,
			e.syndrome, ec, write ? ", WnR" : "");
	return -EIO;
}

static int self_check(struct cpu *cpu, GString *error)
{
	static const uint32_t code[] = { INSN_LDR_X1_X0_16, INSN_STR_X1_X0_16 };
	struct mm probe = { .phys = cpu->phys };
	phys_addr_t code_pa;
	int err = pgtable_create(cpu->phys, &probe.pgd);

	if (!err)
		err = cpu_prepare_mm(cpu, &probe);
	if (!err)
		err = phys_alloc(cpu->phys, FRAME_DATA, &code_pa);
	if (err) {
		g_string_printf(error, "CPU self-check: simulated memory too small");
		return err;
	}
	memcpy(phys_to_host(cpu->phys, code_pa), code, sizeof(code));
	pgtable_map(cpu->phys, probe.pgd, PROBE_CODE_VA, code_pa, VM_READ | VM_EXEC);
	cpu_switch_mm(cpu, &probe);
	err = scan_for_vaddress(cpu, error);
	if (!err)
		err = check_abort(cpu, "a store", PROBE_CODE_VA + 4, probe_addrs[0],
				  CPU_DATA_ABORT, EC_DABT_LOWER, true, error);
	if (!err)
		err = check_abort(cpu, "a jump to an unmapped page", PROBE_HOLE_VA, PROBE_HOLE_VA,
				  CPU_INSN_ABORT, EC_IABT_LOWER, false, error);
	/* The probe's code frame is about to be freed and reused: drop what was
	 * translated from it while it is still mapped.  (A full flush of
	 * translated code would clear QEMU's whole code buffer: ~1 GB.) */
	cpu_invalidate_code(cpu, &probe, PROBE_CODE_VA, PROBE_CODE_VA + PAGE_SIZE);
	mmu_notifier_release(&probe);
	cpu->mm = NULL;
	pgtable_put(cpu->phys, probe.pgd, PGD_LEVEL);
	cpu->insns = 0;
	return err;
}

int cpu_create(struct phys *phys, struct cpu **out, GString *error)
{
	struct cpu *cpu = g_new0(struct cpu, 1);
	int err;

	cpu->phys = phys;
	cpu->breakpoints = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
	err = phys_alloc(phys, FRAME_KERNEL, &cpu->trampoline);
	if (err) {
		g_string_printf(error, "simulated memory too small for the CPU");
		g_hash_table_destroy(cpu->breakpoints);
		g_free(cpu);
		return err;
	}
	*(uint32_t *)phys_to_host(phys, cpu->trampoline) = INSN_ERET;
	if (phys_alloc(phys, FRAME_KERNEL, &cpu->sigreturn)) {
		g_string_printf(error, "simulated memory too small for the CPU");
		phys_put(phys, cpu->trampoline);
		g_hash_table_destroy(cpu->breakpoints);
		g_free(cpu);
		return -ENOMEM;
	}
	((uint32_t *)phys_to_host(phys, cpu->sigreturn))[0] = INSN_MOV_X8_139;
	((uint32_t *)phys_to_host(phys, cpu->sigreturn))[1] = INSN_SVC_0;
	err = create_engine(cpu, error);
	if (!err)
		err = self_check(cpu, error);
	if (err) {
		cpu_destroy(cpu);
		return err;
	}
	*out = cpu;
	return 0;
}

void cpu_destroy(struct cpu *cpu)
{
	if (!cpu)
		return;
	if (cpu->boot)
		uc_context_free(cpu->boot);
	if (cpu->scratch)
		uc_context_free(cpu->scratch);
	if (cpu->uc) {
		fastpath_detach(cpu->uc);
		uc_close(cpu->uc);
	}
	phys_put(cpu->phys, cpu->trampoline);
	phys_put(cpu->phys, cpu->sigreturn);
	g_hash_table_destroy(cpu->breakpoints);
	g_free(cpu);
}

int cpu_enable_fastpath(struct cpu *cpu, GString *why)
{
	int err;

	if (fastpath_attached(cpu->uc))
		return 0;
	cpu_flush_tlb(cpu);	/* no entry made before keeps its mark for nothing */
	err = fastpath_attach(cpu->uc, phys_base(cpu->phys), phys_reachable_size(cpu->phys), why);
	if (!err && cpu->watch)
		fastpath_watch_data(cpu->uc, cpu->watch, cpu->watch_data);
	return err;
}

void cpu_disable_fastpath(struct cpu *cpu)
{
	fastpath_detach(cpu->uc);
	cpu_flush_tlb(cpu);	/* entries without the mark must not outlive the fast path */
}

bool cpu_fastpath_on(struct cpu *cpu, struct fastpath_stats *stats)
{
	if (stats)
		*stats = fastpath_stats(cpu->uc);
	return fastpath_attached(cpu->uc);
}

bool cpu_code_page_known(struct cpu *cpu, phys_addr_t pa)
{
	return fastpath_page_has_code(cpu->uc, pa);
}
