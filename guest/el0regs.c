/*
 * el0regs: what Linux lets EL0 do with system registers.  Reads CTR_EL0 and
 * DCZID_EL0, runs code written into a buffer after __builtin___clear_cache
 * (DC CVAU / IC IVAU at EL0), rewrites it and runs it again, reads the
 * generic timer's frequency and virtual counter (monotonic; under mmusim
 * simulated time, CNTVCT_EL0 = CLOCK_MONOTONIC / 16 ns).  '#' lines depend
 * on the emulator's CPU model or on time.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

#define MOV_W0(imm)	(UINT32_C(0x52800000) | (uint32_t)(imm) << 5)
#define RET		UINT32_C(0xd65f03c0)

static uint64_t cntvct(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static long long monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int run_jit(uint32_t *code, int imm)
{
	code[0] = MOV_W0(imm);
	code[1] = RET;
	__builtin___clear_cache((char *)code, (char *)(code + 2));
	return ((int (*)(void))code)();
}

int main(void)
{
	uint64_t ctr, dczid, freq, first, prev, v;
	uint32_t *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long long before, after;
	int monotonic = 1;

	setvbuf(stdout, NULL, _IONBF, 0);
	asm volatile("mrs %0, ctr_el0" : "=r"(ctr));
	asm volatile("mrs %0, dczid_el0" : "=r"(dczid));
	printf("# ctr_el0 %#llx dczid_el0 %#llx\n", (unsigned long long)ctr, (unsigned long long)dczid);
	printf("# ctr_el0 line sizes: I %d D %d bytes\n", 4 << (ctr & 15), 4 << ((ctr >> 16) & 15));
	printf("jit: %d\n", run_jit(code, 42));
	printf("jit rewritten: %d\n", run_jit(code, 43));
	asm volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	printf("# cntfrq_el0 %llu\n", (unsigned long long)freq);
	first = prev = cntvct();
	for (int i = 0; i < 1000; i++) {
		v = cntvct();
		monotonic &= v >= prev;
		prev = v;
	}
	printf("cntvct_el0 monotonic: %s, advances: %s\n", monotonic ? "yes" : "no",
	       prev > first ? "yes" : "no");
	printf("# cntvct_el0 first read %llu\n", (unsigned long long)first);
	before = monotonic_ns();
	v = cntvct();
	after = monotonic_ns();
	printf("# counter within CLOCK_MONOTONIC reads: %s\n",
	       (uint64_t)before * freq / 1000000000 <= v && v <= (uint64_t)after * freq / 1000000000 ?
	       "yes" : "no");
	return 0;
}
