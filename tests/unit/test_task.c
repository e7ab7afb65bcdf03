/*
 * sim/task + sim/sched: a task holding two address spaces.  The same VA
 * holds different data in each; after task_switch_mm() whatever loads the
 * task (sched_load) must give the CPU the new root, and the same load
 * instruction must see the other frame.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "mmu/pgtable.h"
#include "sim/machine.h"
#include "sim/futex.h"
#include "sim/sched.h"

#define CODE_VA UINT64_C(0x400000)
#define DATA_VA UINT64_C(0x500000)

static const uint32_t code[] = {
	0xf9400001u,	/* ldr x1, [x0] */
	0xd4000001u,	/* svc #0 */
};

static struct machine *m;

static void setup(void)
{
	struct options opt = { .mem = UINT64_C(64) << 20, .root = "/", .cpus = 1,
			       .quantum = 20000, .max_tasks = 8 };
	GString *error = g_string_new(NULL);

	cr_assert_eq(machine_create(&opt, &m, error), 0, "%s", error->str);
	g_string_free(error, TRUE);
}

static void teardown(void)
{
	machine_destroy(m);
}

TestSuite(task, .init = setup, .fini = teardown);

/* A new address space with the code page and one data page holding `value`. */
static struct mm *space_with(uint64_t value)
{
	phys_addr_t code_pa, data_pa;
	struct mm *mm;

	cr_assert_eq(machine_new_mm(m, &mm), 0);
	cr_assert_eq(phys_alloc(m->phys, FRAME_DATA, &code_pa), 0);
	cr_assert_eq(phys_alloc(m->phys, FRAME_DATA, &data_pa), 0);
	memcpy(phys_to_host(m->phys, code_pa), code, sizeof(code));
	memcpy(phys_to_host(m->phys, data_pa), &value, sizeof(value));
	cr_assert_eq(pgtable_map(m->phys, mm->pgd, CODE_VA, code_pa, VM_READ | VM_EXEC), 0);
	cr_assert_eq(pgtable_map(m->phys, mm->pgd, DATA_VA, data_pa, VM_READ), 0);
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
