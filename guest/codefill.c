/*
 * codefill: make the emulator translate a lot of fresh code, fast.
 *
 *   codefill ROUNDS
 *
 * Writes a function of CODE_PAGES pages into an anonymous mapping: pairs of
 * `ld4 {v0.16b-v3.16b}, [x1]` (64 one-byte loads: large translated code)
 * and `add x0, x0, #k`, then `ret`.  Each round rewrites every immediate k
 * (so the old translations are stale), makes the mapping executable, calls
 * the function and checks that it returned the sum of the immediates it
 * holds.  Prints one line per failing round and a last line with the number
 * of rounds and the total of all results; the output depends only on ROUNDS.
 *
 * Exit status 0 when every round returned its expected sum, 1 otherwise.
 * Meant for emulators: there is no instruction-cache maintenance (the C
 * library's __builtin___clear_cache reads CTR_EL0, which mmusim traps).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define CODE_PAGES	64
#define CODE_BYTES	(CODE_PAGES * 4096)
#define PAIRS		((CODE_BYTES / 4 - 1) / 2)
#define INSN_LD4_X1	UINT32_C(0x4c400020)	/* ld4 {v0.16b-v3.16b}, [x1] */
#define INSN_ADD_X0	UINT32_C(0x91000000)	/* add x0, x0, #imm12 */
#define INSN_RET	UINT32_C(0xd65f03c0)

typedef uint64_t (*code_fn)(uint64_t acc, const uint8_t *scratch);

/* The immediate of pair i in round r: 1..4095, different every round. */
static uint32_t immediate(long r, long i)
{
	return (uint32_t)((r * 131 + i * 7) % 4095 + 1);
}

/* Write round r's code; return the sum its immediates add up to. */
static uint64_t write_code(uint32_t *code, long r)
{
	uint64_t sum = 0;

	for (long i = 0; i < PAIRS; i++) {
		code[2 * i] = INSN_LD4_X1;
		code[2 * i + 1] = INSN_ADD_X0 | immediate(r, i) << 10;
		sum += immediate(r, i);
	}
	code[2 * PAIRS] = INSN_RET;
	return sum;
}

int main(int argc, char **argv)
{
	static uint8_t scratch[64];
	long rounds = argc == 2 ? atol(argv[1]) : 0, bad = 0;
	uint64_t total = 0;
	uint32_t *code;

	if (rounds <= 0) {
		fprintf(stderr, "usage: codefill ROUNDS\n");
		return 2;
	}
	code = mmap(NULL, CODE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	for (long r = 0; r < rounds; r++) {
		uint64_t expected, got;

		if (mprotect(code, CODE_BYTES, PROT_READ | PROT_WRITE)) {
			perror("mprotect");
			return 2;
		}
		expected = write_code(code, r);
		if (mprotect(code, CODE_BYTES, PROT_READ | PROT_EXEC)) {
			perror("mprotect");
			return 2;
		}
		got = ((code_fn)(uintptr_t)code)(0, scratch);
		if (got != expected) {
			printf("round %ld: got %llu, expected %llu\n", r, (unsigned long long)got,
			       (unsigned long long)expected);
			bad++;
		}
		total += got;
	}
	printf("%ld rounds, total %llu\n", rounds, (unsigned long long)total);
	return bad ? 1 : 0;
}
