/*
 * execer: execve(2) failures and success.
 *
 *   execer TEXTFILE PROGRAM [ARG...]
 *
 * First two execve calls must fail and return to the caller intact: a path
 * that does not exist (ENOENT) and TEXTFILE, an executable file that is
 * neither ELF nor a #! script (ENOEXEC).  Then it runs PROGRAM with the
 * argument vector PROGRAM ARG... "built-by-execer" and an environment it
 * builds itself, EXECER=yes and PATH=/nonexistent, and nothing else.  What
 * PROGRAM prints and its exit status are the rest of the run; if execve
 * returns, exit status 127.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *errno_name(int err)
{
	switch (err) {
	case ENOENT: return "ENOENT";
	case ENOEXEC: return "ENOEXEC";
	case EACCES: return "EACCES";
	default: return strerror(err);
	}
}

static void try_exec(const char *path)
{
	char *const argv[] = { (char *)path, NULL };
	char *const envp[] = { NULL };

	errno = 0;
	execve(path, argv, envp);
	printf("execve %s: %s\n", path, errno_name(errno));
}

int main(int argc, char **argv)
{
	char *envp[] = { "EXECER=yes", "PATH=/nonexistent", NULL };
	char **args;

	if (argc < 3) {
		fprintf(stderr, "usage: execer TEXTFILE PROGRAM [ARG...]\n");
		return 2;
	}
	try_exec("/nonexistent/program");
	try_exec(argv[1]);
	args = calloc((size_t)argc, sizeof(*args));
	for (int i = 2; i < argc; i++)
		args[i - 2] = argv[i];
	args[argc - 2] = "built-by-execer";
	printf("running %d arguments\n", argc - 1);
	fflush(stdout);
	execve(argv[2], args, envp);
	printf("execve %s: %s\n", argv[2], errno_name(errno));
	return 127;
}
