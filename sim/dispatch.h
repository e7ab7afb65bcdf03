/*
 * dispatch: from a system-call number to the function that answers it, for
 * the run loop.  The tables of the files that implement calls (syscall.h)
 * are merged at start-up into one lookup indexed by number, up to
 * SYSCALL_TABLE_SIZE; two registrations of one number are an error.  A
 * number with no function answers -ENOSYS and is reported once by name.
 * Every call is counted per number (for --stats and --report), accounted
 * on the simulated clock, and traced under --strace.
 *
 * Only the run loop and the reports use this file; the files that
 * implement calls include sim/syscall.h instead.
 */
#ifndef SIM_DISPATCH_H
#define SIM_DISPATCH_H

#include <glib.h>

#include "sim/machine.h"
#include "sim/syscall.h"

#define SYSCALL_TABLE_SIZE 2048
#define NR_LINUX_SYSCALLS 512

struct syscall_table;

/* Every file's registrations, NULL-terminated. */
extern const struct syscall_desc *const syscall_tables[];
/* Linux's names by number (syscall_names.c, generated). */
extern const char *const syscall_names[NR_LINUX_SYSCALLS];

/* Merge `lists` (NULL-terminated) into a lookup; NULL with the reason in
 * `error` for a number registered twice or out of range. */
struct syscall_table *syscall_table_new(const struct syscall_desc *const *lists, GString *error);
void syscall_table_free(struct syscall_table *tab);
/* The table of every call mmusim implements (built on first use). */
const struct syscall_table *syscall_table_default(void);
/* The registration for `nr`, or NULL. */
const struct syscall_desc *syscall_lookup(const struct syscall_table *tab, unsigned nr);

/* The call's name: Linux's, or the registered one; NULL if it has none. */
const char *syscall_name(unsigned nr);
/* How often call `nr` was made, by a table of counts (number -> uint64_t *,
 * or NULL for none): the run's, m->syscall_counts, or a region's. */
uint64_t syscall_count(GHashTable *counts, unsigned nr);
/* The numbers called at least once, ascending (an array of unsigned). */
GArray *syscall_numbers_called(GHashTable *counts);

/* The task (loaded in the engine) made a system call. */
void do_syscall(struct machine *m, struct task *t);
/* The task is back on a CPU after a sleep: retry the call it slept in, or
 * let it return to the instruction at its PC (wait.h). */
void resume_after_wait(struct machine *m, struct task *t);

#endif
