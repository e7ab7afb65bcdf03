/*
 * gdbtarget: the program the gdb stub's tests debug (tests/integration/
 * test_gdb.c): a known global and a known function.
 *
 * main sets gdb_counter to 40 + argc (41 without arguments), then calls
 * bump(2), which adds its argument to it, and prints "gdb_counter N"
 * (43 when nobody interferes).  gdb_untouched is a megabyte nobody
 * touches: its pages stay unmapped.  Built with -g -O0 for gdb.
 */
#include <stdio.h>

long gdb_counter;
char gdb_untouched[1 << 20];

__attribute__((noinline)) long bump(long by)
{
	gdb_counter += by;
	return gdb_counter;
}

int main(int argc, char **argv)
{
	(void)argv;
	gdb_counter = 40 + argc;
	printf("gdb_counter %ld\n", bump(2));
	return 0;
}
