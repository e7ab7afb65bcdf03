/*
 * runscript: execve of "#!" scripts, from a directory.
 *
 *   runscript DIR PROGRAM [ARG...]
 *
 * Changes to DIR, then runs PROGRAM with the argument vector PROGRAM
 * ARG...; if execve returns, prints its errno's name and exits 1.  With
 * relative names in DIR the run is the same under mmusim and on the host
 * (DIR holding the host's build of the interpreters), so the real
 * kernel's answer can be compared with mmusim's.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static const char *errno_name(int err)
{
	switch (err) {
	case ENOENT: return "ENOENT";
	case ENOEXEC: return "ENOEXEC";
	case EACCES: return "EACCES";
	case ELOOP: return "ELOOP";
	default: return strerror(err);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: runscript DIR PROGRAM [ARG...]\n");
		return 2;
	}
	if (chdir(argv[1]) < 0) {
		perror(argv[1]);
		return 2;
	}
	execve(argv[2], argv + 2, environ);
	printf("execve %s: %s\n", argv[2], errno_name(errno));
	return 1;
}
