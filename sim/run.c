/*
 * run: the run loop, and how a program starts and the simulation ends.
 *
 * The loop asks the scheduler for the CPU to run next, loads that CPU's
 * task into the engine, finishes a system call the task was blocked in,
 * delivers its signals, and runs it for at most what is left of its
 * quantum (the instructions it has run since it took the CPU, across
 * system calls and faults).  The event that ends the slice (system call,
 * fault, budget) is handled before the next pick.  Each CPU's agent pays for the instructions it ran and the lookups
 * its TLB model made.  Under --gdb the debugger is served around each run
 * of the engine (gdbstub_before_run, gdbstub_after_run).
 *
 * This is the top of sim/: it calls the scheduler, the system calls, the
 * signal and exit paths; none of them calls back here.
 */
#include "sim/run.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "mmu/fault.h"
#include "sim/abort.h"
#include "sim/crash.h"
#include "sim/dispatch.h"
#include "sim/exec.h"
#include "sim/explain.h"
#include "sim/fork.h"
#include "sim/gdbstub.h"
#include "sim/hostsig.h"
#include "sim/itimer.h"
#include "sim/msharefs.h"
#include "sim/procfs.h"
#include "sim/roi.h"
#include "sim/sysfs.h"
#include "sim/sched.h"
#include "sim/signal.h"
#include "sim/syscall.h"
#include "sim/sysreg.h"
#include "sim/tmpfs.h"
#include "sim/userfaultfd.h"
#include "sim/accel.h"
#include "sim/dmirror.h"

/* The same abort repeating this often means the emulator and the model
 * disagree about a translation: a simulator bug, reported as such. */
#define MAX_SPURIOUS_REPEATS 16

static void handle_abort(struct machine *m, struct task *t, const struct cpu_exit *e,
			 unsigned *repeats)
{
	enum fault_access access = e->event == CPU_INSN_ABORT ? FAULT_EXEC :
				   e->write ? FAULT_WRITE : FAULT_READ;
	struct vm_fault vmf;
	struct fault_story *story;

	if (do_bad_abort(m, t, e))	/* not a page fault */
		return;
	vm_fault_init(&vmf, t->mm, e->addr, access, FAULT_FLAG_ALLOW_RETRY);
	story = explain_fault_begin(m, t, e, &vmf);
	handle_mm_fault(&vmf);
	explain_fault_end(m, story, &vmf);
	switch (vmf.result) {
	case VM_FAULT_DONE:
		if (vmf.kind != FAULT_KIND_SPURIOUS)
			*repeats = 0;
		else if (++*repeats > MAX_SPURIOUS_REPEATS)
			report_internal_error(m, "the emulated MMU keeps faulting at %#" PRIx64 " (pc %#"
					      PRIx64 ", syndrome %#x) although the page tables allow "
					      "the access", e->addr, e->pc, e->syndrome);
		break;
	case VM_FAULT_SIGSEGV:
		force_fault_signal(m, t, G_SIGSEGV,
				   vmf.kind == FAULT_KIND_MAPERR ? G_SEGV_MAPERR : G_SEGV_ACCERR, e->addr);
		break;
	case VM_FAULT_SIGBUS:
		force_fault_signal(m, t, G_SIGBUS, G_BUS_ADRERR, e->addr);
		break;
	case VM_FAULT_HWPOISON:
		force_fault_signal(m, t, G_SIGBUS, G_BUS_MCEERR_AR, e->addr);
		break;
	case VM_FAULT_OOM:
		report_fatal_signal(m, t, G_SIGKILL, 0, e->addr, "out of simulated memory (raise --mem)");
		kill_process_by_signal(m, t->proc, G_SIGKILL);
		break;
	case VM_FAULT_RETRY:	/* the PC stays on the access, which runs again when woken */
		block_in_fault(m, t, &vmf);
		break;
	}
}

/* Whether the instruction budget of --max-insns is spent. */
static bool budget_spent(struct machine *m, struct task *t)
{
	if (!m->opt.max_insns || cpu_insns(m->cpu) < m->opt.max_insns)
		return false;
	report_budget_exhausted(m, t);
	machine_exit(m, 128 + G_SIGXCPU);
	return true;
}

static void handle_event(struct machine *m, struct task *t, const struct cpu_exit *e,
			 bool last_budget, unsigned *repeats)
{
	switch (e->event) {
	case CPU_SYSCALL:
		do_syscall(m, t);
		break;
	case CPU_DATA_ABORT:
	case CPU_INSN_ABORT:
		handle_abort(m, t, e, repeats);
		break;
	case CPU_UNDEFINED:
		if (!emulate_el0_sysreg(m, t, e->pc))
			force_fault_signal(m, t, G_SIGILL, G_ILL_ILLOPC, e->pc);
		break;
	case CPU_BREAKPOINT:
		force_fault_signal(m, t, G_SIGTRAP, G_TRAP_BRKPT, e->pc);
		break;
	case CPU_DEBUG_STOP:	/* the debugger hears of it (gdbstub_after_run) */
		break;
	case CPU_BUDGET:
		/* The next block does not fit: in what is left of --max-insns,
		 * or in the quantum. */
		if (last_budget) {
			report_budget_exhausted(m, t);
			machine_exit(m, 128 + G_SIGXCPU);
		} else {
			sched_preempt(m, m->this_cpu);
		}
		break;
	case CPU_NO_EVENT:
	case CPU_ERROR:
		report_internal_error(m, "%s", e->message);
		break;
	}
}

/* The task used up its quantum (in one run, or across the system calls
 * and faults that ended its runs): another runnable task takes the CPU,
 * else a new quantum starts. */
static void end_quantum(struct machine *m, struct sim_cpu *c, const struct cpu_exit *e)
{
	if (e->event != CPU_BUDGET && c->slice_insns < m->opt.quantum)
		return;
	c->slice_insns = 0;
	if (e->event != CPU_BUDGET && c->current)
		sched_preempt(m, c);	/* CPU_BUDGET: handle_event did */
}

static void run_slice(struct machine *m, struct sim_cpu *c, unsigned *repeats)
{
	struct task *t = c->current;
	uint64_t before, start, user_end, budget = m->opt.quantum - c->slice_insns;
	bool last_budget = false;
	struct cpu_exit e;

	sched_load(m, t);
	if (wait_retrying(&t->wait)) {
		resume_after_wait(m, t);
		if (m->exited || c->current != t)
			return;
	}
	do_signal(m, t);
	if (m->exited || c->current != t || budget_spent(m, t))
		return;
	if (m->opt.max_insns && m->opt.max_insns - cpu_insns(m->cpu) < budget) {
		budget = m->opt.max_insns - cpu_insns(m->cpu);
		last_budget = true;
	}
	if (m->gdb && !gdbstub_before_run(m, t))
		return;
	before = cpu_insns(m->cpu);
	start = c->agent->clock;
	cpu_run(m->cpu, budget, &e);
	c->slice_insns += cpu_insns(m->cpu) - before;
	agent_pay_insns(c->agent, cpu_insns(m->cpu) - before);
	user_end = c->agent->clock;
	handle_event(m, t, &e, last_budget, repeats);
	if (!m->exited && c->current == t)
		end_quantum(m, c, &e);
	if (m->gdb)
		gdbstub_after_run(m, t, &e, before);
	if (t->state != TASK_DEAD)
		account_cputime(m, t, user_end - start, c->agent->clock - user_end);
}

/* A host signal asked mmusim to stop (sim/hostsig): the run ends here,
 * between two slices. */
static void check_host_stop(struct machine *m)
{
	int signo = hostsig_pending();

	if (signo && !m->exited) {
		m->interrupted = signo;
		machine_exit(m, 128 + signo);
	}
}

static void run(struct machine *m)
{
	unsigned repeats = 0;
	struct sim_cpu *c;

	progress_init(&m->progress, m->opt.progress, m->log);
	while (!m->exited && (c = sched_pick(m))) {
		run_slice(m, c, &repeats);
		machine_free_dead_tasks(m);
		check_host_stop(m);
		progress_tick(&m->progress, cpu_insns(m->cpu), machine_simulated_ns(m));
	}
	progress_finish(&m->progress, cpu_insns(m->cpu), machine_simulated_ns(m));
}

/* The first task: process FIRST_PID, with standard descriptors and the
 * initial working directory, and no address space yet. */
static struct task *create_init_task(struct machine *m, const char *exe)
{
	struct task *t = task_create(m, NULL, NULL, exe);
	char *cwd = machine_initial_cwd(m);

	m->init = t->proc;
	t->fs = fs_new(cwd);
	t->files = files_new();
	fdtable_init_stdio(&t->files->fdt);
	t->sighand = sighand_new();
	g_free(cwd);
	return t;
}

int run_program(struct machine *m, char *const *argv, char *const *envp)
{
	GString *error = g_string_new(NULL);
	struct exec_image image;
	struct task *init;
	int err;

	procfs_mount(m);	/* the guest's /proc is the simulation's */
	sysfs_mount(m);		/* and so is its /sys */
	msharefs_mount(m);	/* with /sys/fs/mshare (sim/msharefs.c) */
	userfaultfd_mount(m);	/* and its /dev/userfaultfd */
	accel_mount(m);		/* /dev/accelN (sim/accel.c) */
	dmirror_mount(m);	/* and /dev/hmm_dmirrorN over them (sim/dmirror.c) */
	for (char **point = m->opt.tmpfs; point && *point; point++)
		tmpfs_mount(m, *point);
	init = create_init_task(m, argv[0]);
	err = exec_first_program(m, init, argv, envp, &image, error);
	if (err) {
		fprintf(m->log, "mmusim: %s\n", error->str);
		g_string_free(error, TRUE);
		return err == -ENOENT ? 127 : 126;
	}
	g_string_free(error, TRUE);
	cpu_context_init_user(m->cpu, init->ctx, image.entry, image.sp);
	sched_add_new(m, init);
	run(m);
	domain_close_switches(&m->domain);
	roi_finish(m);
	return m->exit_status;
}
