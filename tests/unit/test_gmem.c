/*
 * mmu/gmem: the logical page table (vm_object) and the gm_mapping state
 * machine under device and CPU faults, hmadvise and munmap, with the
 * design note's invariants checked after each step:
 *
 *  - every entry is in exactly one of CPU, DEVICE, NOMAP;
 *  - a CPU entry's page is what the CPU's table maps there, and no device
 *    maps the page;
 *  - a DEVICE entry's page is in its device's node and mapped by that
 *    device only: no live CPU entry.
 *
 * Machine: a 16 MiB CPU node and two 1 MiB device nodes, the "default"
 * profile ([device] link_latency 2000, link_page 512, pte_update 50 cycles
 * at 2 GHz).
 */
#include <criterion/criterion.h>
#include <errno.h>

#include "mmu/agent.h"
#include "mmu/gmem/gmem.h"
#include "mmu/mm.h"
#include "mmu/uaccess.h"
#include "tests/unit/domain_test.h"

#define PG PAGE_SIZE
#define ADDR UINT64_C(0x40000000)

/* ---------------------------------------------------------------- vm_object */

TestSuite(vm_object);

Test(vm_object, entries_start_nomap_and_nodes_follow_the_radix_levels)
{
	struct vm_object *obj = vm_object_create();
	struct gm_mapping *m = vm_object_lookup_or_create(obj, ADDR);

	cr_expect_eq(m->flag, GM_PAGE_NOMAP, "a new entry starts NOMAP");
	cr_expect_eq(vm_object_stats(obj)->entries, 1);
	cr_expect_eq(vm_object_stats(obj)->nodes, 6, "one node per level");
	cr_expect_eq(vm_object_lookup_or_create(obj, ADDR + 100), m, "the same page");
	vm_object_lookup_or_create(obj, ADDR + PG);
	cr_expect_eq(vm_object_stats(obj)->nodes, 6, "a neighbour shares the leaf");
	vm_object_lookup_or_create(obj, ADDR + 64 * PG);
	cr_expect_eq(vm_object_stats(obj)->nodes, 7, "page 64 on: the next leaf");
	vm_object_lookup_or_create(obj, UINT64_C(0x7ffffffff000));
	cr_expect_eq(vm_object_stats(obj)->nodes, 7 + 5, "the top page: its own path below the root");
	cr_expect_null(vm_object_lookup(obj, ADDR + 2 * PG));
	vm_object_erase_range(obj, ADDR, ADDR + 64 * PG);
	cr_expect_eq(vm_object_stats(obj)->entries, 2);
	cr_expect_eq(vm_object_stats(obj)->nodes, 7 + 5 - 1, "the emptied leaf freed");
	cr_expect_not_null(vm_object_lookup(obj, ADDR + 64 * PG));
	vm_object_erase_range(obj, 0, UINT64_C(1) << 48);
	cr_expect_eq(vm_object_stats(obj)->nodes, 0, "root included");
	cr_expect_eq(vm_object_stats(obj)->peak_entries, 4);
	cr_expect_eq(vm_object_bytes(obj), 0);
	vm_object_destroy(obj);
}

Test(vm_object, set_state_keeps_the_hint)
{
	struct gm_mapping m = { .flag = GM_PAGE_NOMAP | GM_PAGE_WILLNEED };

	gm_mapping_set_state(&m, GM_PAGE_DEVICE);
	cr_expect_eq(m.flag, GM_PAGE_DEVICE | GM_PAGE_WILLNEED);
}

/* ------------------------------------------------------------------- design */

static struct {
	struct device dev[2];
	struct gmem_stats gstats;
} fx;

static void setup(void)
{
	domain_fixture_setup(2, 2);
	dfx.domain.current = &dfx.domain.agents[0];
	agent_switch_mm(&dfx.domain.agents[0], dfx.mm);
	for (int i = 0; i < 2; i++) {
		cr_assert_eq(device_init(&fx.dev[i], &dfx.domain, i, i + 1, &gmem_device_ops), 0);
		device_bind(&fx.dev[i], dfx.mm);
	}
}

static void teardown(void)
{
	if (dfx.mm)
		mm_destroy(dfx.mm);
	dfx.mm = NULL;
	for (int i = 0; i < 2; i++) {
		device_fini(&fx.dev[i]);
		cr_expect_eq(phys_node_in_use(dfx.phys, i + 1), 0, "device %d's memory all freed", i);
	}
	domain_fixture_teardown();
}

TestSuite(gmem, .init = setup, .fini = teardown);

static void peer_map(uint64_t addr, uint64_t pages)
{
	uint64_t out;

	cr_assert_eq(gmem_mmap(dfx.mm, addr, pages * PG, VM_READ | VM_WRITE, MM_MAP_FIXED, &fx.gstats, &out), 0);
	cr_assert_eq(out, addr);
}

static int run(struct device *d, uint64_t start, uint64_t size, unsigned access, uint64_t *sum)
{
	struct device_kernel k = { .start = start, .size = size, .pattern = DEVICE_SEQUENTIAL,
				   .access = access, .reps = 1 };
	uint64_t fva;

	return device_run(d, &k, sum, &fva);
}

static bool maps(phys_addr_t root, uint64_t va, phys_addr_t *pa)
{
	unsigned prot;

	return pgtable_translate(dfx.phys, root, va, pa, &prot);
}

/* The design note's invariants for every entry of [start, end). */
static void check_entry(void *ctx, uint64_t va, struct gm_mapping *m)
{
	unsigned state = m->flag & GM_PAGE_TYPE_MASK;
	phys_addr_t pa;

	(void)ctx;
	cr_assert(state == GM_PAGE_CPU || state == GM_PAGE_DEVICE || state == GM_PAGE_NOMAP,
		  "%#llx: flag %#x", (unsigned long long)va, m->flag);
	for (int i = 0; i < 2; i++)
		cr_assert(!maps(fx.dev[i].pgd, va, &pa) || (state == GM_PAGE_DEVICE && m->dev == &fx.dev[i]),
			  "%#llx: device %d maps a page it does not own", (unsigned long long)va, i);
	if (state == GM_PAGE_DEVICE) {
		cr_assert_not(maps(dfx.mm->pgd, va, &pa), "%#llx: a live CPU entry for a DEVICE page",
			      (unsigned long long)va);
		cr_assert(maps(m->dev->pgd, va, &pa) && pa == m->page);
		cr_assert_eq(phys_node_of(dfx.phys, pa), m->dev->node);
	}
	if (state == GM_PAGE_CPU)
		cr_assert(maps(dfx.mm->pgd, va, &pa) && pa == m->page, "%#llx: CPU entry", (unsigned long long)va);
}

static void check_invariants(void)
{
	vm_object_for_each(gmem_table_of(dfx.mm), 0, TASK_SIZE, check_entry, NULL);
}

static unsigned state_at(uint64_t va)
{
	struct gm_mapping *m = vm_object_lookup(gmem_table_of(dfx.mm), va);

	return m ? m->flag & GM_PAGE_TYPE_MASK : 0;
}

Test(gmem, device_faults_migrate_cpu_pages_and_zero_fill_the_rest)
{
	uint64_t v = 41, sum;
	phys_addr_t pa;

	peer_map(ADDR, 4);
	cr_assert_eq(copy_to_user(dfx.mm, ADDR, &v, sizeof(v)), 0);
	cr_expect_eq(state_at(ADDR), GM_PAGE_CPU, "the CPU's fault made it CPU");
	cr_expect_eq(state_at(ADDR + PG), 0, "untouched: no entry");
	check_invariants();
	cr_assert_eq(run(&fx.dev[0], ADDR, 2 * PG, DEVICE_READ | DEVICE_WRITE, &sum), 0);
	cr_expect_eq(sum, 41, "the device read the CPU's word");
	cr_expect_eq(state_at(ADDR), GM_PAGE_DEVICE);
	cr_expect_eq(state_at(ADDR + PG), GM_PAGE_DEVICE);
	cr_expect_eq(fx.dev[0].counters.to_device, 1, "page 0 migrated");
	cr_expect_eq(fx.dev[0].counters.zero_pages, 1, "page 1 zero-filled on the device");
	cr_expect_eq(fx.dev[0].counters.link_bytes, PG);
	cr_expect_not(maps(dfx.mm->pgd, ADDR, &pa), "the CPU entry is gone");
	cr_expect_eq(dfx.domain.shootdowns.shootdowns, 1, "with its shootdown");
	check_invariants();

	cr_assert_eq(copy_from_user(dfx.mm, &v, ADDR, sizeof(v)), 0);
	cr_expect_eq(v, 42, "the CPU's fault brought the device's write back");
	cr_expect_eq(state_at(ADDR), GM_PAGE_CPU);
	cr_expect_eq(fx.dev[0].counters.to_cpu, 1);
	cr_expect_eq(fx.gstats.cpu_faults, 1);
	cr_expect_eq(dfx.stats.faults[FAULT_KIND_DEVICE], 1);
	cr_assert_eq(copy_from_user(dfx.mm, &v, ADDR + PG + 8, sizeof(v)), 0);
	cr_expect_eq(v, 1, "word 513 of the zero page, written once by the device");
	check_invariants();
}

Test(gmem, one_owner_a_second_device_takes_the_page_from_the_first)
{
	uint64_t sum;

	peer_map(ADDR, 1);
	cr_assert_eq(run(&fx.dev[0], ADDR, 8, DEVICE_WRITE, &sum), 0);
	cr_assert_eq(run(&fx.dev[1], ADDR, 8, DEVICE_READ, &sum), 0);
	cr_expect_eq(sum, 1);
	cr_expect_eq(fx.dev[1].counters.to_device, 1);
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 4, "device 0: its tables only");
	check_invariants();
}

Test(gmem, faults_outside_peer_shared_or_against_protection_are_efault)
{
	uint64_t sum, addr;

	cr_assert_eq(mm_mmap(dfx.mm, ADDR, PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &addr), 0);
	cr_expect_eq(run(&fx.dev[0], ADDR, 8, DEVICE_READ, &sum), -EFAULT, "plain anonymous memory");
	cr_expect_eq(run(&fx.dev[0], ADDR + 16 * PG, 8, DEVICE_READ, &sum), -EFAULT, "nothing mapped");
	cr_assert_eq(gmem_mmap(dfx.mm, ADDR + PG, PG, VM_READ, MM_MAP_FIXED, &fx.gstats, &addr), 0);
	cr_expect_eq(run(&fx.dev[0], ADDR + PG, 8, DEVICE_WRITE, &sum), -EFAULT, "read-only");
	cr_expect_eq(run(&fx.dev[0], ADDR + PG, 8, DEVICE_READ, &sum), 0);
	cr_expect_eq(gmem_mmap(dfx.mm, ADDR + 2 * PG, PG, VM_READ, MM_MAP_FIXED | MM_MAP_SHARED, &fx.gstats,
			       &addr), -EINVAL, "peer-shared memory is private");
}

/* Two adjacent peer-shared mappings stay two VMAs; munmap across their
 * edge frees the entries of pages 3 and 4 only and unmaps them from the
 * device: per page, one invalidation each; coalesced, one per VMA piece. */
static void munmap_across_the_edge(bool coalesce)
{
	uint64_t sum;
	phys_addr_t pa;

	fx.dev[0].coalesce = coalesce;
	peer_map(ADDR, 4);
	peer_map(ADDR + 4 * PG, 4);
	cr_expect_eq(mm_map_count(dfx.mm), 2, "not merged");
	cr_assert_eq(run(&fx.dev[0], ADDR, 8 * PG, DEVICE_WRITE, &sum), 0);
	cr_expect_eq(vm_object_stats(gmem_table_of(dfx.mm))->entries, 8);
	cr_assert_eq(mm_munmap(dfx.mm, ADDR + 3 * PG, 2 * PG), 0);
	cr_expect_eq(vm_object_stats(gmem_table_of(dfx.mm))->entries, 6);
	cr_expect_eq(state_at(ADDR + 3 * PG), 0);
	cr_expect_eq(state_at(ADDR + 4 * PG), 0);
	cr_expect_eq(state_at(ADDR + 2 * PG), GM_PAGE_DEVICE);
	cr_expect_eq(state_at(ADDR + 5 * PG), GM_PAGE_DEVICE);
	cr_expect_not(maps(fx.dev[0].pgd, ADDR + 3 * PG, &pa));
	cr_expect_not(maps(fx.dev[0].pgd, ADDR + 4 * PG, &pa));
	cr_expect(maps(fx.dev[0].pgd, ADDR + 5 * PG, &pa));
	cr_expect_eq(fx.dev[0].counters.inval_pages, coalesce ? 0 : 2);
	cr_expect_eq(fx.dev[0].counters.inval_ranges, coalesce ? 2 : 0);
	cr_expect_eq(fx.gstats.unmapped_entries, 2);
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 4 + 6, "tables and the six pages left");
	check_invariants();
}

Test(gmem, munmap_across_adjacent_mappings_per_page)
{
	munmap_across_the_edge(false);
}

Test(gmem, munmap_across_adjacent_mappings_coalesced)
{
	munmap_across_the_edge(true);
}

/* Prefetching 4 CPU pages is one transfer: link_latency 2000 + 4 x
 * link_page 512, and 4 x pte_update 50 = 4248 cycles, 2124 ns at 2 GHz,
 * on the device's clock; no device fault. */
Test(gmem, prefetch_moves_a_range_in_one_transfer)
{
	uint64_t buf[4 * PG / 8] = { 0 }, before, sum;

	peer_map(ADDR, 4);
	for (int i = 0; i < 4; i++)
		buf[i * PG / 8] = (uint64_t)i + 1;
	cr_assert_eq(copy_to_user(dfx.mm, ADDR, buf, sizeof(buf)), 0);
	before = fx.dev[0].agent.clock;
	cr_assert_eq(gmem_hmadvise(dfx.mm, &fx.dev[0], ADDR, 4 * PG, GMEM_PREFETCH), 0);
	cr_expect_eq(fx.dev[0].agent.clock - before, 2124);
	cr_expect_eq(fx.dev[0].counters.to_device, 4);
	cr_expect_eq(fx.gstats.prefetched, 4);
	check_invariants();
	cr_assert_eq(run(&fx.dev[0], ADDR, 4 * PG, DEVICE_READ, &sum), 0);
	cr_expect_eq(sum, 1 + 2 + 3 + 4);
	cr_expect_eq(fx.dev[0].counters.faults, 0, "all there already");
	cr_assert_eq(gmem_hmadvise(dfx.mm, NULL, ADDR, 2 * PG, GMEM_PREFETCH), 0);
	cr_expect_eq(state_at(ADDR), GM_PAGE_CPU);
	cr_expect_eq(state_at(ADDR + 2 * PG), GM_PAGE_DEVICE);
	cr_expect_eq(fx.dev[0].counters.to_cpu, 2);
	check_invariants();
}

Test(gmem, dontneed_drops_pages_wherever_they_are)
{
	uint64_t v = 5, sum;

	peer_map(ADDR, 2);
	cr_assert_eq(copy_to_user(dfx.mm, ADDR, &v, sizeof(v)), 0);
	cr_assert_eq(run(&fx.dev[0], ADDR + PG, 8, DEVICE_WRITE, &sum), 0);
	cr_assert_eq(gmem_hmadvise(dfx.mm, &fx.dev[0], ADDR, 2 * PG, GMEM_DONTNEED), 0);
	cr_expect_eq(vm_object_stats(gmem_table_of(dfx.mm))->entries, 0);
	cr_expect_eq(fx.gstats.dropped, 2);
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 1, "the device page and its emptied tables freed: %llu", (unsigned long long)phys_node_in_use(dfx.phys, 1));
	cr_assert_eq(copy_from_user(dfx.mm, &v, ADDR, sizeof(v)), 0);
	cr_expect_eq(v, 0, "a fresh zero page");
	check_invariants();
}

Test(gmem, hmadvise_errors)
{
	uint64_t addr;

	peer_map(ADDR, 2);
	cr_assert_eq(mm_mmap(dfx.mm, ADDR + 4 * PG, PG, VM_READ, MM_MAP_FIXED, NULL, 0, &addr), 0);
	cr_expect_eq(gmem_hmadvise(dfx.mm, &fx.dev[0], ADDR + 1, PG, GMEM_PREFETCH), -EINVAL, "unaligned");
	cr_expect_eq(gmem_hmadvise(dfx.mm, &fx.dev[0], ADDR, UINT64_MAX - PG, GMEM_PREFETCH), -EINVAL,
		     "wraps");
	cr_expect_eq(gmem_hmadvise(dfx.mm, &fx.dev[0], ADDR, 3 * PG, GMEM_PREFETCH), -ENOMEM, "a hole");
	cr_expect_eq(gmem_hmadvise(dfx.mm, &fx.dev[0], ADDR + 4 * PG, PG, GMEM_PREFETCH), -EINVAL,
		     "not peer-shared");
	cr_expect_eq(gmem_hmadvise(dfx.mm, &fx.dev[0], ADDR, PG, 7), -EINVAL, "unknown hint");
	cr_expect_eq(gmem_hmadvise(dfx.mm, &fx.dev[0], ADDR, 0, GMEM_PREFETCH), 0, "empty");
	cr_expect_eq(fx.dev[0].counters.to_device + fx.dev[0].counters.zero_pages, 0, "nothing moved");
}

Test(gmem, a_device_leaving_the_mm_hands_its_pages_back)
{
	uint64_t v, sum;
	struct mm *other;

	peer_map(ADDR, 1);
	cr_assert_eq(run(&fx.dev[0], ADDR, 16, DEVICE_WRITE, &sum), 0);
	cr_assert_eq(mm_create(dfx.phys, &dfx.stats, &other), 0);
	device_bind(&fx.dev[0], other);
	cr_expect_eq(state_at(ADDR), GM_PAGE_CPU);
	cr_assert_eq(copy_from_user(dfx.mm, &v, ADDR + 8, sizeof(v)), 0);
	cr_expect_eq(v, 1);
	check_invariants();
	device_unbind(&fx.dev[0]);
	mm_destroy(other);
}

Test(gmem, the_mm_s_end_frees_everything)
{
	uint64_t sum;

	peer_map(ADDR, 4);
	cr_assert_eq(run(&fx.dev[0], ADDR, 4 * PG, DEVICE_WRITE, &sum), 0);
	mm_destroy(dfx.mm);
	dfx.mm = NULL;
	cr_expect_null(fx.dev[0].mm);
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 1, "the device's root only: %llu", (unsigned long long)phys_node_in_use(dfx.phys, 1));
	cr_expect_eq(fx.dev[0].counters.to_cpu, 0, "nothing migrates back to a dying mm");
	cr_expect_eq(fx.dev[0].counters.link_bytes, 0);
}
