#include "tests/unit/sim_test.h"

#include <criterion/criterion.h>

struct machine *m;

void sim_setup(void)
{
	struct options opt = { .mem = UINT64_C(64) << 20, .root = "/", .cpus = 1,
			       .quantum = 20000, .max_tasks = 8 };
	GString *error = g_string_new(NULL);

	cr_assert_eq(machine_create(&opt, &m, error), 0, "%s", error->str);
	g_string_free(error, TRUE);
}

void sim_teardown(void)
{
	machine_destroy(m);
}

struct syscall_table *syscall_table_with(const struct syscall_desc *extra)
{
	GPtrArray *lists = g_ptr_array_new();
	GString *error = g_string_new(NULL);
	struct syscall_table *tab;

	g_ptr_array_add(lists, (gpointer)extra);
	for (const struct syscall_desc *const *list = syscall_tables; *list; list++)
		g_ptr_array_add(lists, (gpointer)*list);
	g_ptr_array_add(lists, NULL);
	tab = syscall_table_new((const struct syscall_desc *const *)lists->pdata, error);
	cr_assert_not_null(tab, "%s", error->str);
	g_ptr_array_free(lists, TRUE);
	g_string_free(error, TRUE);
	return tab;
}
