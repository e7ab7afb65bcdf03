/*
 * cred: a task's credentials, after Linux's struct cred: real, effective,
 * saved and file-system user and group ids, the supplementary groups, and
 * the capability sets.  Every task has its own copy (clone copies it; the
 * group list is shared by reference until setgroups replaces it), exec
 * keeps it but for what execve(2) recomputes (saved ids, capabilities).
 * Permission checks ask capable(), as Linux does: root holds every
 * capability until it changes its ids.  The first task is root with full
 * sets.  The system calls are sim/sys_cred.c's.
 */
#ifndef SIM_CRED_H
#define SIM_CRED_H

#include <stdbool.h>
#include <stdint.h>

#define CAP_CHOWN		0
#define CAP_DAC_OVERRIDE	1
#define CAP_DAC_READ_SEARCH	2
#define CAP_FOWNER		3
#define CAP_FSETID		4
#define CAP_KILL		5
#define CAP_SETGID		6
#define CAP_SETUID		7
#define CAP_SETPCAP		8
#define CAP_LINUX_IMMUTABLE	9
#define CAP_SYS_PTRACE		19
#define CAP_SYS_NICE		23
#define CAP_MKNOD		27
#define CAP_MAC_OVERRIDE	32
#define CAP_LAST_CAP		40	/* CAP_CHECKPOINT_RESTORE (Linux 6.1) */
#define CAP_FULL_SET		((UINT64_C(1) << (CAP_LAST_CAP + 1)) - 1)
#define NGROUPS_MAX		65536

/* Supplementary groups, sorted; shared (immutable) between credentials. */
struct group_info {
	int refs;
	int ngroups;
	uint32_t gid[];
};

struct cred {
	uint32_t uid, euid, suid, fsuid;
	uint32_t gid, egid, sgid, fsgid;
	struct group_info *groups;
	uint64_t cap_inheritable, cap_permitted, cap_effective;
	bool keep_caps;		/* prctl PR_SET_KEEPCAPS: cleared by exec */
};

/* Root with every capability and no supplementary group. */
void cred_init_root(struct cred *c);
/* `to` becomes a copy of `from` (sharing its group list). */
void cred_copy(struct cred *to, const struct cred *from);
void cred_release(struct cred *c);
/* Replace the supplementary groups (sorted here); `gid` has `n` entries. */
void cred_set_groups(struct cred *c, const uint32_t *gid, int n);
/* execve: saved ids take the effective ones; capabilities are recomputed as
 * for a file without file capabilities (root keeps the full set). */
void cred_exec(struct cred *c);
bool cred_capable(const struct cred *c, int cap);
/* A task's credentials (sim/task.c), for code that does not see struct task. */
struct task;
const struct cred *task_cred(const struct task *t);
bool cred_in_group(const struct cred *c, uint32_t gid);
/* The capability changes Linux makes when ids change (cap_task_fix_setuid):
 * `old` are the credentials before, `c` after a set*uid call (the fs mask
 * is not touched: fsuid follows euid there)... */
void cred_fix_setuid(struct cred *c, const struct cred *old);
/* ... and after setfsuid. */
void cred_fix_setfsuid(struct cred *c, uint32_t old_fsuid);

#endif
