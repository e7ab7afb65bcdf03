/*
 * sys_vas: what the VAS calls (sim/sys_vas.c) and the VAS files
 * (sim/sys_vas_fs.c) share: the design's state in a machine, and the
 * look-ups of it both make (sim/sys_vas_state.c).
 */
#ifndef SIM_SYS_VAS_H
#define SIM_SYS_VAS_H

#include "mmu/vas/vas.h"
#include "sim/machine.h"

/* The attaches of the tasks sharing one original mm. */
struct vas_context {
	GPtrArray *atts;		/* struct vas_attachment *, in attach order */
	int pid;			/* of the task it was made for (the report's) */
};

struct vas_state {
	struct vas_registry reg;
	GHashTable *contexts;		/* original struct mm * -> struct vas_context * */
	GHashTable *active;		/* struct task * -> its active vid; absent: 0 */
};

extern const struct design_ops vas_design;

/* The mm `t` had before any attach: its context's key. */
struct mm *vas_original_mm(struct task *t);
/* The attaches `t` sees (NULL: none yet). */
GPtrArray *vas_attachments(struct vas_state *s, struct task *t);
/* The keys of `table` (GINT_TO_POINTER ids of VASes or segments), ascending. */
GList *vas_sorted_ids(GHashTable *table);

/* /sys/kernel/vas/ (sim/sys_vas_fs.c), mounted with the design's state. */
void vas_fs_mount(struct machine *m, struct vas_state *s);

/* /proc/PID/vas/ (struct design_ops proc_*). */
int vas_proc_lookup(void *state, struct task *t, int dir, const char *name, unsigned *mode);
void vas_proc_readdir(void *state, struct task *t, int dir,
		      void (*emit)(void *arg, const char *name, int node, unsigned mode), void *arg);
int vas_proc_show(void *state, struct task *t, int node, GString *out);
int vas_proc_readlink(void *state, struct task *t, int node, GString *out);

#endif
