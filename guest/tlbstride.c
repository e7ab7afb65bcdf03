/*
 * tlbstride: a TLB test whose data accesses are known exactly.
 *
 * No C library, no stack: the whole program is the assembly below.  It
 * maps NPAGES anonymous pages at BASE with MAP_FIXED | MAP_POPULATE, so
 * every page is present before the first access, then makes PASSES passes
 * over them, each loading one 8-byte word from offset 0 of every page in
 * ascending address order (stride 4096).  Those PASSES * NPAGES = 128
 * loads are the program's only data accesses: it never touches its stack
 * and never reads argc, argv or the environment.  It ends with
 * exit_group(0), or exit_group(1) if mmap fails.
 *
 * So a test can expect, with one CPU: 128 data loads, all at page offset
 * 0; no page fault after the populate; NPAGES distinct data pages, each
 * loaded from once per pass; and, with a data TLB of at least NPAGES
 * entries and no flush, NPAGES misses in the first pass and none after.
 *
 * The code is one function of 24 instructions at 0x40010c-0x40016b as
 * built by Debian's aarch64-linux-gnu-gcc 12 (objdump -d guest/bin/tlbstride),
 * all in the page at 0x400000.  It runs 542 instructions in about 136 basic
 * blocks: the mmap call, the failure test, per pass one block that starts
 * the pass with its first load, NPAGES - 1 further iterations of the load
 * loop and the pass-loop branch, then two blocks to exit.
 */

/* tests/integration depends on these three values. */
#define BASE 0x10000000
#define NPAGES 32
#define PASSES 4

#define PAGE_SIZE 4096
#define PROT_RW 0x3	  /* PROT_READ | PROT_WRITE */
#define MAP_FLAGS 0x8032  /* MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE */
#define NR_exit_group 94
#define NR_mmap 222

#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * Every constant is a mov immediate, never a literal-pool load: a load
 * from the code page would be a data access of its own.
 */
__asm__(
"	.text\n"
"	.globl	_start\n"
"	.type	_start, %function\n"
"_start:\n"
"	mov	x0, #" STR(BASE) "\n"
"	mov	x1, #(" STR(NPAGES) " * " STR(PAGE_SIZE) ")\n"
"	mov	x2, #" STR(PROT_RW) "\n"
"	mov	x3, #" STR(MAP_FLAGS) "\n"
"	mov	x4, #-1\n"			/* fd */
"	mov	x5, #0\n"			/* offset */
"	mov	x8, #" STR(NR_mmap) "\n"
"	svc	#0\n"
"	tbnz	x0, #63, .Lfail\n"		/* -errno */
"	mov	x2, #" STR(PASSES) "\n"
"1:	mov	x1, #" STR(BASE) "\n"		/* each pass: */
"	mov	x3, #" STR(NPAGES) "\n"
"2:	ldr	x4, [x1]\n"			/* the only data access */
"	add	x1, x1, #" STR(PAGE_SIZE) "\n"
"	subs	x3, x3, #1\n"
"	b.ne	2b\n"
"	subs	x2, x2, #1\n"
"	b.ne	1b\n"
"	mov	x0, #0\n"
"	b	.Lexit\n"
".Lfail:\n"
"	mov	x0, #1\n"
".Lexit:\n"
"	mov	x8, #" STR(NR_exit_group) "\n"
"	svc	#0\n"
"	b	.\n"
"	.size	_start, . - _start\n"
);
