/*
 * fuzz_loader: libFuzzer target for the ELF loader (sim/loader.c).  Each
 * input is an executable file: it goes into a memfd, load_elf() loads it
 * into a fresh mm as execve does, and, when the load succeeds, every page of
 * every VMA (at most FAULT_PAGES per VMA) is read the way the guest would
 * first touch it, so that file pages past the end of the file, bss tails and
 * the initial stack are faulted in too.
 *
 * Besides the sanitizers, the target checks the loader's contract:
 * a failure is a negative errno with a message that names the file; a
 * success leaves the entry point and the stack pointer in the user address
 * space, the stack 16-byte aligned with argc = 1; destroying the mm gives
 * back every frame.  A broken check aborts, which libFuzzer reports as a
 * crash.  Built and run by scripts/fuzz.
 */
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "mmu/mm.h"
#include "mmu/phys.h"
#include "mmu/uaccess.h"
#include "sim/loader.h"

#define FUZZ_NAME "fuzz.elf"
#define PHYS_SIZE (UINT64_C(256) << 20)
#define FAULT_PAGES 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct phys *phys;
static struct vm_stats stats;
static int memfd = -1;

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_loader: broken: %s\n", what);
		abort();
	}
}

static void setup_once(void)
{
	if (phys)
		return;
	check(phys_create(PHYS_SIZE, &phys) == 0, "phys_create");
	memfd = memfd_create("fuzz_loader", 0);
	check(memfd >= 0, "memfd_create");
}

static void put_input(const uint8_t *data, size_t size)
{
	check(ftruncate(memfd, 0) == 0, "ftruncate");
	check(size == 0 || pwrite(memfd, data, size, 0) == (ssize_t)size, "pwrite");
}

/* Touch the first FAULT_PAGES pages of each VMA as the guest would, through
 * the fault handler; failures (SIGBUS past end of file, no memory) are
 * legitimate answers, not bugs. */
static void touch_vmas(struct mm *mm)
{
	uint8_t byte;

	for (struct vma *vma = vma_first(mm); vma; vma = vma_next(mm, vma)) {
		uint64_t end = MIN(vma->end, vma->start + FAULT_PAGES * PAGE_SIZE);

		for (uint64_t addr = vma->start; addr < end; addr += PAGE_SIZE)
			(void)copy_from_user(mm, &byte, addr, 1);
	}
}

static void check_image(struct mm *mm, const struct exec_image *image)
{
	uint64_t argc = 0;

	check(image->sp < STACK_TOP && image->sp >= STACK_TOP - STACK_SIZE, "sp outside the stack");
	check(!(image->sp & 15), "sp not 16-byte aligned");
	check(copy_from_user(mm, &argc, image->sp, sizeof(argc)) == 0 && argc == 1, "argc at sp");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *const argv[] = { FUZZ_NAME, NULL }, *const envp[] = { "A=1", NULL };
	static const uint8_t random16[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	struct exec_args args = { -1, FUZZ_NAME, FUZZ_NAME, argv, envp, random16 };
	struct exec_image image = { 0, 0 };
	GString *error = g_string_new(NULL);
	struct mm *mm;
	int err;

	setup_once();
	put_input(data, size);
	args.fd = memfd;
	check(mm_create(phys, &stats, &mm) == 0, "mm_create");
	err = load_elf(mm, &args, &image, error);
	if (err) {
		check(err < 0 && err > -4096, "error is not a negative errno");
		check(g_str_has_prefix(error->str, FUZZ_NAME ": ") && error->len > strlen(FUZZ_NAME ": "),
		      "error message does not name the file and a cause");
	} else {
		check_image(mm, &image);
		touch_vmas(mm);
	}
	mm_destroy(mm);
	check(phys_in_use(phys, FRAME_DATA) == 0 && phys_in_use(phys, FRAME_PGTABLE) == 0,
	      "frames leaked after mm_destroy");
	g_string_free(error, TRUE);
	return 0;
}
