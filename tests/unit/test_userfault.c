/*
 * mmu/userfault: a userfaultfd's ranges, waiters and installed pages,
 * without the emulator: the host side is a recorder of the calls the
 * simulator would get (a message queued, a channel woken).  Profile
 * "default" (2.0 GHz; cycles: trap_entry 100, trap_exit 80, syscall_entry
 * 70, syscall_exit 60, page_copy 500, pgtable_alloc 300, pte_install 40,
 * sched_pick 800, uffd_enqueue 400, uffd_wake 300).
 *
 * Hand-computed round trip of one fault resolved by UFFDIO_COPY in a fresh
 * mm (the copy's walk creates the PUD, PMD and PTE tables): the fault's
 * trap 100 + 400 + 80, the handler's wake-up and read 800 + 70 + 60, the
 * resolve 500 + 3 x 300 + 40, the wake 800 + 300 and the retried access
 * 100 + 80: 4230 cycles.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "mmu/agent.h"
#include "mmu/fault.h"
#include "mmu/uaccess.h"
#include "mmu/userfault/events.h"
#include "mmu/userfault/modes.h"
#include "mmu/userfault/userfault.h"
#include "mmu/userfault/wp.h"
#include "tests/unit/domain_test.h"

#define PG PAGE_SIZE
#define ADDR UINT64_C(0x40000000)
#define SRC UINT64_C(0x10000000000)	/* another top-level entry: ADDR's tables are its own */

static struct {
	struct userfault_ctx *ctx;
	int tid;			/* the "current thread" */
	int queued;			/* messages announced */
	GPtrArray *woken;		/* channels woken, in order */
} fx;

static int host_tid(void *arg)
{
	(void)arg;
	return fx.tid;
}

static void host_queued(void *arg)
{
	(void)arg;
	fx.queued++;
}

static void host_wake(void *arg, const void *channel)
{
	(void)arg;
	g_ptr_array_add(fx.woken, (void *)channel);
}

static const struct userfault_host host = { NULL, host_tid, host_queued, host_wake };

static void setup(void)
{
	domain_fixture_setup(0, 1);
	cr_assert_eq(mm_mmap(dfx.mm, ADDR, 4 * PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &(uint64_t){ 0 }), 0);
	cr_assert_eq(mm_mmap(dfx.mm, SRC, PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &(uint64_t){ 0 }), 0);
	fx.ctx = userfault_new(dfx.mm, &host, &userfault_modes);
	fx.tid = 7;
	fx.woken = g_ptr_array_new();
}

static void teardown(void)
{
	if (fx.ctx)
		userfault_release(fx.ctx);
	g_ptr_array_free(fx.woken, TRUE);
	domain_fixture_teardown();
}

TestSuite(userfault, .init = setup, .fini = teardown);

static vm_fault_t fault(uint64_t addr, enum fault_access access, unsigned flags, struct vm_fault *vmf)
{
	vm_fault_init(vmf, dfx.mm, addr, access, flags);
	return handle_mm_fault(vmf);
}

static bool entry_present(uint64_t addr)
{
	pte_t *ptep = pgtable_walk(dfx.phys, dfx.mm->pgd, addr);

	return ptep && pte_present(*ptep);
}

/* SRC's first bytes, for COPY to carry. */
static void poke_src(void)
{
	uint64_t v = UINT64_C(0x1122334455667788);

	cr_assert_eq(copy_to_user(dfx.mm, SRC + 8, &v, sizeof(v)), 0);
}

static uint64_t peek_u64(struct mm *mm, uint64_t addr)
{
	uint64_t v = 0;

	cr_assert_eq(copy_from_user(mm, &v, addr, sizeof(v)), 0);
	return v;
}

static void api(unsigned features)
{
	uint64_t offered;

	cr_assert_eq(userfault_api(fx.ctx, UFFD_API, features, &offered), 0);
}

Test(userfault, api_is_negotiated_once)
{
	uint64_t offered = 0;

	cr_expect_eq(userfault_api(fx.ctx, 0xab, 0, &offered), -EINVAL);
	cr_expect_eq(userfault_api(fx.ctx, UFFD_API, UINT64_C(1) << 4, &offered), -EINVAL,
		     "MISSING_HUGETLBFS: no hugetlbfs, so not offered");
	cr_expect_eq(userfault_api(fx.ctx, UFFD_API, UFFD_FEATURE_THREAD_ID, &offered), 0);
	/* PAGEFAULT_FLAG_WP (bit 0), EVENT_FORK, REMAP, REMOVE (1-3),
	 * MISSING_SHMEM (5), EVENT_UNMAP (6), SIGBUS (7), THREAD_ID (8),
	 * MINOR_SHMEM (10), EXACT_ADDRESS (11), WP_HUGETLBFS_SHMEM (12),
	 * WP_UNPOPULATED (13), POISON (14), WP_ASYNC (15), MOVE (16) */
	cr_expect_eq(offered, UINT64_C(0x1fdef));
	cr_expect_eq(userfault_api(fx.ctx, UFFD_API, 0, &offered), -EINVAL, "a second UFFDIO_API");
}

Test(userfault, register_splits_and_unregister_merges)
{
	struct vma *vma;

	api(0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR + PG, 2 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_expect_eq(mm_map_count(dfx.mm), 4, "the 4-page VMA in three, and SRC's");
	vma = vma_lookup(dfx.mm, ADDR + PG);
	cr_expect_eq(vma->start, ADDR + PG);
	cr_expect_eq(vma->end, ADDR + 3 * PG);
	cr_expect_eq(vma->watch_data, fx.ctx);
	cr_expect_null(vma_lookup(dfx.mm, ADDR)->watch);
	cr_expect_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MINOR), -EINVAL,
		     "MINOR: not on private anonymous memory");
	cr_expect_eq(userfault_register(fx.ctx, ADDR + 1, PG, UFFDIO_REGISTER_MODE_MISSING), -EINVAL);
	cr_expect_eq(userfault_register(fx.ctx, ADDR + 8 * PG, PG, UFFDIO_REGISTER_MODE_MISSING), -EINVAL,
		     "no VMA there");
	cr_assert_eq(userfault_unregister(fx.ctx, ADDR, 4 * PG), 0);
	cr_expect_eq(mm_map_count(dfx.mm), 2, "merged back");
	cr_expect_null(vma_lookup(dfx.mm, ADDR + PG)->watch);
}

Test(userfault, another_context_is_busy)
{
	struct userfault_ctx *other = userfault_new(dfx.mm, &host, &userfault_modes);
	uint64_t offered;

	api(0);
	cr_assert_eq(userfault_api(other, UFFD_API, 0, &offered), 0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_expect_eq(userfault_register(other, ADDR, 2 * PG, UFFDIO_REGISTER_MODE_MISSING), -EBUSY);
	userfault_release(other);
}

Test(userfault, missing_fault_queues_a_message_and_sleeps)
{
	struct vm_fault vmf;
	struct uffd_msg msg;

	api(UFFD_FEATURE_THREAD_ID);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(fault(ADDR + PG + 12, FAULT_WRITE, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY);
	cr_expect_not_null(vmf.wait_channel);
	cr_expect_not(entry_present(ADDR + PG), "the fault installed nothing");
	cr_expect_eq(fx.queued, 1);
	cr_expect(userfault_pending(fx.ctx));
	cr_assert_eq(userfault_read(fx.ctx, &msg), 0);
	cr_expect_eq(msg.event, 0x12);
	cr_expect_eq(msg.flags, UFFD_PAGEFAULT_FLAG_WRITE);
	cr_expect_eq(msg.address, ADDR + PG, "page aligned without EXACT_ADDRESS");
	cr_expect_eq(msg.ptid, 7);
	cr_expect_not(userfault_pending(fx.ctx));
	cr_expect_eq(userfault_read(fx.ctx, &msg), -EAGAIN);
	cr_expect_eq(dfx.stats.faults[FAULT_KIND_RETRY], 1);
}

Test(userfault, exact_address_and_no_thread_id)
{
	struct vm_fault vmf;
	struct uffd_msg msg;

	api(UFFD_FEATURE_EXACT_ADDRESS);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(fault(ADDR + 0x123, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY);
	cr_assert_eq(userfault_read(fx.ctx, &msg), 0);
	cr_expect_eq(msg.address, ADDR + 0x123);
	cr_expect_eq(msg.flags, 0, "a read");
	cr_expect_eq(msg.ptid, 0, "no THREAD_ID");
}

Test(userfault, no_retry_or_sigbus_feature_is_sigbus)
{
	struct vm_fault vmf;
	uint64_t v = 1;

	api(UFFD_FEATURE_SIGBUS);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_expect_eq(fault(ADDR, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_SIGBUS);
	cr_expect_eq(fx.queued, 0);
	cr_expect_eq(copy_to_user(dfx.mm, ADDR, &v, sizeof(v)), -EFAULT, "a kernel copy cannot sleep");
	cr_expect_not(userfault_pending(fx.ctx));
}

Test(userfault, kernel_copy_without_retry_is_efault)
{
	uint64_t v = 1;

	api(0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_expect_eq(copy_to_user(dfx.mm, ADDR, &v, sizeof(v)), -EFAULT);
	cr_expect_eq(fx.queued, 0);
}

Test(userfault, copy_installs_wakes_and_costs_the_round_trip)
{
	struct userfault_work work = { 0 };
	struct vm_fault vmf;
	struct uffd_msg msg;
	GArray *all;
	bool found = false;

	api(0);
	poke_src();
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(fault(ADDR + 2 * PG, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY);
	cr_assert_eq(userfault_read(fx.ctx, &msg), 0);
	cr_expect_eq(userfault_copy(fx.ctx, ADDR + 2 * PG, dfx.mm, SRC, PG, true, &work), (long)PG);
	cr_expect_eq(work.pages_copied, 1);
	cr_expect_eq(work.tables_allocated, 3);
	cr_expect_eq(work.ptes_installed, 1);
	cr_assert_eq(fx.woken->len, 1);
	cr_expect_eq(g_ptr_array_index(fx.woken, 0), vmf.wait_channel);
	cr_expect_eq(peek_u64(dfx.mm, ADDR + 2 * PG + 8), UINT64_C(0x1122334455667788));
	cr_expect_eq(fault(ADDR + 2 * PG, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_DONE,
		     "the retry finds the page");
	all = latency_summaries(dfx.domain.latency);
	for (guint i = 0; i < all->len; i++) {
		const struct latency_summary *s = &g_array_index(all, struct latency_summary, i);

		if (strcmp(s->kind, "fault:userfault"))
			continue;
		found = true;
		cr_expect_eq(s->count, 1);
		cr_expect_eq(s->max, 4230, "hand-computed round trip (see the top)");
		cr_expect_eq(s->mean_steps[COST_UFFD_ENQUEUE], 400);
		cr_expect_eq(s->mean_steps[COST_PGTABLE_ALLOC], 900);
	}
	g_array_free(all, TRUE);
	cr_expect(found, "a fault:userfault sample");
}

Test(userfault, copy_errors_and_short_counts)
{
	struct userfault_work work = { 0 };

	api(0);
	poke_src();
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 2 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_expect_eq(userfault_copy(fx.ctx, ADDR + 2 * PG, dfx.mm, SRC, PG, true, &work), -ENOENT, "not registered");
	cr_expect_eq(userfault_copy(fx.ctx, ADDR + PG, dfx.mm, SRC, 2 * PG, true, &work), -ENOENT, "past the VMA");
	cr_expect_eq(userfault_copy(fx.ctx, ADDR + PG, dfx.mm, SRC, PG, false, &work), (long)PG);
	cr_expect_eq(userfault_copy(fx.ctx, ADDR + PG, dfx.mm, SRC, PG, false, &work), -EEXIST);
	cr_expect_eq(userfault_copy(fx.ctx, ADDR, dfx.mm, SRC, 2 * PG, false, &work), (long)PG, "short");
	cr_expect_eq(userfault_zeropage(fx.ctx, ADDR, PG, false, &work), -EEXIST);
	cr_expect_eq(userfault_copy(fx.ctx, ADDR, dfx.mm, 0x70000000, PG, false, &work), -EEXIST,
		     "the destination is checked before the source");
	cr_expect_eq(fx.woken->len, 0);
}

Test(userfault, zeropage_maps_the_zero_page_read_only)
{
	struct userfault_work work = { 0 };
	struct vm_fault vmf;

	dfx.mm->tunables = &vm_default_tunables;
	api(0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_expect_eq(userfault_zeropage(fx.ctx, ADDR, PG, true, &work), (long)PG);
	cr_expect(phys_is_zero_page(dfx.phys, pte_addr(*pgtable_walk(dfx.phys, dfx.mm->pgd, ADDR))));
	cr_expect_eq(work.pages_zeroed, 0);
	cr_expect_eq(fault(ADDR, FAULT_WRITE, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_DONE);
	cr_expect_eq(vmf.kind, FAULT_KIND_COW_ZERO, "a write copies the zero page, no user fault");
}

Test(userfault, wake_without_a_page_faults_again)
{
	struct vm_fault vmf;
	struct uffd_msg msg;

	api(0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(fault(ADDR, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY);
	fx.tid = 8;
	cr_assert_eq(fault(ADDR + 3 * PG, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY);
	cr_expect_eq(userfault_wake(fx.ctx, ADDR, PG), 0);
	cr_expect_eq(fx.woken->len, 1, "only the waiter in the range");
	cr_expect_eq(userfault_read(fx.ctx, &msg), 0);
	cr_expect_eq(msg.address, ADDR + 3 * PG, "the woken waiter's message is gone");
	fx.tid = 7;
	cr_expect_eq(fault(ADDR, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY);
	cr_expect_eq(userfault_read(fx.ctx, &msg), 0);
	cr_expect_eq(msg.address, ADDR);
}

Test(userfault, a_thread_faulting_again_replaces_its_waiter)
{
	struct vm_fault vmf;
	struct uffd_msg msg;

	api(0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(fault(ADDR, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY);
	cr_assert_eq(fault(ADDR, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY,
		     "after a signal's handler");
	cr_expect_eq(userfault_read(fx.ctx, &msg), 0);
	cr_expect_eq(userfault_read(fx.ctx, &msg), -EAGAIN, "one message per thread");
}

Test(userfault, release_wakes_everybody_and_unregisters)
{
	struct vm_fault vmf;

	api(0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR + PG, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(fault(ADDR + PG, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY);
	userfault_release(fx.ctx);
	fx.ctx = NULL;
	cr_expect_eq(fx.woken->len, 1);
	cr_expect_eq(mm_map_count(dfx.mm), 2, "merged back");
	cr_expect_eq(fault(ADDR + PG, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_DONE,
		     "a normal fault now");
}

Test(userfault, the_mm_going_first_leaves_esrch)
{
	struct userfault_work work = { 0 };
	struct vm_fault vmf;

	api(0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(fault(ADDR, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY);
	mm_destroy(dfx.mm);
	dfx.mm = NULL;
	cr_expect_eq(userfault_copy(fx.ctx, ADDR, dfx.mm, SRC, PG, true, &work), -ESRCH);
	cr_expect_not(userfault_pending(fx.ctx));
}

Test(userfault, fork_child_is_not_registered)
{
	struct mm *child;
	struct vm_fault vmf;

	api(0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(mm_dup(dfx.mm, &child), 0);
	cr_expect_null(vma_lookup(child, ADDR)->watch);
	vm_fault_init(&vmf, child, ADDR, FAULT_READ, FAULT_FLAG_ALLOW_RETRY);
	cr_expect_eq(handle_mm_fault(&vmf), VM_FAULT_DONE);
	mm_destroy(child);
}

Test(userfault, a_sleepable_kernel_copy_waits_unless_user_mode_only)
{
	uint8_t bytes[64] = { 1 };
	const void *channel = NULL;
	struct uffd_msg msg;
	size_t done = 99;

	api(0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR + PG, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_expect_eq(copy_to_user_sleepable(dfx.mm, ADDR + PG - 16, bytes, sizeof(bytes), &done, &channel),
		     -EAGAIN);
	cr_expect_eq(done, 16, "the bytes before the registered page");
	cr_expect_not_null(channel);
	cr_assert_eq(userfault_read(fx.ctx, &msg), 0);
	cr_expect_eq(msg.flags, UFFD_PAGEFAULT_FLAG_WRITE);
	cr_expect_eq(msg.address, ADDR + PG);
	fx.ctx->user_mode_only = true;
	cr_expect_eq(copy_to_user_sleepable(dfx.mm, ADDR + PG, bytes, 8, &done, &channel), -EFAULT);
	cr_expect_eq(done, 0);
}

Test(userfault, mremap_moves_out_of_the_registration)
{
	struct vm_fault vmf;
	uint64_t to;

	api(0);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 2 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_assert_eq(mm_mremap(dfx.mm, ADDR, PG, PG, MM_REMAP_MAYMOVE | MM_REMAP_FIXED, ADDR + 16 * PG, &to), 0);
	cr_expect_null(vma_lookup(dfx.mm, to)->watch, "Linux without EVENT_REMAP drops it");
	cr_expect_eq(fault(to, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_DONE);
	cr_expect_eq(fault(ADDR + PG, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY,
		     "the rest stays registered");
}

/* The event ev of ctx, read: its message. */
static struct uffd_msg read_event(void)
{
	struct userfault_event *e = userfault_next_event(fx.ctx);
	struct uffd_msg msg;

	cr_assert_not_null(e, "an event waits");
	msg = e->msg;
	userfault_event_done(e);
	return msg;
}

/* munmap of part of a range with EVENT_UNMAP: one event with the call's
 * range; COPY is EAGAIN until it is read, which wakes the caller's batch. */
Test(userfault, unmap_event_holds_copy_until_read)
{
	struct userfault_events ev = { 0 };
	struct userfault_work work = { 0 };
	struct userfault_batch *batch;
	struct uffd_msg msg;

	api(UFFD_FEATURE_EVENT_UNMAP);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	userfault_prep_unmap(&ev, dfx.mm, ADDR + 3 * PG, ADDR + 5 * PG);
	cr_assert_eq(mm_munmap(dfx.mm, ADDR + 3 * PG, 2 * PG), 0);
	batch = userfault_raise(&ev, true);
	cr_assert_not_null(batch);
	cr_expect_eq(fx.queued, 1);
	cr_expect(userfault_pending(fx.ctx));
	cr_expect_eq(userfault_copy(fx.ctx, ADDR, dfx.mm, SRC, PG, true, &work), -EAGAIN);
	msg = read_event();
	cr_expect_eq(msg.event, 0x16);	/* UFFD_EVENT_UNMAP */
	cr_expect_eq(msg.arg[0], ADDR + 3 * PG);
	cr_expect_eq(msg.arg[1], ADDR + 5 * PG, "the call's range, past the VMA");
	cr_expect_eq(fx.woken->len, 1);
	cr_expect_eq(g_ptr_array_index(fx.woken, 0), batch);
	cr_expect_not(userfault_pending(fx.ctx));
	cr_expect_eq(userfault_copy(fx.ctx, ADDR, dfx.mm, SRC, PG, true, &work), (long)PG);
}

/* Without the feature, or when the call fails, nothing is raised. */
Test(userfault, events_need_the_feature_and_success)
{
	struct userfault_events ev = { 0 };

	api(UFFD_FEATURE_EVENT_REMOVE);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	userfault_prep_unmap(&ev, dfx.mm, ADDR, ADDR + PG);
	cr_expect_null(userfault_raise(&ev, true), "no EVENT_UNMAP");
	userfault_prep_madvise(&ev, dfx.mm, ADDR, PG, MM_MADV_DONTNEED);
	cr_expect_eq(fx.ctx->mmap_changing, 1);
	cr_expect_null(userfault_raise(&ev, false), "the call failed");
	cr_expect_eq(fx.ctx->mmap_changing, 0);
	userfault_prep_madvise(&ev, dfx.mm, ADDR, PG, MM_MADV_WILLNEED);
	cr_expect_null(userfault_raise(&ev, true), "WILLNEED removes nothing");
	cr_expect_eq(fx.queued, 0);
}

/* REMOVE: one event per VMA, clipped to it. */
Test(userfault, remove_event_per_vma)
{
	struct userfault_events ev = { 0 };
	struct uffd_msg msg;

	api(UFFD_FEATURE_EVENT_REMOVE);
	cr_assert_eq(userfault_register(fx.ctx, ADDR + PG, 2 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	userfault_prep_madvise(&ev, dfx.mm, ADDR, 4 * PG, MM_MADV_DONTNEED);
	cr_assert_not_null(userfault_raise(&ev, true));
	msg = read_event();
	cr_expect_eq(msg.event, 0x15);	/* UFFD_EVENT_REMOVE */
	cr_expect_eq(msg.arg[0], ADDR + PG);
	cr_expect_eq(msg.arg[1], ADDR + 3 * PG);
	cr_expect_null(userfault_next_event(fx.ctx), "the unregistered VMAs raise nothing");
}

/* REMAP is raised only when the range moved; the new range stays
 * registered. */
Test(userfault, remap_event_only_when_moved)
{
	struct userfault_events ev = { 0 };
	uint64_t to = UINT64_C(0x50000000), out;
	struct uffd_msg msg;
	struct vma *vma;

	api(UFFD_FEATURE_EVENT_REMAP);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	userfault_prep_mremap(&ev, dfx.mm, ADDR, 4 * PG, 4 * PG, 0, 0);
	cr_expect_null(userfault_raise(&ev, true), "not moved");
	cr_expect_eq(fx.ctx->mmap_changing, 0);
	userfault_prep_mremap(&ev, dfx.mm, ADDR, 4 * PG, 4 * PG, MM_REMAP_MAYMOVE | MM_REMAP_FIXED, to);
	cr_assert_eq(mm_mremap(dfx.mm, ADDR, 4 * PG, 4 * PG, MM_REMAP_MAYMOVE | MM_REMAP_FIXED, to, &out), 0);
	userfault_remap_done(&ev, dfx.mm, out, 4 * PG);
	cr_assert_not_null(userfault_raise(&ev, true));
	msg = read_event();
	cr_expect_eq(msg.event, 0x14);	/* UFFD_EVENT_REMAP */
	cr_expect_eq(msg.arg[0], ADDR);
	cr_expect_eq(msg.arg[1], to);
	cr_expect_eq(msg.arg[2], 4 * PG);
	vma = vma_lookup(dfx.mm, to);
	cr_assert_not_null(vma);
	cr_expect_eq(vma_userfault_ctx(vma), fx.ctx);
	cr_expect_eq(vma->end, to + 4 * PG);
}

/* The context's release finishes its events: the caller wakes. */
Test(userfault, release_finishes_events)
{
	struct userfault_events ev = { 0 };
	struct userfault_batch *batch;

	api(UFFD_FEATURE_EVENT_UNMAP);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	userfault_prep_unmap(&ev, dfx.mm, ADDR, ADDR + PG);
	batch = userfault_raise(&ev, true);
	cr_assert_not_null(batch);
	userfault_release(fx.ctx);
	fx.ctx = NULL;
	cr_expect_eq(fx.woken->len, 1);
	cr_expect_eq(g_ptr_array_index(fx.woken, 0), batch);
}

/* WP mode: a protected page is read-only with the bit; a write is a user
 * fault with the WP flag; resolving makes the page (not shared) writable
 * and wakes; an unprotected page's write needs no handler. */
Test(userfault, write_protect_and_resolve)
{
	struct vm_fault vmf;
	struct uffd_msg msg;
	pte_t *ptep;

	api(0);
	cr_assert_eq(fault(ADDR, FAULT_WRITE, 0, &vmf), VM_FAULT_DONE);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_WP), 0);
	cr_expect_eq(userfault_vma_mode(vma_lookup(dfx.mm, ADDR)), UFFDIO_REGISTER_MODE_WP);
	cr_expect_eq(userfault_writeprotect(fx.ctx, ADDR, PG, true, false), 0);
	ptep = pgtable_walk(dfx.phys, dfx.mm->pgd, ADDR);
	cr_expect(*ptep & PTE_UFFD_WP);
	cr_expect_not(pte_prot(*ptep) & VM_WRITE);
	cr_expect_eq(fault(ADDR, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_DONE);
	cr_expect_eq(fault(ADDR + 8, FAULT_WRITE, FAULT_FLAG_ALLOW_RETRY, &vmf),
		     VM_FAULT_RETRY);
	cr_assert_eq(userfault_read(fx.ctx, &msg), 0);
	cr_expect_eq(msg.flags, UFFD_PAGEFAULT_FLAG_WRITE | UFFD_PAGEFAULT_FLAG_WP);
	cr_expect_eq(msg.address, ADDR);
	cr_expect_eq(fault(ADDR + PG, FAULT_WRITE, FAULT_FLAG_ALLOW_RETRY, &vmf),
		     VM_FAULT_DONE, "missing pages of a WP-only range fault as usual");
	cr_expect_eq(userfault_writeprotect(fx.ctx, ADDR, PG, false, true), 0);
	cr_expect_eq(fx.woken->len, 1, "resolving wakes the writer");
	cr_expect_not(*ptep & PTE_UFFD_WP);
	cr_expect(pte_prot(*ptep) & VM_WRITE, "its own page: writable again");
	cr_expect_eq(userfault_writeprotect(fx.ctx, SRC, PG, true, false), -ENOENT, "not registered");
}

/* mprotect keeps the bit; unregistering drops it. */
Test(userfault, write_protect_survives_mprotect_not_unregister)
{
	struct vm_fault vmf;
	pte_t *ptep;

	api(0);
	cr_assert_eq(fault(ADDR, FAULT_WRITE, 0, &vmf), VM_FAULT_DONE);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_WP), 0);
	cr_assert_eq(userfault_writeprotect(fx.ctx, ADDR, PG, true, false), 0);
	cr_assert_eq(mm_mprotect(dfx.mm, ADDR, 4 * PG, VM_READ | VM_WRITE), 0);
	ptep = pgtable_walk(dfx.phys, dfx.mm->pgd, ADDR);
	cr_expect(*ptep & PTE_UFFD_WP);
	cr_expect_not(pte_prot(*ptep) & VM_WRITE);
	cr_assert_eq(userfault_unregister(fx.ctx, ADDR, 4 * PG), 0);
	cr_expect_not(*ptep & PTE_UFFD_WP);
}

/* WP_ASYNC brings WP_UNPOPULATED; a write to a protected page is
 * resolved by the fault itself: no message, the entry writable without
 * the bit. */
Test(userfault, wp_async_resolves_without_a_message)
{
	struct vm_fault vmf;
	pte_t *ptep;

	api(UFFD_FEATURE_WP_ASYNC);
	cr_expect(fx.ctx->features & UFFD_FEATURE_WP_UNPOPULATED);
	cr_assert_eq(fault(ADDR, FAULT_WRITE, 0, &vmf), VM_FAULT_DONE);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_WP), 0);
	cr_assert_eq(userfault_writeprotect(fx.ctx, ADDR, 2 * PG, true, false), 0);
	cr_expect(pte_is_uffd_wp_marker(pgtable_leaf(dfx.phys, dfx.mm->pgd, ADDR + PG)), "WP_UNPOPULATED's marker");
	cr_expect_eq(fault(ADDR, FAULT_WRITE, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_DONE);
	ptep = pgtable_walk(dfx.phys, dfx.mm->pgd, ADDR);
	cr_expect_not(*ptep & PTE_UFFD_WP);
	cr_expect(pte_prot(*ptep) & VM_WRITE);
	cr_expect_not(userfault_pending(fx.ctx), "no message");
	cr_expect_eq(fx.ctx->faults, 0);
}

/* mremap of a protected range (a page, a marker) whose context lacks
 * EVENT_REMAP: the moved page loses the bit but stays read-only (Linux's
 * move_ptes clears only the bit), the marker goes; with EVENT_REMAP both
 * move as they are. */
static void mremap_protected(unsigned features, pte_t *page, pte_t *marker)
{
	struct userfault_events ev = { 0 };
	uint64_t to = UINT64_C(0x60000000), out;
	struct vm_fault vmf;

	api(UFFD_FEATURE_WP_UNPOPULATED | features);
	cr_assert_eq(fault(ADDR, FAULT_WRITE, 0, &vmf), VM_FAULT_DONE);
	cr_assert_eq(userfault_register(fx.ctx, ADDR, 4 * PG, UFFDIO_REGISTER_MODE_WP), 0);
	cr_assert_eq(userfault_writeprotect(fx.ctx, ADDR, 2 * PG, true, false), 0);
	userfault_prep_mremap(&ev, dfx.mm, ADDR, 4 * PG, 4 * PG, MM_REMAP_MAYMOVE | MM_REMAP_FIXED, to);
	cr_assert_eq(mm_mremap(dfx.mm, ADDR, 4 * PG, 4 * PG, MM_REMAP_MAYMOVE | MM_REMAP_FIXED, to, &out), 0);
	userfault_remap_done(&ev, dfx.mm, out, 4 * PG);
	if (userfault_raise(&ev, true))
		read_event();
	*page = pgtable_leaf(dfx.phys, dfx.mm->pgd, to);
	*marker = pgtable_leaf(dfx.phys, dfx.mm->pgd, to + PG);
}

Test(userfault, mremap_without_event_remap_drops_the_protection)
{
	pte_t page, marker;

	mremap_protected(0, &page, &marker);
	cr_expect(pte_present(page));
	cr_expect_not(page & PTE_UFFD_WP, "the bit went");
	cr_expect_not(pte_prot(page) & VM_WRITE, "still read-only: the next write is a plain fault");
	cr_expect_eq(marker, 0, "the marker went");
}

Test(userfault, mremap_with_event_remap_keeps_the_protection)
{
	pte_t page, marker;

	mremap_protected(UFFD_FEATURE_EVENT_REMAP, &page, &marker);
	cr_expect(page & PTE_UFFD_WP);
	cr_expect(pte_is_uffd_wp_marker(marker));
}

/* MINOR mode (mmu/userfault/minor.h) on shared anonymous memory at SHM. */
#define SHM UINT64_C(0x50000000)

/* Two pages of shared anonymous memory at SHM; page 0 written (the
 * object holds it) and then zapped from the page table. */
static void map_shm_holding_page_0(uint64_t value)
{
	struct vm_fault vmf;

	cr_assert_eq(mm_mmap(dfx.mm, SHM, 2 * PG, VM_READ | VM_WRITE, MM_MAP_FIXED | MM_MAP_SHARED, NULL, 0,
			     &(uint64_t){ 0 }), 0);
	cr_assert_eq(fault(SHM, FAULT_WRITE, 0, &vmf), VM_FAULT_DONE);
	cr_assert_eq(copy_to_user(dfx.mm, SHM, &value, sizeof(value)), 0);
	cr_assert_eq(mm_madvise_dontneed(dfx.mm, SHM, PG), 0);
	cr_assert_not(entry_present(SHM));
}

Test(userfault, minor_fault_then_continue_maps_the_objects_page)
{
	struct userfault_work work = { 0 };
	struct vm_fault vmf;
	struct uffd_msg msg;

	api(0);
	map_shm_holding_page_0(0xabcd);
	cr_assert_eq(userfault_register(fx.ctx, SHM, 2 * PG, UFFDIO_REGISTER_MODE_MINOR), 0);
	cr_assert_eq(fault(SHM + 8, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_RETRY);
	cr_assert_eq(userfault_read(fx.ctx, &msg), 0);
	cr_expect_eq(msg.flags, 4, "UFFD_PAGEFAULT_FLAG_MINOR alone for a read");
	cr_expect_eq(msg.address, SHM);
	cr_expect_eq(fault(SHM + PG, FAULT_READ, FAULT_FLAG_ALLOW_RETRY, &vmf), VM_FAULT_DONE,
		     "a page the object lacks faults as usual");
	cr_expect_eq(fx.queued, 1);
	cr_expect_eq(userfault_continue(fx.ctx, SHM, PG, USERFAULT_FILL_WAKE, &work), (long)PG);
	cr_expect_eq(fx.woken->len, 1);
	cr_expect_eq(peek_u64(dfx.mm, SHM), 0xabcd, "the object's page, not a new one");
	cr_expect_eq(work.ptes_installed, 1);
	cr_expect_eq(work.pages_copied + work.pages_zeroed, 0);
	cr_expect_eq(fx.ctx->continued_pages, 1);
	cr_expect_eq(userfault_continue(fx.ctx, SHM, PG, 0, &work), -EEXIST);
}

Test(userfault, continue_errors_and_short_counts)
{
	struct userfault_work work = { 0 };

	api(0);
	cr_expect_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MINOR), -EINVAL,
		     "MINOR needs shmem");
	cr_assert_eq(userfault_register(fx.ctx, ADDR, PG, UFFDIO_REGISTER_MODE_MISSING), 0);
	cr_expect_eq(userfault_continue(fx.ctx, ADDR, PG, 0, &work), -EINVAL, "not shmem");
	map_shm_holding_page_0(1);
	cr_expect_eq(userfault_continue(fx.ctx, SHM, PG, 0, &work), -ENOENT, "not registered");
	cr_assert_eq(userfault_register(fx.ctx, SHM, 2 * PG, UFFDIO_REGISTER_MODE_MINOR), 0);
	cr_expect_eq(userfault_continue(fx.ctx, SHM + PG, PG, 0, &work), -EFAULT, "the object has no page");
	cr_expect_eq(userfault_continue(fx.ctx, SHM, 2 * PG, 0, &work), (long)PG, "page 1 stops it");
	cr_expect_eq(userfault_continue(fx.ctx, SHM, PG, USERFAULT_FILL_WP, &work), -EINVAL, "not WP");
}
