/*
 * The agents' unit-test fixture (domain_test.h).
 */
#include "tests/unit/domain_test.h"

#include <criterion/criterion.h>

struct domain_fixture dfx;

void domain_fixture_setup(int nr_devices, int nr_agents)
{
	GString *error = g_string_new(NULL);

	cr_assert_eq(cost_profile_load("default", &dfx.profile, NULL), 0);
	if (nr_devices)
		cr_assert_eq(phys_create_nodes(DOMAIN_FIXTURE_CPU_MEM, nr_devices, DOMAIN_FIXTURE_DEVICE_MEM,
					       &dfx.phys), 0);
	else
		cr_assert_eq(phys_create(DOMAIN_FIXTURE_CPU_MEM, &dfx.phys), 0);
	cr_assert_eq(domain_init(&dfx.domain, dfx.phys, &dfx.profile, nr_agents, true, error), 0,
		     "%s", error->str);
	g_string_free(error, TRUE);
	cr_assert_eq(mm_create(dfx.phys, &dfx.stats, &dfx.mm), 0);
	domain_attach_mm(&dfx.domain, dfx.mm);
}

void domain_fixture_teardown(void)
{
	if (dfx.mm)
		mm_destroy(dfx.mm);
	domain_fini(&dfx.domain);
	phys_destroy(dfx.phys);
	cost_profile_clear(&dfx.profile);
}
