/*
 * exec: a program image in a new address space, for execve(2) and for the
 * first program of a run.
 */
#ifndef SIM_EXEC_H
#define SIM_EXEC_H

#include <glib.h>

#include "sim/loader.h"
#include "sim/machine.h"

struct program {
	int fd;			/* the open executable */
	const char *name;	/* for messages and the VMA map */
	const char *execfn;	/* the name the guest used (AT_EXECFN) */
	char *const *argv;
	char *const *envp;
};

/* A new address space holding `prog` and its initial stack (argv, envp,
 * auxv with AT_RANDOM bytes drawn from the machine's seed), in *out with
 * one reference; its entry point and stack in `image`.  On failure: a
 * negative errno (-ENOEXEC: not a runnable static AArch64 executable;
 * -ENOMEM) and the reason, naming the file, in `error`. */
int load_program(struct machine *m, const struct program *prog, struct mm **out,
		 struct exec_image *image, GString *error);

/* Start task `t` (new, without an address space) on the program of a run,
 * argv[0]: looked up in the guest's file system from t's working directory
 * (with --root, below it: a program not found there is taken as a host
 * path), "#!" lines followed as execve does.  On failure a negative errno
 * (-ENOENT: no such program) and the reason, naming the file, in `error`. */
int exec_first_program(struct machine *m, struct task *t, char *const *argv, char *const *envp,
		       struct exec_image *image, GString *error);

#endif
