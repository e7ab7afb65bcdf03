/*
 * sim/task + sim/sched: a task holding two address spaces.  The same VA
 * holds different data in each; after task_switch_mm() whatever loads the
 * task (sched_load) must give the CPU the new root, and the same load
 * instruction must see the other frame.  What fork, a new thread, exec and
 * exit do with the address spaces a task holds.  That process lifetimes
 * (fork, exit, wait) give back the host memory they take.
 */
#include <criterion/criterion.h>
#include <malloc.h>
#include <string.h>

#include "mmu/uaccess.h"
#include "sim/dispatch.h"
#include "sim/fork.h"
#include "sim/futex.h"
#include "sim/machine.h"
#include "sim/sched.h"
#include "tests/unit/sim_test.h"

#define CODE_VA UINT64_C(0x400000)
#define DATA_VA UINT64_C(0x500000)

static const uint32_t code[] = {
	0xf9400001u,	/* ldr x1, [x0] */
	0xd4000001u,	/* svc #0 */
};


TestSuite(task, .init = sim_setup, .fini = sim_teardown);

/* A new address space with the code page and one data page holding
 * `value`, both in VMAs (so fork can copy them). */
static struct mm *space_with(uint64_t value)
{
	struct mm *mm;
	uint64_t addr;

	cr_assert_eq(machine_new_mm(m, &mm), 0);
	cr_assert_eq(mm_mmap(mm, CODE_VA, PAGE_SIZE, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &addr), 0);
	cr_assert_eq(mm_mmap(mm, DATA_VA, PAGE_SIZE, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &addr), 0);
	cr_assert_eq(copy_to_user(mm, CODE_VA, code, sizeof(code)), 0);
	cr_assert_eq(copy_to_user(mm, DATA_VA, &value, sizeof(value)), 0);
	cr_assert_eq(mm_mprotect(mm, CODE_VA, PAGE_SIZE, VM_READ | VM_EXEC), 0);
	return mm;
}

/* Run the task from CODE_VA to its svc; return what the load read.  (A
 * fresh context enters CODE_VA through the EL1 trampoline; later runs are
 * at EL0 already and restart there.) */
static uint64_t load_through(struct task *t)
{
	struct cpu_exit e;

	sched_load(m, t);
	if (cpu_reg(m->cpu, CPU_REG_PC) != TRAMPOLINE_VA)
		cpu_set_reg(m->cpu, CPU_REG_PC, CODE_VA);
	cpu_set_reg(m->cpu, 0, DATA_VA);
	cpu_run(m->cpu, 0, &e);
	cr_assert_eq(e.event, CPU_SYSCALL);
	return cpu_reg(m->cpu, 1);
}

Test(task, switching_the_active_mm_of_a_running_thread)
{
	struct process *p = process_new(100, NULL, "test");
	struct task *t = task_alloc(100, p, m->cpu);
	struct mm *first = space_with(0x1111), *second = space_with(0x2222);

	m->processes = g_list_append(m->processes, p);
	task_attach_mm(t, first);
	task_attach_mm(t, second);
	mmput(first);
	mmput(second);
	t->mm = first;
	cpu_context_init_user(m->cpu, t->ctx, CODE_VA, 0);
	g_hash_table_insert(m->tasks, GINT_TO_POINTER(t->tid), t);

	cr_expect_eq(load_through(t), 0x1111);
	task_switch_mm(t, second);
	cr_expect_eq(load_through(t), 0x2222, "the CPU still walks the first address space");
	cr_expect_eq(cpu_current_mm(m->cpu), second);
	task_switch_mm(t, first);
	cr_expect_eq(load_through(t), 0x1111);
	cr_expect_eq(first->users, 1);
	cr_expect_eq(second->users, 1);
}

/* Every exiting task wakes its clear_child_tid futex; with no waiter there,
 * nothing may be left behind (a long fork/exit loop kept one channel per
 * process before). */
Test(task, a_futex_wake_with_no_waiter_leaves_no_channel)
{
	struct process *p = process_new(100, NULL, "test");
	struct task *t = task_alloc(100, p, m->cpu);
	struct mm *mm = space_with(0);

	m->processes = g_list_append(m->processes, p);
	task_attach_mm(t, mm);
	mmput(mm);
	t->mm = mm;
	g_hash_table_insert(m->tasks, GINT_TO_POINTER(t->tid), t);
	cr_expect_eq(futex_wake_address(m, t, DATA_VA, 1), 0);
	cr_expect(!m->futexes || g_hash_table_size(m->futexes) == 0, "a channel was made for a wake");
}

/* A process holding two address spaces (the data page reads 0x1111 in the
 * first, its original one, and 0x2222 in the second), running in the
 * second, on the CPU.  The test keeps a reference to each in `held`. */
static struct task *task_in_second_space(struct mm *held[2])
{
	struct task *t = task_create(m, NULL, NULL, "test");

	held[0] = space_with(0x1111);
	held[1] = space_with(0x2222);
	task_attach_mm(t, held[0]);
	task_attach_mm(t, held[1]);
	task_switch_mm(t, held[1]);
	t->fs = fs_new("/");
	t->files = files_new();
	t->sighand = sighand_new();
	cpu_context_init_user(m->cpu, t->ctx, CODE_VA, 0);
	sched_add_new(m, t);
	cr_assert_eq(sched_pick(m)->current, t);
	cr_assert_eq(load_through(t), 0x2222);
	return t;
}

/* clone(flags) made by the task on the CPU; returns the child. */
static struct task *clone_with(struct task *t, uint64_t flags)
{
	long tid;

	cpu_set_reg(m->cpu, 8, 220);	/* clone */
	cpu_set_reg(m->cpu, 0, flags);
	for (int r = 1; r <= 4; r++)
		cpu_set_reg(m->cpu, r, 0);
	do_syscall(m, t);
	tid = (long)cpu_reg(m->cpu, 0);
	cr_assert_gt(tid, 0, "clone failed: %ld", tid);
	return g_hash_table_lookup(m->tasks, GINT_TO_POINTER((int)tid));
}

/* The child of a fork holds a copy of the original address space alone,
 * whichever the parent runs in (the VAS RFC: no attached space is
 * inherited). */
Test(task, fork_copies_the_original_mm_only)
{
	struct mm *held[2];
	struct task *parent = task_in_second_space(held), *child = clone_with(parent, 17 /* SIGCHLD */);

	cr_expect_eq(child->mms->len, 1);
	cr_expect(child->mm != held[0] && child->mm != held[1], "the child shares an address space");
	cr_expect_eq(g_ptr_array_index(child->mms, 0), child->mm);
	cr_expect_eq(held[0]->users, 2, "fork took a reference to the original");
	cr_expect_eq(held[1]->users, 2);
	cr_expect_eq(parent->mm, held[1], "the parent left its address space");
	cr_expect_eq(load_through(child), 0x1111, "the child does not see the original's data");
	cr_expect_eq(load_through(parent), 0x2222);
	mmput(held[0]);
	mmput(held[1]);
}

/* A thread shares every address space and starts in the active one. */
Test(task, a_thread_shares_every_mm)
{
	struct mm *held[2];
	struct task *t = task_in_second_space(held);
	struct task *thread = clone_with(t, 0x00010f00 /* VM|FS|FILES|SIGHAND|THREAD */);

	cr_expect_eq(thread->mms->len, 2);
	cr_expect_eq(thread->mm, held[1]);
	cr_expect_eq(held[0]->users, 3);
	cr_expect_eq(held[1]->users, 3);
	cr_expect_eq(load_through(thread), 0x2222);
	mmput(held[0]);
	mmput(held[1]);
}

/* exec drops every address space the task holds and runs in the new one. */
Test(task, exec_drops_every_mm)
{
	struct mm *held[2], *image = space_with(0x3333);
	struct task *t = task_in_second_space(held);

	task_exec_mm(t, image);
	mmput(image);
	cr_expect_eq(t->mms->len, 1);
	cr_expect_eq(t->mm, image);
	cr_expect_eq(held[0]->users, 1, "exec kept the original");
	cr_expect_eq(held[1]->users, 1, "exec kept the attached space");
	cr_expect_eq(load_through(t), 0x3333);
	mmput(held[0]);
	mmput(held[1]);
}

/* exit releases every address space the task holds. */
Test(task, exit_releases_every_mm)
{
	struct mm *held[2];
	struct task *t = task_in_second_space(held);

	sched_remove(m, t);
	task_release(t);
	cr_expect_eq(t->mms->len, 0);
	cr_expect_null(t->mm);
	cr_expect_eq(held[0]->users, 1);
	cr_expect_eq(held[1]->users, 1);
	mmput(held[0]);
	mmput(held[1]);
}

/* The task on the CPU makes system call `nr` with `args` (up to 4). */
static long call(struct task *t, unsigned nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t args[4] = { a0, a1, a2, a3 };

	sched_load(m, t);
	cpu_set_reg(m->cpu, 8, nr);
	for (int r = 0; r < 4; r++)
		cpu_set_reg(m->cpu, r, args[r]);
	do_syscall(m, t);
	return (long)cpu_reg(m->cpu, 0);
}

/* Fork a child, run it to exit_group, reap it with wait4: one process
 * lifetime through the scheduler, the exit path and the reaper. */
static void one_lifetime(struct task *parent)
{
	struct task *child = clone_with(parent, 17 /* SIGCHLD */);
	int pid = child->tid;

	sched_preempt(m, &m->cpus[0]);
	cr_assert_eq(sched_pick(m)->current, child);
	call(child, 94 /* exit_group */, 3, 0, 0, 0);
	machine_free_dead_tasks(m);
	cr_assert_eq(sched_pick(m)->current, parent);
	cr_assert_eq(call(parent, 260 /* wait4 */, (uint64_t)-1, 0, 0, 0), pid);
}

/* Host memory of the simulator's own bookkeeping (tasks, processes, mms,
 * tables, descriptor tables, signal state, lists) comes back after each
 * process lifetime (issue 9): after a warm-up that lets tables and caches
 * reach their size, LIFETIMES more lifetimes leave malloc's count of bytes
 * in use within LIFETIMES * 8 bytes of where it was: any object left behind
 * per process (16 bytes at least) would exceed it. */
#define WARM_UP 200
#define LIFETIMES 2000

Test(task, process_lifetimes_leave_no_host_memory)
{
	struct mm *held[2];
	struct task *parent = task_in_second_space(held);
	size_t before, after;

	for (int i = 0; i < WARM_UP; i++)
		one_lifetime(parent);
	before = mallinfo2().uordblks;
	for (int i = 0; i < LIFETIMES; i++)
		one_lifetime(parent);
	after = mallinfo2().uordblks;
	cr_expect_lt(after, before + LIFETIMES * 8, "%zu bytes more in use after %d process lifetimes",
		     after - before, LIFETIMES);
	mmput(held[0]);
	mmput(held[1]);
}
