/*
 * sim/wait: a task that sleeps in a page fault (block_in_fault), the way a
 * fault another task must resolve (userfaultfd) will.  The guest's load
 * faults on an unmapped page; the task sleeps with its PC on the load; the
 * test, standing in for the resolving task, maps the page and wakes the
 * channel; the load then runs again and reads the value.  A signal that
 * ends the sleep is delivered first, and after its handler returns
 * (rt_sigreturn) the same load runs again.  Also: a pending signal keeps
 * the task from sleeping, a killable-only sleep (vfork) ignores all
 * signals but SIGKILL, and a call a signal woke does not sleep again.
 * Last, the whole path through the run loop: a region whose vm_ops fault
 * answers VM_FAULT_RETRY until a resolving thread fills it (test-only
 * system calls at MMUSIM_SYSCALL_BASE).
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "../../guest/mmusim.h"
#include "mmu/anon.h"
#include "mmu/pgtable.h"
#include "mmu/uaccess.h"
#include "sim/dispatch.h"
#include "sim/run.h"
#include "sim/sched.h"
#include "sim/signal.h"
#include "tests/unit/sim_test.h"

/* Test-only calls, clear of the designs' numbers (1000-1015: VAS). */
#define TEST_CALL_BASE (MMUSIM_SYSCALL_BASE + 900)

#define CODE_VA		UINT64_C(0x400000)
#define HANDLER_VA	UINT64_C(0x401000)
#define DATA_VA		UINT64_C(0x500000)
#define STACK_VA	UINT64_C(0x7f0000)
#define FRAME_STACK_SIZE	(4 * PAGE_SIZE)	/* a signal frame is over 4 KiB */

static const uint32_t code[] = {
	0xf9400001u,	/* ldr x1, [x0] */
	0xd4000001u,	/* svc #0 */
};
static const uint32_t handler[] = {
	0xd2801168u,	/* mov x8, #139 (rt_sigreturn) */
	0xd4000001u,	/* svc #0 */
};

static const int channel;	/* what the faulting task waits on */

TestSuite(wait, .init = sim_setup, .fini = sim_teardown);

/* Map a fresh frame at `va` holding `len` bytes of `bytes`. */
static void map_page(struct mm *mm, uint64_t va, const void *bytes, size_t len, unsigned prot)
{
	phys_addr_t pa;

	cr_assert_eq(phys_alloc(m->phys, FRAME_DATA, &pa), 0);
	memcpy(phys_to_host(m->phys, pa), bytes, len);
	cr_assert_eq(pgtable_map(m->phys, mm->pgd, va, pa, prot), 0);
}

/* A task on the CPU, about to load from DATA_VA (not mapped yet). */
static struct task *faulting_task(void)
{
	struct process *p = process_new(100, NULL, "test");
	struct task *t = task_alloc(100, p, m->cpu);
	uint64_t stack;
	struct mm *mm;

	m->processes = g_list_append(m->processes, p);
	cr_assert_eq(machine_new_mm(m, &mm), 0);
	map_page(mm, CODE_VA, code, sizeof(code), VM_READ | VM_EXEC);
	map_page(mm, HANDLER_VA, handler, sizeof(handler), VM_READ | VM_EXEC);
	cr_assert_eq(mm_mmap(mm, STACK_VA, FRAME_STACK_SIZE, VM_READ | VM_WRITE, MM_MAP_FIXED,
			     NULL, 0, &stack), 0);	/* the signal frame goes here */
	task_attach_mm(t, mm);
	mmput(mm);
	t->mm = mm;
	t->sighand = sighand_new();
	cpu_context_init_user(m->cpu, t->ctx, CODE_VA, STACK_VA + FRAME_STACK_SIZE);
	g_hash_table_insert(m->tasks, GINT_TO_POINTER(t->tid), t);
	sched_add_new(m, t);
	cr_assert_eq(sched_pick(m)->current, t);
	return t;
}

/* Run the loaded task to its next event. */
static enum cpu_event run_task(struct task *t, struct cpu_exit *e)
{
	sched_load(m, t);
	cpu_set_reg(m->cpu, 0, DATA_VA);
	cpu_run(m->cpu, 0, e);
	return e->event;
}

/* The load's fault, answered VM_FAULT_RETRY: sleep on `channel`. */
static void sleep_in_fault(struct task *t)
{
	struct vm_fault vmf = { .address = DATA_VA, .access = FAULT_READ,
				.wait_channel = &channel, .wait_what = "test fault" };

	block_in_fault(m, t, &vmf);
}

/* Run into the fault and sleep in it. */
static void fault_and_sleep(struct task *t)
{
	struct cpu_exit e;

	cr_assert_eq(run_task(t, &e), CPU_DATA_ABORT);
	cr_assert_eq(e.pc, CODE_VA);
	sleep_in_fault(t);
	cr_assert_eq(t->state, TASK_BLOCKED);
	cr_assert_eq(t->wait.state, WAIT_BLOCKED);
	cr_assert_null(m->cpus[0].current, "the task still holds its CPU");
}

/* The CPU takes the task back (as the run loop does). */
static void back_on_cpu(struct task *t)
{
	cr_assert_eq(sched_pick(m)->current, t);
	sched_load(m, t);
	resume_after_wait(m, t);
	cr_assert_eq(t->wait.state, WAIT_RUNNING);
}

Test(wait, the_faulting_load_runs_again_when_woken)
{
	struct task *t = faulting_task();
	uint64_t value = 0x5eed, minor;
	struct cpu_exit e;

	fault_and_sleep(t);
	cr_expect_eq(sched_wake_channel(m, &channel, 1, UINT64_MAX), 1);
	cr_expect_eq(t->wait.state, WAIT_WOKEN);
	map_page(t->mm, DATA_VA, &value, sizeof(value), VM_READ);	/* the resolving task's part */
	minor = t->mm->min_flt;
	back_on_cpu(t);
	cr_expect_eq(t->mm->min_flt, minor + 1, "the retried fault that found the page is a minor fault");
	cr_expect_eq(cpu_reg(m->cpu, CPU_REG_PC), CODE_VA, "the PC moved past the faulting load");
	cr_expect_eq(cpu_reg(m->cpu, 0), DATA_VA, "the load's address register changed");
	cr_expect_eq(run_task(t, &e), CPU_SYSCALL);
	cr_expect_eq(cpu_reg(m->cpu, 1), 0x5eed, "the load did not run again");
	cr_expect_eq(syscall_count(m->syscall_counts, 139), 0, "resuming from a fault ran a system call");
}

Test(wait, a_wake_without_the_page_counts_no_fault_and_the_load_faults_again)
{
	struct task *t = faulting_task();
	uint64_t minor;
	struct cpu_exit e;

	fault_and_sleep(t);
	cr_expect_eq(sched_wake_channel(m, &channel, 1, UINT64_MAX), 1);
	minor = t->mm->min_flt;
	back_on_cpu(t);
	cr_expect_eq(t->mm->min_flt, minor, "a retry that finds no page is not a completed fault");
	cr_expect_eq(run_task(t, &e), CPU_DATA_ABORT, "the load did not fault again");
	cr_expect_eq(e.addr, DATA_VA);
}

Test(wait, a_signal_ends_the_sleep_and_the_load_runs_after_the_handler)
{
	struct task *t = faulting_task();
	struct sig_info usr1 = { .signo = G_SIGUSR1, .code = G_SI_USER };
	struct cpu_exit e;

	t->sighand->action[G_SIGUSR1].handler = HANDLER_VA;
	fault_and_sleep(t);
	send_signal_to_task(m, t, &usr1);
	cr_expect_eq(t->wait.state, WAIT_INTERRUPTED);
	back_on_cpu(t);
	do_signal(m, t);
	cr_expect_eq(cpu_reg(m->cpu, CPU_REG_PC), HANDLER_VA);
	cr_assert_eq(run_task(t, &e), CPU_SYSCALL);	/* the handler's rt_sigreturn */
	do_syscall(m, t);
	cr_expect_eq(cpu_reg(m->cpu, CPU_REG_PC), CODE_VA, "the handler returned past the faulting load");
	cr_expect_eq(run_task(t, &e), CPU_DATA_ABORT, "the load did not run again");
	cr_expect_eq(e.addr, DATA_VA);
}

Test(wait, a_pending_signal_keeps_the_task_awake)
{
	struct task *t = faulting_task();
	struct sig_info usr1 = { .signo = G_SIGUSR1, .code = G_SI_USER };
	struct cpu_exit e;

	t->sighand->action[G_SIGUSR1].handler = HANDLER_VA;
	send_signal_to_task(m, t, &usr1);
	cr_assert_eq(run_task(t, &e), CPU_DATA_ABORT);
	sleep_in_fault(t);
	cr_expect_eq(t->state, TASK_RUNNABLE);
	cr_expect_eq(t->wait.state, WAIT_RUNNING);
	cr_expect_eq(m->cpus[0].current, t);
}

Test(wait, a_killable_sleep_ends_only_for_sigkill)
{
	struct task *t = faulting_task();

	block_killable(m, t, &channel, "vfork");
	sched_interrupt(m, t, false);
	cr_expect_eq(t->wait.state, WAIT_BLOCKED);
	sched_interrupt(m, t, true);
	cr_expect_eq(t->wait.state, WAIT_INTERRUPTED);
	cr_expect_eq(t->state, TASK_RUNNABLE);
}

/* The userfault-like region: its faults sleep until `resolved`. */
static bool resolved;
static unsigned retries;

static int sleeping_fault(struct vm_fault *vmf)
{
	if (resolved)
		return anon_vm_ops.fault(vmf);
	if (!(vmf->flags & FAULT_FLAG_ALLOW_RETRY))
		return VM_FAULT_SIGBUS;
	vmf->wait_channel = &resolved;
	vmf->wait_what = "test userfault";
	retries++;
	return VM_FAULT_RETRY;
}

static struct vm_ops sleeping_ops;

/* test_region(addr, len): map the region there. */
static long sys_test_region(struct machine *mach, struct task *t, const uint64_t *a)
{
	uint64_t addr;
	int err = mm_mmap(t->mm, a[0], a[1], VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &addr);

	if (err)
		return err;
	vma_lookup(t->mm, addr)->vm_ops = &sleeping_ops;
	return 0;
}

/* test_resolve(addr, value): fill the page, wake who sleeps on it. */
static long sys_test_resolve(struct machine *mach, struct task *t, const uint64_t *a)
{
	resolved = true;
	if (copy_to_user(t->mm, a[0], &a[1], sizeof(a[1])))
		return -EFAULT;
	sched_wake_channel(mach, &resolved, INT32_MAX, UINT64_MAX);
	return 0;
}

Test(wait, a_vm_fault_retry_sleeps_until_resolved_through_the_run_loop)
{
	static const struct syscall_desc test_calls[] = {
		{ TEST_CALL_BASE, sys_test_region, "test_region", "pu" },
		{ TEST_CALL_BASE + 1, sys_test_resolve, "test_resolve", "px" },
		{ 0 }
	};
	char *const argv[] = { GUEST_BIN_DIR "/faultretry", NULL }, *const envp[] = { NULL };
	struct syscall_table *tab;

	sleeping_ops = anon_vm_ops;
	sleeping_ops.fault = sleeping_fault;
	tab = syscall_table_with(test_calls);
	m->syscalls = tab;
	cr_expect_eq(run_program(m, argv, envp), 0, "the touching thread did not read the resolved value");
	cr_expect_eq(retries, 1, "the fault slept %u times, expected once", retries);
	cr_expect_null(m->blocked, "a task is still asleep");
	m->syscalls = NULL;
	syscall_table_free(tab);
}

/* A retried call whose sleep a signal ended answers -ERESTARTSYS even if
 * the signal is no longer pending (another thread of the process took
 * it): the call ends and do_signal restarts it, rather than sleeping on. */
Test(wait, a_call_a_signal_woke_does_not_sleep_again)
{
	struct task *t = faulting_task();

	cr_assert_eq(block_on(m, t, &channel, "test call", 0), SYSCALL_BLOCKED);
	cr_assert_eq(t->wait.resume, RESUME_SYSCALL);
	sched_interrupt(m, t, false);
	cr_assert_eq(sched_pick(m)->current, t);
	cr_expect_eq(block_on(m, t, &channel, "test call", 0), -ERESTARTSYS);
	cr_expect_eq(t->state, TASK_RUNNABLE);
}
