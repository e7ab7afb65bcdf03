/*
 * echoargs: an interpreter for "#!" script tests: prints its argument
 * vector, one element a line, and the length of each (a #! argument keeps
 * inner blanks; trailing ones are dropped).  Builds for the host too.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] (%zu) [%s]\n", i, strlen(argv[i]), argv[i]);
	return 0;
}
