/*
 * gdbtarget: the program the gdb stub's tests debug (tests/integration/
 * test_gdb.c): known globals and a known function.
 *
 * main sets gdb_counter to 40 + argc (41 without arguments), then calls
 * bump(2, 1.5), which adds 2 to it and keeps 1.5 in gdb_scale, and prints
 * "gdb_counter N" and "gdb_scale S" (43 and 1.5 when nobody interferes).
 * gdb_untouched is a megabyte nobody touches: its pages stay unmapped.
 * Built with -g -O0 for gdb.
 */
#include <stdio.h>

long gdb_counter;
double gdb_scale;
char gdb_untouched[1 << 20];

__attribute__((noinline)) long bump(long by, double scale)
{
	gdb_counter += by;
	gdb_scale = scale;
	return gdb_counter;
}

int main(int argc, char **argv)
{
	(void)argv;
	gdb_counter = 40 + argc;
	printf("gdb_counter %ld\n", bump(2, 1.5));
	printf("gdb_scale %g\n", gdb_scale);
	return 0;
}
