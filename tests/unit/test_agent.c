/*
 * mmu/notifier and mmu/agent: subscribers of an mm's chain, and translation
 * agents without the emulator, under the "default" profile (2.0 GHz;
 * cycles: trap_entry 100, trap_exit 80, syscall_entry 70, syscall_exit 60,
 * page_zero 250, pgtable_alloc 300, pte_install 40, tlb_flush_page 40,
 * tlb_flush_all 200, switch_mm_asid 150, switch_mm_no_asid 250, ipi_send
 * 600, ipi_handle 1500, ack_wait 1000; 16-bit ASIDs, IPIs).
 *
 * Hand-computed costs used below:
 *  - a first touch of an anonymous page in a fresh mm: the walk creates
 *    the PUD, PMD and PTE tables (3 x 300), zeroes the page (250), installs
 *    the entry (40), between trap entry (100) and exit (80): 1370 cycles;
 *  - an IPI shootdown of one page held by one other agent: the initiator
 *    sends one IPI (600), waits for the target's handling (1500 + 40) and
 *    the acknowledgement (1000): 3140 cycles; the target pays 1540 cycles,
 *    770 ns at 2 GHz.
 */
#include <criterion/criterion.h>

#include "mmu/agent.h"
#include "mmu/fault.h"
#include "mmu/mm.h"
#include "mmu/uaccess.h"
#include "tests/unit/domain_test.h"

#define PG PAGE_SIZE
#define ADDR UINT64_C(0x40000000)

static void setup(void)
{
	domain_fixture_setup(0, 2);
}

static void teardown(void)
{
	domain_fixture_teardown();
}

TestSuite(notifier);
TestSuite(agent, .init = setup, .fini = teardown);

/* ---------------------------------------------------------------- notifier */

struct probe {
	struct mmu_notifier sub;
	GString *log;
	char name;
};

static void log_call(struct mmu_notifier *sub, char what)
{
	struct probe *p = (struct probe *)sub;

	g_string_append_c(p->log, p->name);
	g_string_append_c(p->log, what);
}

static void probe_range(struct mmu_notifier *sub, struct mm *mm, uint64_t s, uint64_t e)
{
	log_call(sub, 'r');
}

static void probe_code(struct mmu_notifier *sub, struct mm *mm, uint64_t s, uint64_t e)
{
	log_call(sub, 'c');
}

static void probe_release(struct mmu_notifier *sub, struct mm *mm)
{
	log_call(sub, 'x');
}

static const struct mmu_notifier_ops probe_ops = {
	.invalidate_range = probe_range, .invalidate_code = probe_code, .release = probe_release,
};
static const struct mmu_notifier_ops range_only_ops = { .invalidate_range = probe_range };

Test(notifier, every_subscriber_hears_in_order_until_it_leaves)
{
	struct mm mm = { 0 };
	GString *log = g_string_new(NULL);
	struct probe a = { { .ops = &probe_ops }, log, 'a' };
	struct probe b = { { .ops = &range_only_ops }, log, 'b' };
	struct probe c = { { .ops = &probe_ops }, log, 'c' };

	mmu_notifier_register(&a.sub, &mm);
	mmu_notifier_register(&b.sub, &mm);
	mmu_notifier_register(&c.sub, &mm);
	mmu_notifier_invalidate_range(&mm, 0, PG);
	mmu_notifier_invalidate_code(&mm, 0, PG);
	cr_expect_str_eq(log->str, "arbrcraccc", "range to all three, code to a and c");
	g_string_truncate(log, 0);
	mmu_notifier_unregister(&b.sub, &mm);
	mmu_notifier_invalidate_range(&mm, 0, PG);
	cr_expect_str_eq(log->str, "arcr");
	g_string_truncate(log, 0);
	mmu_notifier_release(&mm);
	cr_expect_str_eq(log->str, "axcx");
	cr_expect_null(mm.notifiers, "release empties the chain");
	g_string_free(log, TRUE);
}

/* ------------------------------------------------------------------ events */

Test(agent, nested_events_are_recorded_and_paid_once_with_their_parent)
{
	struct agent *a = &dfx.domain.agents[0];
	struct event_cost outer, inner, got;

	agent_begin_event(a, &outer);
	agent_charge(a, COST_SYSCALL_ENTRY, 1);
	agent_begin_event(a, &inner);
	agent_charge(a, COST_PAGE_ZERO, 2);
	got = agent_end_event(a, "inner");
	cr_expect_eq(got.total, 500);
	cr_expect_eq(a->clock, 0, "nothing paid while the parent is open");
	agent_charge(a, COST_SYSCALL_EXIT, 1);
	got = agent_end_event(a, "outer");
	cr_expect_eq(got.total, 70 + 500 + 60);
	cr_expect_eq(got.cycles[COST_PAGE_ZERO], 500);
	cr_expect_eq(a->clock, 315, "630 cycles at 2 GHz");
	agent_charge(a, COST_TLB_FLUSH_ALL, 1);
	cr_expect_eq(a->clock, 415, "with no event open, work is paid at once");
}

Test(agent, switches_charge_asid_or_flush_and_join_the_mask)
{
	struct agent *a = &dfx.domain.agents[1];
	struct event_cost ev = agent_switch_mm(a, dfx.mm);

	cr_expect_eq(ev.total, 150, "tagged: switch_mm_asid, no flush (no roll-over)");
	cr_expect_eq(dfx.mm->cpumask, 2, "agent 1 joined the mask");
	cr_expect_eq(a->mm_id, dfx.mm->id);
	ev = agent_switch_mm(a, dfx.mm);
	cr_expect_eq(ev.total, 0, "already there");
}

Test(agent, untagged_switch_flushes)
{
	struct domain d;
	GString *error = g_string_new(NULL);

	dfx.profile.asid_bits = 0;
	dfx.profile.tlb.asid_tagged = false;
	cr_assert_eq(domain_init(&d, dfx.phys, &dfx.profile, 1, true, error), 0);
	cr_expect_eq(agent_switch_mm(&d.agents[0], dfx.mm).total, 250 + 200);
	domain_fini(&d);
	g_string_free(error, TRUE);
}

/* ---------------------------------------------------- faults and shootdowns */

static const struct latency_summary *find_kind(GArray *all, const char *kind)
{
	for (guint i = 0; i < all->len; i++) {
		const struct latency_summary *s = &g_array_index(all, struct latency_summary, i);

		if (!strcmp(s->kind, kind))
			return s;
	}
	return NULL;
}

Test(agent, a_fault_of_a_kernel_copy_is_costed_like_one_of_the_cpu)
{
	struct agent *a = &dfx.domain.agents[0];
	uint64_t addr = 0, value = 7;
	struct vm_fault vmf;
	GArray *all;
	const struct latency_summary *s;

	dfx.domain.current = a;
	cr_assert_eq(mm_mmap(dfx.mm, ADDR, 2 * PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &addr), 0);
	cr_assert_eq(copy_to_user(dfx.mm, ADDR, &value, sizeof(value)), 0);	/* uaccess */

	vm_fault_init(&vmf, dfx.mm, ADDR + PG, FAULT_WRITE, 0);	/* the CPU's */
	cr_assert_eq(handle_mm_fault(&vmf), VM_FAULT_DONE);
	cr_expect_eq(vmf.cost.total, 100 + 250 + 40 + 80, "tables exist by now");
	all = latency_summaries(dfx.domain.latency);
	s = find_kind(all, "fault:anon-zero");
	cr_assert_not_null(s);
	cr_expect_eq(s->count, 2, "both faults recorded");
	cr_expect_eq(s->max, 1370, "the first one built three tables");
	cr_expect_eq(dfx.stats.faults[FAULT_KIND_ANON], 2);
	cr_expect_eq(a->clock, (1370 + 470) / 2);
	g_array_free(all, TRUE);
}

Test(agent, a_flush_shoots_down_the_other_holder_and_charges_the_open_event)
{
	struct agent *self = &dfx.domain.agents[0], *other = &dfx.domain.agents[1];
	struct event_cost ev, got;
	uint64_t addr;

	cr_assert_eq(mm_mmap(dfx.mm, ADDR, PG, VM_READ | VM_WRITE, MM_MAP_FIXED | MM_MAP_POPULATE,
			     NULL, 0, &addr), 0);
	agent_switch_mm(other, dfx.mm);	/* agent 1 runs the mm; agent 0 runs none */
	dfx.domain.current = self;
	agent_begin_event(self, &ev);
	cr_assert_eq(mm_munmap(dfx.mm, ADDR, PG), 0);
	got = agent_end_event(self, "syscall:munmap");
	cr_expect_eq(got.total, 600 + 1500 + 40 + 1000);
	cr_expect_eq(other->clock, 770, "the target pays its interrupt and flush");
	cr_expect_eq(dfx.domain.shootdowns.ipis, 1);
	cr_expect_eq(dfx.domain.shootdowns.pages, 1);
}
