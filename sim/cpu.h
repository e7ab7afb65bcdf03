/*
 * cpu: one emulated AArch64 CPU running guest code at EL0 on the simulator's
 * own page tables.  cpu.c is the only file that talks to Unicorn (with
 * sim/fastpath.c, the one that relies on the library's internals).
 *
 * The CPU runs until something needs the simulator: a system call, an abort
 * (translation or permission fault, as the emulated MMU found it walking our
 * tables), an undefined instruction, a breakpoint, or the end of the
 * instruction budget.  cpu_run() returns that event; after a fault is fixed,
 * running again re-executes the faulting instruction.
 *
 * The abort's address and syndrome are not handed to Unicorn hooks; they are
 * read from the saved CPU state at an offset found at start-up by provoking
 * aborts at known addresses (cpu_create fails, with a message, if that
 * self-check does not pass).
 *
 * The store fast path (sim/fastpath.c, the only other file that relies on
 * the library's internals) is off until cpu_enable_fastpath(); the caller
 * proves it first on a throw-away CPU (sim/fastpath_check.c).
 */
#ifndef SIM_CPU_H
#define SIM_CPU_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm.h"
#include "sim/fastpath.h"

/* VA of the EL1-only page holding the `eret` that drops to EL0.  It lies
 * below MMAP_MIN_ADDR, where the guest can never map anything. */
#define TRAMPOLINE_VA UINT64_C(0x1000)
/* VA of the user-executable page holding `mov x8, #139; svc #0`: where signal
 * handlers return to unless SA_RESTORER names another place (the kernel
 * keeps this in the vDSO). */
#define SIGRETURN_VA UINT64_C(0x2000)

enum cpu_event {
	CPU_NO_EVENT,		/* (internal: nothing happened yet) */
	CPU_SYSCALL,		/* pc is past the SVC */
	CPU_DATA_ABORT,		/* pc is the faulting instruction */
	CPU_INSN_ABORT,		/* pc is the fetch address */
	CPU_UNDEFINED,		/* pc is the instruction */
	CPU_BREAKPOINT,		/* BRK; pc is the instruction */
	CPU_BUDGET,		/* the instruction budget ran out */
	CPU_DEBUG_STOP,		/* a debugger's breakpoint, or the end of its single
				 * step: pc is the next instruction, not run yet */
	CPU_ERROR,		/* the emulator failed; message says why */
};

struct cpu_exit {
	enum cpu_event event;
	uint64_t pc;
	uint64_t addr;		/* faulting address for aborts */
	bool write;		/* data abort on a store */
	uint32_t syndrome;	/* ESR value for aborts */
	char message[160];
};

/* AArch64 register numbers for cpu_reg()/cpu_set_reg(): 0-30 are x0-x30. */
enum { CPU_REG_SP = 31, CPU_REG_PC, CPU_REG_TPIDR, CPU_REG_NZCV };

struct cpu;

int cpu_create(struct phys *phys, struct cpu **out, GString *error);
void cpu_destroy(struct cpu *cpu);

/* Let guest stores to RAM without translated code skip the library's slow
 * path (sim/fastpath.h); -ENOTSUP, with the reason, for another library. */
int cpu_enable_fastpath(struct cpu *cpu, GString *why);
void cpu_disable_fastpath(struct cpu *cpu);
/* Whether it is on, and what it did (`stats` may be NULL). */
bool cpu_fastpath_on(struct cpu *cpu, struct fastpath_stats *stats);
/* Whether the fast path knows the frame of `pa` holds translated code. */
bool cpu_code_page_known(struct cpu *cpu, phys_addr_t pa);

/* Make a new address space runnable on this CPU: map the trampoline and the
 * sigreturn page, and subscribe the emulator to its notifier chain, so that
 * its own TLB and translated code never outlive a change to the tables,
 * whether the mm is loaded or not. */
int cpu_prepare_mm(struct cpu *cpu, struct mm *mm);
/* Load an address space: TTBR0 (root, ASID) and a full TLB flush. */
void cpu_switch_mm(struct cpu *cpu, struct mm *mm);
struct mm *cpu_current_mm(struct cpu *cpu);
void cpu_flush_tlb(struct cpu *cpu);
/* Forget translated code for the executable pages of [start, end) of `mm`,
 * loaded or not. */
void cpu_invalidate_code(struct cpu *cpu, struct mm *mm, uint64_t start, uint64_t end);

/* The translation model (--tlb exact): each virtual page a guest data
 * access touches and each page a block of instructions is fetched from is
 * looked up, in the loaded mm, by agent_access() of `domain`'s current
 * agent, before the emulated MMU translates it. */
struct domain;
int cpu_set_tlb_model(struct cpu *cpu, struct domain *domain);
/* --record (with the TLB model): each access the model is told of, and the
 * instructions of each cpu_run(), go to `r` too (sim/record.h). */
struct recorder;
void cpu_set_recorder(struct cpu *cpu, struct recorder *r);

/* For the fast path's self-test: every guest data access, its virtual
 * address and size as the library's memory hook reports them, goes to `fn`
 * (instead of a translation model: a CPU has one or the other), from code
 * translated after this call. */
int cpu_watch_data(struct cpu *cpu, fastpath_watch_fn fn, void *data);

/*
 * Task contexts: the registers (general, FP/SIMD, TLS, PSTATE) and the PC
 * where a task resumes.  One engine serves every simulated CPU; the task it
 * runs is the one whose context was loaded last.  A context does not carry
 * the TLB: loading a task of another address space needs cpu_switch_mm().
 */
struct cpu_context;

struct cpu_context *cpu_context_new(struct cpu *cpu);
void cpu_context_free(struct cpu_context *ctx);
void cpu_save_context(struct cpu *cpu, struct cpu_context *ctx);
/* Load a task's context and its address space `mm` (flushing the TLB when
 * `mm` is not the one loaded before). */
void cpu_load_context(struct cpu *cpu, const struct cpu_context *ctx, struct mm *mm);
/* Set a register of a context that is not loaded (PC included); a context
 * that has not entered EL0 yet (after exec) gets the pc and sp it enters
 * with. */
void cpu_context_set_reg(struct cpu_context *ctx, int reg, uint64_t value);
/* Read one, in the same EL0 view (PC and NZCV included). */
uint64_t cpu_context_reg(const struct cpu_context *ctx, int reg);
/* A fresh context that enters EL0 at `pc` with `sp`: all other registers zero. */
void cpu_context_init_user(struct cpu *cpu, struct cpu_context *ctx, uint64_t pc, uint64_t sp);

/* FP/SIMD state, for signal frames: v0-v31 as 128-bit values, FPSR, FPCR. */
struct cpu_fpsimd {
	uint64_t vregs[32][2];
	uint32_t fpsr, fpcr;
};
void cpu_get_fpsimd(struct cpu *cpu, struct cpu_fpsimd *fp);
void cpu_set_fpsimd(struct cpu *cpu, const struct cpu_fpsimd *fp);
/* The same of a context that is not loaded (a debugger's view). */
void cpu_context_fpsimd(const struct cpu_context *ctx, struct cpu_fpsimd *fp);
void cpu_context_set_fpsimd(struct cpu_context *ctx, const struct cpu_fpsimd *fp);

/* Reset the registers for a new program entering EL0 at `pc` with `sp`. */
void cpu_enter_user(struct cpu *cpu, uint64_t pc, uint64_t sp);
/* Run for at most `budget` more instructions (0: no limit); a block that
 * would pass the budget is not started (CPU_BUDGET). */
void cpu_run(struct cpu *cpu, uint64_t budget, struct cpu_exit *exit);

/*
 * For a debugger (sim/gdbstub.c).  A breakpoint stops a run before the
 * instruction at `va` runs, in any address space (CPU_DEBUG_STOP); inserting
 * one drops no translated code: the caller invalidates `va` in each address
 * space (cpu_invalidate_code).  Nothing is written to guest memory.
 * -EINVAL beyond the user range or unaligned, -ENOSPC past CPU_MAX_BREAKPOINTS.
 */
#define CPU_MAX_BREAKPOINTS 256
int cpu_insert_breakpoint(struct cpu *cpu, uint64_t va);
void cpu_remove_breakpoint(struct cpu *cpu, uint64_t va);
/* How the next cpu_run() serves the debugger: `step`: stop (CPU_DEBUG_STOP)
 * as soon as one instruction ran; `pass`: a breakpoint at the instruction
 * the run starts with does not stop it (it was reported before).  Only the
 * next run. */
void cpu_debug_next_run(struct cpu *cpu, bool step, bool pass);

uint64_t cpu_reg(struct cpu *cpu, int reg);
void cpu_set_reg(struct cpu *cpu, int reg, uint64_t value);
/* Guest instructions executed so far: counted per block entered, less the
 * part of a block an exception cut short. */
uint64_t cpu_insns(const struct cpu *cpu);

#endif
