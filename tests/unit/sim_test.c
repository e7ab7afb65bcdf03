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
