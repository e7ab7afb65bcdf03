/*
 * cred: credentials and the capability rules of Linux's commoncap.c (see
 * cred.h).
 */
#include "sim/cred.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

/* The capabilities that follow the file-system uid (CAP_FS_MASK). */
#define CAP_FS_MASK                                                                          \
	(UINT64_C(1) << CAP_CHOWN | UINT64_C(1) << CAP_DAC_OVERRIDE |                        \
	 UINT64_C(1) << CAP_DAC_READ_SEARCH | UINT64_C(1) << CAP_FOWNER |                    \
	 UINT64_C(1) << CAP_FSETID | UINT64_C(1) << CAP_LINUX_IMMUTABLE |                    \
	 UINT64_C(1) << CAP_MKNOD | UINT64_C(1) << CAP_MAC_OVERRIDE)

static struct group_info *groups_alloc(int n)
{
	struct group_info *g = g_malloc(sizeof(*g) + (size_t)n * sizeof(uint32_t));

	g->refs = 1;
	g->ngroups = n;
	return g;
}

static void groups_put(struct group_info *g)
{
	if (g && --g->refs == 0)
		g_free(g);
}

void cred_init_root(struct cred *c)
{
	memset(c, 0, sizeof(*c));
	c->groups = groups_alloc(0);
	c->cap_permitted = c->cap_effective = CAP_FULL_SET;
}

void cred_copy(struct cred *to, const struct cred *from)
{
	*to = *from;
	to->groups->refs++;
}

void cred_release(struct cred *c)
{
	groups_put(c->groups);
	c->groups = NULL;
}

static int compare_gid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

void cred_set_groups(struct cred *c, const uint32_t *gid, int n)
{
	struct group_info *g = groups_alloc(n);

	memcpy(g->gid, gid, (size_t)n * sizeof(uint32_t));
	qsort(g->gid, (size_t)n, sizeof(uint32_t), compare_gid);
	groups_put(c->groups);
	c->groups = g;
}

void cred_exec(struct cred *c)
{
	bool root = c->uid == 0 || c->euid == 0;

	c->suid = c->fsuid = c->euid;
	c->sgid = c->fsgid = c->egid;
	c->cap_permitted = root ? CAP_FULL_SET : 0;
	c->cap_effective = c->euid == 0 ? c->cap_permitted : 0;
	c->keep_caps = false;
}

bool cred_capable(const struct cred *c, int cap)
{
	return c->cap_effective & UINT64_C(1) << cap;
}

bool cred_in_group(const struct cred *c, uint32_t gid)
{
	return bsearch(&gid, c->groups->gid, (size_t)c->groups->ngroups, sizeof(uint32_t),
		       compare_gid) != NULL;
}

static bool any_root(uint32_t uid, uint32_t euid, uint32_t suid)
{
	return uid == 0 || euid == 0 || suid == 0;
}

void cred_fix_setuid(struct cred *c, const struct cred *old)
{
	if (any_root(old->uid, old->euid, old->suid) && !any_root(c->uid, c->euid, c->suid) &&
	    !c->keep_caps)
		c->cap_permitted = c->cap_effective = 0;
	if (old->euid == 0 && c->euid != 0)
		c->cap_effective = 0;
	if (old->euid != 0 && c->euid == 0)
		c->cap_effective = c->cap_permitted;
}

void cred_fix_setfsuid(struct cred *c, uint32_t old_fsuid)
{
	if (old_fsuid == 0 && c->fsuid != 0)
		c->cap_effective &= ~CAP_FS_MASK;
	if (old_fsuid != 0 && c->fsuid == 0)
		c->cap_effective |= c->cap_permitted & CAP_FS_MASK;
}
