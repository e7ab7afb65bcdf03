/*
 * msharev3: the two mshare RFC v3 quirks about mapping a region (the design
 * note, ../shared/notes/designs.md section 2), shown against the correct
 * behaviour: munmap of the mapping leaves the linked top-level entry in
 * place under v3, so a later load still reaches the populated page, and
 * v3 ignores the file offset of mmap, so a mapping at an offset other than
 * its place in the region aliases the host's addresses.  One line per
 * step; the expected lines, with and without --mshare-v3-bugs, are in
 * tests/integration/test_mshare.c.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fdtest.h"
#include "msharefs.h"
#include "mshareutil.h"

#define GiB (UINT64_C(1) << 30)
#define SPAN (512 * GiB)		/* PGDIR_SIZE: 4 KiB pages, 4 levels */
#define START (UINT64_C(2) << 40)	/* the region: two slots from 2 TiB */
#define MDIR "/sys/fs/mshare/"

static int region;

/* Two slots, 1 MiB of memory at the start of each. */
static void set_up(void)
{
	struct mshare_info info = { START, 2 * SPAN };
	struct mshare_create low = { START, 1 << 20, 0, PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_FIXED, -1 };
	struct mshare_create high = low;

	high.addr = START + SPAN;
	region = open(MDIR "v3", O_RDWR | O_CREAT | O_EXCL, 0600);
	show("set size", ioctl(region, MSHAREFS_SET_SIZE, &info));
	show("create low", ioctl(region, MSHAREFS_CREATE_MAPPING, &low));
	show("create high", ioctl(region, MSHAREFS_CREATE_MAPPING, &high));
}

/* mmap at `addr` with `offset`: 0 where asked, else the error. */
static long map(uint64_t addr, uint64_t offset)
{
	void *p = mmap((void *)addr, SPAN, PROT_READ | PROT_WRITE, MAP_SHARED, region,
		       (off_t)offset);

	return p == MAP_FAILED ? -1 : p == (void *)addr ? 0 : 1;
}

/* A child maps the region, writes the first byte of each slot, unmaps it
 * and loads the low byte again: SIGSEGV, unless the link stayed. */
static void load_after_munmap(void)
{
	volatile char *low = (char *)START, *high = (char *)(START + SPAN);

	if (map(START, 0) || map(START + SPAN, SPAN))
		_exit(2);
	*low = 'L';
	*high = 'H';
	if (munmap((void *)START, 2 * SPAN))
		_exit(3);
	_exit(*low == 'L' ? 0 : 4);
}

/* Map one slot at `addr` with `offset` and say which slot's byte it reads. */
static void map_and_read(const char *what, uint64_t addr, uint64_t offset)
{
	long ret = map(addr, offset);

	if (ret)
		show(what, ret);
	else
		printf("%s: reads %c\n", what, *(volatile char *)addr);
	munmap((void *)addr, SPAN);
}

int main(void)
{
	set_up();
	show_child_end("load after munmap", load_after_munmap);
	map_and_read("high slot at its offset", START + SPAN, SPAN);
	map_and_read("high slot at offset 0", START + SPAN, 0);
	map_and_read("low slot at the high offset", START, SPAN);
	map_and_read("low slot at offset 0", START, 0);
	return 0;
}
