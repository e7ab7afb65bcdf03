/*
 * The memory-management calls of issue 10 (mlock family, mincore, msync,
 * madvise advice, mremap DONTUNMAP and old size 0, SysV shared memory,
 * memory policy, protection keys, vm.max_map_count), each section of
 * guest/mmcalls run under mmusim and, built for this host, under the real
 * kernel: the two must print the same.  Lines the man pages fix are checked
 * on both, so a host kernel that changed its mind shows up as such.
 */
#include <string.h>

#include "harness.h"

TestSuite(mmcalls, .init = harness_setup, .fini = harness_teardown, .timeout = TEST_TIMEOUT);

/* Section `section` under mmusim and on the host: the same output, which
 * holds every line of `known` (NULL-terminated). */
static void expect_like_linux(const char *section, const char *const *known)
{
	struct result m = run_mmusim(GUEST("mmcalls"), section, NULL);
	struct result h = run_argv((const char *const[]){ HOST_MMCALLS_PATH, section, NULL });

	expect_status(&m, 0);
	cr_expect_eq(h.status, 0, "the host run failed:\n%s", h.err);
	cr_expect_str_eq(m.out, h.out, "section %s: mmusim (first) and the host kernel differ", section);
	for (const char *const *line = known; *line; line++) {
		gchar *with_nl = g_strconcat(*line, "\n", NULL);

		expect_contains("the host kernel's output", h.out, with_nl);
		expect_contains("mmusim's output", m.out, with_nl);
		g_free(with_nl);
	}
	result_free(&m);
	result_free(&h);
}

/* mlock(2): locking populates, MLOCK_ONFAULT does not; holes and unmapped
 * ranges are ENOMEM; mlockall(2) flags 0 or MCL_ONFAULT alone are EINVAL;
 * MCL_FUTURE locks (and populates) later mappings; smaps shows the lock
 * (Locked, VmFlags lo; proc(5)) and status VmLck counts it. */
Test(mmcalls, mlock)
{
	expect_like_linux("mlock", (const char *const[]){
		"after mlock: 00110000", "after mlock2 onfault: 00110000",
		"locked part: Pss 8 kB, Locked 8 kB, VmFlags has  lo", "locked part: VmLck 8 kB",
		"mlock2 bad flags: EINVAL", "mlock over a hole: ENOMEM", "mlock unmapped: ENOMEM",
		"mlock wrapping range: EINVAL", "mlock length rounding to 0: 0",
		"mlockall 0: EINVAL", "mlockall ONFAULT alone: EINVAL",
		"mapped after MCL_FUTURE: 1111", "mapped after munlockall: 0000", "MAP_LOCKED: 1111",
		NULL });
}

/* mincore(2): EINVAL for an unaligned start, ENOMEM for unmapped pages or
 * a range beyond user space, EFAULT for a bad vector. */
Test(mmcalls, mincore)
{
	expect_like_linux("mincore", (const char *const[]){
		"two touched: 0101", "mincore unaligned: EINVAL", "mincore unmapped: ENOMEM",
		"mincore bad vector: EFAULT", "mincore beyond user space: ENOMEM",
		"mincore over a hole: ENOMEM", NULL });
}

/* msync(2): MS_SYNC with MS_ASYNC, unknown flags and unaligned addresses
 * are EINVAL; unmapped is ENOMEM; MS_INVALIDATE on locked memory EBUSY. */
Test(mmcalls, msync)
{
	expect_like_linux("msync", (const char *const[]){
		"msync SYNC|ASYNC: EINVAL", "msync bad flag: EINVAL", "msync unaligned: EINVAL",
		"msync unmapped: ENOMEM", "msync over a hole: ENOMEM",
		"msync INVALIDATE locked: EBUSY", NULL });
}

/* madvise(2): the advice that changes contents or fork, the populate
 * advice's errno (as the madv_populate selftest expects), unknown advice;
 * mincore(2) of the program's own file, whose pages the page cache holds
 * whether mapped or not (MADV_DONTNEED unmaps, the cache keeps them). */
Test(mmcalls, madvise)
{
	expect_like_linux("madvise", (const char *const[]){
		"after POPULATE: 11001100", "byte after PAGEOUT: 42", "unknown advice 99: EINVAL",
		"POPULATE_WRITE read-only: EINVAL", "POPULATE_READ write-only: EINVAL",
		"POPULATE_WRITE write-only: 0", "POPULATE_READ over a hole: ENOMEM",
		"POPULATE_READ beyond end of file: EFAULT", "last file page and the one beyond: 10",
		"own file, first pages untouched: 1111", "own file, first pages after DONTNEED: 1111",
		"wipeonfork: child read 0", "keeponfork: child read 7",
		"wiped on fork: Pss 4 kB, Locked 0 kB, VmFlags has  wf",
		"not copied on fork: Pss 4 kB, Locked 0 kB, VmFlags has  dc",
		"WIPEONFORK on shared: EINVAL", "dontfork: child killed by signal 11",
		"REMOVE private: EINVAL", "REMOVE private file: EACCES", "shared byte after REMOVE: 0", "DONTNEED locked: EINVAL",
		"shared after DONTNEED (the object keeps it): 0110", "shared byte after DONTNEED: 1",
		"process_madvise bad pidfd: EBADF", "process_madvise COLD, two ranges: 12288",
		"process_madvise then a hole: 4096", "process_madvise a hole first: ENOMEM",
		"process_madvise child COLD: 4096", "process_madvise child DONTNEED: EINVAL", NULL });
}

/* mremap(2): MREMAP_DONTUNMAP leaves the old range mapped and empty, needs
 * MAYMOVE and equal sizes; old size 0 duplicates a shared mapping only. */
Test(mmcalls, mremap)
{
	expect_like_linux("mremap", (const char *const[]){
		"new range reads 5, old range reads 0", "DONTUNMAP without MAYMOVE: EINVAL",
		"DONTUNMAP growing: EINVAL", "DONTUNMAP unmapped: EFAULT",
		"copy reads 3, original sees 4", "old size 0 of private: EINVAL", NULL });
}

/* shmget(2), shmat(2), shmdt(2), shmctl(2). */
Test(mmcalls, sysv_shm)
{
	expect_like_linux("shm", (const char *const[]){
		"the other attach reads 17", "IPC_STAT size 12289 nattch 2 mode 600",
		"shmdt again: EINVAL", "still reads 17", "IPC_EXCL on existing: EEXIST",
		"missing key: ENOENT", "after detach and re-attach reads 1", "maps names it: yes",
		"attached segment: Pss 4 kB, Locked 0 kB, VmFlags has  sh",
		NULL });
}

/* set_mempolicy(2), mbind(2), get_mempolicy(2) on one node. */
Test(mmcalls, mempolicy)
{
	expect_like_linux("mempolicy", (const char *const[]){
		"mode 2 nodes 1", "set BIND node 1: EINVAL", "mbind BIND node 1: EINVAL",
		"set DEFAULT with a mask of maxnode 0: EINVAL",
		"allowed 1", NULL });
}

/* vm.max_map_count (65530): mmap stops above it, splits at it. */
Test(mmcalls, max_map_count)
{
	expect_like_linux("maxmap", (const char *const[]){
		"mmap stops with ENOMEM at 65531 VMAs", "mprotect its middle: ENOMEM",
		"munmap its middle: ENOMEM", "munmap its first page: 0", NULL });
}

/* Protection keys as arm64 Linux without POE answers (its mm_pkey_alloc
 * finds no key: ENOSPC); x86-64 without PKU differs (EINVAL), so this one
 * is checked against the arm64 answers only. */
Test(mmcalls, pkeys_as_arm64_without_poe)
{
	struct result m = run_mmusim(GUEST("mmcalls"), "pkeys", NULL);

	expect_status(&m, 0);
	cr_expect_str_eq(m.out, "pkey_alloc: ENOSPC\n"
				"pkey_alloc bad flags: EINVAL\n"
				"pkey_alloc bad rights: EINVAL\n"
				"pkey_free 0: EINVAL\n"
				"pkey_free 1: EINVAL\n"
				"pkey_mprotect -1: 0\n"
				"pkey_mprotect 0: EINVAL\n"
				"pkey_mprotect 1: EINVAL\n");
	result_free(&m);
}
