/*
 * procfs_mem: a process's memory as /proc reports it: maps, smaps,
 * smaps_rollup (text in Linux 6.x's layout, fs/proc/task_mmu.c) and
 * pagemap (64-bit entries, Documentation/admin-guide/mm/pagemap.rst), from
 * the simulated tables through mmu/pagewalk.
 *
 * pagemap shows the frame numbers: Linux hides them (zeroes) from readers
 * without CAP_SYS_ADMIN, and the guest runs as root.  Bit 55 (soft-dirty)
 * is never set, as on arm64; bit 57 (uffd-wp) is, as on x86-64, for a page
 * userfaultfd write-protects and for a write-protect marker.  There
 * is no swap, but device-private and device-exclusive entries and markers
 * (mmu/pgtable.h) are what Linux calls non-present swap entries, and
 * pagemap shows them as such: bit 62 (PM_SWAP), the swap type in bits 0-4
 * and the offset in bits 5-54 (pte_to_pagemap_entry(), to a reader who may
 * see frames): for a device entry its frame, for a marker the marker's
 * bits, with bit 57 for a write-protect marker.  There are no huge pages, locked pages or KSM, so
 * those smaps counts are 0, and THPeligible is 0 as in a kernel without
 * transparent huge pages.
 */
#include <errno.h>
#include <string.h>

#include "mmu/pagewalk.h"
#include "mmu/pgtable.h"
#include "sim/procfs_internal.h"

int proc_pid_maps(struct machine *m, struct task *t, GString *out)
{
	mm_format_maps(t->mm, out);
	return 0;
}

/* One "Name:           %8lu kB" line of a byte count. */
static void put_kb(GString *out, const char *name, uint64_t bytes)
{
	g_string_append_printf(out, "%s:%*s%8" G_GUINT64_FORMAT " kB\n", name, (int)(15 - strlen(name)), "",
			       bytes >> 10);
}

static uint64_t pss_bytes(uint64_t pss)
{
	return pss >> PSS_SHIFT;
}

/* The counts smaps and smaps_rollup share, Shared_Clean to Locked. */
/* `locked`: the Pss of the VM_LOCKED mappings among those counted. */
static void show_shared_to_locked(GString *out, const struct mem_size_stats *mss, uint64_t locked)
{
	static const char *const zero[] = {
		"KSM", "LazyFree", "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped",
		"Shared_Hugetlb", "Private_Hugetlb", "Swap", "SwapPss",
	};

	put_kb(out, "Shared_Clean", mss->shared_clean);
	put_kb(out, "Shared_Dirty", mss->shared_dirty);
	put_kb(out, "Private_Clean", mss->private_clean);
	put_kb(out, "Private_Dirty", mss->private_dirty);
	put_kb(out, "Referenced", mss->referenced);
	put_kb(out, "Anonymous", mss->anonymous);
	for (size_t i = 0; i < G_N_ELEMENTS(zero); i++)
		put_kb(out, zero[i], 0);
	put_kb(out, "Locked", pss_bytes(locked));
}

/* VmFlags mnemonics, in Linux's order.  Every mapping may be read, written
 * and executed (mr mw me); private writable ones are charged to the
 * commit count (ac), as the heap and stack are; lo, dc and wf are
 * mlock, MADV_DONTFORK and MADV_WIPEONFORK. */
static void show_vm_flags(GString *out, const struct vma *vma)
{
	bool shared = vma->flags & VM_SHARED;

	g_string_append(out, "VmFlags:");
	if (vma->prot & VM_READ)
		g_string_append(out, " rd");
	if (vma->prot & VM_WRITE)
		g_string_append(out, " wr");
	if (vma->prot & VM_EXEC)
		g_string_append(out, " ex");
	if (shared)
		g_string_append(out, " sh");
	g_string_append(out, " mr mw me");
	if (shared)
		g_string_append(out, " ms");
	if (vma->flags & VM_GROWSDOWN)
		g_string_append(out, " gd");
	if (vma->flags & VM_LOCKED)
		g_string_append(out, " lo");
	if (vma->flags & VM_DONTCOPY)
		g_string_append(out, " dc");
	if ((vma->prot & VM_WRITE) && !shared)
		g_string_append(out, " ac");
	if (vma->flags & VM_WIPEONFORK)
		g_string_append(out, " wf");
	g_string_append(out, " \n");
}

static void show_smap(struct mm *mm, const struct vma *vma, GString *out)
{
	struct mem_size_stats mss = { 0 };

	smap_gather(mm, vma, &mss);
	vma_format_maps_line(vma, out);
	put_kb(out, "Size", vma->end - vma->start);
	put_kb(out, "KernelPageSize", PAGE_SIZE);
	put_kb(out, "MMUPageSize", PAGE_SIZE);
	put_kb(out, "Rss", mss.resident);
	put_kb(out, "Pss", pss_bytes(mss.pss));
	put_kb(out, "Pss_Dirty", pss_bytes(mss.pss_dirty));
	show_shared_to_locked(out, &mss, vma->flags & VM_LOCKED ? mss.pss : 0);
	g_string_append_printf(out, "THPeligible:%*s%8d\n", 4, "", 0);
	show_vm_flags(out, vma);
}

int proc_pid_smaps(struct machine *m, struct task *t, GString *out)
{
	for (struct vma *vma = vma_first(t->mm); vma; vma = vma_next(t->mm, vma))
		show_smap(t->mm, vma, out);
	return 0;
}

/* Every VMA's counts summed, under a maps line spanning them all. */
int proc_pid_smaps_rollup(struct machine *m, struct task *t, GString *out)
{
	static const struct vm_ops no_ops = { 0 };
	struct mm *mm = t->mm;
	struct mem_size_stats mss = { 0 };
	uint64_t locked = 0;
	struct vma span;

	if (!vma_first(mm))
		return 0;
	span = (struct vma){ .start = vma_first(mm)->start, .end = vma_last(mm)->end, .vm_ops = &no_ops,
			     .name = "[rollup]" };
	smap_gather_mm(mm, &mss);
	for (struct vma *vma = vma_first(mm); vma; vma = vma_next(mm, vma)) {
		struct mem_size_stats one = { 0 };

		if (vma->flags & VM_LOCKED) {
			smap_gather(mm, vma, &one);
			locked += one.pss;
		}
	}
	vma_format_maps_line(&span, out);
	put_kb(out, "Rss", mss.resident);
	put_kb(out, "Pss", pss_bytes(mss.pss));
	put_kb(out, "Pss_Dirty", pss_bytes(mss.pss_dirty));
	put_kb(out, "Pss_Anon", pss_bytes(mss.pss_anon));
	put_kb(out, "Pss_File", pss_bytes(mss.pss_file));
	put_kb(out, "Pss_Shmem", pss_bytes(mss.pss_shmem));
	show_shared_to_locked(out, &mss, locked);
	return 0;
}

/* pagemap bits (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PFRAME_MASK		((UINT64_C(1) << 55) - 1)
#define PM_MMAP_EXCLUSIVE	(UINT64_C(1) << 56)
#define PM_UFFD_WP		(UINT64_C(1) << 57)
#define PM_FILE			(UINT64_C(1) << 61)
#define PM_SWAP			(UINT64_C(1) << 62)
#define PM_PRESENT		(UINT64_C(1) << 63)
#define PM_ENTRY_BYTES		8

/* Linux 6.12's swap types of device entries (include/linux/swap.h, 5-bit
 * types, with CONFIG_MIGRATION, CONFIG_MEMORY_FAILURE and CONFIG_DEVICE_PRIVATE
 * as arm64's defconfig has them: 23 swap files, then hwpoison, three
 * migration types, then these four). */
#define MAX_SWAPFILES_SHIFT		5
#define SWP_DEVICE_WRITE		27
#define SWP_DEVICE_READ			28
#define SWP_DEVICE_EXCLUSIVE_WRITE	29
#define SWP_DEVICE_EXCLUSIVE_READ	30

/* A marker is Linux 6.12's swap entry of type SWP_PTE_MARKER with the
 * marker's bits as its offset (include/linux/swapops.h: PTE_MARKER_UFFD_WP
 * BIT(0), PTE_MARKER_POISONED BIT(1)).  include/linux/swap.h makes the
 * marker type the last of the 32 whatever the configuration (MAX_SWAPFILES
 * leaves room for the hwpoison, migration and device types and for it, and
 * markers are always built since 6.2): 31 on arm64 and x86-64 alike, so a
 * poison marker reads 0x5f on both.  A write-protect marker reads 0x3f with
 * bit 57 as on x86-64: arm64 6.12 has none (no uffd-wp, mmu/userfault/wp.h). */
#define SWP_PTE_MARKER			31
#define SWP_MARKER_UFFD_WP		UINT64_C(1)
#define SWP_MARKER_POISONED		UINT64_C(2)

static uint64_t marker_entry(pte_t e)
{
	if (pte_is_uffd_wp_marker(e))
		return PM_SWAP | PM_UFFD_WP | SWP_MARKER_UFFD_WP << MAX_SWAPFILES_SHIFT | SWP_PTE_MARKER;
	return PM_SWAP | SWP_MARKER_POISONED << MAX_SWAPFILES_SHIFT | SWP_PTE_MARKER;
}

/* A device-private or device-exclusive entry as pagemap shows it, or 0. */
static uint64_t device_entry(struct mm *mm, uint64_t va)
{
	pte_t *ptep = vma_lookup(mm, va) ? pgtable_walk(mm->phys, mm->pgd, va) : NULL;
	bool write;
	unsigned type;

	if (!ptep || !pte_is_device_private(*ptep))
		return 0;
	write = pte_prot(*ptep) & VM_WRITE;
	if (pte_is_device_exclusive(*ptep))
		type = write ? SWP_DEVICE_EXCLUSIVE_WRITE : SWP_DEVICE_EXCLUSIVE_READ;
	else
		type = write ? SWP_DEVICE_WRITE : SWP_DEVICE_READ;
	return PM_SWAP | (((pte_addr(*ptep) >> PAGE_SHIFT) << MAX_SWAPFILES_SHIFT | type) & PM_PFRAME_MASK);
}

static uint64_t pagemap_entry(struct mm *mm, uint64_t va)
{
	struct page_info page;
	uint64_t entry;

	if (!page_info_at(mm, va, &page)) {
		pte_t e = pgtable_leaf(mm->phys, mm->pgd, va);

		if (pte_is_marker(e))
			return marker_entry(e);
		return device_entry(mm, va);
	}
	entry = PM_PRESENT | ((page.pa >> PAGE_SHIFT) & PM_PFRAME_MASK);
	if (page.uffd_wp)
		entry |= PM_UFFD_WP;
	if (page.mapcount == 1)
		entry |= PM_MMAP_EXCLUSIVE;
	if (!page.anon)
		entry |= PM_FILE;	/* a file page, or shared anonymous memory */
	return entry;
}

/* Entry i describes the page at virtual page i; none lie beyond the user
 * address space (a read there is end of file). */
long proc_pagemap_read(struct task *t, void *buf, size_t len, int64_t offset)
{
	uint64_t *entries = buf;
	uint64_t first = (uint64_t)offset / PM_ENTRY_BYTES, n = len / PM_ENTRY_BYTES, i;

	if (offset % PM_ENTRY_BYTES || len % PM_ENTRY_BYTES)
		return -EINVAL;
	for (i = 0; i < n && first + i < TASK_SIZE >> PAGE_SHIFT; i++)
		entries[i] = pagemap_entry(t->mm, (first + i) << PAGE_SHIFT);
	return (long)(i * PM_ENTRY_BYTES);
}
