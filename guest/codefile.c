/*
 * codefile: maps machine code from a file with PROT_EXEC, calls it, unmaps
 * it, then maps a second file at the same address and calls that.  The
 * simulator reuses freed frames first, so the second file's page lands in
 * the frame that held the first one's translated code: unless that code is
 * forgotten, the old function runs again.  (A neighbouring page stays mapped
 * so that the page tables survive the munmap and the data frame is the one
 * handed out next.)  Each file holds
 * "mov w0, #N; ret"; the program prints both results.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static int call_code(const char *path, void *at)
{
	int fd = open(path, O_RDONLY);
	void *code;
	int result;

	if (fd < 0)
		return -1;
	code = mmap(at, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, 0);
	close(fd);
	if (code == MAP_FAILED)
		return -1;
	result = ((int (*)(void))code)();
	munmap(code, 4096);
	return result;
}

int main(int argc, char **argv)
{
	int first, second;
	void *fixed = (void *)0x600000000;

	if (argc != 3)
		return 2;
	if (mmap((char *)fixed + 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_POPULATE,
		 -1, 0) == MAP_FAILED)
		return 2;
	first = call_code(argv[1], fixed);
	second = call_code(argv[2], fixed);
	printf("first %d second %d\n", first, second);
	return 0;
}
