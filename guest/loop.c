/*
 * loop: never ends on its own, for --max-insns.  The counter is volatile so
 * the compiler keeps the loop's loads and stores.
 */
#include <stdio.h>

int main(void)
{
	volatile unsigned long counter = 0;

	printf("looping forever\n");
	fflush(stdout);
	for (;;)
		counter++;
}
