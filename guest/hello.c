/*
 * hello: the smallest guest with a C library: stdio on glibc, its
 * arguments echoed one per line.  guest.mk builds it static as hello and
 * without -static as hello-dynamic, a dynamically linked executable that
 * mmusim must refuse with a clear message.
 */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("Hello from an AArch64 guest with glibc\n");
	for (int i = 1; i < argc; i++)
		printf("argument %d: %s\n", i, argv[i]);
	return 0;
}
