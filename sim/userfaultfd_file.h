/*
 * userfaultfd's file, shared by sim/userfaultfd.c (the descriptor, its
 * reads and ioctls) and sim/userfaultfd_events.c (the events, among them
 * FORK, which makes a file's state for the child's context).
 */
#ifndef SIM_USERFAULTFD_FILE_H
#define SIM_USERFAULTFD_FILE_H

#include <stdint.h>

#include "mmu/userfault/events.h"
#include "sim/machine.h"
#include "sim/task.h"

struct uffd_file {
	struct machine *m;
	struct userfault_ctx *ctx;
	uint64_t flags;		/* userfaultfd(2)'s: O_CLOEXEC, O_NONBLOCK, UFFD_USER_MODE_ONLY */
};

/* A context of mm and its file's state, not yet a descriptor. */
struct uffd_file *uffd_file_new(struct machine *m, struct mm *mm, uint64_t flags);
/* A descriptor of t for it ("anon_inode:[userfaultfd]", the flags' O_CLOEXEC
 * and O_NONBLOCK), or -EMFILE (uf is then freed). */
int uffd_file_install(struct task *t, struct uffd_file *uf);
/* Release its context and free it. */
void uffd_file_free(struct uffd_file *uf);

/* fork copied `old` into `child`: prepare the FORK events. */
void uffd_prep_fork(struct userfault_events *ev, struct mm *old, struct mm *child);
/* A call that prepared ev ended with `ret`: raise its events (when ret is
 * not an error) and put t to sleep, killable, until they are read; ret is
 * its answer either way. */
long uffd_events_finish(struct machine *m, struct task *t, struct userfault_events *ev, long ret);

/* UFFDIO_POISON (sim/userfaultfd_poison.c). */
long uffd_ioctl_poison(struct machine *m, struct userfault_ctx *ctx, struct mm *mm, uint64_t arg);

/* UFFDIO_WRITEPROTECT (sim/userfaultfd_wp.c). */
long uffd_ioctl_writeprotect(struct userfault_ctx *ctx, struct mm *mm, uint64_t arg);

/* UFFDIO_CONTINUE (sim/userfaultfd_minor.c). */
long uffd_ioctl_continue(struct machine *m, struct userfault_ctx *ctx, struct mm *mm, uint64_t arg);

#endif
