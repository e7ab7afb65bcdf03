/*
 * mmu/phys memory nodes and mmu/device/migrate, the primitive that moves a
 * page between nodes.
 *
 * Layout of the fixture's memory (phys_create_nodes(16 frames, 2 devices,
 * 4 frames each)): node 0 is frames 0-15 (frame 0 reserved), node 1 frames
 * 16-19 (0x10000-0x13fff), node 2 frames 20-23 (0x14000-0x17fff).  The
 * migration tests use a 16 MiB CPU node and two 1 MiB device nodes.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "mmu/agent.h"
#include "mmu/device/device.h"
#include "mmu/device/migrate.h"
#include "mmu/hmm/mirror.h"
#include "mmu/mm.h"
#include "mmu/uaccess.h"
#include "tests/unit/domain_test.h"

#define PG PAGE_SIZE
#define ADDR UINT64_C(0x40000000)

/* ------------------------------------------------------------------ nodes */

TestSuite(nodes);

Test(nodes, device_frames_lie_above_the_cpu_and_are_handed_out_per_node)
{
	struct phys *p;
	phys_addr_t pa;

	cr_assert_eq(phys_create_nodes(16 * PG, 2, 4 * PG, &p), 0);
	cr_expect_eq(phys_nr_nodes(p), 3);
	cr_expect_eq(phys_size(p), 16 * PG, "the CPU sees its own node only");
	cr_expect_eq(phys_node_frames(p, 2), 4);
	cr_assert_eq(phys_alloc_node(p, 2, FRAME_DATA, &pa), 0);
	cr_expect_eq(pa, 0x14000, "node 2 starts at frame 20");
	cr_expect_eq(phys_node_of(p, pa), 2);
	cr_assert_eq(phys_alloc_node(p, 1, FRAME_DATA, &pa), 0);
	cr_expect_eq(pa, 0x10000, "node 1 starts at frame 16");
	cr_expect_eq(phys_node_of(p, pa), 1);
	cr_assert_eq(phys_alloc_node(p, 0, FRAME_DATA, &pa), 0);
	cr_expect_eq(pa, 0x1000);
	cr_expect_eq(phys_node_of(p, pa), 0);
	cr_expect_eq(phys_node_of(p, 0xf000), 0, "the CPU's last frame");
	cr_expect_eq(phys_node_in_use(p, 0), 1);
	cr_expect_eq(phys_node_in_use(p, 1), 1);
	cr_expect_eq(phys_node_in_use(p, 2), 1);
	cr_expect_eq(phys_alloc_node(p, 3, FRAME_DATA, &pa), -EINVAL, "no node 3");
	cr_expect_eq(phys_alloc_node(p, -1, FRAME_DATA, &pa), -EINVAL);
	phys_destroy(p);
}

Test(nodes, a_full_node_takes_nothing_from_another)
{
	struct phys *p;
	phys_addr_t pa, last = 0;

	cr_assert_eq(phys_create_nodes(16 * PG, 1, 4 * PG, &p), 0);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(phys_alloc_node(p, 1, FRAME_DATA, &last), 0);
	cr_expect_eq(last, 0x13000);
	cr_expect_eq(phys_alloc_node(p, 1, FRAME_DATA, &pa), -ENOMEM);
	cr_expect_eq(phys_node_peak(p, 1), 4);
	for (int i = 1; i < 16; i++)
		cr_assert_eq(phys_alloc(p, FRAME_DATA, &pa), 0);
	cr_expect_eq(phys_alloc(p, FRAME_DATA, &pa), -ENOMEM, "frames 1-15 only: the devices' stay theirs");
	phys_put(p, 0x12000);
	cr_expect_eq(phys_node_in_use(p, 1), 3);
	cr_expect_eq(phys_node_in_use(p, 0), 15);
	memset(phys_to_host(p, 0x13000), 0x5a, PG);
	phys_put(p, 0x13000);
	cr_assert_eq(phys_alloc_node(p, 1, FRAME_DATA, &pa), 0);
	cr_expect_eq(pa, 0x13000, "the last freed first");
	cr_expect_eq(phys_node_peak(p, 1), 4, "the most at once");
	cr_expect_eq(*(uint8_t *)phys_to_host(p, pa + 100), 0, "handed out zeroed");
	phys_destroy(p);
}

Test(nodes, absurd_layouts_are_refused)
{
	struct phys *p = NULL;

	cr_expect_eq(phys_create_nodes(16 * PG, 1, 0, &p), -EINVAL, "a device without memory");
	cr_expect_eq(phys_create_nodes(16 * PG, 1, 100, &p), -EINVAL, "not whole frames");
	cr_expect_eq(phys_create_nodes(16 * PG, PHYS_MAX_NODES, PG, &p), -EINVAL, "too many nodes");
	cr_expect_eq(phys_create_nodes(16 * PG, -1, PG, &p), -EINVAL);
	cr_expect_eq(phys_create_nodes(16 * PG, 2, UINT64_C(1) << 63, &p), -EINVAL, "overflowing");
	cr_expect_null(p);
}

/* Coherent nodes come right after the CPU's, whatever their numbers: with
 * 16 CPU frames and three nodes of 4, node 3 coherent, node 3 is frames
 * 16-19, node 1 frames 20-23 and node 2 frames 24-27; the CPU reaches
 * frames 0-19, 80 KiB (0x14000). */
Test(nodes, coherent_nodes_lie_where_the_cpu_reaches)
{
	struct phys *p = NULL;
	phys_addr_t pa;

	cr_assert_eq(phys_create_coherent(16 * PG, 3, 4 * PG, 1u << 3, &p), 0);
	cr_expect_eq(phys_size(p), 16 * PG, "the CPU's own memory");
	cr_expect_eq(phys_reachable_size(p), 0x14000);
	cr_expect(phys_node_coherent(p, 3));
	cr_expect_not(phys_node_coherent(p, 1));
	cr_expect_not(phys_node_coherent(p, 0));
	cr_assert_eq(phys_alloc_node(p, 3, FRAME_DATA, &pa), 0);
	cr_expect_eq(pa, 0x10000, "node 3 starts at frame 16");
	cr_expect_eq(phys_node_of(p, pa), 3);
	cr_assert_eq(phys_alloc_node(p, 1, FRAME_DATA, &pa), 0);
	cr_expect_eq(pa, 0x14000, "node 1 starts at frame 20");
	cr_expect_eq(phys_node_of(p, pa), 1);
	cr_assert_eq(phys_alloc_node(p, 2, FRAME_DATA, &pa), 0);
	cr_expect_eq(pa, 0x18000, "node 2 starts at frame 24");
	cr_expect_eq(phys_node_of(p, 0x1b000), 2);
	phys_destroy(p);
	cr_assert_eq(phys_create_nodes(16 * PG, 2, 4 * PG, &p), 0);
	cr_expect_eq(phys_reachable_size(p), 16 * PG, "no coherent node: the CPU's own");
	phys_destroy(p);
	p = NULL;
	cr_expect_eq(phys_create_coherent(16 * PG, 2, 4 * PG, 1u << 3, &p), -EINVAL, "no node 3");
	cr_expect_eq(phys_create_coherent(16 * PG, 2, 4 * PG, 1u, &p), -EINVAL, "node 0 is the CPU's");
	cr_expect_null(p);
}

/* Page-table frames are counted per node: two tables of the CPU's at once
 * (one freed, one more made: still 2), one of node 2's; data frames and
 * node 1 count nothing. */
Test(nodes, page_table_peaks_are_per_node)
{
	struct phys *p;
	phys_addr_t a, b, c, d;

	cr_assert_eq(phys_create_nodes(16 * PG, 2, 4 * PG, &p), 0);
	cr_assert_eq(pgtable_create(p, &a), 0);
	cr_assert_eq(pgtable_create(p, &b), 0);
	phys_put(p, a);
	cr_assert_eq(pgtable_create(p, &a), 0);
	cr_assert_eq(pgtable_create_node(p, 2, &c), 0);
	cr_assert_eq(phys_alloc_node(p, 1, FRAME_DATA, &d), 0);
	cr_expect_eq(phys_node_pgtable_peak(p, 0), 2);
	cr_expect_eq(phys_node_pgtable_peak(p, 1), 0);
	cr_expect_eq(phys_node_pgtable_peak(p, 2), 1);
	cr_expect_eq(phys_kind_peak(p, FRAME_PGTABLE), 3, "all nodes at once");
	cr_expect_eq(phys_node_pgtable_peak(p, 3), 0, "no node 3");
	phys_destroy(p);
}

Test(nodes, tables_below_a_root_live_in_its_node)
{
	struct phys *p;
	phys_addr_t root, pa;

	cr_assert_eq(phys_create_nodes(16 * PG, 1, 8 * PG, &p), 0);
	cr_assert_eq(pgtable_create_node(p, 1, &root), 0);
	cr_assert_eq(phys_alloc(p, FRAME_DATA, &pa), 0);
	cr_assert_eq(pgtable_map(p, root, ADDR, pa, VM_READ), 0);
	cr_expect_eq(phys_node_in_use(p, 1), 4, "root, PUD, PMD and PTE tables");
	cr_expect_eq(phys_node_in_use(p, 0), 1, "the data page only");
	pgtable_put(p, root, PGD_LEVEL);
	cr_expect_eq(phys_node_in_use(p, 1), 0);
	cr_expect_eq(phys_node_in_use(p, 0), 0);
	phys_destroy(p);
}

/* ---------------------------------------------------------------- migrate */

/* A device's side, by hand: a table in node 1 and a TLB of the CPU's
 * geometry. */
struct test_device {
	struct migrate_side side;
	struct tlb *tlb;
	unsigned invalidations;
};

static struct {
	struct migrate_cpu_side cpu;
	struct test_device dev;
} fx;

static void dev_invalidate(struct migrate_side *side, uint64_t va)
{
	struct test_device *d = (struct test_device *)side;

	tlb_flush_page(d->tlb, 0, va);
	d->invalidations++;
}

static unsigned dev_take_stale(struct migrate_side *side, uint64_t va)
{
	uint64_t first;

	return tlb_take_range(((struct test_device *)side)->tlb, 0, va, va + PG, &first);
}

static void setup(void)
{
	domain_fixture_setup(2, 2);
	dfx.domain.current = &dfx.domain.agents[0];
	agent_switch_mm(&dfx.domain.agents[0], dfx.mm);
	migrate_cpu_side_init(&fx.cpu, dfx.mm);
	fx.dev.side = (struct migrate_side){ .invalidate = dev_invalidate, .take_stale = dev_take_stale };
	cr_assert_eq(pgtable_create_node(dfx.phys, 1, &fx.dev.side.root), 0);
	cr_assert_eq(tlb_create(&dfx.profile.tlb, &fx.dev.tlb), 0);
}

static void teardown(void)
{
	tlb_destroy(fx.dev.tlb);
	pgtable_put(dfx.phys, fx.dev.side.root, PGD_LEVEL);
	domain_fixture_teardown();
}

TestSuite(migrate, .init = setup, .fini = teardown);

/* A written page at ADDR holding 0, 1, 2, ... (bytes, mod 251), its
 * translation cached in agent 0's TLB. */
static phys_addr_t cpu_page(void)
{
	uint8_t buf[PG];
	uint64_t addr;
	phys_addr_t pa;
	unsigned prot;

	for (unsigned i = 0; i < PG; i++)
		buf[i] = (uint8_t)(i % 251);
	cr_assert_eq(mm_mmap(dfx.mm, ADDR, 4 * PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &addr), 0);
	cr_assert_eq(copy_to_user(dfx.mm, ADDR, buf, PG), 0);
	agent_access(&dfx.domain.agents[0], dfx.mm, ADDR, false);
	cr_assert(pgtable_translate(dfx.phys, dfx.mm->pgd, ADDR, &pa, &prot));
	return pa;
}

static void expect_pattern(phys_addr_t pa)
{
	const uint8_t *b = phys_to_host(dfx.phys, pa);

	for (unsigned i = 0; i < PG; i++)
		cr_assert_eq(b[i], i % 251, "byte %u of %#llx", i, (unsigned long long)pa);
}

Test(migrate, cpu_to_device_moves_contents_and_mapping_with_one_shootdown)
{
	phys_addr_t old = cpu_page(), pa;
	uint64_t cpu_frames = phys_node_in_use(dfx.phys, 0);
	struct migrate_record rec = { 0 };
	unsigned prot;

	cr_assert_eq(migrate_page(dfx.phys, &fx.cpu.side, &fx.dev.side, ADDR, 1, VM_READ | VM_WRITE, &rec), 0);
	cr_expect_eq(rec.pages, 1);
	cr_expect_eq(rec.tables_allocated, 3, "PUD, PMD, PTE tables of the device");
	cr_expect_eq(rec.stale, 0, "no stale translation");
	cr_expect_not(pgtable_translate(dfx.phys, dfx.mm->pgd, ADDR, &pa, &prot), "the CPU entry is gone");
	cr_assert(pgtable_translate(dfx.phys, fx.dev.side.root, ADDR, &pa, &prot));
	cr_expect_eq(phys_node_of(dfx.phys, pa), 1);
	cr_expect_eq(prot, VM_READ | VM_WRITE);
	cr_expect_eq(phys_refcount(dfx.phys, pa), 1);
	expect_pattern(pa);
	cr_expect_eq(phys_kind(dfx.phys, old), FRAME_FREE, "the CPU frame had one mapper: freed");
	cr_expect_eq(phys_node_in_use(dfx.phys, 0), cpu_frames - 1);
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 1 + 4, "the page and the device's four tables");
	cr_expect_eq(dfx.domain.shootdowns.shootdowns, 1, "the CPU entry's shootdown");
}

Test(migrate, device_to_cpu_and_back_keeps_the_contents)
{
	struct migrate_record rec = { 0 };
	phys_addr_t pa, dev_pa;
	unsigned prot;
	struct tlb_lookup l;

	cpu_page();
	cr_assert_eq(migrate_page(dfx.phys, &fx.cpu.side, &fx.dev.side, ADDR, 1, VM_READ | VM_WRITE, &rec), 0);
	cr_assert(tlb_translate(fx.dev.tlb, dfx.phys, fx.dev.side.root, 0, ADDR, TLB_DATA, &l),
		  "the device caches it");
	cr_assert(pgtable_translate(dfx.phys, fx.dev.side.root, ADDR, &dev_pa, &prot));
	cr_assert_eq(migrate_page(dfx.phys, &fx.dev.side, &fx.cpu.side, ADDR, 0, VM_READ | VM_WRITE, &rec), 0);
	cr_expect_eq(rec.pages, 2);
	cr_expect_eq(rec.stale, 0);
	cr_expect_eq(fx.dev.invalidations, 1);
	cr_expect_eq(phys_kind(dfx.phys, dev_pa), FRAME_FREE);
	cr_assert(pgtable_translate(dfx.phys, dfx.mm->pgd, ADDR, &pa, &prot));
	cr_expect_eq(phys_node_of(dfx.phys, pa), 0);
	expect_pattern(pa);
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 4, "only the device's tables left");
}

Test(migrate, a_frame_others_map_stays_theirs)
{
	phys_addr_t old = cpu_page(), pa;
	struct migrate_record rec = { 0 };
	struct mm *child;
	unsigned prot;

	cr_assert_eq(mm_dup(dfx.mm, &child), 0);
	cr_expect_eq(phys_refcount(dfx.phys, old), 2, "parent and child");
	cr_assert_eq(migrate_page(dfx.phys, &fx.cpu.side, &fx.dev.side, ADDR, 1, VM_READ | VM_WRITE, &rec), 0);
	cr_expect_eq(phys_refcount(dfx.phys, old), 1, "the child's");
	cr_assert(pgtable_translate(dfx.phys, child->pgd, ADDR, &pa, &prot));
	cr_expect_eq(pa, old);
	cr_assert(pgtable_translate(dfx.phys, fx.dev.side.root, ADDR, &pa, &prot));
	expect_pattern(pa);
	mm_destroy(child);
}

static void forget(struct migrate_side *side, uint64_t va)
{
}

Test(migrate, a_stale_translation_is_found)
{
	struct migrate_record rec = { 0 };
	struct migrate_cpu_side forgetful = fx.cpu;

	cpu_page();
	forgetful.side.invalidate = forget;
	cr_assert_eq(migrate_page(dfx.phys, &forgetful.side, &fx.dev.side, ADDR, 1, VM_READ, &rec), 0);
	cr_expect_eq(rec.stale, 1, "agent 0 still translates the page");
}

Test(migrate, failures_change_nothing)
{
	phys_addr_t old = cpu_page(), pa;
	struct migrate_record rec = { 0 };
	unsigned prot;

	cr_expect_eq(migrate_page(dfx.phys, &fx.cpu.side, &fx.dev.side, ADDR + PG, 1, VM_READ, &rec), -ENOENT);
	cr_expect_eq(migrate_page(dfx.phys, &fx.cpu.side, &fx.dev.side, ADDR, 3, VM_READ, &rec), -EINVAL);
	cr_assert_eq(phys_alloc_node(dfx.phys, 1, FRAME_DATA, &pa), 0);
	cr_assert_eq(pgtable_map(dfx.phys, fx.dev.side.root, ADDR, pa, VM_READ), 0);
	cr_expect_eq(migrate_page(dfx.phys, &fx.cpu.side, &fx.dev.side, ADDR, 1, VM_READ, &rec), -EEXIST);
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 5, "the new frame was given back");
	cr_expect_eq(pgtable_unmap_range(dfx.phys, fx.dev.side.root, ADDR, ADDR + PG), 1);
	while (phys_alloc_node(dfx.phys, 1, FRAME_DATA, &pa) == 0)
		;
	cr_expect_eq(migrate_page(dfx.phys, &fx.cpu.side, &fx.dev.side, ADDR, 1, VM_READ, &rec), -ENOMEM,
		     "node 1 is full");
	cr_expect_eq(rec.pages, 0);
	cr_assert(pgtable_translate(dfx.phys, dfx.mm->pgd, ADDR, &pa, &prot));
	cr_expect_eq(pa, old, "the CPU keeps its page");
	cr_expect_eq(dfx.domain.shootdowns.shootdowns, 0);
}

/* ------------------------------------------------------- device and mirror */

static struct device dev;

static void setup_device(void)
{
	setup();
	cr_assert_eq(device_init(&dev, &dfx.domain, 0, 1, &hmm_mirror_ops), 0);
}

static void teardown_device(void)
{
	if (dfx.mm)
		mm_destroy(dfx.mm);	/* its device-private entries hold device pages */
	dfx.mm = NULL;
	device_fini(&dev);
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 1, "the fixture's hand-made root only: %llu",
		     (unsigned long long)phys_node_in_use(dfx.phys, 1));
	teardown();
}

TestSuite(device, .init = setup_device, .fini = teardown_device);

/* `pages` pages at ADDR, word k holding k, bound to the device. */
static void words(uint64_t pages, unsigned prot)
{
	uint64_t addr, n = pages * PG / 8;
	uint64_t *buf = g_new(uint64_t, n);

	for (uint64_t k = 0; k < n; k++)
		buf[k] = k;
	cr_assert_eq(mm_mmap(dfx.mm, ADDR, pages * PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &addr), 0);
	cr_assert_eq(copy_to_user(dfx.mm, ADDR, buf, pages * PG), 0);
	if (prot != (VM_READ | VM_WRITE))
		cr_assert_eq(mm_mprotect(dfx.mm, ADDR, pages * PG, prot), 0);
	g_free(buf);
	device_bind(&dev, dfx.mm);
}

static int run(uint64_t start, uint64_t size, enum device_pattern pattern, uint64_t stride,
	       unsigned access, uint64_t reps, uint64_t *sum, uint64_t *fault_va)
{
	struct device_kernel k = { .start = start, .size = size, .pattern = pattern, .stride = stride,
				   .access = access, .reps = reps, .seed = 42 };

	return device_run(&dev, &k, sum, fault_va);
}

Test(device, a_read_kernel_mirrors_the_cpu_pages)
{
	uint64_t sum, fva;

	words(2, VM_READ | VM_WRITE);
	cr_assert_eq(run(ADDR, 2 * PG, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), 0);
	cr_expect_eq(sum, 1023 * 1024 / 2, "0 + 1 + ... + 1023");
	cr_expect_eq(dev.counters.accesses, 1024);
	cr_expect_eq(dev.counters.faults, 2, "one per page");
	cr_expect_eq(dev.counters.mirrored, 2);
	cr_expect_eq(dev.counters.link_bytes, 0, "nothing migrated: the device reads CPU memory");
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 1 + 4,
		     "the fixture's hand-made root, and the device's root, PUD, PMD and PTE tables");
	cr_assert_eq(run(ADDR, 2 * PG, DEVICE_STRIDED, 512, DEVICE_READ, 3, &sum, &fva), 0);
	cr_expect_eq(sum, 3 * (0 + 64 + 128 + 192 + 256 + 320 + 384 + 448 + 512 + 576 + 640 + 704 + 768 +
			       832 + 896 + 960), "every 64th word, three times");
	cr_expect_eq(dev.counters.accesses, 1024 + 3 * 16);
	cr_expect_eq(dev.counters.faults, 2, "mapped already");
}

Test(device, device_writes_are_what_the_cpu_reads)
{
	uint64_t sum, fva, w[4];

	words(1, VM_READ | VM_WRITE);
	cr_assert_eq(run(ADDR, 4 * 8, DEVICE_SEQUENTIAL, 0, DEVICE_READ | DEVICE_WRITE, 2, &sum, &fva), 0);
	cr_expect_eq(sum, (0 + 1 + 2 + 3) + (1 + 2 + 3 + 4), "the second pass reads the first's writes");
	cr_assert_eq(copy_from_user(dfx.mm, w, ADDR, sizeof(w)), 0);
	cr_expect_eq(w[0], 2);
	cr_expect_eq(w[3], 5);
}

Test(device, random_streams_repeat_with_their_seed)
{
	uint64_t a, b, fva;

	words(4, VM_READ | VM_WRITE);
	cr_assert_eq(run(ADDR, 4 * PG, DEVICE_RANDOM, 0, DEVICE_READ, 1, &a, &fva), 0);
	cr_assert_eq(run(ADDR, 4 * PG, DEVICE_RANDOM, 0, DEVICE_READ, 1, &b, &fva), 0);
	cr_expect_eq(a, b);
	cr_expect_neq(a, 2047 * 2048 / 2, "not the sequential sum: some words twice, some never");
}

/* hmm_range_fault's answers: -EPERM for a write to read-only memory,
 * -EFAULT where nothing is mapped. */
Test(device, unmapped_and_protected_ranges_stop_the_kernel)
{
	uint64_t sum, fva = 0;

	words(2, VM_READ);
	cr_expect_eq(run(ADDR, 2 * PG, DEVICE_SEQUENTIAL, 0, DEVICE_WRITE, 1, &sum, &fva), -EPERM);
	cr_expect_eq(fva, ADDR, "the first write");
	cr_expect_eq(run(ADDR + PG, 2 * PG, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), -EFAULT);
	cr_expect_eq(fva, ADDR + 2 * PG, "past the VMA");
	cr_expect_eq(sum, 511 * 512 / 2 + 512 * 512, "words 512 to 1023 were read");
}

Test(device, absurd_kernels_are_refused)
{
	uint64_t sum, fva;

	words(1, VM_READ | VM_WRITE);
	cr_expect_eq(run(ADDR, 0, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), -EINVAL, "empty");
	cr_expect_eq(run(ADDR + 4, 8, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), -EINVAL, "unaligned");
	cr_expect_eq(run(ADDR, UINT64_MAX - 7, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), -EINVAL,
		     "wraps");
	cr_expect_eq(run(ADDR, PG, DEVICE_STRIDED, 0, DEVICE_READ, 1, &sum, &fva), -EINVAL, "stride 0");
	cr_expect_eq(run(ADDR, PG, DEVICE_STRIDED, 12, DEVICE_READ, 1, &sum, &fva), -EINVAL, "stride 12");
	cr_expect_eq(run(ADDR, PG, DEVICE_NR_PATTERNS, 0, DEVICE_READ, 1, &sum, &fva), -EINVAL);
	cr_expect_eq(run(ADDR, PG, DEVICE_SEQUENTIAL, 0, 0, 1, &sum, &fva), -EINVAL, "no access");
	cr_expect_eq(run(ADDR, PG, DEVICE_SEQUENTIAL, 0, 4, 1, &sum, &fva), -EINVAL, "unknown access");
	cr_expect_eq(run(ADDR, PG, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 0, &sum, &fva), -EINVAL, "no rep");
	cr_expect_eq(run(ADDR, PG, DEVICE_SEQUENTIAL, 0, DEVICE_READ, UINT64_MAX, &sum, &fva), -EINVAL,
		     "2^64 passes");
	cr_expect_eq(dev.counters.accesses, 0);
}

Test(device, cpu_invalidations_reach_the_mirror_per_page_or_coalesced)
{
	uint64_t sum, fva;
	phys_addr_t pa;
	unsigned prot;

	words(4, VM_READ | VM_WRITE);
	cr_assert_eq(run(ADDR, 4 * PG, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), 0);
	cr_assert_eq(mm_munmap(dfx.mm, ADDR, 2 * PG), 0);
	cr_expect_eq(dev.counters.inval_pages, 2, "per page: one each");
	cr_expect_not(pgtable_translate(dfx.phys, dev.pgd, ADDR, &pa, &prot));
	cr_expect(pgtable_translate(dfx.phys, dev.pgd, ADDR + 2 * PG, &pa, &prot));
	dev.coalesce = true;
	cr_assert_eq(mm_munmap(dfx.mm, ADDR + 2 * PG, 2 * PG), 0);
	cr_expect_eq(dev.counters.inval_pages, 2);
	cr_expect_eq(dev.counters.inval_ranges, 1, "one for the range");
	cr_expect_not(pgtable_translate(dfx.phys, dev.pgd, ADDR + 3 * PG, &pa, &prot));
	cr_expect_eq(run(ADDR, PG, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), -EFAULT, "gone");
}

Test(device, a_dying_mm_unbinds_the_device)
{
	uint64_t sum, fva;

	words(1, VM_READ | VM_WRITE);
	cr_assert_eq(run(ADDR, PG, DEVICE_SEQUENTIAL, 0, DEVICE_WRITE, 1, &sum, &fva), 0);
	mm_destroy(dfx.mm);
	dfx.mm = NULL;
	cr_expect_null(dev.mm);
	cr_expect_eq(run(ADDR, PG, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), -ENXIO);
}

/* ------------------------------------------------- HMM device-private pages */

static bool maps(phys_addr_t root, uint64_t va, phys_addr_t *pa)
{
	unsigned prot;

	return pgtable_translate(dfx.phys, root, va, pa, &prot);
}

static pte_t cpu_pte(uint64_t va)
{
	pte_t *ptep = pgtable_walk(dfx.phys, dfx.mm->pgd, va);

	return ptep ? *ptep : 0;
}

/* Words k = k on pages 0 and 1 of 3; page 2 never touched. */
static void two_written_of_three(void)
{
	uint64_t addr, buf[2 * PG / 8];

	for (uint64_t k = 0; k < 2 * PG / 8; k++)
		buf[k] = k;
	cr_assert_eq(mm_mmap(dfx.mm, ADDR, 3 * PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &addr), 0);
	cr_assert_eq(copy_to_user(dfx.mm, ADDR, buf, sizeof(buf)), 0);
	device_bind(&dev, dfx.mm);
}

Test(device, private_pages_leave_device_private_entries_and_fault_back)
{
	uint64_t migrated, v, fva, sum;
	phys_addr_t pa;
	unsigned prot;

	two_written_of_three();
	cr_assert_eq(hmm_migrate_to_device(&dev, ADDR, ADDR + 3 * PG, &migrated), 0);
	cr_expect_eq(migrated, 3, "two pages and a hole");
	cr_expect_eq(dev.counters.to_device, 2);
	cr_expect_eq(dev.counters.zero_pages, 1);
	cr_expect_eq(dev.counters.link_bytes, 2 * PG, "one transfer of the two pages");
	for (int i = 0; i < 3; i++) {
		pte_t e = cpu_pte(ADDR + i * PG);

		cr_expect(pte_is_device_private(e), "page %d: %#llx", i, (unsigned long long)e);
		cr_expect_eq(phys_node_of(dfx.phys, pte_addr(e)), 1);
		cr_expect_eq(phys_refcount(dfx.phys, pte_addr(e)), 2, "the CPU's entry and the device's");
		cr_assert(maps(dev.pgd, ADDR + i * PG, &pa));
		cr_expect_eq(pa, pte_addr(e));
	}
	cr_assert_eq(run(ADDR, 3 * PG, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), 0);
	cr_expect_eq(sum, 1023 * 1024 / 2, "the device reads its own memory");
	cr_expect_eq(dev.counters.faults, 0);

	cr_assert_eq(copy_from_user(dfx.mm, &v, ADDR + PG + 8, sizeof(v)), 0);
	cr_expect_eq(v, 513, "brought back with its contents");
	cr_expect_eq(dfx.stats.faults[FAULT_KIND_DEVICE], 1);
	cr_expect_eq(dev.counters.to_cpu, 1);
	cr_assert(pgtable_translate(dfx.phys, dfx.mm->pgd, ADDR + PG, &pa, &prot));
	cr_expect_eq(phys_node_of(dfx.phys, pa), 0);
	cr_expect_not(maps(dev.pgd, ADDR + PG, &pa), "the device let go of it");

	cr_assert_eq(hmm_migrate_to_system(&dev, ADDR, ADDR + 3 * PG, &migrated), 0);
	cr_expect_eq(migrated, 2, "pages 0 and 2: page 1 is back already");
	cr_assert_eq(copy_from_user(dfx.mm, &v, ADDR + 2 * PG, sizeof(v)), 0);
	cr_expect_eq(v, 0);
	cr_expect_eq(dfx.stats.faults[FAULT_KIND_DEVICE], 1, "no fault: the migration put them back");
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 1 + 1,
		     "no device page left, the device's emptied tables freed: the two roots");
}

Test(device, an_invalidation_drops_the_mapping_not_the_private_page)
{
	uint64_t migrated, fva, sum;

	two_written_of_three();
	cr_assert_eq(hmm_migrate_to_device(&dev, ADDR, ADDR + 2 * PG, &migrated), 0);
	mmu_notifier_invalidate_range(dfx.mm, ADDR, ADDR + 3 * PG);	/* as a CPU flush would */
	cr_assert_eq(run(ADDR, 2 * PG, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), 0);
	cr_expect_eq(sum, 1023 * 1024 / 2);
	cr_expect_eq(dev.counters.faults, 2, "the device faulted its own pages back in");
	cr_expect_eq(dev.counters.to_cpu, 0, "without migrating them");
}

Test(device, munmap_frees_device_private_pages)
{
	uint64_t migrated;

	two_written_of_three();
	cr_assert_eq(hmm_migrate_to_device(&dev, ADDR, ADDR + 3 * PG, &migrated), 0);
	cr_assert_eq(mm_munmap(dfx.mm, ADDR, 3 * PG), 0);
	cr_expect_eq(cpu_pte(ADDR), 0);
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 1 + 1, "the fixture's root and the device's");
}

Test(device, migrations_need_readable_vmas)
{
	uint64_t migrated = 7;

	two_written_of_three();
	cr_expect_eq(hmm_migrate_to_device(&dev, ADDR, ADDR + 4 * PG, &migrated), -EINVAL, "a hole");
	cr_expect_eq(migrated, 0);
	cr_expect_eq(dev.counters.to_device + dev.counters.zero_pages, 0, "nothing moved");
	cr_assert_eq(mm_mprotect(dfx.mm, ADDR + 2 * PG, PG, VM_NONE), 0);
	cr_expect_eq(hmm_migrate_to_system(&dev, ADDR, ADDR + 3 * PG, &migrated), -EINVAL, "PROT_NONE");
}

Test(device, a_dying_mm_frees_its_device_private_pages)
{
	uint64_t migrated;

	two_written_of_three();
	cr_assert_eq(hmm_migrate_to_device(&dev, ADDR, ADDR + 3 * PG, &migrated), 0);
	mm_destroy(dfx.mm);
	dfx.mm = NULL;
	cr_expect_eq(phys_node_in_use(dfx.phys, 1), 1 + 1, "the fixture's root and the device's");
}

/* The CPU waits for the device's invalidations it asks for: munmapping two
 * pages the device maps costs agent 0 two tlb_inval_page (2 x 1000 cycles,
 * 1000 ns at 2 GHz) more than munmapping two pages it does not. */
Test(device, the_cpu_waits_for_the_device_invalidations_it_asks_for)
{
	struct agent *cpu = &dfx.domain.agents[0];
	uint64_t sum, fva, t0, plain, mirrored;

	words(4, VM_READ | VM_WRITE);
	cr_assert_eq(run(ADDR, 2 * PG, DEVICE_SEQUENTIAL, 0, DEVICE_READ, 1, &sum, &fva), 0);
	t0 = cpu->clock;
	cr_assert_eq(mm_munmap(dfx.mm, ADDR + 2 * PG, 2 * PG), 0);
	plain = cpu->clock - t0;
	t0 = cpu->clock;
	cr_assert_eq(mm_munmap(dfx.mm, ADDR, 2 * PG), 0);
	mirrored = cpu->clock - t0;
	cr_expect_eq(mirrored - plain, 1000, "plain %llu ns, mirrored %llu ns", (unsigned long long)plain,
		     (unsigned long long)mirrored);
}

/* mremap moves device-private entries with the others: the page follows
 * its address (Linux moves the swap entries); the old place is empty. */
Test(device, mremap_moves_device_private_entries)
{
	uint64_t migrated, v, out, addr;

	two_written_of_three();
	cr_assert_eq(hmm_migrate_to_device(&dev, ADDR, ADDR + 3 * PG, &migrated), 0);
	cr_assert_eq(mm_mremap(dfx.mm, ADDR, 3 * PG, 3 * PG, MM_REMAP_MAYMOVE | MM_REMAP_FIXED,
			       ADDR + 16 * PG, &out), 0);
	cr_expect(pte_is_device_private(cpu_pte(ADDR + 16 * PG + PG)));
	cr_expect_eq(cpu_pte(ADDR + PG), 0);
	cr_assert_eq(copy_from_user(dfx.mm, &v, ADDR + 16 * PG + PG + 8, sizeof(v)), 0);
	cr_expect_eq(v, 513, "the page came back at its new address");
	cr_assert_eq(mm_mmap(dfx.mm, ADDR, PG, VM_READ | VM_WRITE, MM_MAP_FIXED, NULL, 0, &addr), 0);
	cr_assert_eq(copy_from_user(dfx.mm, &v, ADDR + 8, sizeof(v)), 0);
	cr_expect_eq(v, 0, "a new mapping at the old address is fresh");
}

/* mprotect reaches device-private entries as Linux's change_pte_range
 * does: they stay (the pages remain in device memory) but become
 * read-only, and the device drops its mappings; its write fault is then
 * refused as the VMA's (EPERM), and the data comes back intact. */
Test(device, mprotect_makes_device_private_entries_read_only)
{
	uint64_t migrated, v;
	phys_addr_t pa;

	two_written_of_three();
	cr_assert_eq(hmm_migrate_to_device(&dev, ADDR, ADDR + 3 * PG, &migrated), 0);
	cr_expect(pte_prot(cpu_pte(ADDR + PG)) & VM_WRITE, "writable before");
	cr_assert_eq(mm_mprotect(dfx.mm, ADDR, 3 * PG, VM_READ), 0);
	cr_expect(pte_is_device_private(cpu_pte(ADDR + PG)));
	cr_expect_not(pte_prot(cpu_pte(ADDR + PG)) & VM_WRITE, "read-only after");
	cr_expect_not(maps(dev.pgd, ADDR + PG, &pa), "the device let go of its mapping");
	cr_expect_eq(hmm_range_fault(&dev, ADDR, ADDR + PG, true), -EPERM);
	cr_assert_eq(copy_from_user(dfx.mm, &v, ADDR + PG + 8, sizeof(v)), 0);
	cr_expect_eq(v, 513);
}

/* make_device_exclusive: the CPU's entry becomes a device-exclusive one
 * naming the same frame (held by the entry and the device); a CPU access
 * restores it and revokes the device's mapping; fork restores it in the
 * parent first, so the child has the data; munmap frees the frame. */
Test(device, exclusive_entries_are_revoked_by_the_cpu_and_by_fork)
{
	struct mm *child;
	phys_addr_t pa, frame;
	uint64_t v;

	two_written_of_three();
	cr_assert_eq(hmm_make_exclusive(&dev, ADDR, ADDR + 2 * PG), 0);
	frame = pte_addr(cpu_pte(ADDR + PG));
	cr_expect(pte_is_device_exclusive(cpu_pte(ADDR + PG)));
	cr_expect_eq(phys_node_of(dfx.phys, frame), 0, "the CPU's own frame");
	cr_expect_eq(phys_refcount(dfx.phys, frame), 2, "the entry's and the device's");
	cr_expect_eq(hmm_check_exclusive(&dev, ADDR, ADDR + 2 * PG), -EPERM);
	cr_assert_eq(copy_from_user(dfx.mm, &v, ADDR + PG + 8, sizeof(v)), 0);
	cr_expect_eq(v, 513);
	cr_expect_eq(dfx.stats.faults[FAULT_KIND_DEVICE_EXCLUSIVE], 1);
	cr_expect(pte_present(cpu_pte(ADDR + PG)));
	cr_expect_not(maps(dev.pgd, ADDR + PG, &pa), "revoked");
	cr_expect_eq(hmm_check_exclusive(&dev, ADDR + PG, ADDR + 2 * PG), 0);
	cr_expect_eq(hmm_check_exclusive(&dev, ADDR, ADDR + 2 * PG), -EPERM, "page 0 still held");

	cr_assert_eq(mm_dup(dfx.mm, &child), 0);
	cr_expect(pte_present(cpu_pte(ADDR)), "fork restored page 0");
	cr_expect_eq(hmm_check_exclusive(&dev, ADDR, ADDR + 2 * PG), 0);
	cr_assert_eq(copy_from_user(child, &v, ADDR + 8, sizeof(v)), 0);
	cr_expect_eq(v, 1, "the child has the data");
	mm_destroy(child);

	cr_assert_eq(hmm_make_exclusive(&dev, ADDR + PG, ADDR + 2 * PG), 0);
	cr_assert_eq(mm_munmap(dfx.mm, ADDR, 3 * PG), 0);
	cr_expect_eq(phys_refcount(dfx.phys, frame), 0, "freed");
	cr_expect_eq(hmm_make_exclusive(&dev, ADDR, ADDR + PG), -EBUSY, "no VMA");
}

/* fork copies device-private entries (Linux's copy_nonpresent_pte): the
 * child's names the same device page, both become read-only, and the
 * child's access migrates its own copy back, leaving the parent's; a
 * device write to the parent's read-only one migrates it back first. */
Test(device, fork_shares_device_private_pages)
{
	struct mm *child;
	uint64_t migrated, v;
	phys_addr_t page;

	two_written_of_three();
	cr_assert_eq(hmm_migrate_to_device(&dev, ADDR, ADDR + 3 * PG, &migrated), 0);
	page = pte_addr(cpu_pte(ADDR + PG));
	cr_assert_eq(mm_dup(dfx.mm, &child), 0);
	cr_expect_eq(phys_refcount(dfx.phys, page), 2, "both entries: the fork's flush dropped the device's mapping");
	cr_expect_not(pte_prot(cpu_pte(ADDR + PG)) & VM_WRITE, "the parent's is read-only");
	cr_assert_eq(copy_from_user(child, &v, ADDR + PG + 8, sizeof(v)), 0);
	cr_expect_eq(v, 513, "the child reads the parent's data");
	cr_expect(pte_is_device_private(cpu_pte(ADDR + PG)), "the parent's page stays on the device");
	cr_expect_eq(phys_refcount(dfx.phys, page), 1, "the parent's entry");

	page = pte_addr(cpu_pte(ADDR));
	cr_assert_eq(hmm_range_fault(&dev, ADDR, ADDR + PG, true), 0);
	cr_expect(pte_present(cpu_pte(ADDR)), "a device write brought the parent's page 0 back first");
	cr_expect_eq(pte_addr(pgtable_leaf(dfx.phys, child->pgd, ADDR)), page, "the child's stays on the device");
	mm_destroy(child);
}
