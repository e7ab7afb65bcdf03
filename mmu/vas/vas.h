/*
 * vas: first-class virtual address spaces, after the 2017 RFC of Till
 * Smejkal (docs/design.md "First-class address spaces"; the semantics are
 * those of ../shared/notes/designs.md section 1).
 *
 * A VAS is an address space that exists on its own: a name, an owner, Unix
 * mode bits and an mm holding its mappings.  A segment is a named region of
 * fixed position [start, end) backed by shared anonymous memory (its own
 * mm holds the one shared mapping); attached to a VAS it is mapped there,
 * so several VASes see the same pages.  Both outlive their creator and go
 * only when deleted (or with the registry).
 *
 * Attaching a VAS to a task builds the (task, VAS) mm: the VAS's mappings
 * (write removed for a read-only attach) and the task's own (its original
 * mm's), sharing the pages and copying the entries one to one, not
 * copy-on-write (the RFC's dup_page_range).  The caller creates the empty
 * mm (it must be one the machine can run).  Own and VAS mappings are told
 * apart by the own ranges recorded at the last synchronisation: a mapping
 * of the attached mm overlapping one of them is the task's, any other the
 * VAS's.  Switching synchronises the own mappings from the mm left to the
 * mm entered (vas_sync_own); detaching a writable attach merges the VAS's
 * mappings back into the VAS (vas_merge).
 *
 * With r->lazy (the RFC's CONFIG_VAS_LAZY_ATTACH) an attach copies the
 * VMAs but only code's entries: the others get a lazy twin of their ops
 * whose handle_fault hook (struct vm_ops) fills the whole VMA from its
 * source at its first fault, gives the VMA its own ops back and takes the
 * fault again with them; a synchronisation
 * leaves an unfilled VMA alone, and one about to be copied, merged or
 * released is filled first.
 *
 * Errors are the RFC's negative errno values.  Nothing here needs sim/.
 */
#ifndef MMU_VAS_VAS_H
#define MMU_VAS_VAS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "mmu/mm.h"

#define VAS_MAX_NAME_LENGTH 256		/* bytes with the terminating NUL */
#define VAS_MODE_MASK	0666u
#define VAS_MAY_WRITE	2u		/* the access asked for, as MAY_WRITE */
#define VAS_MAY_READ	4u		/* as MAY_READ */

/* The caller's credentials: its effective ids and supplementary groups;
 * `override` (root's CAP_DAC_OVERRIDE) may do anything. */
struct vas_cred {
	uint32_t uid, gid;
	bool override;
	const uint32_t *groups;
	int ngroups;
};

/* struct vas_attr and struct vas_seg_attr of the RFC's <linux/vas.h>. */
struct vas_attr {
	uint32_t mode;
	uint32_t user;
	uint32_t group;
};

struct vas_seg {
	int id;
	char *name;
	uint64_t start, end;
	struct vas_attr attr;
	struct mm *mm;			/* the segment's one shared mapping */
	int vases;			/* VASes it is attached to */
};

struct vas_registry;

struct vas {
	struct vas_registry *reg;	/* it belongs to */
	int id;
	char *name;
	struct vas_attr attr;
	struct mm *mm;			/* the VAS's own mappings */
	int readers, writers;		/* tasks attached read-only, writable */
	GPtrArray *segs;		/* struct vas_seg * attached */
};

struct vas_registry {
	struct phys *phys;
	struct vm_stats *stats;
	GHashTable *vases;		/* id -> struct vas * */
	GHashTable *segs;		/* id -> struct vas_seg * */
	int next_vid, next_sid;
	uint64_t switches, attaches, detaches;
	bool lazy;			/* attach lazily (--vas-attach lazy) */
	uint64_t lazy_fills;		/* VMAs filled at a fault or before a copy */
	GHashTable *lazy_ops;		/* real struct vm_ops * -> its lazy twin */
	GHashTable *lazy_mms;		/* attached mm -> struct vas_attachment * (lazy) */
};

/* An attach of a VAS to a task: the mm built for them and the task's own
 * ranges at the last synchronisation. */
struct vas_attachment {
	struct vas *vas;
	unsigned may;			/* VAS_MAY_READ and/or VAS_MAY_WRITE */
	struct mm *mm;
	struct mm *orig;		/* the task's original mm */
	GArray *own;			/* struct vas_range */
};

enum { VAS_SIDE_ORIGINAL, VAS_SIDE_ATTACHED };

/* An own VMA as the last synchronisation left it: its bounds and the
 * stamps (struct vma) of its two copies, the original mm's and the
 * attached mm's. */
struct vas_range {
	uint64_t start, end;
	uint64_t stamp[2];		/* by VAS_SIDE_* */
};

/* What a synchronisation or a build did, for its cost. */
struct vas_copy_stats {
	uint64_t vmas;			/* VMAs copied or compared */
	uint64_t entries;		/* entries installed */
	uint64_t removed;		/* entries removed (the mm must be flushed) */
};

void vas_registry_init(struct vas_registry *r, struct phys *phys, struct vm_stats *stats);
void vas_registry_fini(struct vas_registry *r);

/* Whether `cred` may access an object of `attr` as `may` asks. */
bool vas_permitted(const struct vas_attr *attr, const struct vas_cred *cred, unsigned may);

int vas_create(struct vas_registry *r, const char *name, uint32_t mode,
	       const struct vas_cred *cred);
int vas_delete(struct vas_registry *r, int vid, const struct vas_cred *cred);
int vas_find(struct vas_registry *r, const char *name);
struct vas *vas_lookup(struct vas_registry *r, int vid);
int vas_getattr(struct vas_registry *r, int vid, struct vas_attr *attr);
int vas_setattr(struct vas_registry *r, int vid, const struct vas_attr *attr,
		const struct vas_cred *cred);

int vas_seg_create(struct vas_registry *r, const char *name, uint64_t start, uint64_t end,
		   uint32_t mode, const struct vas_cred *cred);
int vas_seg_delete(struct vas_registry *r, int sid, const struct vas_cred *cred);
int vas_seg_find(struct vas_registry *r, const char *name);
int vas_seg_getattr(struct vas_registry *r, int sid, struct vas_attr *attr);
int vas_seg_setattr(struct vas_registry *r, int sid, const struct vas_attr *attr,
		    const struct vas_cred *cred);
int vas_seg_attach(struct vas_registry *r, int vid, int sid, int type,
		   const struct vas_cred *cred);
int vas_seg_detach(struct vas_registry *r, int vid, int sid, const struct vas_cred *cred);

/* The access an attach `type` (O_RDONLY, O_WRONLY, O_RDWR) asks for, or 0
 * for an invalid type. */
unsigned vas_type_to_may(int type);
/* May `vas` be attached once more with `may`?  0, -EACCES, -EBUSY. */
int vas_may_attach(const struct vas *vas, unsigned may, const struct vas_cred *cred);
/* Fill the empty `att->mm` for `vas` and the task's original mm `orig`
 * (lazily with r->lazy).  -EFAULT when a VAS mapping overlaps one of the
 * task's; -ENOMEM. */
int vas_attach_build(struct vas_attachment *att, struct vas *vas, unsigned may,
		     struct mm *orig, struct vas_copy_stats *st);
/* The attach ends: lazy VMAs are filled, a writable attach merges the
 * VAS's mappings back; frees the own ranges (the caller drops att->mm). */
int vas_attach_release(struct vas_attachment *att, struct vas_copy_stats *st);
/* Bring the own mappings of `dst` in line with those of `src` (one of them
 * is att->mm, the other the task's original mm), VMA by VMA by their
 * timestamps against the record of the last synchronisation (the RFC's
 * vas_last_update): unchanged on both sides, only the entries that differ
 * are fixed; changed (bounds, protection) or new in src, copied whole;
 * gone from src, unmapped; changed or new in dst alone, kept (it is the
 * newer; it goes the other way next time).  -EFAULT, nothing changed, when
 * a VMA changed on both sides (the source is stale: the RFC's known
 * failure when two threads grow the heap, one in a VAS, one outside), or
 * when a copy would land on a mapping dst keeps (a VAS mapping of the
 * attached mm, a newer own one). */
int vas_sync_own(struct vas_attachment *att, struct mm *src, struct mm *dst,
		 struct vas_copy_stats *st);

#endif
