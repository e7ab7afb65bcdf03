/*
 * vasreport: leaves a known state of VASes for the "vas" member of
 * --report (tests/integration/test_report.c).  VAS "kept" (1) gets one
 * written page at 256 GiB through a writable attach, merged back at the
 * detach; "gone" (2) is deleted; segment "shm" (1, two pages at 320 GiB)
 * is attached to "kept" untouched; then "held" (3) is attached read-only
 * and entered, and the program prints its pid and spins until --max-insns
 * stops it, attached.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vas.h"

#define PAGE_AT_256G 0x4000000000UL
#define SEG_AT_320G 0x5000000000UL

int main(void)
{
	long kept = syscall(SYS_vas_create, "kept", 0640);
	long gone = syscall(SYS_vas_create, "gone", 0600);
	long held = -1, sid;
	char *p;

	syscall(SYS_vas_delete, gone);
	syscall(SYS_vas_attach, 0, kept, O_RDWR);
	syscall(SYS_vas_switch, kept);
	p = mmap((void *)PAGE_AT_256G, 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != MAP_FAILED)
		p[0] = 1;
	syscall(SYS_vas_switch, 0);
	syscall(SYS_vas_detach, 0, kept);
	sid = syscall(SYS_vas_seg_create, "shm", SEG_AT_320G, SEG_AT_320G + 8192, 0600);
	syscall(SYS_vas_seg_attach, kept, sid, O_RDWR);
	held = syscall(SYS_vas_create, "held", 0644);
	printf("kept %ld gone %ld shm %ld held %ld pid %d\n", kept, gone, sid, held, getpid());
	fflush(stdout);
	syscall(SYS_vas_attach, 0, held, O_RDONLY);
	syscall(SYS_vas_switch, held);
	for (;;)
		;
}
