/*
 * binfmt_script: the "#!" line of an interpreted program, parsed as Linux's
 * fs/binfmt_script.c does; sim/exec runs the interpreter it names.
 */
#ifndef SIM_BINFMT_SCRIPT_H
#define SIM_BINFMT_SCRIPT_H

/* How much of a file execve looks at (Linux's BINPRM_BUF_SIZE). */
#define BINPRM_BUF_SIZE 256

/* `buf`: the first BINPRM_BUF_SIZE bytes of a file, NUL-padded past its
 * end.  A "#!" line gives 0, the interpreter path in *interp and its one
 * optional argument (the rest of the line, inner blanks kept) in *arg or
 * NULL (g_free both).  -ENOEXEC when there is no "#!", no interpreter, or
 * an interpreter path that may have been cut at the buffer's end. */
int script_parse(const char buf[BINPRM_BUF_SIZE], char **interp, char **arg);

#endif
