/*
 * lab-cow N A B S C: the program of `mmusim lab cow` (lab/cow.c).
 *
 * Maps N private anonymous pages at 0x200000000, writes the first A, reads
 * the next B, forks; the child writes pages S to S+C-1 and exits; the
 * parent waits for it, then writes all N pages.  One access per page and
 * step, at offset 0.
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUF ((volatile char *)0x200000000UL)
#define PAGE 4096

int main(int argc, char **argv)
{
	long n, a, b, s, c, sum = 0;
	int status;
	pid_t pid;

	if (argc != 6)
		return 2;
	n = atol(argv[1]), a = atol(argv[2]), b = atol(argv[3]), s = atol(argv[4]), c = atol(argv[5]);
	if (a + b > n || s + c > n ||
	    mmap((void *)BUF, n * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) != (void *)BUF)
		return 1;
	for (long i = 0; i < a; i++)
		BUF[i * PAGE] = 1;
	for (long i = a; i < a + b; i++)
		sum += BUF[i * PAGE];
	pid = fork();
	if (pid == 0) {
		for (long i = s; i < s + c; i++)
			BUF[i * PAGE] = 2;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	for (long i = 0; i < n; i++)
		BUF[i * PAGE] = 3;
	return (int)sum;
}
