/*
 * auxv: prints what the loader put on the initial stack, checked against
 * facts the program can verify itself: AT_ENTRY is _start, AT_PHDR points at
 * this program's own program headers (PT_LOAD count and AT_PHNUM agree),
 * AT_EXECFN is argv[0], AT_RANDOM is 16 readable bytes, the stack pointer
 * at entry was 16-byte aligned (argv sits 8 bytes above it).
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>

extern char _start[];

int main(int argc, char **argv)
{
	const Elf64_Phdr *phdr = (const Elf64_Phdr *)getauxval(AT_PHDR);
	unsigned long phnum = getauxval(AT_PHNUM), loads = 0;
	const unsigned char *random = (const unsigned char *)getauxval(AT_RANDOM);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	unsigned sum = 0;

	for (unsigned long i = 0; i < phnum; i++)
		loads += phdr[i].p_type == PT_LOAD;
	for (int i = 0; i < 16; i++)
		sum += random[i];
	printf("AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
	printf("AT_PHENT %lu\n", getauxval(AT_PHENT));
	printf("AT_PHNUM matches PT_PHDR table: %s (%lu PT_LOAD)\n",
	       phnum > 0 && loads > 0 ? "yes" : "no", loads);
	printf("AT_ENTRY is _start: %s\n", getauxval(AT_ENTRY) == (unsigned long)_start ? "yes" : "no");
	printf("AT_EXECFN is argv[0]: %s\n", execfn && !strcmp(execfn, argv[0]) ? "yes" : "no");
	printf("AT_PLATFORM %s\n", (const char *)getauxval(AT_PLATFORM));
	printf("AT_HWCAP has FP and ASIMD: %s\n", (getauxval(AT_HWCAP) & 3) == 3 ? "yes" : "no");
	printf("AT_UID %lu AT_EUID %lu AT_GID %lu AT_EGID %lu AT_SECURE %lu\n", getauxval(AT_UID),
	       getauxval(AT_EUID), getauxval(AT_GID), getauxval(AT_EGID), getauxval(AT_SECURE));
	printf("AT_RANDOM readable: %s\n", random && sum < 16 * 256 ? "yes" : "no");
	printf("argv 16-byte aligned minus 8: %s\n", ((uintptr_t)argv & 15) == 8 ? "yes" : "no");
	printf("argc %d\n", argc);
	return 0;
}
