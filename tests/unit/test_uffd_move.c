/*
 * mmu/userfault/move: anonymous entries moved between ranges of one mm
 * (the primitive of UFFDIO_MOVE and remap_anon_pages), and the models
 * of UFFDIO_MOVE and of the 2014 RFC (mmu/userfault/rfc) on it.  Two
 * agents: agent 1 runs the mm, agent 0 makes the moves, so each source
 * page moved is one shootdown with one IPI.  Profile "default": a
 * one-page shootdown with one target costs its initiator ipi_send 600,
 * then the wait for the target (its interrupt 1500 and page flush 40, the
 * acknowledgement 1000): 3140 cycles, as tests/unit/test_agent.c's munmap
 * (agent 0 runs no mm, so it flushes nothing itself).
 *
 * The round trip of a fault resolved by UFFDIO_MOVE into a fresh table
 * range (three tables): the trap 100 + 400 + 80, the handler's wake-up and
 * read 800 + 70 + 60, the resolve 3 x 300 + 40 + 3140, the wake 800 + 300,
 * the retried access 100 + 80: 6870 cycles.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "mmu/agent.h"
#include "mmu/fault.h"
#include "mmu/uaccess.h"
#include "mmu/userfault/modes.h"
#include "mmu/userfault/move.h"
#include "mmu/userfault/rfc.h"
#include "tests/unit/domain_test.h"

#define PG PAGE_SIZE
#define DST UINT64_C(0x40000000)
#define SRC UINT64_C(0x10000000000)	/* another top-level entry: DST's tables are its own */

static struct {
	int woken;
} fx;

static int host_tid(void *arg)
{
	(void)arg;
	return 7;
}

static void host_queued(void *arg)
{
	(void)arg;
}

static void host_wake(void *arg, const void *channel)
{
	(void)arg, (void)channel;
	fx.woken++;
}

static void setup(void)
{
	domain_fixture_setup(0, 2);
	cr_assert_eq(mm_mmap(dfx.mm, DST, 4 * PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &(uint64_t){ 0 }), 0);
	cr_assert_eq(mm_mmap(dfx.mm, SRC, 4 * PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &(uint64_t){ 0 }), 0);
	agent_switch_mm(&dfx.domain.agents[1], dfx.mm);
	dfx.domain.current = &dfx.domain.agents[0];
}

static void teardown(void)
{
	domain_fixture_teardown();
}

TestSuite(uffd_move, .init = setup, .fini = teardown);

static pte_t entry(uint64_t addr)
{
	pte_t *ptep = pgtable_walk(dfx.phys, dfx.mm->pgd, addr);

	return ptep ? *ptep : 0;
}

static void poke(uint64_t addr, uint64_t v)
{
	cr_assert_eq(copy_to_user(dfx.mm, addr, &v, sizeof(v)), 0);
}

static uint64_t peek(uint64_t addr)
{
	uint64_t v = 0;

	cr_assert_eq(copy_from_user(dfx.mm, &v, addr, sizeof(v)), 0);
	return v;
}

static long move(uint64_t dst, uint64_t src, uint64_t len, unsigned flags, struct move_work *w)
{
	return move_anon_pages(dfx.mm, vma_lookup(dfx.mm, dst), dst, src, len, flags, w, NULL, NULL);
}

Test(uffd_move, entries_move_and_each_source_page_is_shot_down)
{
	struct agent *self = &dfx.domain.agents[0];
	struct move_work w = { 0 };
	struct event_cost ev;
	phys_addr_t frame;
	uint64_t flushes;

	poke(SRC + 8, 0x1111);
	poke(SRC + PG + 8, 0x2222);
	frame = pte_addr(entry(SRC));
	flushes = dfx.stats.tlb_flushes;
	agent_begin_event(self, &ev);
	cr_expect_eq(move(DST, SRC, 2 * PG, 0, &w), (long)(2 * PG));
	agent_end_event(self, NULL);
	cr_expect_eq(peek(DST + 8), 0x1111);
	cr_expect_eq(peek(DST + PG + 8), 0x2222);
	cr_expect_eq(pte_addr(entry(DST)), frame, "the frame itself moved, not a copy");
	cr_expect_eq(phys_refcount(dfx.phys, frame), 1);
	cr_expect_not(pte_present(entry(SRC)), "the source is a hole");
	cr_expect_not(pte_present(entry(SRC + PG)));
	cr_expect_eq(w.pages_moved, 2);
	cr_expect_eq(w.tables_allocated, 3);
	cr_expect_eq(w.flushes, 2);
	cr_expect_eq(dfx.stats.tlb_flushes - flushes, 2, "one flush_tlb_mm_range per page, as ptep_clear_flush");
	cr_expect_eq(dfx.domain.shootdowns.ipis, 2, "agent 1 runs the mm: one IPI per page");
	cr_expect_eq(ev.total, 2 * 3140, "the mover pays both shootdowns");
	cr_expect_eq(peek(SRC + 8), 0, "a later read of the source finds a fresh zero page");
}

Test(uffd_move, holes_present_entries_and_shared_frames)
{
	struct move_work w = { 0 };

	poke(SRC, 1);
	poke(DST + PG, 2);
	cr_expect_eq(move(DST + PG, SRC + PG, PG, 0, &w), -EEXIST, "the destination is checked first");
	cr_expect_eq(move(DST, SRC + PG, PG, 0, &w), -ENOENT, "a source hole");
	cr_expect_eq(move(DST, SRC + PG, PG, MOVE_ALLOW_SRC_HOLES, &w), (long)PG, "a hole counts as moved");
	cr_expect_eq(w.holes, 1);
	cr_expect_eq(w.flushes, 0, "nothing to shoot down");
	cr_expect_not(pte_present(entry(DST)));
	cr_expect_eq(move(DST, SRC, 2 * PG, 0, &w), (long)PG, "short: the second source page is a hole");
	cr_expect_eq(peek(DST), 1);
	poke(SRC + 2 * PG, 3);
	phys_get(dfx.phys, pte_addr(entry(SRC + 2 * PG)));	/* another mapping holds it: after fork */
	cr_expect_eq(move(DST + 2 * PG, SRC + 2 * PG, PG, 0, &w), -EBUSY);
	cr_expect(pte_present(entry(SRC + 2 * PG)), "a refused page stays");
	phys_put(dfx.phys, pte_addr(entry(SRC + 2 * PG)));
	cr_expect_eq(w.pages_moved, 1);
}

Test(uffd_move, the_zero_page_moves_as_an_entry)
{
	struct move_work w = { 0 };
	pte_t e;

	cr_expect_eq(peek(SRC), 0, "a read maps the zero page");
	cr_assert(phys_is_zero_page(dfx.phys, pte_addr(entry(SRC))));
	cr_expect_eq(move(DST, SRC, PG, 0, &w), (long)PG);
	e = entry(DST);
	cr_expect(phys_is_zero_page(dfx.phys, pte_addr(e)));
	cr_expect_eq(pte_prot(e) & VM_WRITE, 0, "read-only until a write copies it");
	cr_expect_not(pte_present(entry(SRC)));
}

Test(uffd_move, vmas_must_agree)
{
	cr_expect_eq(move_check_vmas(vma_lookup(dfx.mm, DST), vma_lookup(dfx.mm, SRC), DST, SRC, 4 * PG), 0);
	cr_expect_eq(move_check_vmas(vma_lookup(dfx.mm, DST), vma_lookup(dfx.mm, SRC), DST + PG, SRC, 4 * PG),
		     -EINVAL, "past the destination VMA");
	cr_expect_eq(mm_mprotect(dfx.mm, SRC, PG, VM_READ), 0);
	cr_expect_eq(move_check_vmas(vma_lookup(dfx.mm, DST), vma_lookup(dfx.mm, SRC), DST, SRC, PG), -EINVAL,
		     "different protections");
}

/* A fault waiting in a registered range, resolved by UFFDIO_MOVE: woken,
 * and its round trip holds the move's steps and the source's shootdown. */
Test(uffd_move, userfault_move_wakes_and_costs_the_round_trip)
{
	static const struct userfault_host host = { NULL, host_tid, host_queued, host_wake };
	struct userfault_ctx *ctx = userfault_new(dfx.mm, &host, &userfault_modes);
	struct move_work w = { 0 };
	struct vm_fault vmf;
	struct uffd_msg msg;
	uint64_t offered;
	GArray *all;
	bool found = false;

	cr_assert_eq(userfault_api(ctx, UFFD_API, UFFD_FEATURE_MOVE, &offered), 0);
	cr_expect(offered & UFFD_FEATURE_MOVE);
	poke(SRC, 0x5a);
	cr_expect_eq(userfault_move(ctx, DST, SRC, PG, 0, &w), -EINVAL, "the destination is not registered");
	cr_assert_eq(userfault_register(ctx, DST, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_expect_eq(userfault_move(ctx, DST, SRC - 16 * PG, PG, 0, &w), -ENOENT, "no VMA at the source");
	vm_fault_init(&vmf, dfx.mm, DST, FAULT_READ, FAULT_FLAG_ALLOW_RETRY);
	cr_assert_eq(handle_mm_fault(&vmf), VM_FAULT_RETRY);
	cr_assert_eq(userfault_read(ctx, &msg), 0);
	cr_expect_eq(userfault_move(ctx, DST, SRC, PG, UFFDIO_MOVE_MODE_DONTWAKE, &w), (long)PG);
	cr_expect_eq(fx.woken, 0, "DONTWAKE");
	cr_expect_eq(userfault_wake(ctx, DST, PG), 0);
	cr_expect_eq(fx.woken, 1);
	cr_expect_eq(ctx->moved_pages, 1);
	cr_expect_eq(peek(DST), 0x5a);
	all = latency_summaries(dfx.domain.latency);
	for (guint i = 0; i < all->len; i++) {
		const struct latency_summary *s = &g_array_index(all, struct latency_summary, i);

		if (!strcmp(s->kind, "fault:userfault")) {
			found = true;
			cr_expect_eq(s->max, 6870);
		}
	}
	cr_expect(found);
	g_array_free(all, TRUE);
	userfault_release(ctx);
}

/* The RFC's round trip: a fault in a MADV_USERFAULT range registered by
 * an RFC context, read, resolved by remap_anon_pages and woken by a range
 * write: the trap 100 + 400 + 80, the handler's wake-up and read
 * 800 + 70 + 60, the remap 3 x 300 + 40 + 3140, the wake write 70 + 60 +
 * 300, the switch back 800 and the retried access 100 + 80: 7000 cycles.
 * A second wake of the page finds nobody. */
Test(uffd_move, rfc_round_trip_by_remap_and_wake)
{
	static const struct userfault_host host = { NULL, host_tid, host_queued, host_wake };
	struct rfc_ctx *ctx = rfc_new(dfx.mm, &host);
	struct move_work w = { 0 };
	struct vm_fault vmf;
	uint64_t v;
	GArray *all;
	bool found = false;

	poke(SRC, 0x77);
	cr_assert_eq(rfc_madvise(dfx.mm, DST, DST + 4 * PG, true), 0);
	cr_assert_eq(rfc_handshake(ctx, UFFD_RFC_PROTOCOL), 0);
	cr_assert_eq(rfc_read(ctx, &v), 0);
	cr_assert_eq(rfc_range_write(ctx, DST | UFFD_RFC_REGISTER, DST + 4 * PG), 0);
	vm_fault_init(&vmf, dfx.mm, DST + 5, FAULT_READ, FAULT_FLAG_ALLOW_RETRY);
	cr_assert_eq(handle_mm_fault(&vmf), VM_FAULT_RETRY);
	cr_expect_eq(rfc_range_write(ctx, DST, DST + PG), -ENOENT, "not read yet: nobody to wake");
	cr_assert_eq(rfc_read(ctx, &v), 0);
	cr_expect_eq(v, DST);
	cr_expect_eq(rfc_remap_anon_pages(dfx.mm, DST, SRC, PG, 0, &w), (long)PG);
	cr_expect_eq(rfc_range_write(ctx, DST, DST + PG), 0);
	cr_expect_eq(fx.woken, 1);
	cr_expect_eq(rfc_range_write(ctx, DST, DST + PG), -ENOENT);
	cr_expect_eq(peek(DST), 0x77);
	all = latency_summaries(dfx.domain.latency);
	for (guint i = 0; i < all->len; i++) {
		const struct latency_summary *s = &g_array_index(all, struct latency_summary, i);

		if (!strcmp(s->kind, "fault:userfault-rfc")) {
			found = true;
			cr_expect_eq(s->max, 7000, "%" PRIu64, s->max);
		}
	}
	cr_expect(found);
	g_array_free(all, TRUE);
	rfc_release(ctx);
}
