/*
 * sys_cred: user and group ids, supplementary groups and capabilities, with
 * Linux's permission rules (kernel/sys.c, kernel/groups.c,
 * kernel/capability.c): a task with CAP_SETUID (CAP_SETGID) may set any id,
 * others only ids they already hold; a change of ids changes the
 * capability sets as sim/cred.c says.  The credentials are per task, as in
 * Linux (glibc makes every thread of a process call set*id).
 */
#include <errno.h>

#include "mmu/uaccess.h"
#include "sim/syscall.h"

#define INVALID_ID UINT32_MAX		/* (uid_t)-1: "unchanged", or invalid */

/* The four ids of one kind, and the capability that lets a task set them. */
struct idset {
	uint32_t *r, *e, *s, *fs;
	int cap;
	bool user;
};

static struct idset ids_of(struct cred *c, bool user)
{
	if (user)
		return (struct idset){ &c->uid, &c->euid, &c->suid, &c->fsuid, CAP_SETUID, true };
	return (struct idset){ &c->gid, &c->egid, &c->sgid, &c->fsgid, CAP_SETGID, false };
}

/* Whether a task without the capability may take `id`: one it holds. */
static bool holds(const struct idset *ids, uint32_t id)
{
	return id == *ids->r || id == *ids->e || id == *ids->s;
}

/* setuid(2) / setgid(2) */
static long set_id(struct task *t, bool user, uint32_t id)
{
	struct cred old = t->cred;
	struct idset ids = ids_of(&t->cred, user);

	if (id == INVALID_ID)
		return -EINVAL;
	if (cred_capable(&old, ids.cap))
		*ids.r = *ids.s = id;
	else if (id != *ids.r && id != *ids.s)
		return -EPERM;
	*ids.e = *ids.fs = id;
	if (user)
		cred_fix_setuid(&t->cred, &old);
	return 0;
}

/* setreuid(2) / setregid(2) */
static long set_re_id(struct task *t, bool user, uint32_t r, uint32_t e)
{
	struct cred old = t->cred;
	struct idset ids = ids_of(&t->cred, user);
	bool cap = cred_capable(&old, ids.cap);

	if (r != INVALID_ID && r != *ids.r && r != *ids.e && !cap)
		return -EPERM;
	if (e != INVALID_ID && !holds(&ids, e) && !cap)
		return -EPERM;
	if (r != INVALID_ID)
		*ids.r = r;
	if (e != INVALID_ID)
		*ids.e = e;
	if (r != INVALID_ID || (e != INVALID_ID && e != (user ? old.uid : old.gid)))
		*ids.s = *ids.e;
	*ids.fs = *ids.e;
	if (user)
		cred_fix_setuid(&t->cred, &old);
	return 0;
}

/* setresuid(2) / setresgid(2) */
static long set_res_id(struct task *t, bool user, const uint32_t want[3])
{
	struct cred old = t->cred;
	struct idset ids = ids_of(&t->cred, user);
	uint32_t *field[3] = { ids.r, ids.e, ids.s };

	for (int i = 0; i < 3; i++)
		if (want[i] != INVALID_ID && !holds(&ids, want[i]) && !cred_capable(&old, ids.cap))
			return -EPERM;
	for (int i = 0; i < 3; i++)
		if (want[i] != INVALID_ID)
			*field[i] = want[i];
	*ids.fs = *ids.e;
	if (user)
		cred_fix_setuid(&t->cred, &old);
	return 0;
}

/* getresuid(2) / getresgid(2) */
static long get_res_id(struct task *t, bool user, const uint64_t *a)
{
	struct idset ids = ids_of(&t->cred, user);
	uint32_t *field[3] = { ids.r, ids.e, ids.s };

	for (int i = 0; i < 3; i++)
		if (copy_to_user(t->mm, a[i], field[i], sizeof(uint32_t)))
			return -EFAULT;
	return 0;
}

/* setfsuid(2) / setfsgid(2): the old id, whether it changed or not. */
static long set_fs_id(struct task *t, bool user, uint32_t id)
{
	struct idset ids = ids_of(&t->cred, user);
	uint32_t old = *ids.fs;

	if (id != INVALID_ID && (holds(&ids, id) || id == old || cred_capable(&t->cred, ids.cap))) {
		*ids.fs = id;
		if (user)
			cred_fix_setfsuid(&t->cred, old);
	}
	return old;
}

SYSCALL(getuid) { return t->cred.uid; }
SYSCALL(geteuid) { return t->cred.euid; }
SYSCALL(getgid) { return t->cred.gid; }
SYSCALL(getegid) { return t->cred.egid; }
SYSCALL(setuid) { return set_id(t, true, (uint32_t)a[0]); }
SYSCALL(setgid) { return set_id(t, false, (uint32_t)a[0]); }
SYSCALL(setreuid) { return set_re_id(t, true, (uint32_t)a[0], (uint32_t)a[1]); }
SYSCALL(setregid) { return set_re_id(t, false, (uint32_t)a[0], (uint32_t)a[1]); }
SYSCALL(setresuid) { return set_res_id(t, true, (uint32_t[3]){ a[0], a[1], a[2] }); }
SYSCALL(setresgid) { return set_res_id(t, false, (uint32_t[3]){ a[0], a[1], a[2] }); }
SYSCALL(getresuid) { return get_res_id(t, true, a); }
SYSCALL(getresgid) { return get_res_id(t, false, a); }
SYSCALL(setfsuid) { return set_fs_id(t, true, (uint32_t)a[0]); }
SYSCALL(setfsgid) { return set_fs_id(t, false, (uint32_t)a[0]); }

SYSCALL(getgroups)
{
	const struct group_info *g = t->cred.groups;
	int size = (int)a[0];

	if (size < 0)
		return -EINVAL;
	if (!size)
		return g->ngroups;
	if (g->ngroups > size)
		return -EINVAL;
	if (copy_to_user(t->mm, a[1], g->gid, (size_t)g->ngroups * sizeof(uint32_t)))
		return -EFAULT;
	return g->ngroups;
}

SYSCALL(setgroups)
{
	int size = (int)a[0];
	uint32_t *gid;
	long ret = 0;

	if (!cred_capable(&t->cred, CAP_SETGID))
		return -EPERM;
	if ((unsigned)size > NGROUPS_MAX)
		return -EINVAL;
	gid = g_new(uint32_t, MAX(size, 1));
	if (copy_from_user(t->mm, gid, a[1], (size_t)size * sizeof(uint32_t)))
		ret = -EFAULT;
	else
		cred_set_groups(&t->cred, gid, size);
	g_free(gid);
	return ret;
}

/* capget/capset: struct __user_cap_header_struct { u32 version; int pid; }
 * and one (v1) or two (v2, v3) struct __user_cap_data_struct { u32
 * effective, permitted, inheritable; }: the low then the high 32 bits. */
#define CAP_VERSION_1 0x19980330u
#define CAP_VERSION_2 0x20071026u
#define CAP_VERSION_3 0x20080522u

struct cap_data {
	uint32_t effective, permitted, inheritable;
};

/* How many data records the header's version takes; an unknown version is
 * answered with the one this kernel prefers, and EINVAL. */
static long cap_validate_magic(struct task *t, uint64_t header, int *words)
{
	uint32_t version, preferred = CAP_VERSION_3;

	if (copy_from_user(t->mm, &version, header, sizeof(version)))
		return -EFAULT;
	if (version == CAP_VERSION_1 || version == CAP_VERSION_2 || version == CAP_VERSION_3) {
		*words = version == CAP_VERSION_1 ? 1 : 2;
		return 0;
	}
	return copy_to_user(t->mm, header, &preferred, sizeof(preferred)) ? -EFAULT : -EINVAL;
}

static long cap_header_pid(struct task *t, uint64_t header, int *pid)
{
	if (copy_from_user(t->mm, pid, header + 4, sizeof(*pid)))
		return -EFAULT;
	return *pid < 0 ? -EINVAL : 0;
}

SYSCALL(capget)
{
	struct cap_data data[2];
	const struct cred *c;
	int words, pid;
	long err = cap_validate_magic(t, a[0], &words);

	if (!a[1] || err)
		return !a[1] && err == -EINVAL ? 0 : err;
	err = cap_header_pid(t, a[0], &pid);
	if (err)
		return err;
	if (pid && pid != t->tid) {
		struct task *other = g_hash_table_lookup(m->tasks, GINT_TO_POINTER(pid));

		if (!other)
			return -ESRCH;
		c = &other->cred;
	} else {
		c = &t->cred;
	}
	for (int i = 0; i < 2; i++)
		data[i] = (struct cap_data){ (uint32_t)(c->cap_effective >> 32 * i),
					     (uint32_t)(c->cap_permitted >> 32 * i),
					     (uint32_t)(c->cap_inheritable >> 32 * i) };
	return copy_to_user(t->mm, a[1], data, (size_t)words * sizeof(data[0])) ? -EFAULT : 0;
}

static bool cap_subset(uint64_t a, uint64_t b)
{
	return !(a & ~b);
}

SYSCALL(capset)
{
	struct cap_data data[2] = { 0 };
	uint64_t eff = 0, perm = 0, inh = 0;
	struct cred *c = &t->cred;
	int words, pid;
	long err = cap_validate_magic(t, a[0], &words);

	if (!err)
		err = cap_header_pid(t, a[0], &pid);
	if (err)
		return err;
	if (pid && pid != t->tid)
		return -EPERM;
	if (copy_from_user(t->mm, data, a[1], (size_t)words * sizeof(data[0])))
		return -EFAULT;
	for (int i = 0; i < 2; i++) {
		eff |= (uint64_t)data[i].effective << 32 * i;
		perm |= (uint64_t)data[i].permitted << 32 * i;
		inh |= (uint64_t)data[i].inheritable << 32 * i;
	}
	eff &= CAP_FULL_SET;
	perm &= CAP_FULL_SET;
	inh &= CAP_FULL_SET;
	if ((!cred_capable(c, CAP_SETPCAP) && !cap_subset(inh, c->cap_inheritable | c->cap_permitted)) ||
	    !cap_subset(perm, c->cap_permitted) || !cap_subset(eff, perm))
		return -EPERM;
	c->cap_effective = eff;
	c->cap_permitted = perm;
	c->cap_inheritable = inh;
	return 0;
}

const struct syscall_desc cred_syscalls[] = {
	SYSCALL_DESC(90, capget, "pp"),
	SYSCALL_DESC(91, capset, "pp"),
	SYSCALL_DESC(143, setregid, "dd"),
	SYSCALL_DESC(144, setgid, "d"),
	SYSCALL_DESC(145, setreuid, "dd"),
	SYSCALL_DESC(146, setuid, "d"),
	SYSCALL_DESC(147, setresuid, "ddd"),
	SYSCALL_DESC(148, getresuid, "ppp"),
	SYSCALL_DESC(149, setresgid, "ddd"),
	SYSCALL_DESC(150, getresgid, "ppp"),
	SYSCALL_DESC(151, setfsuid, "d"),
	SYSCALL_DESC(152, setfsgid, "d"),
	SYSCALL_DESC(158, getgroups, "dp"),
	SYSCALL_DESC(159, setgroups, "dp"),
	SYSCALL_DESC(174, getuid, ""),
	SYSCALL_DESC(175, geteuid, ""),
	SYSCALL_DESC(176, getgid, ""),
	SYSCALL_DESC(177, getegid, ""),
	{ 0 }
};
