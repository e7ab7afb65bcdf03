/*
 * jump: calls a function pointer to an address where nothing is mapped
 * (0x200000000), so the instruction fetch faults: SIGSEGV, SEGV_MAPERR, with
 * the pc and the fault address both at that address.
 */
#include <stdint.h>
#include <stdio.h>

#define NOWHERE UINT64_C(0x200000000)

int main(void)
{
	void (*volatile fn)(void) = (void (*)(void))(uintptr_t)NOWHERE;

	printf("calling %#llx\n", (unsigned long long)NOWHERE);
	fflush(stdout);
	fn();
	printf("returned from nowhere\n");
	return 1;
}
