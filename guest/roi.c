/*
 * roi: a benchmark that marks its measured phase with mmusim's region of
 * interest (guest/mmusim.h), doing other work outside it.  Run under mmusim
 * only (the calls are mmusim's own; a Linux kernel answers ENOSYS).
 *
 *   roi          two intervals; the region must count exactly:
 *                  interval 1: REGION1_PAGES first writes to fresh anonymous
 *                              pages (anon-zero faults), REGION1_CALLS getppid
 *                  interval 2: REGION2_PAGES and REGION2_CALLS the same way
 *                and outside it OUTSIDE_PAGES and OUTSIDE_CALLS more, before,
 *                between and after.  Then the misuses: end with no region
 *                open, begin twice (the second must not disturb the first).
 *   roi reset    one interval of REGION1_PAGES/REGION1_CALLS, then
 *                mmusim_reset_stats() inside a second interval after
 *                REGION1_PAGES/REGION1_CALLS more, then REGION2_PAGES and
 *                REGION2_CALLS: the region must count only the last.
 *
 *   roi snapshots  a snapshot (tag 1) after the warm-up, REGION1_PAGES
 *                first writes, a dump (tag 2), REGION2_PAGES first writes and
 *                REGION2_CALLS getppid, a snapshot (tag 3): the differences
 *                between the snapshots' figures are those counts.
 *   roi limit    snapshots until mmusim refuses one: prints how many it took
 *                and the refusal (-ENOSPC after MMUSIM_MAX_SNAPSHOTS).
 *
 * Each phase runs `touch_and_call` on pages mapped before it starts, so that
 * its only faults are the first writes: the function's code and the stack
 * it uses are faulted in by a warm-up call before the first region.  It
 * prints each call's answer (-errno for the misuses).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mmusim.h"

#define PAGE 4096
#define REGION1_PAGES 8
#define REGION1_CALLS 3
#define REGION2_PAGES 5
#define REGION2_CALLS 2
#define OUTSIDE_PAGES 6
#define OUTSIDE_CALLS 4

/* Write the first byte of `pages` pages at `p`; make `calls` getppid calls
 * (raw: never answered by the C library). */
static __attribute__((noinline)) void touch_and_call(char *p, int pages, int calls)
{
	for (int i = 0; i < pages; i++)
		((volatile char *)p)[i * PAGE] = 1;
	for (int i = 0; i < calls; i++)
		mmusim_syscall3(__NR_getppid, 0, 0, 0);
}

static char *map_pages(int pages)
{
	char *p = mmap(NULL, (size_t)pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("roi: mmap");
		_exit(1);
	}
	return p;
}

static int run_intervals(void)
{
	char *warm = map_pages(1), *r1 = map_pages(REGION1_PAGES), *r2 = map_pages(REGION2_PAGES);
	char *out = map_pages(OUTSIDE_PAGES);
	long begin1, end1, begin2, end2, stray_end, nested, end3;

	touch_and_call(warm, 1, 1);
	touch_and_call(out, 2, OUTSIDE_CALLS / 2);
	begin1 = mmusim_roi_begin();
	touch_and_call(r1, REGION1_PAGES, REGION1_CALLS);
	end1 = mmusim_roi_end();
	touch_and_call(out + 2 * PAGE, 2, OUTSIDE_CALLS / 2);
	begin2 = mmusim_roi_begin();
	touch_and_call(r2, REGION2_PAGES, REGION2_CALLS);
	end2 = mmusim_roi_end();
	touch_and_call(out + 4 * PAGE, 2, 0);
	stray_end = mmusim_roi_end();
	printf("begin %ld end %ld begin %ld end %ld\n", begin1, end1, begin2, end2);
	printf("end without begin: %ld\n", stray_end);
	/* A nested begin fails and leaves the region as it was: open, empty. */
	begin1 = mmusim_roi_begin();
	nested = mmusim_roi_begin();
	end3 = mmusim_roi_end();
	printf("begin %ld, nested begin: %ld, end %ld\n", begin1, nested, end3);
	return 0;
}

static int run_reset(void)
{
	char *warm = map_pages(1), *a = map_pages(REGION1_PAGES), *b = map_pages(REGION1_PAGES);
	char *c = map_pages(REGION2_PAGES);
	long ret[5];

	touch_and_call(warm, 1, 1);
	ret[0] = mmusim_roi_begin();
	touch_and_call(a, REGION1_PAGES, REGION1_CALLS);
	ret[1] = mmusim_roi_end();
	ret[2] = mmusim_roi_begin();
	touch_and_call(b, REGION1_PAGES, REGION1_CALLS);
	ret[3] = mmusim_reset_stats();
	touch_and_call(c, REGION2_PAGES, REGION2_CALLS);
	ret[4] = mmusim_roi_end();
	printf("begin %ld end %ld begin %ld reset %ld end %ld\n", ret[0], ret[1], ret[2], ret[3], ret[4]);
	return 0;
}

static int run_snapshots(void)
{
	char *warm = map_pages(1), *a = map_pages(REGION1_PAGES), *b = map_pages(REGION2_PAGES);
	long ret[3];

	touch_and_call(warm, 1, 1);
	ret[0] = mmusim_snapshot_stats(1);
	touch_and_call(a, REGION1_PAGES, 0);
	ret[1] = mmusim_dump_stats(2);
	touch_and_call(b, REGION2_PAGES, REGION2_CALLS);
	ret[2] = mmusim_snapshot_stats(3);
	printf("snapshot %ld dump %ld snapshot %ld\n", ret[0], ret[1], ret[2]);
	return 0;
}

static int run_limit(void)
{
	long taken = 0, ret;

	while ((ret = mmusim_snapshot_stats(taken)) == 0)
		taken++;
	printf("snapshots taken %ld, then %ld\n", taken, ret);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "reset"))
		return run_reset();
	if (argc > 1 && !strcmp(argv[1], "snapshots"))
		return run_snapshots();
	if (argc > 1 && !strcmp(argv[1], "limit"))
		return run_limit();
	return run_intervals();
}
