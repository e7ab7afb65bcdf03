/*
 * splicetee: splice(2) and tee(2) between pipes, a memfd and a regular
 * file: bytes moved, offsets advanced, tee leaving its source, and the
 * errno rules (EINVAL without a pipe or for one pipe to itself, ESPIPE
 * for an offset on a pipe, EBADF, EAGAIN with SPLICE_F_NONBLOCK).
 * Prints one line per check.  Built for the guest and, as the oracle,
 * for the host, whose kernel must print the same.  Exit status: 0.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <unistd.h>

#include "fdtest.h"

int main(int argc, char **argv)
{
	int p[2], q[2], mfd = memfd_create("splice", 0), self = open(argv[0], O_RDONLY);
	off64_t off = 0;
	char elf[4];

	(void)argc;
	setvbuf(stdout, NULL, _IONBF, 0);
	pipe(p);
	pipe(q);
	show("no pipe", splice(self, NULL, mfd, NULL, 4, 0));
	show("read-only destination", splice(p[0], NULL, self, NULL, 4, 0));
	show("bad fd", splice(999, NULL, p[1], NULL, 4, 0));
	show("pipe to itself", splice(p[0], NULL, p[1], NULL, 4, 0));
	show("offset on a pipe", splice(p[0], &off, mfd, NULL, 4, 0));
	show("bad flags", splice(self, NULL, p[1], NULL, 4, 0x100));
	show("empty pipe, nonblocking", splice(p[0], NULL, mfd, NULL, 4, SPLICE_F_NONBLOCK));
	show("file to pipe at offset 0", splice(self, &off, p[1], NULL, 3, 0));
	off = 1;
	show("again from offset 1", splice(self, &off, p[1], NULL, 3, 0));
	printf("  offset now %lld\n", (long long)off);
	show("pipe to memfd", splice(p[0], NULL, mfd, NULL, 64, 0));
	pread(mfd, elf, 3, 0);
	elf[3] = 0;
	printf("  memfd holds \"%s\"\n", elf + 1);
	write(p[1], "tee me", 6);
	show("tee", tee(p[0], q[1], 64, 0));
	show("tee to itself", tee(p[0], p[1], 64, 0));
	show("tee from a file", tee(self, q[1], 64, 0));
	show_read("copy", q[0]);
	show_read("source keeps it", p[0]);
	show("tee empty, nonblocking", tee(p[0], q[1], 64, SPLICE_F_NONBLOCK));
	write(p[1], "to the other pipe", 17);
	show("pipe to pipe", splice(p[0], NULL, q[1], NULL, 6, 0));
	show_read("moved", q[0]);
	show_read("rest", p[0]);
	off = 0;
	show("memfd to pipe", splice(mfd, &off, q[1], NULL, 64, 0));
	show("len 0", splice(mfd, NULL, q[1], NULL, 0, 0));
	close(p[1]);
	show("drained pipe without writers", splice(p[0], NULL, mfd, NULL, 4, 0));
	return 0;
}
