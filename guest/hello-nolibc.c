/* hello-nolibc: the smallest guest: no C library, two raw system calls. */
#include "mmusim.h"

#define NR_write 64
#define NR_exit_group 94

static const char message[] = "Hello from a static AArch64 guest without libc\n";

void _start(void)
{
	mmusim_syscall3(NR_write, 1, (long)message, sizeof(message) - 1);
	mmusim_syscall3(NR_exit_group, 0, 0, 0);
	for (;;)
		;
}
