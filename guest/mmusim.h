/*
 * mmusim.h: what a guest program needs to talk to mmusim beyond Linux.
 *
 * mmusim answers the Linux arm64 system calls.  Calls of its own (the
 * designs it models: address-space switching, mshare, userfaultfd, device
 * memory) get numbers from MMUSIM_SYSCALL_BASE up, well clear of Linux's
 * table, and are listed here as they are added (mmusim's dispatcher takes
 * numbers below 2048; an unregistered one answers ENOSYS).  A guest can tell it runs
 * under mmusim from uname(2): the release ends in "-mmusim".
 */
#ifndef MMUSIM_GUEST_H
#define MMUSIM_GUEST_H

#define MMUSIM_SYSCALL_BASE 1000
#define MMUSIM_UNAME_RELEASE_SUFFIX "-mmusim"

#ifdef __aarch64__
/* Raw system calls, for programs built without a C library. */
static inline long mmusim_syscall3(long nr, long a0, long a1, long a2)
{
	register long x8 __asm__("x8") = nr;
	register long x0 __asm__("x0") = a0;
	register long x1 __asm__("x1") = a1;
	register long x2 __asm__("x2") = a2;

	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2) : "memory");
	return x0;
}
#endif

#endif
