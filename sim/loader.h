/*
 * loader: execve's view of a static AArch64 ELF64 executable.  It checks the
 * file (an ELF, 64-bit, little-endian, AArch64, ET_EXEC or static-PIE ET_DYN,
 * no PT_INTERP), turns each PT_LOAD segment into a private file-backed VMA
 * that faults in on demand (bss and the rest of memsz anonymous, the tail of
 * the last file page zeroed), and builds the Linux initial stack: argc, argv,
 * envp, auxv (AT_PHDR ... AT_EXECFN), strings and AT_RANDOM bytes.
 *
 * Errors name the file and the cause in `error` and return a negative errno:
 * -EACCES for a file that is not regular or has no execute bit, -ENOEXEC for
 * anything else that is not a runnable static AArch64 executable.
 */
#ifndef SIM_LOADER_H
#define SIM_LOADER_H

#include <glib.h>
#include <stdint.h>

#include "mmu/mm.h"

struct exec_image {
	uint64_t entry;		/* initial PC */
	uint64_t sp;		/* initial SP, pointing at argc */
};

struct exec_args {
	int fd;			/* the open executable (the loader keeps its own copy) */
	const char *name;	/* its name, for messages and the VMA map */
	const char *execfn;	/* the name the guest used (AT_EXECFN) */
	char *const *argv;
	char *const *envp;
	const uint8_t *random16;	/* AT_RANDOM bytes */
};

int load_elf(struct mm *mm, const struct exec_args *args, struct exec_image *image,
	     GString *error);

#endif
