/*
 * fuzz_strace: libFuzzer target for --strace's argument decoder
 * (sim/strace.c).  Each input is one system call: a number, six argument
 * registers and the contents of guest memory.  The call is decoded with the
 * format the system-call table gives its number (scripts/fuzz extracts the
 * tables of the sim/ files into syscall_formats.h; a number without a
 * handler gets "xxxxxx", as in do_syscall); then the call may change guest
 * memory or replace the mm, and the line is finished with a result.
 *
 * Input layout (little-endian, missing bytes read as zero):
 *   nr:u16  flags:u8  6 x (sel:u8 value:u64)  ret:i64  memory...
 * sel picks what the register holds, so that pointers land on interesting
 * pages: 0 the raw value, 1 an address in REGION (value modulo its 6 pages),
 * 2 an address in the last page of user space or just past it, 3 a small
 * number (value & 0xff: lengths, descriptors).  flags: bit 0, the task's mm
 * is gone (exit); bit 1, the call does not return (strace's "= ?"); bit 2,
 * the call writes to REGION's untouched page; bit 3, the call is an execve
 * that replaces the mm.  The memory bytes fill, in order, REGION's page 0,
 * its page 4 and the last user page; after them, the byte the call writes,
 * then the new mm's pages.
 *
 * REGION: page 0 present read-write, page 1 mapped but never touched, page 2
 * PROT_NONE, page 3 a hole, page 4 present read-only, page 5 a hole.
 *
 * The target checks, besides the sanitizers, that decoding, at the start
 * and at the end, changes nothing in the simulation (no page faulted in, no
 * fault counted: --strace must not change simulated results) and that the
 * line has strace's shape.
 * Built and run by scripts/fuzz.
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mmu/mm.h"
#include "mmu/phys.h"
#include "mmu/uaccess.h"
#include "sim/dispatch.h"
#include "sim/strace.h"
#include "sim/syscall.h"

#define PHYS_SIZE (UINT64_C(16) << 20)
#define REGION UINT64_C(0x10000000)
#define REGION_PAGES 6
#define LAST_PAGE (TASK_SIZE - PAGE_SIZE)
#define HEADER_SIZE (2 + 1 + 6 * 9 + 8)
#define TID 42

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct syscall_format {
	unsigned nr;
	const char *fmt;
};

static const struct syscall_format formats[] = {
#include "syscall_formats.h"
};

static struct phys *phys;
static struct vm_stats stats;
static struct machine machine;
static struct task task;

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_strace: broken: %s\n", what);
		abort();
	}
}

static void setup_once(void)
{
	if (phys)
		return;
	check(phys_create(PHYS_SIZE, &phys) == 0, "phys_create");
	machine.log = fopen("/dev/null", "w");
	check(machine.log != NULL, "open /dev/null");
}

/* Linux's name of `nr`; NULL for mmusim's own numbers (strace prints
 * syscall_NR, as it does for a number no table knows). */
static const char *name_of(unsigned nr)
{
	return nr < NR_LINUX_SYSCALLS ? syscall_names[nr] : NULL;
}

/* The table's format for `nr`, as do_syscall chooses it. */
static const char *format_of(unsigned nr)
{
	for (size_t i = 0; i < G_N_ELEMENTS(formats); i++)
		if (formats[i].nr == nr)
			return formats[i].fmt;
	return "xxxxxx";
}

/* Reads the input front to back; past its end, zeros. */
struct input {
	const uint8_t *data;
	size_t size, pos;
};

static void take_bytes(struct input *in, uint8_t *dst, size_t len)
{
	size_t n = in->pos < in->size ? MIN(len, in->size - in->pos) : 0;

	if (n)
		memcpy(dst, in->data + in->pos, n);
	memset(dst + n, 0, len - n);
	in->pos += len;
}

static uint64_t take(struct input *in, size_t bytes)
{
	uint8_t b[8];
	uint64_t v = 0;

	take_bytes(in, b, bytes);
	for (size_t i = 0; i < bytes; i++)
		v |= (uint64_t)b[i] << (8 * i);
	return v;
}

static uint64_t take_arg(struct input *in)
{
	unsigned sel = (unsigned)take(in, 1) & 3;
	uint64_t v = take(in, 8);

	switch (sel) {
	case 1: return REGION + v % (REGION_PAGES * PAGE_SIZE);
	case 2: return LAST_PAGE + v % (2 * PAGE_SIZE);
	case 3: return v & 0xff;
	default: return v;
	}
}

static void map_page(struct mm *mm, uint64_t addr, unsigned prot)
{
	uint64_t out;

	check(mm_mmap(mm, addr, PAGE_SIZE, prot, MM_MAP_FIXED, NULL, 0, &out) == 0, "mm_mmap");
}

/* Map a page and fill it from the input (faulting it in). */
static void fill_page(struct mm *mm, uint64_t addr, unsigned prot, struct input *in)
{
	uint8_t page[PAGE_SIZE];

	take_bytes(in, page, sizeof(page));
	map_page(mm, addr, VM_READ | VM_WRITE);
	check(copy_to_user(mm, addr, page, PAGE_SIZE) == 0, "fill page");
	if (prot != (VM_READ | VM_WRITE))
		check(mm_mprotect(mm, addr, PAGE_SIZE, prot) == 0, "mm_mprotect");
}

static struct mm *build_mm(struct input *in)
{
	struct mm *mm;

	check(mm_create(phys, &stats, &mm) == 0, "mm_create");
	fill_page(mm, REGION, VM_READ | VM_WRITE, in);
	map_page(mm, REGION + PAGE_SIZE, VM_READ | VM_WRITE);
	map_page(mm, REGION + 2 * PAGE_SIZE, 0);
	fill_page(mm, REGION + 4 * PAGE_SIZE, VM_READ, in);
	fill_page(mm, LAST_PAGE, VM_READ | VM_WRITE, in);
	return mm;
}

/* What decoding must leave alone. */
struct footprint {
	uint64_t faults[NR_FAULT_KINDS];
	uint64_t frames, tables;
};

static void take_footprint(struct footprint *fp)
{
	memcpy(fp->faults, stats.faults, sizeof(fp->faults));
	fp->frames = phys_in_use(phys, FRAME_DATA);
	fp->tables = phys_in_use(phys, FRAME_PGTABLE);
}

static void check_unchanged(const struct footprint *before, const char *what)
{
	struct footprint now;

	take_footprint(&now);
	check(!memcmp(before, &now, sizeof(now)), what);
}

/* Between the start and the end of the call: flags bit 2, the call writes
 * REGION's untouched page (faulting it in); bit 3, it is an execve that
 * replaces the task's mm.  Returns the task's mm afterwards. */
static struct mm *run_call(struct mm *mm, unsigned flags, struct input *in)
{
	uint8_t byte = (uint8_t)take(in, 1);
	struct mm *new_mm;

	if (flags & 4)
		check(copy_to_user(mm, REGION + PAGE_SIZE + byte, &byte, 1) == 0, "write the untouched page");
	if (!(flags & 8))
		return mm;
	new_mm = build_mm(in);
	mm_destroy(mm);
	return new_mm;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size, HEADER_SIZE };
	struct input head = { data, MIN(size, HEADER_SIZE), 0 };
	unsigned nr = (unsigned)take(&head, 2) & 1023;
	unsigned flags = (unsigned)take(&head, 1);
	struct footprint before;
	char prefix[16];
	struct mm *mm;
	long ret;

	setup_once();
	mm = build_mm(&in);
	for (int i = 0; i < 6; i++)
		task.syscall_args[i] = take_arg(&head);
	ret = (long)take(&head, 8);
	task.tid = TID;
	task.mm = flags & 1 ? NULL : mm;

	take_footprint(&before);
	strace_start(&machine, &task, nr, name_of(nr), format_of(nr));
	check_unchanged(&before, "decoding at the start faulted or counted something");
	snprintf(prefix, sizeof(prefix), "[%d] ", TID);
	check(task.strace_line && g_str_has_prefix(task.strace_line, prefix) &&
	      strchr(task.strace_line, '('), "line is not \"[tid] name(\"");

	mm = run_call(mm, flags, &in);
	task.mm = flags & 1 ? NULL : mm;
	take_footprint(&before);
	strace_finish(&machine, &task, ret, flags & 2);
	check_unchanged(&before, "decoding at the end faulted or counted something");
	check(task.strace_line == NULL, "strace_finish kept the line");

	mm_destroy(mm);
	check(phys_in_use(phys, FRAME_DATA) == 0 && phys_in_use(phys, FRAME_PGTABLE) == 0,
	      "frames leaked after mm_destroy");
	return 0;
}
