/*
 * sim/timer and sim/cred without a machine: the timer queue runs timers in
 * expiry order (ties in the order armed), only those due, and a periodic
 * timer forwards past missed periods; credentials follow Linux's capability
 * rules when ids change (cap_emulate_setxuid, the fs mask) and at exec.
 */
#include <criterion/criterion.h>

#include "sim/cred.h"
#include "sim/timer.h"

static GString *order;

static void record(struct machine *m, struct sim_timer *tm, uint64_t now)
{
	(void)m;
	g_string_append_printf(order, "%s@%llu/%llu ", (const char *)tm->owner,
			       (unsigned long long)tm->expires, (unsigned long long)now);
}

Test(timer, runs_due_timers_in_order_ties_fifo)
{
	struct timer_queue q = { 0 };
	struct sim_timer a = { .fn = record, .owner = "a" }, b = { .fn = record, .owner = "b" },
			 c = { .fn = record, .owner = "c" }, d = { .fn = record, .owner = "d" };

	order = g_string_new(NULL);
	timer_arm(&q, &c, 300);
	timer_arm(&q, &a, 100);
	timer_arm(&q, &b, 100);
	timer_arm(&q, &d, 50);
	timer_cancel(&q, &d);
	cr_expect_eq(timer_next_expiry(&q), 100);
	timer_run_expired(&q, NULL, 200);
	cr_expect_str_eq(order->str, "a@100/200 b@100/200 ");
	cr_expect(!a.armed && !b.armed && c.armed && !d.armed);
	cr_expect_eq(timer_next_expiry(&q), 300);
	timer_arm(&q, &c, 0);	/* re-arming moves it; 0 is kept apart from "none" */
	cr_expect_eq(timer_next_expiry(&q), 1);
	timer_cancel(&q, &c);
	cr_expect_eq(timer_next_expiry(&q), 0);
	cr_expect_eq(g_list_length(q.timers), 0);
	g_string_free(order, TRUE);
}

Test(timer, forward_counts_missed_periods)
{
	cr_expect_eq(timer_forward(100, 10, 50), 1);	/* not due yet */
	cr_expect_eq(timer_forward(100, 10, 100), 1);	/* due now: next at 110 */
	cr_expect_eq(timer_forward(100, 10, 109), 1);
	cr_expect_eq(timer_forward(100, 10, 110), 2);	/* 110 passed too: next at 120 */
	cr_expect_eq(timer_forward(100, 10, 1000), 91);
}

Test(cred, giving_up_root_drops_capabilities)
{
	struct cred c, old;

	cred_init_root(&c);
	cr_expect(cred_capable(&c, CAP_SETUID) && cred_capable(&c, CAP_SYS_NICE));
	old = c;
	c.euid = c.fsuid = 1000;	/* seteuid(1000): effective set empties, permitted stays */
	cred_fix_setuid(&c, &old);
	cr_expect_eq(c.cap_effective, 0);
	cr_expect_eq(c.cap_permitted, CAP_FULL_SET);
	old = c;
	c.euid = c.fsuid = 0;	/* back to euid 0: effective = permitted */
	cred_fix_setuid(&c, &old);
	cr_expect_eq(c.cap_effective, CAP_FULL_SET);
	old = c;
	c.uid = c.euid = c.suid = c.fsuid = 7;	/* every uid non-zero: both empty */
	cred_fix_setuid(&c, &old);
	cr_expect_eq(c.cap_effective | c.cap_permitted, 0);
	cred_release(&c);
}

Test(cred, keep_caps_and_fsuid_and_exec)
{
	struct cred c, old;
	const uint32_t groups[3] = { 9, 2, 5 };

	cred_init_root(&c);
	c.keep_caps = true;
	old = c;
	c.uid = c.euid = c.suid = c.fsuid = 7;
	cred_fix_setuid(&c, &old);
	cr_expect_eq(c.cap_permitted, CAP_FULL_SET, "PR_SET_KEEPCAPS keeps the permitted set");
	cr_expect_eq(c.cap_effective, 0);
	cred_exec(&c);
	cr_expect_eq(c.cap_permitted, 0, "exec as a user: no capabilities");
	cr_expect(!c.keep_caps);

	cred_release(&c);
	cred_init_root(&c);
	c.fsuid = 5;
	cred_fix_setfsuid(&c, 0);
	cr_expect(!cred_capable(&c, CAP_CHOWN) && !cred_capable(&c, CAP_DAC_OVERRIDE));
	cr_expect(cred_capable(&c, CAP_SETUID), "only the fs capabilities follow fsuid");
	c.fsuid = 0;
	cred_fix_setfsuid(&c, 5);
	cr_expect(cred_capable(&c, CAP_CHOWN));
	cred_set_groups(&c, groups, 3);
	cr_expect(c.groups->gid[0] == 2 && c.groups->gid[1] == 5 && c.groups->gid[2] == 9);
	cr_expect(cred_in_group(&c, 5) && !cred_in_group(&c, 3));
	c.uid = 9;
	c.euid = 0;
	cred_exec(&c);
	cr_expect_eq(c.cap_effective, CAP_FULL_SET, "exec with euid 0");
	cr_expect_eq(c.suid, 0);
	cred_release(&c);
}
