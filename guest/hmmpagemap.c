/*
 * hmmpagemap: what the walks that look at entries without faulting see of
 * device-private and device-exclusive entries (Linux 6.12): mincore counts
 * them resident (mincore_pte_range: a non-swap entry), /proc/self/pagemap
 * shows them as swap entries (PM_SWAP, the swap type in bits 0-4, the
 * entry's frame in bits 5-54; never PM_PRESENT).  Over /dev/hmm_dmirror0
 * (guest/test_hmm_uapi.h).  One line per answer.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "hmmtest.h"

#define PM_PFRAME_MASK ((UINT64_C(1) << 55) - 1)

static int pagemap;

static uint64_t entry_of(const void *addr)
{
	uint64_t e = 0;

	pread(pagemap, &e, sizeof(e), (off_t)((uintptr_t)addr / PG * sizeof(e)));
	return e;
}

/* The flag bits 56-63 in hex, the swap type (bits 0-4) when bit 62 says
 * it is one. */
static void show_entry(const char *what, const void *addr)
{
	uint64_t e = entry_of(addr);

	printf("%s: flags %02x", what, (unsigned)(e >> 56));
	if (e >> 62 & 1)
		printf(" swap type %u", (unsigned)(e & 31));
	printf("\n");
}

static void show_mincore(const char *what, void *addr, int n)
{
	unsigned char v[NPAGES];

	show(what, mincore(addr, (size_t)n * PG, v));
	for (int i = 0; i < n; i++)
		printf(" %u", v[i]);
	printf("\n");
}

int main(void)
{
	int *mirror = malloc(SIZE), *p, *q;
	struct sysinfo si;
	uint64_t frame, ram_frames;

	sysinfo(&si);
	ram_frames = (uint64_t)si.totalram * si.mem_unit / PG;
	pagemap = open("/proc/self/pagemap", O_RDONLY);
	fd = open("/dev/hmm_dmirror0", O_RDWR);
	show("open", fd);

	p = anon(PROT_READ | PROT_WRITE);
	fill(p, 1, SIZE / 4);
	show_entry("present", p);
	show_mincore("mincore present", p, 2);
	show_cmd("migrate to device", command(HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror, 2));
	show_entry("device-private", p);
	frame = (entry_of(p) & PM_PFRAME_MASK) >> 5;
	printf("its frame lies beyond the cpu's memory: %s\n", frame >= ram_frames ? "yes" : "no");
	show_mincore("mincore device-private", p, 3);
	show("mprotect", mprotect(p, PG, PROT_READ));
	show_entry("device-private read-only", p);
	printf("cpu sees: %s\n", matches(p, 1, SIZE / 4));
	show_entry("back", p);

	q = anon(PROT_READ | PROT_WRITE);
	fill(q, 3, SIZE / 4);
	frame = (entry_of(q) & PM_PFRAME_MASK);
	show_cmd("exclusive", command(HMM_DMIRROR_EXCLUSIVE, q, mirror, 1));
	show_entry("device-exclusive", q);
	printf("it names the cpu's frame: %s\n",
	       (entry_of(q) & PM_PFRAME_MASK) >> 5 == frame ? "yes" : "no");
	show_mincore("mincore device-exclusive", q, 1);
	show("mprotect", mprotect(q, PG, PROT_READ));
	show_entry("device-exclusive read-only", q);
	printf("cpu sees: %s\n", matches(q, 3, SIZE / 4));
	show_entry("back", q);
	return 0;
}
