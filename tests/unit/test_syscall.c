/*
 * sim/dispatch: every registered call is reachable through the lookup, a
 * number registered twice (or beyond the table) is refused, and mmusim's
 * own range (from 1000) answers ENOSYS until something registers there: a
 * test-only registration goes all the way through do_syscall.
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "../../guest/mmusim.h"
#include "sim/dispatch.h"
#include "sim/sched.h"
#include "tests/unit/sim_test.h"

/* Test-only calls, clear of the designs' numbers (1000-1015: VAS). */
#define TEST_CALL_BASE (MMUSIM_SYSCALL_BASE + 900)

#define CODE_VA UINT64_C(0x400000)


TestSuite(syscall, .init = sim_setup, .fini = sim_teardown);

Test(syscall, every_registration_is_what_the_lookup_finds)
{
	const struct syscall_table *tab = syscall_table_default();
	unsigned registered = 0, filled = 0;

	for (const struct syscall_desc *const *list = syscall_tables; *list; list++) {
		for (const struct syscall_desc *d = *list; d->fn; d++) {
			const struct syscall_desc *found = syscall_lookup(tab, d->nr);

			cr_expect(found && found->fn == d->fn, "call %u (%s) is not reachable", d->nr, d->name);
			registered++;
		}
	}
	/* 169 is gettimeofday in <asm-generic/unistd.h>; it was once left out. */
	cr_expect_not_null(syscall_lookup(tab, 169));
	cr_expect_str_eq(syscall_name(169), "gettimeofday");
	for (unsigned nr = 0; nr < SYSCALL_TABLE_SIZE; nr++)
		filled += syscall_lookup(tab, nr) != NULL;
	cr_expect_eq(filled, registered, "the lookup holds %u calls, the files register %u", filled, registered);
}

static long sys_test_a(struct machine *mm, struct task *t, const uint64_t *a)
{
	return (long)(a[0] + a[1]);
}

static long sys_test_b(struct machine *mm, struct task *t, const uint64_t *a)
{
	return 0;
}

Test(syscall, a_number_registered_twice_is_refused)
{
	static const struct syscall_desc one[] = { { 1000, sys_test_a, "test_a", "" }, { 0 } };
	static const struct syscall_desc two[] = { { 1000, sys_test_b, "test_b", "" }, { 0 } };
	static const struct syscall_desc read_again[] = { { 63, sys_test_b, "test_b", "" }, { 0 } };
	GString *error = g_string_new(NULL);

	cr_expect_null(syscall_table_new((const struct syscall_desc *const[]){ one, two, NULL }, error));
	cr_expect_str_eq(error->str, "system call 1000 registered twice: as test_a and as test_b");
	cr_expect_null(syscall_table_new((const struct syscall_desc *const[]){ syscall_tables[0], read_again,
									       NULL }, error));
	cr_expect_str_eq(error->str, "system call 63 registered twice: as read and as test_b");
	g_string_free(error, TRUE);
}

Test(syscall, a_number_beyond_the_table_is_refused)
{
	static const struct syscall_desc far[] = { { SYSCALL_TABLE_SIZE, sys_test_a, "test_a", "" }, { 0 } };
	GString *error = g_string_new(NULL);

	cr_expect_null(syscall_table_new((const struct syscall_desc *const[]){ far, NULL }, error));
	cr_expect_str_eq(error->str, "system call test_a: number 2048 is beyond the table (2048)");
	g_string_free(error, TRUE);
}

/* A task whose registers are in the engine, about to make call `nr`. */
static struct task *task_calling(unsigned nr, uint64_t x0, uint64_t x1)
{
	struct process *p = process_new(100, NULL, "test");
	struct task *t = task_alloc(100, p, m->cpu);
	struct mm *mm;

	m->processes = g_list_append(m->processes, p);
	cr_assert_eq(machine_new_mm(m, &mm), 0);
	task_attach_mm(t, mm);
	mmput(mm);
	t->mm = mm;
	t->fs = fs_new("/");
	t->files = files_new();
	t->sighand = sighand_new();
	cpu_context_init_user(m->cpu, t->ctx, CODE_VA, 0);
	g_hash_table_insert(m->tasks, GINT_TO_POINTER(t->tid), t);
	sched_add_new(m, t);
	cr_assert_eq(sched_pick(m)->current, t);
	sched_load(m, t);
	cpu_set_reg(m->cpu, 8, nr);
	cpu_set_reg(m->cpu, 0, x0);
	cpu_set_reg(m->cpu, 1, x1);
	return t;
}

Test(syscall, mmusim_numbers_answer_enosys_until_registered)
{
	static const struct syscall_desc test_calls[] = { { TEST_CALL_BASE, sys_test_a, "test_a", "dd" },
							  { 0 } };
	struct syscall_table *tab;
	struct task *t;

	for (unsigned nr = TEST_CALL_BASE; nr < TEST_CALL_BASE + 16; nr++)
		cr_expect_null(syscall_lookup(syscall_table_default(), nr), "%u is registered", nr);
	tab = syscall_table_with(test_calls);

	t = task_calling(TEST_CALL_BASE, 40, 2);
	do_syscall(m, t);
	cr_expect_eq(cpu_reg(m->cpu, 0), (uint64_t)-ENOSYS, "nothing answers 1900 by default");

	m->syscalls = tab;
	cpu_set_reg(m->cpu, 0, 40);
	do_syscall(m, t);
	cr_expect_eq(cpu_reg(m->cpu, 0), 42, "the test registration did not answer");
	cpu_set_reg(m->cpu, 8, TEST_CALL_BASE + 1);
	do_syscall(m, t);
	cr_expect_eq(cpu_reg(m->cpu, 0), (uint64_t)-ENOSYS);
	cpu_set_reg(m->cpu, 8, 63);	/* read(40 + ...): the real calls are still there */
	cpu_set_reg(m->cpu, 0, 12345);
	do_syscall(m, t);
	cr_expect_eq(cpu_reg(m->cpu, 0), (uint64_t)-EBADF);

	cr_expect_eq(syscall_count(m->syscall_counts, TEST_CALL_BASE), 2);
	cr_expect_eq(syscall_count(m->syscall_counts, TEST_CALL_BASE + 1), 1);
	cr_expect_eq(syscall_count(m->syscall_counts, 63), 1);
	cr_expect_str_eq(syscall_name(63), "read");
	cr_expect_null(syscall_name(TEST_CALL_BASE));
	m->syscalls = NULL;
	syscall_table_free(tab);
}
