/*
 * vma: the ordered VMA tree and its split/merge steps, driven through the
 * mm operations that use them (mmap, munmap, mprotect, brk).
 *
 * Addresses are MAP_FIXED ones chosen for the test, so every expected bound
 * is plain page arithmetic on them.
 */
#include <criterion/criterion.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mmu/mm.h"
#include "mmu/vm_file.h"
#include "mmu/vma_tree.h"
#include "tests/unit/mmu_test.h"

TestSuite(vma, .init = mmu_setup, .fini = mmu_teardown);

#define X UINT64_C(0x20000000)

#define A UINT64_C(0x100000)
#define B UINT64_C(0x200000)
#define C UINT64_C(0x300000)

/* One /proc/PID/maps line as Linux prints it: the fields (ending in a
 * space), padded to 72 columns, a space and the name; no name, no padding. */
static gchar *maps_line(const char *fields, const char *name)
{
	return name ? g_strdup_printf("%-72s %s\n", fields, name) : g_strdup_printf("%s\n", fields);
}

/* The lines, concatenated: fields and name (NULL: none) in pairs, then NULL. */
static gchar *maps_of(const char *fields, ...) G_GNUC_NULL_TERMINATED;
static gchar *maps_of(const char *fields, ...)
{
	GString *out = g_string_new(NULL);
	va_list ap;

	va_start(ap, fields);
	for (const char *f = fields; f; f = va_arg(ap, const char *)) {
		gchar *line = maps_line(f, va_arg(ap, const char *));

		g_string_append(out, line);
		g_free(line);
	}
	va_end(ap);
	return g_string_free(out, FALSE);
}

static void expect_maps(gchar *expected)
{
	GString *maps = g_string_new(NULL);

	mm_format_maps(fx.mm, maps);
	cr_expect_str_eq(maps->str, expected);
	g_string_free(maps, TRUE);
	g_free(expected);
}

Test(vma, lookup_find_and_neighbours)
{
	struct vma *a, *b, *c;

	map_fixed(A, 2 * PG, VM_READ, 0);		/* [0x100000, 0x102000) */
	map_fixed(B, 3 * PG, VM_RW, 0);			/* [0x200000, 0x203000) */
	map_fixed(C, 1 * PG, VM_READ | VM_EXEC, 0);	/* [0x300000, 0x301000) */
	a = vma_lookup(fx.mm, A);
	b = vma_lookup(fx.mm, B);
	c = vma_lookup(fx.mm, C);
	cr_assert(a && b && c && a != b && b != c);
	cr_expect_eq(mm_map_count(fx.mm), 3);

	cr_expect_eq(vma_lookup(fx.mm, 0x101fff), a, "last byte of a");
	cr_expect_null(vma_lookup(fx.mm, 0x102000), "end is exclusive");
	cr_expect_null(vma_lookup(fx.mm, 0x0fffff), "just below a");
	cr_expect_eq(vma_lookup(fx.mm, 0x202abc), b);

	cr_expect_eq(find_vma(fx.mm, 0), a);
	cr_expect_eq(find_vma(fx.mm, 0x102000), b, "in the gap: the next VMA");
	cr_expect_eq(find_vma(fx.mm, 0x200800), b, "inside b");
	cr_expect_null(find_vma(fx.mm, 0x301000), "above everything");

	cr_expect_eq(vma_first(fx.mm), a);
	cr_expect_eq(vma_last(fx.mm), c);
	cr_expect_eq(vma_next(fx.mm, a), b);
	cr_expect_eq(vma_next(fx.mm, b), c);
	cr_expect_null(vma_next(fx.mm, c));
	cr_expect_eq(vma_prev(fx.mm, c), b);
	cr_expect_null(vma_prev(fx.mm, a));
}

Test(vma, adjacent_compatible_mappings_merge)
{
	map_fixed(A, PG, VM_RW, 0);
	map_fixed(A + PG, PG, VM_RW, 0);		/* appended */
	cr_expect_eq(mm_map_count(fx.mm), 1);
	expect_vma(fx.mm, A, A, A + 2 * PG, VM_RW);

	map_fixed(A - PG, PG, VM_RW, 0);		/* prepended */
	cr_expect_eq(mm_map_count(fx.mm), 1);
	expect_vma(fx.mm, A, A - PG, A + 2 * PG, VM_RW);

	map_fixed(A + 2 * PG, PG, VM_READ, 0);		/* different protection */
	cr_expect_eq(mm_map_count(fx.mm), 2);
	expect_vma(fx.mm, A + 2 * PG, A + 2 * PG, A + 3 * PG, VM_READ);
}

Test(vma, filling_a_hole_merges_three_into_one)
{
	map_fixed(B, PG, VM_RW, 0);
	map_fixed(B + 2 * PG, PG, VM_RW, 0);
	cr_assert_eq(mm_map_count(fx.mm), 2);
	map_fixed(B + PG, PG, VM_RW, 0);
	cr_expect_eq(mm_map_count(fx.mm), 1);
	expect_vma(fx.mm, B + PG, B, B + 3 * PG, VM_RW);
}

Test(vma, fixed_map_over_the_middle_with_the_same_prot_leaves_one_vma)
{
	map_fixed(A, 3 * PG, VM_RW, 0);
	map_fixed(A + PG, PG, VM_RW, 0);	/* split in three, replace, merge back */
	cr_expect_eq(mm_map_count(fx.mm), 1);
	expect_vma(fx.mm, A, A, A + 3 * PG, VM_RW);
}

Test(vma, munmap_middle_splits_in_two)
{
	map_fixed(A, 4 * PG, VM_RW, 0);
	cr_assert_eq(mm_munmap(fx.mm, A + PG, 2 * PG), 0);
	cr_expect_eq(mm_map_count(fx.mm), 2);
	expect_vma(fx.mm, A, A, A + PG, VM_RW);
	expect_vma(fx.mm, A + 3 * PG, A + 3 * PG, A + 4 * PG, VM_RW);
	cr_expect_null(vma_lookup(fx.mm, A + PG));
	cr_expect_null(vma_lookup(fx.mm, A + 3 * PG - 1));
}

Test(vma, munmap_trims_ends_and_spans_gaps)
{
	map_fixed(A, 4 * PG, VM_RW, 0);
	map_fixed(A + 6 * PG, 4 * PG, VM_READ, 0);
	/* [A + 3 PG, A + 7 PG): the last page of the first, the hole, the first
	 * page of the second. */
	cr_assert_eq(mm_munmap(fx.mm, A + 3 * PG, 4 * PG), 0);
	cr_expect_eq(mm_map_count(fx.mm), 2);
	expect_vma(fx.mm, A, A, A + 3 * PG, VM_RW);
	expect_vma(fx.mm, A + 7 * PG, A + 7 * PG, A + 10 * PG, VM_READ);

	cr_assert_eq(mm_munmap(fx.mm, 0, A + 20 * PG), 0);
	cr_expect_eq(mm_map_count(fx.mm), 0);
	cr_expect_null(vma_first(fx.mm));
	cr_expect_null(find_vma(fx.mm, 0));
}

/*
 * Regression (fixed; was a bug in mmu/mm.c, mm_mprotect): the loop takes vma_next() before
 * vma_merge(), and vma_merge() may free that next VMA by merging it in.
 * Restoring the protection of the middle third merges all three VMAs, and
 * the loop then reads the freed upper VMA (use after free).  With the usual
 * top-down addresses the stale bounds pass the loop test and the test dies
 * in pgtable_walk_range()'s range assertion; ASan reports the read itself.
 */
Test(vma, mprotect_middle_splits_in_three_and_back_merges_to_one)
{
	uint64_t a = map_anon(fx.mm, 0, 3 * PG, VM_RW, 0);

	cr_assert_eq(mm_mprotect(fx.mm, a + PG, PG, VM_READ), 0);
	cr_expect_eq(mm_map_count(fx.mm), 3);
	expect_vma(fx.mm, a, a, a + PG, VM_RW);
	expect_vma(fx.mm, a + PG, a + PG, a + 2 * PG, VM_READ);
	expect_vma(fx.mm, a + 2 * PG, a + 2 * PG, a + 3 * PG, VM_RW);

	cr_assert_eq(mm_mprotect(fx.mm, a + PG, PG, VM_RW), 0);
	cr_expect_eq(mm_map_count(fx.mm), 1);
	expect_vma(fx.mm, a, a, a + 3 * PG, VM_RW);
}

Test(vma, mprotect_of_a_prefix_splits_in_two)
{
	map_fixed(A, 4 * PG, VM_RW, 0);
	cr_assert_eq(mm_mprotect(fx.mm, A, PG, VM_NONE), 0);
	cr_expect_eq(mm_map_count(fx.mm), 2);
	expect_vma(fx.mm, A, A, A + PG, VM_NONE);
	expect_vma(fx.mm, A + PG, A + PG, A + 4 * PG, VM_RW);
}

Test(vma, shared_anonymous_mappings_never_merge)
{
	map_fixed(A, PG, VM_RW, MM_MAP_SHARED);
	map_fixed(A + PG, PG, VM_RW, MM_MAP_SHARED);	/* another object */
	map_fixed(A + 2 * PG, PG, VM_RW, 0);		/* private */
	cr_expect_eq(mm_map_count(fx.mm), 3);
	expect_maps(maps_of("00100000-00101000 rw-s 00000000 00:00 0 ", "/dev/zero (deleted)",
			    "00101000-00102000 rw-s 00000000 00:00 0 ", "/dev/zero (deleted)",
			    "00102000-00103000 rw-p 00000000 00:00 0 ", NULL, NULL));
}

/* The maps fields of a mapping of the host file `fd` at offset `off`. */
static gchar *file_fields(int fd, const char *range_perms, uint64_t off)
{
	struct stat st;

	cr_assert_eq(fstat(fd, &st), 0);
	return g_strdup_printf("%s %08" G_GINT64_MODIFIER "x %02x:%02x %" G_GUINT64_FORMAT " ",
			       range_perms, off, major(st.st_dev), minor(st.st_dev), (uint64_t)st.st_ino);
}

Test(vma, file_mappings_merge_only_when_offsets_follow_on)
{
	static char data[4 * 4096];
	char path[] = "/tmp/mmusim-test-XXXXXX";
	int fd = mkstemp(path);
	struct vm_file *file;
	gchar *f[4];

	cr_assert_geq(fd, 0);
	unlink(path);
	cr_assert_eq(write(fd, data, sizeof(data)), (ssize_t)sizeof(data));
	file = vm_file_new(dup(fd), "/lib/libx.so");
	map_file(file, 0x400000, 2, VM_READ, 0);	/* pages 0-1 */
	map_file(file, 0x402000, 2, VM_READ, 2 * PG);	/* pages 2-3: follow on */
	map_file(file, 0x404000, 1, VM_READ, 0);	/* page 0 again: does not */
	vm_file_put(file);
	cr_expect_eq(mm_map_count(fx.mm), 2);
	f[0] = file_fields(fd, "00400000-00404000 r--p", 0);
	f[1] = file_fields(fd, "00404000-00405000 r--p", 0);
	expect_maps(maps_of(f[0], "/lib/libx.so", f[1], "/lib/libx.so", NULL));
	g_free(f[0]);

	/* Splitting keeps each piece's file offset: 0x401000 is page 1. */
	cr_assert_eq(mm_munmap(fx.mm, 0x401000, PG), 0);
	f[0] = file_fields(fd, "00400000-00401000 r--p", 0);
	f[2] = file_fields(fd, "00402000-00404000 r--p", 0x2000);
	expect_maps(maps_of(f[0], "/lib/libx.so", f[2], "/lib/libx.so", f[1], "/lib/libx.so", NULL));
	g_free(f[2]);
	cr_assert_eq(mm_mprotect(fx.mm, 0x403000, PG, VM_READ | VM_EXEC), 0);
	f[2] = file_fields(fd, "00402000-00403000 r--p", 0x2000);
	f[3] = file_fields(fd, "00403000-00404000 r-xp", 0x3000);
	expect_maps(maps_of(f[0], "/lib/libx.so", f[2], "/lib/libx.so", f[3], "/lib/libx.so",
			    f[1], "/lib/libx.so", NULL));
	for (int i = 0; i < 4; i++)
		g_free(f[i]);
	close(fd);
}

Test(vma, named_heap_does_not_merge_with_plain_anonymous_memory)
{
	fx.mm->start_brk = fx.mm->brk = 0x600000;
	map_fixed(0x5ff000, PG, VM_RW, 0);
	cr_assert_eq(mm_brk(fx.mm, 0x601000), 0x601000);
	cr_expect_eq(mm_map_count(fx.mm), 2);
	expect_maps(maps_of("005ff000-00600000 rw-p 00000000 00:00 0 ", NULL,
			    "00600000-00601000 rw-p 00000000 00:00 0 ", "[heap]", NULL));
}

Test(vma, mm_set_vma_name_names_the_vma_at_its_start)
{
	map_fixed(A, 2 * PG, VM_RW, 0);
	mm_set_vma_name(fx.mm, A, "[stack]");
	cr_expect_str_eq(vma_lookup(fx.mm, A + PG)->name, "[stack]");
	mm_set_vma_name(fx.mm, B, "[nothing]");		/* no VMA there: ignored */
	cr_expect_eq(mm_map_count(fx.mm), 1);
}

/* ---- vm_ops ---- */

static int veto_split(const struct vma *vma, uint64_t addr)
{
	return -EINVAL;
}

static const char *veto_name(const struct vma *vma)
{
	return "[veto]";
}

static int anon_like_fault(struct vm_fault *vmf)
{
	return phys_alloc(vmf->mm->phys, FRAME_DATA, &vmf->page) ? VM_FAULT_OOM : VM_FAULT_DONE;
}

static const struct vm_ops veto_ops = {
	.fault = anon_like_fault,
	.may_split = veto_split,
	.name = veto_name,
};

/* A VMA whose ops refuse splits: an operation that would split it fails
 * with their errno and changes nothing; one that covers it whole works. */
Test(vma, may_split_veto_fails_the_operation_before_any_change)
{
	map_fixed(X, 4 * PG, VM_RW, 0);
	vma_lookup(fx.mm, X)->vm_ops = &veto_ops;
	cr_expect_eq(mm_munmap(fx.mm, X + PG, PG), -EINVAL);
	cr_expect_eq(mm_mprotect(fx.mm, X, PG, VM_READ), -EINVAL);
	expect_vma(fx.mm, X, X, X + 4 * PG, VM_RW);
	expect_maps(maps_of("20000000-20004000 rw-p 00000000 00:00 0 ", "[veto]", NULL));
	cr_expect_eq(mm_mprotect(fx.mm, X, 4 * PG, VM_READ), 0, "no split needed");
	cr_expect_eq(mm_munmap(fx.mm, X, 4 * PG), 0);
	cr_expect_null(vma_lookup(fx.mm, X));
}

/* ------------------------------------------------ the gap index (vma_tree) */

/* The free-area search written the obvious way: every gap between the VMAs
 * in address order, clipped to [low, high); the highest that fits wins. */
static int brute_gap_topdown(struct mm *mm, uint64_t low, uint64_t high, uint64_t len,
			     uint64_t *addr)
{
	uint64_t prev_end = 0, best = 0;
	bool found = false;

	for (struct vma *vma = vma_first(mm);; vma = vma_next(mm, vma)) {
		uint64_t from = MAX(prev_end, low), to = MIN(vma ? vma->start : UINT64_MAX, high);

		if (from < to && to - from >= len) {
			best = to - len;
			found = true;
		}
		if (!vma)
			break;
		prev_end = vma->end;
	}
	*addr = best;
	return found ? 0 : -ENOMEM;
}

/* In-order walk: VMAs sorted and disjoint, the count right. */
static void expect_ordered(struct mm *mm)
{
	unsigned n = 0;
	uint64_t prev_end = 0;

	for (struct vma *vma = vma_first(mm); vma; vma = vma_next(mm, vma), n++) {
		cr_assert(vma->start >= prev_end && vma->start < vma->end,
			  "VMA %u [%#" PRIx64 ", %#" PRIx64 ") out of order", n, vma->start, vma->end);
		cr_assert_eq(vma_prev(mm, vma), n ? vma_tree_at_or_below(&mm->vmas, prev_end - 1) : NULL);
		prev_end = vma->end;
	}
	cr_assert_eq(n, mm_map_count(mm));
}

/* Thousands of random MAP_FIXED maps (protections vary, so some merge and
 * some do not), unmaps and mprotects over a 1 GiB window; after each, random
 * searches (limits and lengths) must give what the brute force gives, and
 * every unhinted mmap must land where the brute force says Linux's top-down
 * search puts it. */
Test(vma, gap_index_agrees_with_a_brute_force_search)
{
	GRand *rand = g_rand_new_with_seed(20261130);
	const uint64_t window = GiB, base = EXPECTED_MMAP_BASE - window + 64 * MiB;
	const unsigned prots[] = { VM_READ, VM_RW, VM_READ | VM_EXEC };

	for (int op = 0; op < 4000; op++) {
		uint64_t at = base + (uint64_t)g_rand_int_range(rand, 0, (gint32)(window / PG)) * PG;
		uint64_t len = (uint64_t)g_rand_int_range(rand, 1, 64) * PG, got, want;
		unsigned prot = prots[g_rand_int_range(rand, 0, 3)];

		switch (g_rand_int_range(rand, 0, 5)) {
		case 0:
		case 1:
			cr_assert_eq(mm_mmap(fx.mm, at, len, prot, MM_MAP_FIXED | MM_MAP_NORESERVE,
					     NULL, 0, &got), 0);
			break;
		case 2:
			cr_assert_eq(mm_munmap(fx.mm, at, len * 4), 0);
			break;
		case 3:
			mm_mprotect(fx.mm, at, len, prot);	/* ENOMEM over holes is fine */
			break;
		default:
			cr_assert_eq(brute_gap_topdown(fx.mm, MMAP_MIN_ADDR, EXPECTED_MMAP_BASE,
						       len, &want), 0);
			cr_assert_eq(mm_mmap(fx.mm, 0, len, prot, MM_MAP_NORESERVE, NULL, 0, &got), 0);
			cr_assert_eq(got, want, "op %d: mmap of %#" PRIx64 " at %#" PRIx64
				     ", brute force %#" PRIx64, op, len, got, want);
		}
		expect_ordered(fx.mm);
		for (int q = 0; q < 8; q++) {
			uint64_t low = base + (uint64_t)g_rand_int_range(rand, -4096, (gint32)(window / PG)) * PG;
			uint64_t high = low + (uint64_t)g_rand_int_range(rand, 0, (gint32)(window / PG)) * PG;
			uint64_t need = (uint64_t)g_rand_int_range(rand, 1, 1 << g_rand_int_range(rand, 1, 16)) * PG;
			int err = vma_tree_gap_topdown(&fx.mm->vmas, low, high, need, &got);

			cr_assert_eq(err, brute_gap_topdown(fx.mm, low, high, need, &want));
			cr_assert(err || got == want, "op %d: gap of %#" PRIx64 " in [%#" PRIx64 ", %#" PRIx64
				  ") at %#" PRIx64 ", brute force %#" PRIx64, op, need, low, high, got, want);
		}
	}
	cr_expect_gt(mm_map_count(fx.mm), 100, "the layout grew busy (%u VMAs)", mm_map_count(fx.mm));
	g_rand_free(rand);
}

/* mlock of the middle page splits the VMA in three, only the middle one
 * locked and populated; munlock merges them back into one. */
Test(vma, mlock_splits_and_munlock_merges_back)
{
	map_fixed(X, 3 * PG, VM_RW, 0);
	cr_assert_eq(mm_mlock(fx.mm, X + PG + 100, 10, VM_LOCKED), 0, "an unaligned start is rounded down");
	cr_expect_eq(mm_map_count(fx.mm), 3);
	expect_vma(fx.mm, X + PG, X + PG, X + 2 * PG, VM_RW);
	cr_expect_eq(vma_lookup(fx.mm, X + PG)->flags & VM_LOCKED_MASK, VM_LOCKED);
	cr_expect_eq(vma_lookup(fx.mm, X)->flags & VM_LOCKED_MASK, 0);
	cr_expect_eq(pte_at(fx.mm, X), 0, "the unlocked page stays out");
	cr_expect_neq(pte_at(fx.mm, X + PG), 0, "the locked page is populated");
	cr_assert_eq(mm_munlock(fx.mm, X, 3 * PG), 0);
	cr_expect_eq(mm_map_count(fx.mm), 1);
	expect_vma(fx.mm, X, X, X + 3 * PG, VM_RW);
}

/* mlock2(MLOCK_ONFAULT) locks without populating; a hole after the first
 * VMA stops mlock with ENOMEM, the VMA before it locked (as Linux). */
Test(vma, mlock_onfault_and_holes)
{
	map_fixed(X, PG, VM_RW, 0);
	map_fixed(X + 2 * PG, PG, VM_RW, 0);
	cr_expect_eq(mm_mlock(fx.mm, X, 3 * PG, VM_LOCKED | VM_LOCKONFAULT), -ENOMEM);
	cr_expect_eq(vma_lookup(fx.mm, X)->flags & VM_LOCKED_MASK, VM_LOCKED | VM_LOCKONFAULT);
	cr_expect_eq(vma_lookup(fx.mm, X + 2 * PG)->flags & VM_LOCKED_MASK, 0);
	cr_expect_eq(pte_at(fx.mm, X), 0, "lock on fault: nothing populated");
}

/* MREMAP_DONTUNMAP moves the pages and leaves the old range mapped and
 * empty; old size 0 of a shared mapping maps the same object again. */
Test(vma, mremap_dontunmap_and_old_size_zero)
{
	uint64_t to, dup;
	uint64_t s;

	map_fixed(X, 2 * PG, VM_RW, 0);
	poke_u64(fx.mm, X, 0x1234);
	cr_assert_eq(mm_mremap(fx.mm, X, 2 * PG, 2 * PG, MM_REMAP_MAYMOVE | MM_REMAP_DONTUNMAP, 0, &to), 0);
	cr_expect_neq(to, X);
	cr_expect_eq(peek_u64(fx.mm, to), 0x1234);
	expect_vma(fx.mm, X, X, X + 2 * PG, VM_RW);
	cr_expect_eq(peek_u64(fx.mm, X), 0, "the old range is empty");
	cr_expect_eq(mm_mremap(fx.mm, X, PG, 2 * PG, MM_REMAP_MAYMOVE | MM_REMAP_DONTUNMAP, 0, &to),
		     -EINVAL, "sizes differ");

	cr_assert_eq(mm_mmap(fx.mm, X + 16 * PG, PG, VM_RW, MM_MAP_FIXED | MM_MAP_SHARED, NULL, 0, &s), 0);
	poke_u64(fx.mm, s, 77);
	cr_assert_eq(mm_mremap(fx.mm, s, 0, PG, MM_REMAP_MAYMOVE, 0, &dup), 0);
	cr_expect_neq(dup, s);
	cr_expect_eq(peek_u64(fx.mm, dup), 77, "the same object");
	cr_expect_eq(mm_mremap(fx.mm, X, 0, PG, MM_REMAP_MAYMOVE, 0, &dup), -EINVAL, "private");
}

/* A locked mapping grown by mremap, in place or moved, has its new pages
 * populated (Linux's mremap populates the growth of a VM_LOCKED VMA). */
Test(vma, mremap_growth_of_a_locked_mapping_is_populated)
{
	uint64_t out;

	map_fixed(X, PG, VM_RW, 0);
	cr_assert_eq(mm_mlock(fx.mm, X, PG, VM_LOCKED), 0);
	cr_assert_eq(mm_mremap(fx.mm, X, PG, 2 * PG, 0, 0, &out), 0);
	cr_expect_eq(out, X);
	cr_expect_neq(pte_at(fx.mm, X + PG), 0, "grown in place");
	map_fixed(X + 2 * PG, PG, VM_READ, 0);
	cr_assert_eq(mm_mremap(fx.mm, X, 2 * PG, 3 * PG, MM_REMAP_MAYMOVE, 0, &out), 0);
	cr_expect_neq(out, X);
	cr_expect_neq(pte_at(fx.mm, out + 2 * PG), 0, "moved and grown");
}
