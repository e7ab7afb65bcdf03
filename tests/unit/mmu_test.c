#include "tests/unit/mmu_test.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mmu/uaccess.h"
#include "mmu/vm_file.h"

struct mmu_fixture fx;

static void record_flush(struct mmu_notifier *sub, struct mm *mm, uint64_t start, uint64_t end)
{
	struct range_rec rec = { mm, start, end };

	g_array_append_val(fx.flushes, rec);
}

static void record_code_inval(struct mmu_notifier *sub, struct mm *mm, uint64_t start,
			      uint64_t end)
{
	struct range_rec rec = { mm, start, end };

	g_array_append_val(fx.code_invals, rec);
}

static void free_recorder(struct mmu_notifier *sub, struct mm *mm)
{
	g_free(sub);
}

static const struct mmu_notifier_ops recorder_ops = {
	.invalidate_range = record_flush,
	.invalidate_code = record_code_inval,
	.release = free_recorder,
};

static void record_notifications(struct mm *mm)
{
	struct mmu_notifier *sub = g_new0(struct mmu_notifier, 1);

	sub->ops = &recorder_ops;
	mmu_notifier_register(sub, mm);
}

/* A fresh mm on fx.phys whose notifier records into fx. */
static struct mm *new_mm(void)
{
	struct mm *mm;
	int err = mm_create(fx.phys, &fx.stats, &mm);

	cr_assert_eq(err, 0, "mm_create: %d", err);
	mm->tunables = &fx.tunables;
	record_notifications(mm);
	return mm;
}

struct mm *fork_mm(void)
{
	struct mm *child = NULL;
	int err = mm_dup(fx.mm, &child);

	cr_assert_eq(err, 0, "mm_dup: %d", err);
	record_notifications(child);
	return child;
}

void mmu_setup_frames(uint64_t nr_frames)
{
	int err = phys_create(nr_frames * PAGE_SIZE, &fx.phys);

	cr_assert_eq(err, 0, "phys_create: %d", err);
	fx.flushes = g_array_new(FALSE, FALSE, sizeof(struct range_rec));
	fx.code_invals = g_array_new(FALSE, FALSE, sizeof(struct range_rec));
	fx.tunables = (struct vm_tunables){ 0 };
	fx.mm = new_mm();
}

void mmu_setup(void)
{
	mmu_setup_frames(FIXTURE_PHYS_SIZE / PAGE_SIZE);
}

/* Criterion ignores assertions in .fini; a crash there still fails the run. */
void mmu_teardown(void)
{
	mm_destroy(fx.mm);
	for (int kind = FRAME_DATA; kind < FRAME_NR_KINDS; kind++) {
		uint64_t n = phys_in_use(fx.phys, kind);

		if (n) {
			fprintf(stderr, "teardown: %" G_GUINT64_FORMAT " frames of kind %d leaked\n",
				n, kind);
			abort();
		}
	}
	phys_destroy(fx.phys);
	g_array_free(fx.flushes, TRUE);
	g_array_free(fx.code_invals, TRUE);
}

void expect_no_frames_in_use(void)
{
	cr_expect_eq(phys_in_use(fx.phys, FRAME_DATA), 0);
	cr_expect_eq(phys_in_use(fx.phys, FRAME_PGTABLE), 0);
	cr_expect_eq(phys_in_use(fx.phys, FRAME_KERNEL), 0);
}

uint64_t data_frames(void)
{
	return phys_in_use(fx.phys, FRAME_DATA);
}

uint64_t table_frames(void)
{
	return phys_in_use(fx.phys, FRAME_PGTABLE);
}

uint64_t map_anon(struct mm *mm, uint64_t addr, uint64_t len, unsigned prot, unsigned flags)
{
	uint64_t out = 0;
	int err = mm_mmap(mm, addr, len, prot, flags, NULL, 0, &out);

	cr_assert_eq(err, 0, "mm_mmap(%#" G_GINT64_MODIFIER "x, %#" G_GINT64_MODIFIER "x): %d",
		     addr, len, err);
	return out;
}

void map_fixed(uint64_t addr, uint64_t len, unsigned prot, unsigned flags)
{
	cr_assert_eq(map_anon(fx.mm, addr, len, prot, flags | MM_MAP_FIXED), addr);
}

void map_file(struct vm_file *file, uint64_t addr, uint64_t pages, unsigned prot,
	      uint64_t offset)
{
	uint64_t out = 0;
	int err = mm_mmap(fx.mm, addr, pages * PAGE_SIZE, prot, MM_MAP_FIXED, file, offset, &out);

	cr_assert_eq(err, 0, "file mmap at %#" G_GINT64_MODIFIER "x: %d", addr, err);
	cr_assert_eq(out, addr);
}

void expect_fault(struct mm *mm, uint64_t addr, enum fault_access access,
		  vm_fault_t ret, enum fault_kind kind)
{
	struct vm_fault vmf;
	vm_fault_t got;
	enum fault_kind got_kind;

	vm_fault_init(&vmf, mm, addr, access, 0);
	got = handle_mm_fault(&vmf);
	got_kind = vmf.kind;

	cr_assert_eq(got, ret, "fault at %#" G_GINT64_MODIFIER "x: result %d, expected %d",
		     addr, got, ret);
	cr_assert_eq(got_kind, kind, "fault at %#" G_GINT64_MODIFIER "x: kind %s, expected %s",
		     addr, fault_kind_name(got_kind), fault_kind_name(kind));
}

pte_t pte_at(struct mm *mm, uint64_t va)
{
	pte_t *ptep = pgtable_walk(mm->phys, mm->pgd, va);

	return ptep ? *ptep : 0;
}

phys_addr_t frame_at(struct mm *mm, uint64_t va)
{
	pte_t e = pte_at(mm, va);

	cr_assert(pte_present(e), "no page mapped at %#" G_GINT64_MODIFIER "x", va);
	return pte_addr(e);
}

void expect_vma(struct mm *mm, uint64_t addr, uint64_t start, uint64_t end, unsigned prot)
{
	struct vma *vma = vma_lookup(mm, addr);

	cr_assert_not_null(vma, "no VMA at %#" G_GINT64_MODIFIER "x", addr);
	cr_expect_eq(vma->start, start, "VMA start %#" G_GINT64_MODIFIER "x, expected %#"
		     G_GINT64_MODIFIER "x", vma->start, start);
	cr_expect_eq(vma->end, end, "VMA end %#" G_GINT64_MODIFIER "x, expected %#"
		     G_GINT64_MODIFIER "x", vma->end, end);
	cr_expect_eq(vma->prot, prot, "VMA prot %u, expected %u", vma->prot, prot);
}

void poke_u64(struct mm *mm, uint64_t addr, uint64_t value)
{
	cr_assert_eq(copy_to_user(mm, addr, &value, sizeof(value)), 0);
}

uint64_t peek_u64(struct mm *mm, uint64_t addr)
{
	uint64_t value = 0;

	cr_assert_eq(copy_from_user(mm, &value, addr, sizeof(value)), 0);
	return value;
}

unsigned nr_flushes(void)
{
	return fx.flushes->len;
}

struct range_rec flush_nr(unsigned i)
{
	cr_assert_lt(i, fx.flushes->len);
	return g_array_index(fx.flushes, struct range_rec, i);
}

unsigned nr_code_invals(void)
{
	return fx.code_invals->len;
}

struct range_rec code_inval_nr(unsigned i)
{
	cr_assert_lt(i, fx.code_invals->len);
	return g_array_index(fx.code_invals, struct range_rec, i);
}

void forget_notifications(void)
{
	g_array_set_size(fx.flushes, 0);
	g_array_set_size(fx.code_invals, 0);
}

struct vm_file *temp_vm_file(const void *data, size_t len, const char *name)
{
	char path[] = "/tmp/mmusim-test-XXXXXX";
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0, "mkstemp: %d", errno);
	unlink(path);
	cr_assert_eq(write(fd, data, len), (ssize_t)len);
	return vm_file_new(fd, name);
}
