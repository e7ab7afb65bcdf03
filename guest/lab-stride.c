/*
 * lab-stride PAGES PASSES: the program of `mmusim lab tlb-reach`
 * (lab/tlb_reach.c).
 *
 * Maps PAGES anonymous pages at 0x10000000 with MAP_POPULATE (present
 * before the first access), then, inside mmusim's region of interest,
 * makes PASSES passes loading one word from offset 0 of every page in
 * ascending order.  Those loads are the region's only data accesses.
 */
#include <stdlib.h>
#include <sys/mman.h>

#include "mmusim.h"

#define BUF 0x10000000UL
#define PAGE 4096

int main(int argc, char **argv)
{
	long pages, passes, sum = 0;

	if (argc != 3)
		return 2;
	pages = atol(argv[1]);
	passes = atol(argv[2]);
	if (mmap((void *)BUF, pages * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE, -1, 0) != (void *)BUF)
		return 1;
	mmusim_roi_begin();
	for (long p = 0; p < passes; p++)
		for (long i = 0; i < pages; i++)
			sum += *(volatile long *)(BUF + i * PAGE);
	mmusim_roi_end();
	return sum != 0;
}
