/*
 * mmops: each memory-management system call a known number of times, for
 * counting them in a recorded trace (docs/trace-format.md, the mm
 * operations).
 *
 * No C library, so that nothing but these calls touches the address space:
 * brk twice (ask, then grow by two pages), mmap twice (four anonymous
 * pages; one with an unknown protection bit, EINVAL), mprotect twice (one
 * page read-only; one with an unknown protection bit, EINVAL), madvise
 * (MADV_DONTNEED of the second page), mremap (grow the three writable pages
 * to six, MREMAP_MAYMOVE: the read-only one is another VMA now), munmap
 * (the six pages), then execve of itself with the
 * argument "again", which exits at once with exit_group(0).  The pages are
 * touched between the calls.  Nothing is printed, except a message on
 * standard error with exit status 1 if a call that must succeed fails.
 */
#include "mmusim.h"

#define PAGE_SIZE 4096

#define NR_write 64
#define NR_exit_group 94
#define NR_brk 214
#define NR_munmap 215
#define NR_mremap 216
#define NR_execve 221
#define NR_mmap 222
#define NR_mprotect 226
#define NR_madvise 233

#define PROT_READ 0x1
#define PROT_WRITE 0x2
#define PROT_UNKNOWN 0x100
#define MAP_PRIVATE 0x02
#define MAP_ANONYMOUS 0x20
#define MREMAP_MAYMOVE 1
#define MADV_DONTNEED 4

static void __attribute__((noreturn)) exit_group(long status)
{
	mmusim_syscall3(NR_exit_group, status, 0, 0);
	for (;;)
		;
}

static void check(int ok, const char *what, long len)
{
	if (ok)
		return;
	mmusim_syscall3(NR_write, 2, (long)what, len);
	exit_group(1);
}

#define CHECK(ok, what) check(ok, what "\n", sizeof(what))

static void touch(char *p, long pages)
{
	for (long i = 0; i < pages; i++)
		p[i * PAGE_SIZE] = 1;
}

static long map(long prot)
{
	return mmusim_syscall6(NR_mmap, 0, 4 * PAGE_SIZE, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

void start(long *sp);

void start(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char *again[] = { argv[0], "again", 0 };
	long brk, p;

	if (argc > 1)
		exit_group(0);
	brk = mmusim_syscall3(NR_brk, 0, 0, 0);
	CHECK(mmusim_syscall3(NR_brk, brk + 2 * PAGE_SIZE, 0, 0) == brk + 2 * PAGE_SIZE, "brk");
	touch((char *)brk, 2);
	p = map(PROT_READ | PROT_WRITE);
	CHECK(p > 0 || p < -4095, "mmap");
	CHECK(map(PROT_UNKNOWN) == -22, "mmap of PROT 0x100: EINVAL");
	touch((char *)p, 4);
	CHECK(mmusim_syscall3(NR_mprotect, p, PAGE_SIZE, PROT_READ) == 0, "mprotect");
	CHECK(mmusim_syscall3(NR_mprotect, p, PAGE_SIZE, PROT_UNKNOWN) == -22,
	      "mprotect of PROT 0x100: EINVAL");
	CHECK(mmusim_syscall3(NR_madvise, p + PAGE_SIZE, PAGE_SIZE, MADV_DONTNEED) == 0, "madvise");
	p = mmusim_syscall6(NR_mremap, p + PAGE_SIZE, 3 * PAGE_SIZE, 6 * PAGE_SIZE, MREMAP_MAYMOVE,
			    0, 0);
	CHECK(p > 0 || p < -4095, "mremap");
	touch((char *)p, 6);
	CHECK(mmusim_syscall3(NR_munmap, p, 6 * PAGE_SIZE, 0) == 0, "munmap");
	mmusim_syscall3(NR_execve, (long)argv[0], (long)again, (long)(argv + argc + 1));
	CHECK(0, "execve");
}

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	mov	x0, sp\n"
	"	bl	start\n"
	"	b	.\n");
