/*
 * The simulated accelerators (sim/accel.c, mmu/device) from a guest:
 * guest/accel runs kernels over its own memory on /dev/accel0 and prints
 * each answer.  The expected lines are hand-computed from guest/accel.h's
 * rules (a read adds the word to the checksum, a write adds 1 to it) and
 * the program's data (word k of its four pages holds k):
 *
 *  - reading 4 pages: 0 + 1 + ... + 2047 = 2096128;
 *  - writing words 0 and 1 twice: the CPU then sees 2 and 3 (word 2: 2);
 *  - reading words 0, 512, 1024, 1536 three times: 3 x (2 + 512 + 1024 +
 *    1536) = 9222;
 *  - reading 2 pages from page 1 with pages 2 and 3 unmapped: words 512 to
 *    1023 (392960), then EFAULT at page 2 (+0x2000);
 *  - a read-write kernel over pages made read-only: stopped at once (the
 *    HMM mirror answers EPERM, as hmm_range_fault does);
 *  - malformed kernels EINVAL, wild pointers EFAULT, an unknown ioctl
 *    ENOTTY, a wait with nothing launched ENOENT.
 *
 * Under the HMM mirror nothing migrates: the device maps the CPU's four
 * pages (four faults), then faults on page 2 once unmapped and on page 0
 * once read-only (six faults); 2048 + 4 + 12 + 512 accesses.
 */
#include "harness.h"

TestSuite(accel, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* The design's answer to a write into read-only memory goes in %s. */
static const char common[] =
	"open: 3\n"
	"read 4 pages: 0\n"
	"wait: status 0 sum 2096128\n"
	"write 2 words twice: 0\n"
	"wait: status 0 sum 0\n"
	"cpu sees: 2 3 2\n"
	"strided read: 0\n"
	"wait: status 0 sum 9222\n"
	"read past the mapping: 0\n"
	"wait: status EFAULT at +0x2000 sum 392960\n"
	"write to read-only: 0\n"
	"wait: status %s at +0 sum 0\n"
	"empty: EINVAL\n"
	"unaligned: EINVAL\n"
	"no repetition: EINVAL\n"
	"unknown pattern: EINVAL\n"
	"stride 12: EINVAL\n"
	"2^64 bytes: EINVAL\n"
	"2^40 passes: EINVAL\n"
	"wild launch: EFAULT\n"
	"wild wait: EFAULT\n"
	"wild counters: EFAULT\n"
	"unknown ioctl: ENOTTY\n"
	"wait before a launch: ENOENT\n"
	"counters: 0\n";

Test(accel, kernels_and_errors_under_the_hmm_mirror)
{
	struct result r = run_mmusim("--devices", "2", GUEST("accel"), NULL);
	gchar *head = g_strdup_printf(common, "EPERM");	/* hmm_range_fault's answer */
	gchar *expected = g_strconcat(head, "kernels 5 accesses 2576 faults 6\n",
				      "to device 0 to cpu 0 zero 0 mirrored 4 link bytes 0\n", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out, expected);
	cr_expect_str_eq(r.err, "");
	g_free(head);
	g_free(expected);
	result_free(&r);
}

Test(accel, no_devices_no_files)
{
	struct result r = run_mmusim(GUEST("accel"), NULL);

	expect_status(&r, 0);
	expect_contains("output", r.out, "open: ENOENT\n");
	result_free(&r);
}

Test(accel, the_stats_list_each_device)
{
	struct result r = run_mmusim("--devices", "2", "--device-inval", "coalesced", "--stats", GUEST("accel"),
				     NULL);

	expect_status(&r, 0);
	expect_contains("--stats", r.err, "      accel0         2576        6           0        0            0"
					  "          4             0              2            0");
	expect_contains("--stats", r.err, "      accel1            0        0");
	result_free(&r);
}

Test(accel, bad_options_are_usage_errors)
{
	struct result r = run_mmusim("--devices", "9", GUEST("accel"), NULL);

	expect_status(&r, 2);
	expect_contains("stderr", r.err, "--devices 9: expected 0 to 8");
	result_free(&r);
	r = run_mmusim("--devices", "1", "--device-mem", "100", GUEST("accel"), NULL);
	expect_status(&r, 2);
	expect_contains("stderr", r.err, "--device-mem 100: expected a size from 1M to 1T");
	result_free(&r);
	r = run_mmusim("--device-mm", "uvm", GUEST("accel"), NULL);
	expect_status(&r, 2);
	expect_contains("stderr", r.err, "--device-mm uvm: expected hmm or gmem");
	result_free(&r);
}

/* guest/gmem under --device-mm gmem, hand-computed:
 *  - word 0 holds 41; a read-write kernel over pages 0-1 migrates page 0
 *    to the device (4096 link bytes) and zero-fills page 1: sum 41; the
 *    CPU's reads bring both back (2 x 4096): 42 and 1;
 *  - prefetching pages 0-3 to node 1 migrates 0 and 1 (8192) and
 *    zero-fills 2 and 3; a read of the 4 pages sums 42 + 511 x 1 (page 0)
 *    + 512 x 1 (page 1) = 1065 with no fault;
 *  - prefetching pages 0-1 to node 0 brings 2 pages back (8192);
 *  - DONTNEED drops all four: the CPU then reads a fresh 0;
 *  - the device's faults outside peer-shared memory are EFAULT.
 * 4 kernels (3072 accesses; 2 + 2 faults); 3 pages to the device, 4 back,
 * 3 zero-filled; 7 pages over the link. */
Test(accel, gmem_moves_pages_on_faults_and_hmadvise)
{
	struct result r = run_mmusim("--devices", "1", "--device-mm", "gmem", GUEST("gmem"), NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out,
			 "open: 3\n"
			 "mmap peer-shared: 0\n"
			 "device reads and writes 2 pages: status 0 sum 41\n"
			 "cpu sees: 42 1\n"
			 "prefetch 4 pages to node 1: 0\n"
			 "device reads 4 pages: status 0 sum 1065\n"
			 "prefetch 2 pages to node 0: 0\n"
			 "unknown node: EINVAL\n"
			 "unaligned: EINVAL\n"
			 "unknown hint: EINVAL\n"
			 "past the mapping: Cannot allocate memory\n"
			 "plain memory: EINVAL\n"
			 "shared peer-shared: EINVAL\n"
			 "dontneed: 0\n"
			 "cpu sees: 0\n"
			 "munmap: 0\n"
			 "device reads unmapped memory: status EFAULT at +0 sum 0\n"
			 "device reads plain memory: status EFAULT at +0 sum 0\n"
			 "counters: 0\n"
			 "kernels 4 accesses 3072 faults 4\n"
			 "to device 3 to cpu 4 zero 3 link bytes 28672\n");
	cr_expect_str_eq(r.err, "");
	result_free(&r);
}

/* The same program under the HMM mirror: MAP_PEER_SHARED is a flag Linux
 * does not know (ignored), hmadvise does not exist (ENOSYS), and the
 * device reads plain memory. */
Test(accel, gmem_calls_without_gmem)
{
	struct result r = run_mmusim("--devices", "1", GUEST("gmem"), NULL);

	expect_status(&r, 0);
	expect_contains("output", r.out, "mmap peer-shared: 0\n");
	expect_contains("output", r.out, "prefetch 4 pages to node 1: Function not implemented\n");
	expect_contains("output", r.out, "shared peer-shared: 0\n");
	expect_contains("output", r.out, "device reads plain memory: status 0 sum 0\n");
	result_free(&r);
}

/* --stats under gmem: the logical table's peak (4 entries; 6 radix nodes)
 * and the device-migrate faults (the two CPU reads of step 1).  Page-table
 * memory table by table: the device's own table maps pages of one 2 MiB
 * range, its root and one table at each of the three levels below, 4
 * frames (16,384 bytes) and 4 page-table frames of its node at most; the
 * logical table 6 nodes of 64 slots (6 x 520 = 3,120 bytes) and 4 entries
 * of 24 (96): 3,216 bytes. */
Test(accel, gmem_in_the_stats)
{
	struct result r = run_mmusim("--devices", "1", "--device-mm", "gmem", "--stats", GUEST("gmem"), NULL);

	expect_status(&r, 0);
	expect_contains("--stats", r.err, "      peak entries                 4\n");
	expect_contains("--stats", r.err, "      peak radix nodes             6\n");
	expect_contains("--stats", r.err, "    peak page-table bytes\n");
	expect_contains("--stats", r.err, "      accel0 table             16384\n");
	expect_contains("--stats", r.err, "      gmem table                3216\n");
	expect_contains("--stats", r.err, "   peak_frames   peak_pt_frames\n");
	expect_contains("--stats", r.err, "      CPU faults back              2\n");
	expect_contains("--stats", r.err, "    device-migrate                 2\n");
	result_free(&r);
}

/* guest/gmem mremap: mremap moves a peer-shared mapping whose pages are on
 * the device (page 0 migrated there holding 5 + 1, pages 1 and 2
 * zero-filled there and incremented to 1) or back on the CPU (page 3,
 * which the CPU read: 1).  The logical table's entries and the device's
 * mappings move with the CPU's: the device reads the moved range without a
 * fault but for page 3 (6 + 511 + 3 x 512 = 2053), the old place is gone
 * (EFAULT), and the CPU gets the device's pages back with their data (6 1
 * 1 1; the grown part is zeroes).  --stats: 2 pages to the device (page 0,
 * then page 3 after the move), 5 back (page 3, then pages 0-3), 3
 * zero-filled, (2 + 5) x 4096 = 28,672 bytes over the link; 5 entries at
 * most (the four moved and the new page). */
Test(accel, gmem_mremap_moves_the_logical_table_and_device_mappings)
{
	struct result r = run_mmusim("--devices", "1", "--device-mm", "gmem", "--stats", GUEST("gmem"),
				     "mremap", NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out,
			 "open: 3\n"
			 "device writes 4 pages: status 0 sum 5\n"
			 "cpu reads page 3: 1\n"
			 "mremap: 0\n"
			 "device reads the moved pages: status 0 sum 2053\n"
			 "device faults: 1\n"
			 "device reads the old place: status EFAULT at +0 sum 0\n"
			 "cpu reads: 6 1 1 1, new page 0\n");
	expect_contains("--stats", r.err, "      peak entries                 5\n");
	expect_contains("--stats", r.err, "      CPU faults back              5\n");
	expect_contains("--stats", r.err, "      accel0         4096        6           2        5            3");
	expect_contains("--stats", r.err, "28672");
	result_free(&r);
}

/* guest/hmm on /dev/hmm_dmirror0, Linux's test_hmm driver (lib/test_hmm.c,
 * 6.12) over the HMM mirror; the answers are the driver's, as its
 * selftests (tools/testing/selftests/mm/hmm-tests.c) expect them: a first
 * READ faults the whole range in once (faults 1), a second finds it mapped
 * (faults 0); a WRITE into a read-only mapping is EPERM (hmm_vma_fault) and
 * writes nothing, after mprotect it faults once and the CPU sees the data;
 * MIGRATE_TO_DEV moves the 16 pages and returns their data (cpages 16), the
 * CPU's reads bring them back, MIGRATE_TO_SYS moves back what the device
 * holds (8, then the other 8); SNAPSHOT of hmm-tests' seven pages gives
 * the bytes its test expects (ERROR for PROT_NONE and the hole, ZERO|READ,
 * READ, WRITE, DEV_PRIVATE_LOCAL|WRITE for this device's page, NONE for
 * the other's; through device 1 the last two swap), a wild buffer EFAULT;
 * RELEASE turns DEV_PRIVATE_LOCAL|WRITE pages into WRITE ones holding the
 * data.  EXCLUSIVE (hmm-tests' exclusive, exclusive_mprotect, exclusive_cow)
 * returns the data, a snapshot sees the pages as NONE (no valid entry),
 * CHECK_EXCLUSIVE is EPERM until the CPU has touched every page (page 0
 * alone clears page 0), a device WRITE after mprotect(PROT_READ) is EPERM,
 * a fork leaves the data to both processes, a read-only or unmapped page
 * is EBUSY.  Pages in device memory at a fork (hmm-tests' anon_write_child)
 * are the child's too: it reads the parent's values and its writes stay its
 * own; the parent's entries are read-only (DEV_PRIVATE_LOCAL|READ) and the
 * device faults once to map them again.  The ioctl's checks give EINVAL (unaligned,
 * no pages, a wrapping range), the bounce buffer ENOMEM (2^30 pages), the
 * fault EFAULT (unmapped, PROT_NONE), the migration EINVAL (no VMA), a wild
 * pointer EFAULT.  --stats: 16 pages x 5 migrations to accel0, 48 CPU
 * faults (device-migrate: 16, then the child's 16 and the parent's 16 after
 * the fork), 16 pages migrated back and 17 released (the release's 16 and
 * the snapshot's page 5), one zero page per device (pages 5 and 6 were
 * holes: no copy), 80 + 81 = 161 pages over the link; 9 device faults (the
 * WRITE after mprotect and the READ after the fork add one each); 32 device-exclusive
 * CPU faults (the 16 pages of the first, then of the mprotected range; the
 * fork restores without faulting). */
Test(accel, the_test_hmm_driver_over_the_mirror)
{
	struct result r = run_mmusim("--devices", "2", "--stats", GUEST("hmm"), NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out,
			 "open: 3\n"
			 "read: 0 cpages 16 faults 1\n"
			 "device saw: match\n"
			 "read again: 0 cpages 16 faults 0\n"
			 "read a zero page: 0 cpages 1 faults 1\n"
			 "write read-only: EPERM\n"
			 "cpu sees: zeroes\n"
			 "write: 0 cpages 16 faults 1\n"
			 "cpu sees: match\n"
			 "migrate to device: 0 cpages 16 faults 0\n"
			 "device returned: match\n"
			 "cpu sees: match\n"
			 "migrate to device again: 0 cpages 16 faults 0\n"
			 "migrate half to system: 0 cpages 8 faults 0\n"
			 "migrate all to system: 0 cpages 8 faults 0\n"
			 "migrate to device for munmap: 0 cpages 16 faults 0\n"
			 "munmap: 0\n"
			 "page 5 to device 0: 0 cpages 1 faults 0\n"
			 "page 6 to device 1: 0 cpages 1 faults 0\n"
			 "snapshot dev0: 0 cpages 7 faults 0\n"
			 " ff ff 11 01 02 22 00\n"
			 "snapshot dev1: 0 cpages 7 faults 0\n"
			 " ff ff 11 01 02 00 22\n"
			 "snapshot wild buffer: EFAULT\n"
			 "migrate to device: 0 cpages 16 faults 0\n"
			 "snapshot before release: 0 cpages 2 faults 0\n"
			 " 22 22\n"
			 "release: 0 cpages 0 faults 0\n"
			 "snapshot after release: 0 cpages 2 faults 0\n"
			 " 02 02\n"
			 "cpu sees: match\n"
			 "exclusive: 0 cpages 16 faults 0\n"
			 "device read: match\n"
			 "snapshot exclusive: 0 cpages 2 faults 0\n"
			 " 00 00\n"
			 "check exclusive: EPERM\n"
			 "cpu reads page 0: 1023\n"
			 "check page 0: 0 cpages 0 faults 0\n"
			 "check all: EPERM\n"
			 "cpu sees: match\n"
			 "check all after the cpu: 0 cpages 0 faults 0\n"
			 "exclusive again: 0 cpages 16 faults 0\n"
			 "mprotect: 0\n"
			 "device write after mprotect: EPERM\n"
			 "cpu sees: match\n"
			 "exclusive before fork: 0 cpages 16 faults 0\n"
			 "child sees: match\n"
			 "parent sees: match\n"
			 "exclusive read-only: EBUSY\n"
			 "exclusive wild buffer: EFAULT\n"
			 "exclusive unmapped: EBUSY\n"
			 "migrate before fork: 0 cpages 16 faults 0\n"
			 "child sees: match\n"
			 "child wrote: match\n"
			 "snapshot after fork: 0 cpages 2 faults 0\n"
			 " 21 21\n"
			 "device read after fork: 0 cpages 16 faults 1\n"
			 "device saw: match\n"
			 "parent sees: match\n"
			 "unaligned: EINVAL\n"
			 "no pages: EINVAL\n"
			 "wrapping: EINVAL\n"
			 "absurd size: Cannot allocate memory\n"
			 "read unmapped: EFAULT\n"
			 "migrate unmapped: EINVAL\n"
			 "read PROT_NONE: EFAULT\n"
			 "wild buffer: EFAULT\n"
			 "wild command: EFAULT\n");
	expect_contains("--stats", r.err, "    device-migrate                48\n");
	expect_contains("--stats", r.err, "      accel0            0        9          80       81            1");
	expect_contains("--stats", r.err, "    device-exclusive              32\n");
	expect_not_contains("--stats", r.err, "gmem table");	/* the mirror has no logical table */
	expect_contains("--stats", r.err, "659456");
	result_free(&r);
}

/* guest/hmmcoherent on /dev/hmm_dmirror2 and 3, test_hmm's devices with
 * device-coherent memory (Linux 6.12 lib/test_hmm.c; the coherent variants
 * of hmm-tests.c).  MIGRATE_TO_DEV moves the 16 pages (cpages 16) and the
 * CPU's table maps the device's frames as they are: the CPU reads the data
 * in place, its writes are what the device reads without a fault (faults
 * 0: nothing invalidated its mapping), the device's writes are what the CPU
 * reads; a second MIGRATE_TO_DEV moves nothing (migrate_vma_collect skips a
 * coherent page without MIGRATE_VMA_SELECT_DEVICE_COHERENT) and reads the
 * 16 pages the device still maps; SNAPSHOT gives DEV_COHERENT_LOCAL|WRITE
 * (0x42) through this device and DEV_COHERENT_REMOTE|WRITE (0x52) through
 * the other (a private page of another device would be NONE);
 * MIGRATE_TO_SYS moves 16 back (WRITE, 0x02) then 0.  hmm-tests' snapshot
 * through devices 2 and 3 ends 42 52 and 52 42; RELEASE brings the pages
 * back.  At a fork the pages are shared copy-on-write: the parent's
 * entries are read-only (0x41), the child reads the data in place and its
 * writes copy; the parent's write after the child's exit reuses its page in
 * place (0x42 for page 0, 0x41 for page 1), and the device faults once to
 * map the range again (the fork's write protection invalidated it).
 * --stats: no CPU fault of kind device-migrate (nothing faults back);
 * accel2 moved 16 x 3 pages in, 16 + 17 back (the release takes page 5 of
 * the snapshot too), zero-filled page 5 (accel3 page 6), mirrored the 16
 * pages of the last READ: (48 + 33) x 4096 = 331,776 bytes over the link. */
Test(accel, device_coherent_memory_the_cpu_uses_in_place)
{
	struct result r = run_mmusim("--devices", "4", "--stats", GUEST("hmmcoherent"), NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out,
			 "open 2: 3\n"
			 "open 3: 4\n"
			 "migrate to device: 0 cpages 16 faults 0\n"
			 "device returned: match\n"
			 "cpu sees: match\n"
			 "device read after cpu writes: 0 cpages 16 faults 0\n"
			 "device saw: match\n"
			 "device write: 0 cpages 16 faults 0\n"
			 "cpu sees: match\n"
			 "migrate to device again: 0 cpages 16 faults 0\n"
			 "snapshot on device: 0 cpages 2 faults 0\n"
			 " 42 42\n"
			 "snapshot from the other: 0 cpages 2 faults 0\n"
			 " 52 52\n"
			 "migrate to system: 0 cpages 16 faults 0\n"
			 "snapshot after: 0 cpages 2 faults 0\n"
			 " 02 02\n"
			 "cpu sees: match\n"
			 "migrate to system again: 0 cpages 0 faults 0\n"
			 "munmap: 0\n"
			 "page 5 to device 0: 0 cpages 1 faults 0\n"
			 "page 6 to device 1: 0 cpages 1 faults 0\n"
			 "snapshot dev0: 0 cpages 7 faults 0\n"
			 " ff ff 11 01 02 42 52\n"
			 "snapshot dev1: 0 cpages 7 faults 0\n"
			 " ff ff 11 01 02 52 42\n"
			 "snapshot wild buffer: EFAULT\n"
			 "migrate to device: 0 cpages 16 faults 0\n"
			 "snapshot before release: 0 cpages 2 faults 0\n"
			 " 42 42\n"
			 "release: 0 cpages 0 faults 0\n"
			 "snapshot after release: 0 cpages 2 faults 0\n"
			 " 02 02\n"
			 "cpu sees: match\n"
			 "migrate before fork: 0 cpages 16 faults 0\n"
			 "child sees: match\n"
			 "child wrote: match\n"
			 "snapshot after fork: 0 cpages 2 faults 0\n"
			 " 41 41\n"
			 "parent sees: match\n"
			 "snapshot after a write: 0 cpages 2 faults 0\n"
			 " 42 41\n"
			 "device read after fork: 0 cpages 16 faults 1\n"
			 "device saw: match\n");
	expect_not_contains("--stats", r.err, "device-migrate");
	expect_contains("--stats", r.err, "      accel2            0        1          48       33            1         16");
	expect_contains("--stats", r.err, "      accel3            0        0           0        0            1          0");
	expect_contains("--stats", r.err, "331776");
	result_free(&r);
}

/* guest/hmmpagemap: the walks that do not fault see device entries as
 * Linux 6.12 does.  pagemap (Documentation/admin-guide/mm/pagemap.rst,
 * fs/proc/task_mmu.c pte_to_pagemap_entry): a present private page has
 * bits 63 (present) and 56 (exclusively mapped), flags 0x81; a
 * device-private entry is a swap entry, bit 62 alone (0x40), of swap type
 * SWP_DEVICE_WRITE (27 = 23 swap files + 1 hwpoison + 3 migration types,
 * include/linux/swap.h), SWP_DEVICE_READ (28) once mprotect made it
 * read-only, its frame (bits 5-54) the device's, beyond the CPU's memory; a
 * device-exclusive entry SWP_DEVICE_EXCLUSIVE_WRITE (29), then _READ (30),
 * naming the frame the page had when present.  mincore (mm/mincore.c: a
 * non-swap entry is resident) counts both as resident.  A CPU access
 * brings each back to a present entry (0x81). */
Test(accel, pagemap_and_mincore_see_device_entries)
{
	struct result r = run_mmusim("--devices", "1", GUEST("hmmpagemap"), NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out,
			 "open: 4\n"
			 "present: flags 81\n"
			 "mincore present: 0\n"
			 " 1 1\n"
			 "migrate to device: 0 cpages 2 faults 0\n"
			 "device-private: flags 40 swap type 27\n"
			 "its frame lies beyond the cpu's memory: yes\n"
			 "mincore device-private: 0\n"
			 " 1 1 1\n"
			 "mprotect: 0\n"
			 "device-private read-only: flags 40 swap type 28\n"
			 "cpu sees: match\n"
			 "back: flags 81\n"
			 "exclusive: 0 cpages 1 faults 0\n"
			 "device-exclusive: flags 40 swap type 29\n"
			 "it names the cpu's frame: yes\n"
			 "mincore device-exclusive: 0\n"
			 " 1\n"
			 "mprotect: 0\n"
			 "device-exclusive read-only: flags 40 swap type 30\n"
			 "cpu sees: match\n"
			 "back: flags 81\n");
	result_free(&r);
}

/* scripts/bench-devmem, make bench's section 11: every row under both
 * designs with the figures each design must give (hand-checked): one page
 * ping-ponged 100 times moves nothing under the mirror (one fault), under
 * gmem 99 + 1 zero-filled pages in, 100 back, 199 x 4096 = 815,104 link
 * bytes; the storm's 4,096 per-page invalidations, or 1 coalesced; the
 * logical table of the dense touch 13 nodes x 520 + 512 x 24 = 19,048 bytes
 * and of the sparse one 525 x 520 + 512 x 24 = 285,288, where the device's
 * table holds its root, one table at each of the next two levels and 64
 * last-level ones (one per 2 MiB of the 128 MiB): 67 x 4096 = 274,432. */
Test(accel, bench_devmem_gives_the_documented_rows, .timeout = 120)
{
	const char *argv[] = { GOLDEN_DIR "/../../scripts/bench-devmem", NULL };
	struct result r = run_argv(argv);

	expect_status(&r, 0);
	expect_contains("script", r.out, "ping-pong, 1 page x 100            hmm ");
	expect_contains("script", r.out, "       1      0+0          0      0/0            0   36864   16384       -\n");
	expect_contains("script", r.out, "     100     99+1        100    100/0       815104 ");
	expect_contains("script", r.out, "munmap 4096 pages, per page        gmem ");
	expect_contains("script", r.out, "   4096/0            0 ");
	expect_contains("script", r.out, "      0/1            0 ");
	expect_contains("script", r.out, "   16384   19048\n");
	expect_contains("script", r.out, "  274432  285288\n");
	result_free(&r);
}

/* guest/hmmexclusive: EXCLUSIVE beyond private anonymous memory, as Linux
 * 6.12 has it (make_device_exclusive_range: a write fault through GUP,
 * then folio_make_device_exclusive, anonymous folios only).  A private
 * mapping of a memfd: the write fault gives each page an anonymous copy,
 * so the 16 pages become exclusive (cpages 16) with the file's data (4 x i),
 * CHECK_EXCLUSIVE is EPERM until the CPU has read them, and the CPU's
 * writes stay private (the file keeps 4 at int 1); a shared mapping of the
 * same file, or shared anonymous memory, has no anonymous page: EBUSY. */
Test(accel, exclusive_takes_what_linux_takes)
{
	struct result r = run_mmusim("--devices", "1", GUEST("hmmexclusive"), NULL);

	expect_status(&r, 0);
	cr_expect_str_eq(r.out,
			 "open: 4\n"
			 "write the file: 0\n"
			 "exclusive private file mapping: 0 cpages 16 faults 0\n"
			 "device read: match\n"
			 "check exclusive: EPERM\n"
			 "cpu sees: match\n"
			 "check after the cpu: 0 cpages 0 faults 0\n"
			 "the file still holds: 4\n"
			 "exclusive shared file mapping: EBUSY\n"
			 "exclusive shared anonymous: EBUSY\n");
	result_free(&r);
}

/* The driver's files exist only over the HMM mirror's devices. */
Test(accel, no_dmirror_without_the_mirror)
{
	struct result r = run_mmusim("--devices", "1", "--device-mm", "gmem", GUEST("hmm"), NULL);

	expect_status(&r, 0);
	expect_contains("output", r.out, "open: ENOENT\n");
	result_free(&r);
}

/* --explain tells a CPU fault that brought a page back from a device, and
 * its cost: trap entry and exit (100 + 80), the page's copy (500) and its
 * entry (40) on the CPU, and the CPU's wait for the device's per-page TLB
 * invalidation (the [device] profile's tlb_inval_page, 1000) as a step of
 * its own: 1720 cycles. */
Test(accel, explain_tells_a_device_migrate_fault)
{
	struct result r = run_mmusim("--devices", "1", "--device-mm", "gmem", "--explain", "all", GUEST("gmem"),
				     NULL);

	expect_status(&r, 0);
	expect_contains("--explain", r.err,
			"handler: device-migrate, the page was in a device's memory: migrated back to CPU memory\n");
	expect_contains("--explain", r.err, "  cost: trap_entry 100 + trap_exit 80 + page_copy 500 + "
			"pte_install 40 + device_wait 1000 = 1720 cycles (860 ns at 2.00 GHz)\n");
	result_free(&r);
}

/* The sum of the members of a report's breakdown object. */
static double breakdown_sum(JsonObject *breakdown)
{
	GList *members = json_object_get_members(breakdown);
	double sum = 0;

	for (GList *m = members; m; m = m->next)
		sum += json_object_get_double_member(breakdown, m->data);
	g_list_free(members);
	return sum;
}

/* --report's mean breakdown lists device_wait as --explain does: the
 * device-migrate fault's 1720 cycles above, 1000 of them device_wait; and
 * every kind's steps sum to its mean. */
Test(accel, report_breakdown_lists_device_wait)
{
	struct result r = run_mmusim("--devices", "1", "--device-mm", "gmem", "--report", "run.json", GUEST("gmem"),
				     NULL);
	gchar *path = tmp_path("run.json");
	JsonNode *root;
	JsonArray *rows;
	bool seen = false;

	expect_status(&r, 0);
	root = read_report(path);
	rows = json_object_get_array_member(json_node_get_object(root), "latencies");
	for (guint i = 0; i < json_array_get_length(rows); i++) {
		JsonObject *row = json_array_get_object_element(rows, i);
		JsonObject *breakdown = json_object_get_object_member(row, "breakdown_cycles");
		double mean = json_object_get_double_member(row, "mean_cycles");
		const char *kind = json_object_get_string_member(row, "kind");

		cr_expect_float_eq(breakdown_sum(breakdown), mean, 1e-6 * mean, "%s: steps sum to the mean", kind);
		if (strcmp(kind, "fault:device-migrate"))
			continue;
		seen = true;
		cr_expect_float_eq(mean, 1720, 1e-9);
		cr_expect(json_object_has_member(breakdown, "device_wait"));
		cr_expect_float_eq(json_object_get_double_member(breakdown, "device_wait"), 1000, 1e-9);
	}
	cr_expect(seen, "a device-migrate fault in the report");
	json_node_unref(root);
	g_free(path);
	result_free(&r);
}
